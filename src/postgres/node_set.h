// The set of nodes a database is watched on: configured members, every
// address the endpoints resolved to within the retention window, and nodes
// found in replication views. Pure bookkeeping; the collector feeds it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/host_port.h"
#include "dns/dns_observation.h"

namespace failwatch {

struct NodeSetEntry {
  HostPort address;
  unsigned sources = 0;  // kSource* bits seen within the window
  WallTime last_seen{};  // for non-member sources
};

class NodeSet {
 public:
  explicit NodeSet(Millis retention) : retention_(retention) {}

  // Members never age out.
  void SetMembers(const std::vector<HostPort>& members);
  // Addresses an endpoint answered with (IPs), reachable on `port`.
  void SeenFromDns(const AddressSet& ips, std::uint16_t port, WallTime now);
  // Only IP literals are accepted: a host name would make libpq resolve it
  // synchronously inside the sample.
  void SeenDiscovered(const HostPort& address, WallTime now);
  // Drops non-member entries not seen since now - retention.
  void Expire(WallTime now);

  // Sorted by "host:port".
  std::vector<NodeSetEntry> Entries() const;
  bool Contains(const std::string& address) const {
    return entries_.count(address) != 0;
  }

 private:
  struct Item {
    HostPort address;
    bool member = false;
    WallTime dns_seen{};
    WallTime discovered_seen{};
  };
  Item& Get(const HostPort& address);

  Millis retention_;
  std::map<std::string, Item> entries_;
};

// True for a numeric IPv4 or IPv6 address.
bool IsIpLiteral(const std::string& host);

}  // namespace failwatch
