// Tuning of the Kafka collector. Most fields come from the kafka[] config
// keys (KafkaOptionsFromConfig); the rest are internal. Defaults are meant
// for production; tests shrink the windows.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/clock.h"
#include "kafka/dlt_naming.h"
#include "kafka/kafka_cluster_config.h"

namespace failwatch {

struct KafkaOptions {
  // Status evaluation (see partition_status.h).
  Millis status_window = std::chrono::minutes(10);
  // Points kept per group/partition for the status window; one is stored at
  // most every status_window / status_points, so memory does not grow with
  // the sample rate.
  std::size_t status_points = 20;

  // Consumption/production rates per group (group_rates.h): measured over
  // rate_window; no committed-offset progress for stopped_after with lag
  // > 0 is a stopped consumer. The ring keeps at most rate_points points
  // covering rate_history (the lag sparkline), thinning the older ones.
  Millis rate_window = std::chrono::seconds(60);
  Millis stopped_after = std::chrono::seconds(30);
  Millis rate_history = std::chrono::minutes(10);
  std::size_t rate_points = 120;

  // Per-partition (time, high watermark) points for lag in seconds.
  std::size_t offset_history_points = 64;

  // A discovered group whose members are known to be zero keeps reporting
  // lag this long after it was last active (members > 0 or a commit moved).
  Millis empty_group_ttl = std::chrono::hours(24);

  // How often each group's committed offsets are asked for on every topic
  // (to learn which topics it consumes); in between, only on the topics it
  // is known to consume. A group with no known topic, or a new topic in
  // the metadata, is probed at once.
  Millis topic_probe_interval = std::chrono::minutes(5);
  // Explicit probes (brokers that answer a NULL OffsetFetch list with
  // nothing) cost groups × partitions entries; at most this many are asked
  // per sample, oldest probe first, so a big cluster's probe is spread over
  // several samples instead of making one sample take minutes.
  std::size_t topic_probe_max_partitions = 250'000;

  // Coordinator admin calls (committed offsets, group listing and
  // description) in a child process (admin_worker.h), so librdkafka 2.0.2's
  // abort/wedge in them (#3663/#4605) cannot take the daemon down. false =
  // in-process, as before (for the scale benchmark's side-by-side).
  bool admin_worker = true;

  // Group listing / description on the separate discovery handle. Off =
  // configured groups only, no state or members (e.g. ACLs forbid it).
  bool group_discovery = true;
  Millis discovery_interval = std::chrono::seconds(30);
  // After DescribeConsumerGroups fails as unsupported or wedges the
  // handle, wait this long before trying again (doubling up to the max).
  Millis describe_backoff_initial = std::chrono::minutes(5);
  Millis describe_backoff_max = std::chrono::hours(6);
  // Wedged handles whose rd_kafka_destroy has not returned yet; at this
  // many, discovery stops (each one pins librdkafka threads).
  int max_abandoned_handles = 4;
  // Share of the sample budget discovery may use after the data reads.
  double discovery_budget_share = 0.25;

  // OffsetFetch requests in flight at once (one group per request).
  int max_concurrent_group_fetches = 16;
  // Partitions per OffsetFetch / ListOffsets request: librdkafka's result
  // matching is quadratic in a request's partitions (see fetch_chunks.h).
  std::size_t offset_fetch_max_partitions = 250;
  std::size_t watermark_max_partitions = 1000;
  // Watermark slices read at once (each offsets_for_times call waits a
  // round trip per leader).
  int watermark_parallel_requests = 4;
  // true: ListOffsets batched per leader (offsets_for_times with -2/-1);
  // false: one query_watermark_offsets per partition (for comparison).
  bool batched_watermarks = true;
  // Consecutive failed samples after which the data handle is recreated,
  // and the cap of the backoff between resets (data_handle_reset.h).
  int data_handle_reset_after_failures = 3;
  Millis data_handle_reset_backoff_max = std::chrono::seconds(60);

  // Lagging partitions whose record at the committed offset is read per
  // sample for an exact lag in seconds (lag_timestamps.h); 0 = off.
  std::size_t lag_timestamp_reads = 0;
  double lag_timestamp_budget_share = 0.25;

  // Cardinality. Empty allow = everything. Configured groups are always
  // tracked; group_allow/deny filter discovered groups only.
  std::string group_allow;
  std::string group_deny;
  std::string topic_allow;
  // Regexes must match the whole name (RE2::FullMatch, RE2 syntax).
  std::string topic_deny = "__.*";  // __consumer_offsets, __transaction_state
  bool per_partition_series = true;
  // Hard cap on the series one sample emits; the rest are dropped and
  // counted in failwatch_kafka_series_dropped_total.
  std::size_t max_series = 50'000;

  // Dead-letter topics (see dlt_naming.h): conventions tried in order for
  // groups without explicit dead_letter_topics.
  std::vector<DltConvention> dlt_conventions = {DltConvention::kSpringDlt,
                                                DltConvention::kRetryableDlt,
                                                DltConvention::kScsError};
  // Read origin/exception headers of new DLT records (costs a fetch of up
  // to dlt_header_read_max records per grown partition per sample).
  bool dlt_read_headers = false;
  // Distinct (original topic, exception) pairs exported per DLT.
  std::size_t dlt_header_cardinality = 50;
  // The header counts cover this many most recent records per DLT.
  std::size_t dlt_header_window = 500;
  int dlt_header_read_max = 100;
  // Share of the sample budget the DLT record reads may use.
  double dlt_budget_share = 0.25;
};

// The options a kafka[] cluster's config keys set; internal fields keep
// their defaults. Convention names were validated by the config loader;
// an unknown one is skipped.
KafkaOptions KafkaOptionsFromConfig(const KafkaClusterConfig& cluster);

}  // namespace failwatch
