// A resolved answer for one host and the pure rules that turn the two
// per-family lookups (A and AAAA) into it. No I/O here: the resolver
// (ares_resolver.h) produces FamilyResults, these functions judge them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "dns/dns_observation.h"

namespace failwatch {

struct DnsAnswer {
  AddressSet addresses;           // never empty on success
  std::uint32_t ttl_seconds = 0;  // min TTL across all records
  bool operator==(const DnsAnswer&) const = default;
};

// c-ares status names used as Error::code (and as the `code` label).
inline constexpr std::string_view kCodeNoData = "ENODATA";
inline constexpr std::string_view kCodeNotFound = "ENOTFOUND";
inline constexpr std::string_view kCodeTimeout = "ETIMEOUT";

// The canonical text of an IPv4 or IPv6 literal ("127.0.0.2", "::1"), or
// nullopt when `host` is a name. An endpoint configured by address is never
// queried: it "resolves" to itself.
std::optional<std::string> CanonicalIpLiteral(const std::string& host);

// Merges the A and AAAA results of one host.
//  - both answered: union of addresses, min TTL;
//  - one answered, the other ENODATA/ENOTFOUND (no records of that family;
//    some servers wrongly say NXDOMAIN for the missing family): success;
//  - one answered, the other failed for another reason (timeout, SERVFAIL,
//    ...): failure with that error. A half answer would look like an answer
//    change and count as one, which is worse than a failed lookup.
//  - both failed: the most telling error: a transport/server error first,
//    then ENOTFOUND, then ENODATA.
Result<DnsAnswer> CombineFamilies(const Result<DnsAnswer>& a,
                                  const Result<DnsAnswer>& aaaa);

}  // namespace failwatch
