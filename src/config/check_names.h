// The health checks a user may tune under `health.checks`. Shared by the
// config loader (to reject typos) and the evaluator (which implements them),
// so the two cannot drift apart silently.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace failwatch {

inline constexpr std::array<std::string_view, 15> kCheckNames = {
    "dns_resolution",       "dns_flapping",
    "endpoint_not_primary", "no_primary",
    "multiple_primaries",   "replication_lag",
    "write_probe",          "stale_app_connections",
    "pgbouncer_waiting",    "pgbouncer_stale_servers",
    "consumer_lag",         "dlt_missing",
    "dlt_receiving",        "dlt_unhandled_age",
    "collector_failing",
};

inline bool IsKnownCheckName(std::string_view name) {
  return std::find(kCheckNames.begin(), kCheckNames.end(), name) !=
         kCheckNames.end();
}

}  // namespace failwatch
