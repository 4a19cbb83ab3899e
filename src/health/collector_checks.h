// collector_failing: failwatch's own blind spots. A target whose samples
// fail or stop arriving means the other checks judge old data, which is a
// degradation of its own.
#pragma once

#include <vector>

#include "health/check_policy.h"
#include "health/condition.h"
#include "health/health_inputs.h"

namespace failwatch {

// Target "<kind>/<target>" ("postgres/orders"). Degraded when the last
// sample failed, or when no sample completed for
// tuning.collector_stale_intervals intervals.
void CheckCollectorFailing(const HealthInputs& in, const HealthTuning& tuning,
                           std::vector<Condition>& out);

}  // namespace failwatch
