// What the Kafka collector publishes for evaluators and the dead-letter
// feature: per topic partition the watermarks, per group its state and its
// position, lag and status on every partition it consumes. Immutable once
// published.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/collector.h"
#include "core/result.h"
#include "kafka/partition_status.h"

namespace failwatch {

struct PartitionWatermarks {
  std::string topic;
  int partition = 0;
  int leader = -1;  // broker id, -1 = none
  // Unset when this sample could not read them.
  std::optional<std::int64_t> low;
  std::optional<std::int64_t> high;
};

struct GroupPartitionState {
  std::string topic;
  int partition = 0;
  std::optional<std::int64_t> committed;  // nullopt = the group never committed
  // Valid unless status == kErr.
  std::int64_t low = 0;
  std::int64_t high = 0;
  std::int64_t lag = 0;  // see ComputeLag
  std::optional<double> lag_seconds;
  bool lag_seconds_lower_bound = false;
  ConsumerStatus status = ConsumerStatus::kOk;
};

struct GroupState {
  std::string name;
  bool configured = false;  // named in the config (vs discovered)
  // From DescribeConsumerGroups; unset where the broker cannot describe.
  std::optional<std::string> state;  // "Stable", "Empty", ...
  std::optional<int> members;
  ConsumerStatus status = ConsumerStatus::kOk;
  std::optional<Error> error;  // the offsets of this group were unreadable
  std::int64_t lag_sum = 0;
  std::int64_t lag_max = 0;
  std::optional<double> lag_seconds_max;
  std::vector<std::string> topics;  // consumed, sorted
  // Sorted by (topic, partition).
  std::vector<GroupPartitionState> partitions;

  const GroupPartitionState* Find(const std::string& topic,
                                  int partition) const;
};

class KafkaObservation final : public Observation {
 public:
  std::string cluster;
  WallTime at{};
  // Set when the cluster itself was unreadable (metadata failed).
  std::optional<Error> error;
  // Every readable topic partition (after the topic filters), sorted.
  std::vector<PartitionWatermarks> partitions;
  std::map<std::string, GroupState> groups;
  // Whether the brokers answered group listing / description.
  bool group_listing_supported = false;
  bool group_describe_supported = false;

  const GroupState* FindGroup(const std::string& name) const;
  const PartitionWatermarks* FindPartition(const std::string& topic,
                                           int partition) const;
  // Every partition of `topic`, sorted by partition.
  std::vector<const PartitionWatermarks*> TopicPartitions(
      const std::string& topic) const;
};

}  // namespace failwatch
