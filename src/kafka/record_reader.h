// Reads a few records at known offsets (dead-letter timestamps and
// headers) on the data handle, bounded by the sample deadline. The data
// handle has no group.id (failwatch never joins or commits), so this uses
// librdkafka's simple consumer: start a partition at an offset into a
// queue, take what arrives, stop. Only topics that exist in the metadata
// are read: the per-topic metadata lookup this causes cannot create one.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "kafka/kafka_types.h"

namespace failwatch {

struct RecordRead {
  TopicPartition tp;
  std::int64_t offset = 0;  // first offset wanted
  int max_records = 1;
};

struct RecordInfo {
  std::int64_t offset = 0;
  std::optional<WallTime> timestamp;  // CreateTime or LogAppendTime
  // Header values, when asked for and present (sanitized, truncated).
  std::optional<std::string> original_topic;
  std::optional<std::string> exception;
};

// The headers naming a dead letter's source topic and failure, in order of
// preference: Spring Kafka, Spring Cloud Stream, Kafka Connect.
inline constexpr const char* kOriginalTopicHeaders[] = {
    "kafka_dlt-original-topic", "x-original-topic", "__connect.errors.topic"};
inline constexpr const char* kExceptionHeaders[] = {
    "kafka_dlt-exception-fqcn", "x-exception-fqcn",
    "__connect.errors.exception.class.name"};

// Header bytes as a label value: printable ASCII only, at most 200 chars.
std::string SanitizeHeaderValue(const void* data, std::size_t size);

// Per read: the records from `offset` on, in offset order, until
// max_records, the partition's end (needs enable.partition.eof on the
// handle) or the deadline. Several reads of one partition run one after
// another. A read that got nothing by the deadline is a timeout error; one
// that got some records returns them.
std::vector<Result<std::vector<RecordInfo>>> ReadRecords(
    rd_kafka_t* rk, const std::vector<RecordRead>& reads, bool want_headers,
    SteadyTime deadline);

}  // namespace failwatch
