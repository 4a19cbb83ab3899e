// What the DNS collector watches for one database: the names of its
// endpoints and the servers to ask. The config loader fills it (as the base
// of config's DatabaseConfig); the DNS module never sees the config.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/host_port.h"
#include "core/schedule.h"

namespace failwatch {

struct DnsTargetOptions {
  std::string name;  // the database's name: the target label
  HostPort endpoint;
  std::optional<HostPort> reader_endpoint;
  // "ip[:port]" of DNS servers; empty = the system's /etc/resolv.conf.
  std::vector<std::string> dns_servers;
  Schedule schedule;
  bool operator==(const DnsTargetOptions&) const = default;
};

}  // namespace failwatch
