// Lag in seconds that does not lie (issue 18): a partition whose committed
// offset is below the log start offset lost records to retention before the
// group consumed them — there is no record to date the lag from, and the
// lag counts from the start offset. A committed offset with no record of
// its own (a compacted hole, or a deleted range) is dated from the next
// record, which is younger: a lower bound. Both are flagged per partition
// and named in consumer_lag's reason instead of passing for exact.
#pragma once

#include <prometheus/metric_family.h>

#include <cstddef>
#include <string>
#include <vector>

#include "kafka/kafka_observation.h"

namespace failwatch {

inline constexpr char kLagExpired[] = "expired";
inline constexpr char kLagCompacted[] = "compacted";

// Flags every group partition whose committed offset is below its low
// watermark as "expired". Returns how many.
std::size_t FlagExpiredCommits(KafkaObservation& obs);

// failwatch_kafka_group_partition_lag_seconds_caveat{..., reason} = 1 per
// flagged partition (built apart from the collector's other families).
void AppendLagCaveatFamilies(const KafkaObservation& obs,
                             std::vector<prometheus::MetricFamily>& out);

}  // namespace failwatch
