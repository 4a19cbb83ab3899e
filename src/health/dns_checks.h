// dns_resolution, dns_flapping and dns_ttl: per endpoint of each database,
// target "<database>/<role>" ("orders/writer").
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

// Risk, target "<database>/writer": the writer endpoint's TTL exceeds
// tuning.dns_max_ttl_seconds, so clients cache the old address longer than
// a failover takes. Judged by the largest TTL in the answer history: a
// caching resolver counts the TTL down between refreshes.
void CheckDnsTtl(const HealthInputs& in, const HealthTuning& tuning,
                 std::vector<Condition>& out);

}  // namespace failwatch
