// Checks over the Kafka observations: consumer groups that stopped keeping
// up, and dead-letter topics that are missing, filling, or holding records
// nobody handles. Targets start with the cluster name.
#pragma once

#include <vector>

#include "health/check_policy.h"
#include "health/condition.h"
#include "health/health_inputs.h"

namespace failwatch {

// Target "<cluster>/<group>", for the groups named in groups[] (discovered
// groups and reprocess-only groups are in the metrics, not the verdict).
// Once the group's rate window is covered: degraded when lag grows steadily
// (GroupRates::lag_growing) or lag > 0 without committed-offset progress
// for tuning.consumer_lag_stopped_after. Always: degraded on status
// WARN/STALL/STOP/REWIND or lag above tuning.consumer_lag_seconds. A
// reason says "keeps up" only when the lag is flat or falling, and says
// when the rates are not known yet. ERR (offsets unreadable) is unknown, not
// down: failwatch being unable to read a group says nothing about the
// consumer, and collector_failing already reports the blind spot.
void CheckConsumerLag(const HealthInputs& in, const HealthTuning& tuning,
                      std::vector<Condition>& out);

// Target "<cluster>/<group>/<topic>" (convention DLTs) or
// "<cluster>/<group>/<dlt>" (explicit ones). Degraded when the expected DLT
// does not exist or has too few partitions: a failure would be lost or
// block the partition, as in the seed incident.
void CheckDltMissing(const HealthInputs& in, const HealthTuning& tuning,
                     std::vector<Condition>& out);

// Target "<cluster>/<dlt>". Degraded while records are entering the DLT
// (within tuning.dlt_receiving_window): something is failing right now.
void CheckDltReceiving(const HealthInputs& in, const HealthTuning& tuning,
                       std::vector<Condition>& out);

// Target "<cluster>/<dlt>". Degraded when the oldest unhandled record is
// older than tuning.dlt_unhandled_age_seconds.
void CheckDltUnhandledAge(const HealthInputs& in, const HealthTuning& tuning,
                          std::vector<Condition>& out);

}  // namespace failwatch
