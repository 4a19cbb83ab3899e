// The health: section as the evaluator reads it. The config loader fills
// it; the health module never sees the config.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/clock.h"

namespace failwatch {

struct CheckOverride {
  std::optional<Millis> for_duration;  // `for:` in YAML
  std::optional<Millis> clear_after;
  // Keys from health/check_table.cc (ThresholdKey) that were set: durations
  // in seconds, counts and bytes as numbers.
  std::map<std::string, double> thresholds;
  bool operator==(const CheckOverride&) const = default;
};

struct HealthConfig {
  enum class ReadinessFailsOn { kNever, kDegraded, kDown };
  ReadinessFailsOn readiness_fails_on = ReadinessFailsOn::kNever;
  // A failover not converged after this long is logged as such.
  std::optional<Millis> failover_timeout;
  // Keyed by check name (e.g. "endpoint_not_primary").
  std::map<std::string, CheckOverride> checks;
  bool operator==(const HealthConfig&) const = default;
};

}  // namespace failwatch
