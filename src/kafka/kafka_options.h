// Tuning of the Kafka collector: the kafka[] config keys' part
// (KafkaTuning, kafka/kafka_tuning.h) and the internal knobs below.
// Defaults are meant for production; tests shrink the windows.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/clock.h"
#include "kafka/dlt_naming.h"
#include "kafka/kafka_cluster_config.h"

namespace failwatch {

struct KafkaOptions : KafkaTuning {
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

  // Coordinator admin calls (committed offsets, group listing and
  // description) in a child process (admin_worker.h), so librdkafka 2.0.2's
  // abort/wedge in them (#3663/#4605) cannot take the daemon down. false =
  // in-process, as before (for the scale benchmark's side-by-side).
  bool admin_worker = true;

  // After DescribeConsumerGroups fails as unsupported or wedges the
  // handle, wait this long before trying again (doubling up to the max).
  Millis describe_backoff_initial = std::chrono::minutes(5);
  Millis describe_backoff_max = std::chrono::hours(6);
  // Wedged handles whose rd_kafka_destroy has not returned yet; at this
  // many, discovery stops (each one pins librdkafka threads).
  int max_abandoned_handles = 4;
  // Share of the sample budget discovery may use after the data reads.
  double discovery_budget_share = 0.25;

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

  // Share of the sample budget the lag_timestamp_reads record reads may
  // use.
  double lag_timestamp_budget_share = 0.25;

  // The header counts cover this many most recent records per DLT.
  std::size_t dlt_header_window = 500;
  int dlt_header_read_max = 100;
  // Share of the sample budget the DLT record reads may use.
  double dlt_budget_share = 0.25;
};

// The cluster's tuning; internal fields keep their defaults.
KafkaOptions KafkaOptionsFromConfig(const KafkaClusterConfig& cluster);

}  // namespace failwatch
