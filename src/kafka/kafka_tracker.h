// The Kafka collector's memory between samples, without I/O: which groups
// to read and on which partitions, the per-partition end-offset histories
// (lag in seconds), the per-group/partition status histories, group expiry,
// and turning one sample's readings into a KafkaObservation.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/regex.h"
#include "core/result.h"
#include "kafka/group_discovery.h"
#include "kafka/group_rates.h"
#include "kafka/kafka_cluster_config.h"
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
  static std::unique_ptr<KafkaTracker> Create(const KafkaClusterConfig& cluster,
                                              const KafkaOptions& options);

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
  // Groups whose NULL-list fetch (kAll) came back empty while the brokers
  // are not known to answer NULL lists: explicit probes for them, within
  // what is left of this sample's budget, to read before Update (whose
  // `committed` then holds these answers instead).
  std::vector<CommittedRequest> PlanProbeFollowUp(
      const std::map<std::string, Result<CommittedOffsets>>& committed);
  // Mutable so the collector can add the dead-letter state before
  // publishing it.
  std::shared_ptr<KafkaObservation> Update(const SampleReadings& in);
  // The cluster was unreadable: every tracked group is ERR, histories keep.
  std::shared_ptr<const KafkaObservation> UpdateFailed(
      const Error& error, WallTime now, const DiscoveryView& discovery);

  std::size_t tracked_groups() const { return groups_.size(); }
  // Groups due for a topic probe that did not fit this sample's budget.
  std::size_t probes_pending() const { return probes_pending_; }
  // Partitions asked about by explicit probes since start.
  std::uint64_t probe_partitions_total() const {
    return probe_partitions_total_;
  }
  // "works", "unsupported" or "unknown": see AllFetch.
  const char* all_fetch_state() const;

 private:
  struct PartitionTrack {
    explicit PartitionTrack(const KafkaOptions& o)
        : history(o.status_window, o.status_points) {}
    StatusHistory history;
  };
  struct GroupTrack {
    bool configured = false;
    // Topics from the config: the group is asked about these (and what its
    // members are assigned) and never probed.
    std::set<std::string> configured_topics;
    FetchKind fetch = FetchKind::kKnown;  // this sample's request
    // The group's last kAll came back empty on a broker not known to
    // answer kAll: only an explicit probe can tell.
    bool needs_explicit_probe = false;
    std::optional<WallTime> last_probe;  // completed probes only
    std::uint64_t probed_topic_generation = 0;
    std::set<std::string> topics;  // consumed
    WallTime last_active{};
    // Sorted by partition, rebuilt in order each sample: a flat vector, not
    // a map — at 100 000 group-partitions a map node costs ~48 bytes more
    // per entry and one allocation each (heaptrack, bench/kafka_scale.sh).
    std::vector<std::pair<TopicPartition, PartitionTrack>> partitions;
    // Created at the group's first readable sample.
    std::optional<GroupRateRing> rates;
    // Which partitions (and which with a commit) the last point summed:
    // a different set makes the next point a reset.
    std::uint64_t rate_signature = 0;
  };
  // One sample's sums over a group's readable partitions.
  struct RateSums {
    GroupRatePoint point;
    std::uint64_t signature = 14695981039346656037ULL;  // FNV offset basis
    void Add(const GroupPartitionState& p, bool comparable);
  };

  KafkaTracker(std::string cluster, KafkaOptions options);
  bool GroupAllowed(const std::string& group) const;

  // PlanFetch's steps. Allowed topics' partitions, by topic.
  using TopicIndex = std::map<std::string, std::vector<TopicPartition>>;
  // A group due for a topic probe this sample.
  struct ProbeCandidate {
    const std::string* name;
    GroupTrack* track;
  };
  // Configured + discovered groups minus the expired ones; forgets the
  // tracks of groups no longer wanted.
  std::set<std::string> WantedGroups(const DiscoveryView& discovery,
                                     WallTime now);
  // Also refreshes all_partitions_ and the topic generation.
  TopicIndex IndexAllowedPartitions(const ClusterMetadata& metadata);
  GroupTrack& TrackGroup(const std::string& name, WallTime now);
  bool ProbeDue(const GroupTrack& track, WallTime now) const;
  // The partitions of the topics the group is known to consume.
  static CommittedRequest KnownTopicsRequest(const std::string& name,
                                             const GroupTrack& track,
                                             const DiscoveryView& discovery,
                                             const TopicIndex& by_topic);
  // Turns due groups' requests into NULL-list or explicit probes, within
  // this sample's budget.
  void AssignProbes(std::vector<ProbeCandidate> due,
                    std::vector<CommittedRequest>& plan);
  GroupState ErrorGroup(const std::string& name, const GroupTrack& track,
                        const Error& error) const;
  static void Describe(GroupState& g, const DiscoveryView& discovery);
  // Records what this sample's fetch taught about the group's topics and
  // about the brokers' handling of NULL lists; true = a probe completed.
  bool NoteProbe(GroupTrack& track, const CommittedOffsets& offsets,
                 WallTime now);
  // Adds this sample's point to the group's ring and publishes the rates.
  void RecordRates(GroupTrack& track, RateSums sums, GroupState& g) const;

  // Update's steps: plan (index the metadata), run (end-offset histories)
  // and fold each group's readings into its GroupState.
  using MetadataIndex =
      std::map<std::string, std::vector<const PartitionMetadata*>>;
  // What one group's partitions add up to while they are folded.
  struct GroupFold {
    GroupState group;
    RateSums sums;
    bool moved = false;  // some commit moved since the previous sample
  };
  std::shared_ptr<KafkaObservation> NewObservation(
      WallTime now, const DiscoveryView& discovery) const;
  MetadataIndex IndexAllowedMetadata(const ClusterMetadata& metadata) const;
  // Records end offsets into the histories (lag in seconds) and lists every
  // allowed partition's watermarks in obs.
  void RecordEndOffsets(const SampleReadings& in, const MetadataIndex& by_topic,
                        KafkaObservation& obs);
  GroupState FoldGroup(const std::string& name, GroupTrack& track,
                       const SampleReadings& in, const MetadataIndex& by_topic);
  GroupState FoldReadGroup(const std::string& name, GroupTrack& track,
                           const CommittedOffsets& offsets,
                           const SampleReadings& in,
                           const MetadataIndex& by_topic);
  // The topics the group counts as consuming after this fetch.
  static std::set<std::string> ConsumedTopics(const std::string& name,
                                              const GroupTrack& track,
                                              const CommittedOffsets& offsets,
                                              const DiscoveryView& discovery,
                                              bool probed);
  // One partition's state; a readable one also feeds fold's rate sums and
  // the group's lag aggregates.
  GroupPartitionState FoldPartition(const TopicPartition& tp,
                                    const CommittedOffset& committed,
                                    PartitionTrack& pt,
                                    const SampleReadings& in,
                                    GroupFold& fold) const;
  void FillLagSeconds(GroupPartitionState& p, const TopicPartition& tp,
                      WallTime now) const;

  std::string cluster_;
  KafkaOptions options_;
  std::set<std::string> configured_;
  std::map<std::string, std::set<std::string>> configured_topics_;
  std::set<std::string> reprocess_only_;
  std::set<std::string> dlt_topics_;
  OptionalRegex discover_, group_allow_, group_deny_, topic_allow_, topic_deny_;
  std::map<std::string, GroupTrack> groups_;
  std::uint64_t invalid_group_names_total_ = 0;  // listed, not valid UTF-8
  // End-offset histories, sorted by partition (a flat vector for the same
  // reason as GroupTrack::partitions); rebuilt from each sample's metadata.
  std::vector<std::pair<TopicPartition, OffsetHistory>> offsets_;
  const OffsetHistory* FindOffsets(const TopicPartition& tp) const;

  // Whether the brokers answer a NULL OffsetFetch list (FetchKind::kAll):
  // learned from the first non-empty answer, or from an explicit probe
  // finding commits the NULL list did not return.
  enum class AllFetch { kUnknown, kWorks, kUnsupported };
  AllFetch all_fetch_ = AllFetch::kUnknown;
  // Bumped when an allowed topic appears: every group is probed again.
  std::set<std::string> allowed_topics_;
  std::uint64_t topic_generation_ = 0;
  std::size_t probes_pending_ = 0;  // due but over this sample's budget
  std::uint64_t probe_partitions_total_ = 0;
  // This sample's probe budget, explicit probes so far and what they ask.
  bool TakeProbeBudget();
  std::size_t probe_budget_ = 0;
  int explicit_probes_ = 0;
  std::vector<TopicPartition> all_partitions_;
};

}  // namespace failwatch
