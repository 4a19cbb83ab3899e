// Reads from a cluster on the data handle, each bounded by a deadline.
// Requests are batched: one Metadata for all topics, one ListOffsets per
// leader for the start and one for the end offsets of every partition, one
// OffsetFetch per group (several in flight).
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstddef>
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

struct WatermarkLimits {
  std::size_t max_partitions_per_request = 1000;
  int parallel_requests = 4;
};

// Start and end offsets via offsets_for_times with the special timestamps
// -2 (earliest) and -1 (latest): librdkafka groups the partitions by leader,
// so the cost is two ListOffsets requests per broker and slice of at most
// `max_partitions_per_request` partitions, not per partition; up to
// `parallel_requests` slices are read at once.
Result<WatermarkMap> ReadWatermarksBatched(
    rd_kafka_t* rk, const std::vector<TopicPartition>& partitions,
    const WatermarkLimits& limits, SteadyTime deadline);

// One query_watermark_offsets per partition (two ListOffsets each); kept to
// measure against the batched read and as a fallback.
Result<WatermarkMap> ReadWatermarksPerPartition(
    rd_kafka_t* rk, const std::vector<TopicPartition>& partitions,
    SteadyTime deadline);

struct FetchLimits {
  int max_in_flight = 16;
  std::size_t max_partitions_per_request = 250;
};

// Committed offsets of many groups via ListConsumerGroupOffsets (see
// FetchKind), each group's partitions split into requests of bounded size,
// at most `max_in_flight` requests at a time. A group whose requests did
// not all answer by the deadline gets a timeout error; one that failed gets
// the first error.
std::map<std::string, Result<CommittedOffsets>> ReadCommittedOffsets(
    rd_kafka_t* rk, const std::vector<CommittedRequest>& requests,
    const FetchLimits& limits, SteadyTime deadline);

}  // namespace failwatch
