// The Kafka collector's memory between samples, without I/O: which groups
// to read and on which partitions, the per-partition end-offset histories
// (lag in seconds), the per-group/partition status histories, group expiry,
// and turning one sample's readings into a KafkaObservation.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/result.h"
#include "kafka/group_discovery.h"
#include "kafka/kafka_observation.h"
#include "kafka/kafka_options.h"
#include "kafka/kafka_types.h"
#include "kafka/offset_history.h"
#include "kafka/partition_status.h"

namespace failwatch {

struct SampleReadings {
  WallTime now{};
  ClusterMetadata metadata;
  WatermarkMap watermarks;
  std::optional<Error> watermark_error;  // the whole read failed
  std::map<std::string, Result<CommittedOffsets>> committed;
  DiscoveryView discovery;
};

class KafkaTracker {
 public:
  // Fails on an invalid regex (discover_groups or an option's filter).
  static Result<std::unique_ptr<KafkaTracker>> Create(
      const KafkaClusterConfig& cluster, const KafkaOptions& options);

  // Topic filters; dead-letter topics (SetDltTopics) always pass, so
  // their depth does not depend on topic_allow/topic_deny.
  bool TopicAllowed(const std::string& topic) const;
  void SetDltTopics(std::set<std::string> topics) {
    dlt_topics_ = std::move(topics);
  }
  // Every partition of an allowed topic: all get watermarks (cheap when
  // batched, and the dead-letter depth needs them too).
  std::vector<TopicPartition> PartitionsOfInterest(
      const ClusterMetadata& metadata) const;

  // Decides the tracked groups (configured + discovered, minus expired) and
  // the partitions to ask each for. Call once per sample before Update.
  std::vector<CommittedRequest> PlanFetch(const ClusterMetadata& metadata,
                                          const DiscoveryView& discovery,
                                          WallTime now);
  // Mutable so the collector can add the dead-letter state before
  // publishing it.
  std::shared_ptr<KafkaObservation> Update(const SampleReadings& in);
  // The cluster was unreadable: every tracked group is ERR, histories keep.
  std::shared_ptr<const KafkaObservation> UpdateFailed(
      const Error& error, WallTime now, const DiscoveryView& discovery);

  std::size_t tracked_groups() const { return groups_.size(); }

 private:
  struct PartitionTrack {
    explicit PartitionTrack(const KafkaOptions& o)
        : history(o.status_window, o.status_points) {}
    StatusHistory history;
  };
  struct GroupTrack {
    bool configured = false;
    bool probing = false;  // this sample asks for every topic
    std::optional<WallTime> last_probe;
    std::set<std::string> topics_at_probe;
    std::set<std::string> topics;  // consumed
    WallTime last_active{};
    std::map<TopicPartition, PartitionTrack> partitions;
  };

  KafkaTracker(std::string cluster, KafkaOptions options);
  bool GroupAllowed(const std::string& group) const;
  GroupState ErrorGroup(const std::string& name, const GroupTrack& track,
                        const Error& error) const;
  static void Describe(GroupState& g, const DiscoveryView& discovery);

  std::string cluster_;
  KafkaOptions options_;
  std::set<std::string> configured_;
  std::set<std::string> reprocess_only_;
  std::set<std::string> dlt_topics_;
  std::optional<std::regex> discover_, group_allow_, group_deny_, topic_allow_,
      topic_deny_;
  std::map<std::string, GroupTrack> groups_;
  std::map<TopicPartition, OffsetHistory> offsets_;
};

}  // namespace failwatch
