// dns_resolution and dns_flapping: per endpoint of each database, target
// "<database>/<role>" ("orders/writer").
#pragma once

#include <vector>

#include "health/check_policy.h"
#include "health/condition.h"
#include "health/health_inputs.h"

namespace failwatch {

// Down when the writer endpoint cannot be resolved (new connections cannot
// even start), degraded for the reader endpoint.
void CheckDnsResolution(const HealthInputs& in, const HealthTuning& tuning,
                        std::vector<Condition>& out);

// Degraded when an old answer came back within tuning.dns_flap_window
// (A -> B -> A). A clean move (A -> B) or a rollout (A -> B -> C) is not a
// flap.
void CheckDnsFlapping(const HealthInputs& in, const HealthTuning& tuning,
                      std::vector<Condition>& out);

}  // namespace failwatch
