// What the PostgreSQL collector (and the checks judging it) needs of one
// database. The config loader fills it as the base of config's
// DatabaseConfig, so each value has one definition and one default here; the
// postgres module never sees the config.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/host_port.h"
#include "core/secret.h"
#include "dns/dns_options.h"

namespace failwatch {

inline constexpr std::uint16_t kDefaultPostgresPort = 5432;

struct AppConfig {
  enum class Expects { kPrimary, kAny };
  std::string application_name;  // glob: '*' and '?'
  Expects expects = Expects::kPrimary;
  bool operator==(const AppConfig&) const = default;
};

struct WriteProbeConfig {
  bool enabled = false;
  std::string table = "failwatch_heartbeat";
  // The sticky path's connection is recycled after this long, like a pool's
  // maxLifetime (HikariCP's default is 30 min): how long a naive pool keeps
  // writing to a demoted node.
  Millis sticky_max_lifetime{30 * 60 * 1000};
  // The heartbeat row's id. Not a YAML key: the app sets it to
  // "failwatch/<instance_id>/<database>" so replicas never share a row
  // (app/instance_identity.h); empty = "failwatch/<database>".
  std::string row_id;
  bool operator==(const WriteProbeConfig&) const = default;
};

// The endpoints (name, endpoint, reader_endpoint, dns_servers, schedule)
// come from the DNS part: the collector samples the nodes they resolve to.
struct PgDatabaseOptions : DnsTargetOptions {
  std::vector<HostPort> members;
  std::string user = "failwatch";
  Secret password;
  std::string dbname = "postgres";
  std::string sslmode = "prefer";
  std::vector<AppConfig> apps;
  WriteProbeConfig write_probe;
  bool operator==(const PgDatabaseOptions&) const = default;
};

}  // namespace failwatch
