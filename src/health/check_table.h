// The check registry: one row per health check with everything about it
// (name, function, default tier, default for/clear_after, the threshold
// keys health.checks.<name> accepts). The config loader validates
// health.checks against it, the policy defaults come from it, the
// evaluator runs it; adding a check is a function and a row here (plus
// ResolveTuning for a threshold key, and its documentation).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "health/check_policy.h"
#include "health/condition.h"
#include "health/health_inputs.h"

namespace failwatch {

// Appends one Condition per target it can judge. Pure.
using CheckFn = void (*)(const HealthInputs&, const HealthTuning&,
                         std::vector<Condition>&);

// How a threshold key is read: durations are stored in seconds, counts
// and bytes as numbers (CheckOverride::thresholds).
enum class ThresholdKind { kDuration, kCount, kBytes };

// A key health.checks.<check> accepts next to `for` / `clear_after`.
struct ThresholdKey {
  std::string_view key;
  ThresholdKind kind;
};

struct CheckSpec {
  std::string_view name;  // every Condition it emits carries this name
  CheckFn fn;
  // What a failure means unless the condition says otherwise.
  CheckTier tier = CheckTier::kImpact;
  // Hysteresis defaults (DefaultPolicy).
  CheckPolicy policy;
  std::span<const ThresholdKey> thresholds;
};

std::span<const CheckSpec> CheckTable();

// The row of `name`, or null for an unknown check.
const CheckSpec* FindCheck(std::string_view name);

// The threshold `key` of `check`, or null when the check has no such key.
const ThresholdKey* FindThresholdKey(std::string_view check,
                                     std::string_view key);

// The default tier of `name`; impact for unknown names.
CheckTier DefaultTier(std::string_view name);

// Runs every check in the table, in table order; conditions without a tier
// get their check's default.
std::vector<Condition> RunChecks(const HealthInputs& in,
                                 const HealthTuning& tuning);

}  // namespace failwatch
