// The table of implemented checks. Adding a check (pgbouncer_waiting,
// consumer_lag, dlt_* ...) is adding its name to config/check_names.h, its
// defaults to check_policy.cc, a function with the CheckFn signature and a
// row here; the evaluator, hysteresis, metrics and /status need no change.
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

struct CheckSpec {
  std::string_view name;  // every Condition it emits carries this name
  CheckFn fn;
  // What a failure means unless the condition says otherwise.
  CheckTier tier = CheckTier::kImpact;
};

// The default tier of `name`; impact for unknown names.
CheckTier DefaultTier(std::string_view name);

std::span<const CheckSpec> CheckTable();

// Runs every check in the table, in table order; conditions without a tier
// get their check's default.
std::vector<Condition> RunChecks(const HealthInputs& in,
                                 const HealthTuning& tuning);

}  // namespace failwatch
