// Lag in seconds read from the record itself (kafka[].lag_timestamp_reads):
// for lagging partitions, the timestamp of the first unconsumed record (at
// the committed offset) gives the exact age of the backlog, where the
// interpolation over failwatch's own end-offset history can only give a
// lower bound until the history covers the committed offset (e.g. right
// after a restart). Reads cost a fetch each, so at most N per sample,
// largest lag first; partitions several groups wait on at the same offset
// are read once. Pure planning and applying; the reads are ReadRecords.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "kafka/kafka_observation.h"
#include "kafka/record_reader.h"

namespace failwatch {

// At most `max_reads` reads, one record each, largest lag first.
std::vector<RecordRead> PlanLagTimestampReads(const KafkaObservation& obs,
                                              std::size_t max_reads);

// Sets lag_seconds (now - record timestamp, not a lower bound) on every
// group partition whose committed offset was read, and recomputes the
// groups' lag_seconds_max. Failed reads and records without a timestamp
// leave the interpolated value. Returns how many partitions were set.
std::size_t ApplyLagTimestamps(
    KafkaObservation& obs, const std::vector<RecordRead>& reads,
    const std::vector<Result<std::vector<RecordInfo>>>& results);

}  // namespace failwatch
