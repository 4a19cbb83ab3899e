#include "postgres/node_set.h"

#include <arpa/inet.h>

#include "postgres/pg_observation.h"

namespace failwatch {

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

NodeSet::Item& NodeSet::Get(const HostPort& address) {
  auto [it, inserted] = entries_.try_emplace(address.ToString());
  if (inserted) it->second.address = address;
  return it->second;
}

void NodeSet::SetMembers(const std::vector<HostPort>& members) {
  for (auto& [key, item] : entries_) item.member = false;
  for (const auto& m : members) Get(m).member = true;
}

void NodeSet::SeenFromDns(const AddressSet& ips, std::uint16_t port,
                          WallTime now) {
  for (const auto& ip : ips) {
    Item& item = Get(HostPort{ip, port});
    if (now > item.dns_seen) item.dns_seen = now;
  }
}

void NodeSet::SeenDiscovered(const HostPort& address, WallTime now) {
  if (!IsIpLiteral(address.host) || address.port == 0) return;
  Item& item = Get(address);
  if (now > item.discovered_seen) item.discovered_seen = now;
}

void NodeSet::Expire(WallTime now) {
  const WallTime cutoff = now - retention_;
  for (auto it = entries_.begin(); it != entries_.end();) {
    Item& item = it->second;
    if (item.dns_seen < cutoff) item.dns_seen = WallTime{};
    if (item.discovered_seen < cutoff) item.discovered_seen = WallTime{};
    if (!item.member && item.dns_seen == WallTime{} &&
        item.discovered_seen == WallTime{}) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<NodeSetEntry> NodeSet::Entries() const {
  std::vector<NodeSetEntry> out;
  for (const auto& [key, item] : entries_) {
    NodeSetEntry e;
    e.address = item.address;
    if (item.member) e.sources |= kSourceMember;
    if (item.dns_seen != WallTime{}) e.sources |= kSourceDns;
    if (item.discovered_seen != WallTime{}) e.sources |= kSourceDiscovered;
    e.last_seen = std::max(item.dns_seen, item.discovered_seen);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace failwatch
