// The health checks a user may tune under `health.checks`. Shared by the
// config loader (to reject typos) and the evaluator (which implements them),
// so the two cannot drift apart silently.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace failwatch {

inline constexpr std::array<std::string_view, 17> kCheckNames = {
    "dns_resolution",       "dns_flapping",         "dns_ttl",
    "endpoint_not_primary", "no_primary",
    "multiple_primaries",   "replication_lag",
    "write_probe",          "stale_app_connections",
    "pgbouncer_waiting",    "pgbouncer_stale_servers",
    "consumer_lag",         "dlt_missing",
    "dlt_receiving",        "dlt_unhandled_age",
    "kafka_canary",         "collector_failing",
};

inline bool IsKnownCheckName(std::string_view name) {
  return std::find(kCheckNames.begin(), kCheckNames.end(), name) !=
         kCheckNames.end();
}

// Threshold keys a check accepts next to `for`/`clear_after`. Durations are
// stored in seconds, counts and bytes as numbers (CheckOverride::thresholds);
// the evaluator's defaults and reasons live in health/check_policy.
enum class ThresholdKind { kDuration, kCount, kBytes };

struct ThresholdKey {
  std::string_view check;
  std::string_view key;
  ThresholdKind kind;
};

inline constexpr std::array<ThresholdKey, 12> kThresholdKeys = {{
    {"dns_flapping", "window", ThresholdKind::kDuration},
    {"dns_ttl", "max_ttl", ThresholdKind::kDuration},
    {"replication_lag", "max_lag", ThresholdKind::kDuration},
    {"replication_lag", "max_lag_bytes", ThresholdKind::kBytes},
    {"pgbouncer_waiting", "max_wait", ThresholdKind::kDuration},
    {"pgbouncer_waiting", "max_waiting", ThresholdKind::kCount},
    {"consumer_lag", "max_lag", ThresholdKind::kDuration},
    {"consumer_lag", "window", ThresholdKind::kDuration},
    {"consumer_lag", "stopped_after", ThresholdKind::kDuration},
    {"dlt_receiving", "window", ThresholdKind::kDuration},
    {"dlt_unhandled_age", "max_age", ThresholdKind::kDuration},
    {"collector_failing", "stale_intervals", ThresholdKind::kCount},
}};

// The threshold `key` of `check`, or null when the check has no such key.
inline const ThresholdKey* FindThresholdKey(std::string_view check,
                                            std::string_view key) {
  for (const ThresholdKey& k : kThresholdKeys) {
    if (k.check == check && k.key == key) return &k;
  }
  return nullptr;
}

}  // namespace failwatch
