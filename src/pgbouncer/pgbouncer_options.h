// One PgBouncer's admin console, as the PgBouncer collector reads it. The
// config loader fills it; the pgbouncer module never sees the config.
#pragma once

#include <cstdint>
#include <string>

#include "core/host_port.h"
#include "core/schedule.h"
#include "core/secret.h"

namespace failwatch {

inline constexpr std::uint16_t kDefaultPgBouncerPort = 6432;

struct PgBouncerConfig {
  HostPort address;
  std::string user = "pgbouncer";
  Secret password;
  std::string dbname = "pgbouncer";
  Schedule schedule;
  bool operator==(const PgBouncerConfig&) const = default;
};

}  // namespace failwatch
