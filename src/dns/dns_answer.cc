#include "dns/dns_answer.h"

#include <arpa/inet.h>

#include <algorithm>

namespace failwatch {
namespace {

bool IsNoRecords(const Error& e) {
  return e.code == kCodeNoData || e.code == kCodeNotFound;
}

// Lower is more telling.
int ErrorRank(const Error& e) {
  if (e.code == kCodeNoData) return 2;
  if (e.code == kCodeNotFound) return 1;
  return 0;
}

}  // namespace

std::optional<std::string> CanonicalIpLiteral(const std::string& host) {
  char text[INET6_ADDRSTRLEN] = {};
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    if (inet_ntop(AF_INET, &v4, text, sizeof(text)) == nullptr) {
      return std::nullopt;
    }
    return std::string(text);
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (inet_ntop(AF_INET6, &v6, text, sizeof(text)) == nullptr) {
      return std::nullopt;
    }
    return std::string(text);
  }
  return std::nullopt;
}

Result<DnsAnswer> CombineFamilies(const Result<DnsAnswer>& a,
                                  const Result<DnsAnswer>& aaaa) {
  if (a.ok() && aaaa.ok()) {
    DnsAnswer out = a.value();
    out.addresses.insert(aaaa->addresses.begin(), aaaa->addresses.end());
    out.ttl_seconds = std::min(a->ttl_seconds, aaaa->ttl_seconds);
    return out;
  }
  if (a.ok()) {
    if (IsNoRecords(aaaa.error())) return a;
    return aaaa.error();
  }
  if (aaaa.ok()) {
    if (IsNoRecords(a.error())) return aaaa;
    return a.error();
  }
  return ErrorRank(a.error()) <= ErrorRank(aaaa.error()) ? a.error()
                                                         : aaaa.error();
}

}  // namespace failwatch
