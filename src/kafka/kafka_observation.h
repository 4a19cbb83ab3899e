// What the Kafka collector publishes for evaluators and the dead-letter
// feature: per topic partition the watermarks, per group its state and its
// position, lag and status on every partition it consumes. Immutable once
// published.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/collector.h"
#include "core/result.h"
#include "kafka/canary_state.h"
#include "kafka/group_rates.h"
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
  // Why lag_seconds may not date the record at the committed offset
  // (lag_flags.h): "expired" (it was deleted by retention before the group
  // consumed it), "compacted" (no record at that offset; dated from the
  // next one, a lower bound). Empty = no caveat. Only ever one of those
  // constants (static storage): a view, not a string, as there is one of
  // these per group-partition (100 000 at scale: 1.6 MB less).
  std::string_view lag_seconds_caveat;
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
  // Tracked only as some group's dlt_reprocess_group (not in groups[]).
  bool reprocess_only = false;
  std::vector<std::string> topics;  // consumed, sorted
  // Sorted by (topic, partition).
  std::vector<GroupPartitionState> partitions;
  // Consumption/production over the rate window; unset while the group's
  // offsets are unreadable (window_covered says whether to judge them).
  std::optional<GroupRates> rates;

  const GroupPartitionState* Find(const std::string& topic,
                                  int partition) const;
};

// One partition of a dead-letter topic. "Unhandled" = records nobody has
// reprocessed: end offset - max(start offset, the reprocessing group's
// committed offset).
struct DltPartitionState {
  int partition = 0;
  std::optional<std::int64_t> low;
  std::optional<std::int64_t> high;
  std::optional<std::int64_t> reprocess_committed;
  // Unset when unknown (watermarks or the reprocessor's offsets unread).
  std::optional<std::int64_t> unhandled;
  // Timestamp (producer or log-append time) of the record at the first
  // unhandled offset, and of the newest record (at high - 1).
  std::optional<WallTime> oldest_unhandled_timestamp;
  std::optional<WallTime> newest_timestamp;
};

// Records of a DLT counted by where they came from and why they failed
// (Spring's kafka_dlt-original-topic / kafka_dlt-exception-fqcn headers).
struct DltHeaderCount {
  std::string original_topic;  // "unknown" without the header
  std::string exception;       // "unknown" without the header; "other" for
                               // pairs beyond the cardinality cap
  std::int64_t records = 0;
};

struct DltSourceState {
  std::string group;
  std::string topic;       // empty for an explicit DLT (serves the group)
  std::string convention;  // spring_dlt, retryable_dlt, scs_error, explicit
  bool required = false;   // the group is configured: absence is reported
};

struct DltState {
  std::string topic;
  std::vector<DltSourceState> sources;
  std::string reprocess_group;  // empty = none configured
  // The reprocessing group's offsets could not be read: unhandled is
  // unknown rather than overstated.
  std::optional<Error> reprocess_error;
  std::vector<DltPartitionState> partitions;  // sorted
  // Sum over partitions; unset when any partition's is unknown.
  std::optional<std::int64_t> unhandled;
  std::int64_t retained = 0;  // sum of high - low
  // Records that entered the DLT since failwatch started watching it
  // (end-offset increases). Monotonic while the collector lives.
  std::uint64_t records_total = 0;
  // When failwatch last saw the end offset grow.
  std::optional<WallTime> last_arrival_seen;
  std::optional<WallTime> newest_timestamp;
  // now - oldest unhandled record's timestamp; unset when nothing is
  // unhandled or no timestamp could be read.
  std::optional<double> oldest_unhandled_age_seconds;
  // Some partition has unhandled records whose timestamp is unknown.
  bool oldest_unhandled_age_partial = false;
  // Only with dlt_read_headers; over the most recent records read.
  std::vector<DltHeaderCount> headers;
  std::int64_t header_records = 0;  // records the counts cover
};

struct DltMissing {
  std::string group;
  std::string topic;  // empty for an explicit DLT
  std::string expected_dlt;
  std::string reason;  // "absent" or "too_few_partitions"
  std::vector<std::string> candidates;
  int source_partitions = 0;
  int dlt_partitions = 0;
};

class KafkaObservation;
inline constexpr char kKafkaKind[] = "kafka";
inline constexpr ObservationKey<KafkaObservation> kKafkaObservations{
    kKafkaKind};

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
  // Listed group names skipped because they are not printable UTF-8,
  // counted once per sample that saw them.
  std::uint64_t groups_invalid_name_total = 0;
  // Dead-letter topics by name, and expected ones that do not exist.
  std::map<std::string, DltState> dlts;
  std::vector<DltMissing> dlt_missing;
  // Whether DLT matching ran in this sample (not after a failed metadata
  // read): without it an empty dlt_missing proves nothing.
  bool dlts_evaluated = false;
  // The end-to-end canary (kafka[].canary), when configured.
  std::optional<CanaryState> canary;

  const GroupState* FindGroup(const std::string& name) const;
  const PartitionWatermarks* FindPartition(const std::string& topic,
                                           int partition) const;
};

}  // namespace failwatch
