// Reads from a cluster on the data handle, each bounded by a deadline.
// Requests are batched: one Metadata for all topics, one ListOffsets per
// leader for the start and one for the end offsets of every partition, one
// OffsetFetch per group (several in flight).
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "kafka/kafka_types.h"

namespace failwatch {

// All topics: asking for topics by name would auto-create them on brokers
// (and the mock) that allow it.
Result<ClusterMetadata> ReadMetadata(rd_kafka_t* rk, SteadyTime deadline);

// Start and end offsets via offsets_for_times with the special timestamps
// -2 (earliest) and -1 (latest): librdkafka groups the partitions by leader,
// so the cost is two ListOffsets requests per broker, not per partition.
Result<WatermarkMap> ReadWatermarksBatched(
    rd_kafka_t* rk, const std::vector<TopicPartition>& partitions,
    SteadyTime deadline);

// One query_watermark_offsets per partition (two ListOffsets each); kept to
// measure against the batched read and as a fallback.
Result<WatermarkMap> ReadWatermarksPerPartition(
    rd_kafka_t* rk, const std::vector<TopicPartition>& partitions,
    SteadyTime deadline);

// Committed offsets of many groups via ListConsumerGroupOffsets with
// explicit partitions, at most `max_in_flight` requests at a time. Groups
// still unanswered at the deadline get a timeout error.
std::map<std::string, Result<CommittedOffsets>> ReadCommittedOffsets(
    rd_kafka_t* rk, const std::vector<CommittedRequest>& requests,
    int max_in_flight, SteadyTime deadline);

}  // namespace failwatch
