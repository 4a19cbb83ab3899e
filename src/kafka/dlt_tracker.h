// Dead-letter topics across samples, without I/O: matches DLTs to the
// groups of a finished observation, computes unhandled depth from the
// reprocessing group's commits, counts arrivals from end-offset growth, and
// plans the few record reads (timestamps, headers) the collector performs
// in between Plan and Apply. Reads are only planned when an offset they
// depend on moved, so a quiet DLT costs no fetches.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "kafka/dlt_naming.h"
#include "kafka/kafka_cluster_config.h"
#include "kafka/kafka_observation.h"
#include "kafka/kafka_options.h"
#include "kafka/kafka_types.h"
#include "kafka/record_reader.h"

namespace failwatch {

class DltTracker {
 public:
  DltTracker(const KafkaClusterConfig& cluster, const KafkaOptions& options);

  // Fills obs.dlts (depth, arrivals) and obs.dlt_missing; returns the
  // record reads Apply expects results for, in the same order.
  std::vector<RecordRead> Plan(KafkaObservation& obs,
                               const ClusterMetadata& metadata,
                               const WatermarkMap& watermarks,
                               bool watermarks_ok);
  // Completes obs.dlts with timestamps, ages and header counts.
  void Apply(KafkaObservation& obs,
             const std::vector<Result<std::vector<RecordInfo>>>& results);

  // Every DLT matched so far and every explicit one: their partitions need
  // watermarks and the reprocessors' offsets even if topic filters hide
  // them.
  const std::set<std::string>& dlt_topics() const { return dlt_topics_; }

 private:
  struct PartitionMemory {
    std::int64_t last_high = 0;
    std::optional<std::int64_t> newest_for_high;  // high when newest was read
    std::optional<WallTime> newest_ts;
    std::optional<std::int64_t> oldest_for;  // first unhandled offset read
    std::optional<WallTime> oldest_ts;
    std::int64_t header_end = -1;  // next offset not yet counted
  };
  struct DltMemory {
    std::uint64_t records_total = 0;
    std::optional<WallTime> last_arrival;
    std::map<int, PartitionMemory> partitions;
    // (original topic, exception) of the most recent records read.
    std::deque<std::pair<std::string, std::string>> header_ring;
  };
  struct Planned {
    std::string dlt;
    int partition = 0;
    std::int64_t first_unhandled = 0;
    std::int64_t high = 0;
    bool newest = false, oldest = false, headers = false;
  };

  std::vector<DltGroupInput> GroupInputs(const KafkaObservation& obs) const;

  // Plan's steps: per matched DLT, per partition, fold the watermarks into
  // depth and arrivals, then plan the record reads that moved offsets need.
  struct DltReadings {
    const ClusterMetadata& metadata;
    const WatermarkMap& watermarks;
    bool watermarks_ok;
  };
  // One DLT being planned.
  struct DltFold {
    DltState state;
    const GroupState* reprocessor = nullptr;
    DltMemory* mem = nullptr;
    WallTime at{};
    bool all_known = true;  // every partition's depth is known
    std::int64_t unhandled_sum = 0;
  };
  static void RecordMissing(const DltMatch& match, KafkaObservation& obs);
  DltState PlanDlt(const std::string& name, const DltBinding& binding,
                   const KafkaObservation& obs, const DltReadings& in,
                   std::vector<RecordRead>& reads);
  DltPartitionState FoldPartition(DltFold& f, const TopicPartition& tp,
                                  const Watermark& wm, bool seen,
                                  PartitionMemory& pmem,
                                  std::vector<RecordRead>& reads);
  static void CountArrivals(DltMemory& mem, PartitionMemory& pmem, bool seen,
                            std::int64_t high, WallTime at);
  // Apply's steps: one read's records into the partition's memory, then
  // each DLT's timestamps, age and header counts from its memory.
  void ApplyRead(const Planned& plan, const std::vector<RecordInfo>& records);
  void FinishDlt(DltState& s, const DltMemory& mem, WallTime at) const;
  // `first` is the first unhandled offset.
  void PlanReads(const DltFold& f, const TopicPartition& tp,
                 const DltPartitionState& p, std::int64_t first,
                 const PartitionMemory& pmem, std::vector<RecordRead>& reads);

  KafkaClusterConfig cluster_;
  KafkaOptions options_;
  std::map<std::string, DltMemory> memory_;
  std::vector<Planned> planned_;
  std::set<std::string> dlt_topics_;
};

// Counts per (original topic, exception) over `records`, the largest
// first; beyond `cap` distinct pairs the rest are summed into one
// ("other", "other") entry so the label set stays bounded. Pure.
std::vector<DltHeaderCount> CountHeaders(
    const std::deque<std::pair<std::string, std::string>>& records,
    std::size_t cap);

}  // namespace failwatch
