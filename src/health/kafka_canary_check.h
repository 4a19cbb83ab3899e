// kafka_canary: does the cluster carry records end to end? Judged from the
// canary's per-partition verdicts (kafka/canary_tracker.h).
#pragma once

#include <vector>

#include "health/check_policy.h"
#include "health/condition.h"
#include "health/health_inputs.h"

namespace failwatch {

// Target "<cluster>", for clusters with a canary. Degraded when the newest
// decided record of any partition was not consumed back within the SLA
// (lost); unknown while the canary is not running (topic missing, consumer
// not assigned yet) or has decided no record yet; ok otherwise.
void CheckKafkaCanary(const HealthInputs& in, const HealthTuning& tuning,
                      std::vector<Condition>& out);

}  // namespace failwatch
