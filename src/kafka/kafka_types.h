// Plain values read from a Kafka cluster, shared by the readers (I/O) and
// the tracker (pure logic).
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace failwatch {

struct TopicPartition {
  std::string topic;
  int partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
  bool operator==(const TopicPartition&) const = default;
};

struct PartitionMetadata {
  TopicPartition tp;
  int leader = -1;
};

struct ClusterMetadata {
  std::vector<int> brokers;
  // Sorted by topic, partition. Topics the brokers reported with an error
  // are left out.
  std::vector<PartitionMetadata> partitions;
};

struct Watermark {
  std::optional<std::int64_t> low;
  std::optional<std::int64_t> high;
  std::string error;  // librdkafka error name when unreadable
  bool ok() const { return low.has_value() && high.has_value(); }
};
using WatermarkMap = std::map<TopicPartition, Watermark>;

struct CommittedOffset {
  std::optional<std::int64_t> offset;  // nullopt = no commit
  std::string error;                   // per-partition error name, if any
};
using CommittedOffsets = std::map<TopicPartition, CommittedOffset>;

// How a group's committed offsets are asked for.
enum class FetchKind {
  // Explicit partitions of the topics the group is known to consume: rows
  // for every partition, "no commit" included.
  kKnown,
  // A NULL partition list: the broker returns every partition the group has
  // a commit on (OffsetFetch v2+). Cheap topic discovery, but some brokers
  // (the librdkafka mock among them) answer it with nothing.
  kAll,
  // Explicit partitions of every allowed topic; only topics with a commit
  // are kept from the answer, so a probe's transient stays small.
  kProbe,
};

struct CommittedRequest {
  std::string group;
  FetchKind kind = FetchKind::kKnown;
  std::vector<TopicPartition> partitions;  // empty for kAll
};

struct GroupDescription {
  std::string state;  // librdkafka's name: "Stable", "Empty", ...
  int members = 0;
  std::vector<TopicPartition> assigned;
};

}  // namespace failwatch
