// Splitting OffsetFetch work into requests of bounded size. librdkafka
// 2.0.2 matches every partition of an admin result against the request's
// list with a linear search, so one request of n partitions costs O(n²)
// client CPU: 10 000 partitions in one request took ~7 ms of matching per
// group, 100 000 would take seconds. Bounded requests keep it linear.
#pragma once

#include <cstddef>
#include <vector>

#include "kafka/kafka_types.h"

namespace failwatch {

// One admin request: partitions [begin, end) of requests[request], or the
// whole group (kAll: begin == end == 0, a NULL list).
struct FetchChunk {
  std::size_t request = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Chunks of at most `max_partitions` partitions (≥ 1). Whole topics stay in
// one chunk when they fit, so a probe chunk sees all of a topic's
// partitions; a topic larger than the bound is split. Requests with no
// partitions (other than kAll) get no chunk.
std::vector<FetchChunk> PlanFetchChunks(
    const std::vector<CommittedRequest>& requests, std::size_t max_partitions);

// For probe answers: drops the partitions of topics without any commit in
// `offsets` (the probe only asks in order to learn the consumed topics).
void KeepCommittedTopics(CommittedOffsets& offsets);

// Splits partitions into slices of at most `max_partitions` (≥ 1).
std::vector<std::vector<TopicPartition>> SlicePartitions(
    const std::vector<TopicPartition>& partitions, std::size_t max_partitions);

}  // namespace failwatch
