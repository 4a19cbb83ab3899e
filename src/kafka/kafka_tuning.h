// The Kafka collector's tuning that kafka[] config keys set: each value's
// default and bounds are defined here, once. KafkaClusterConfig holds one
// (filled and validated by the config loader against these bounds);
// KafkaOptions extends it with the internal knobs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/regex.h"
#include "kafka/dlt_naming.h"

namespace failwatch {

// Inclusive range of an integer config key.
struct KafkaTuningBounds {
  std::int64_t min = 0;
  std::int64_t max = 0;
};

// The default topic_deny, compiled once per process.
OptionalRegex DefaultTopicDeny();

struct KafkaTuning {
  // Status evaluation (see partition_status.h).
  Millis status_window = std::chrono::minutes(10);

  // A discovered group whose members are known to be zero keeps reporting
  // lag this long after it was last active (members > 0 or a commit moved).
  Millis empty_group_ttl = std::chrono::hours(24);

  // Group listing / description on the separate discovery handle. Off =
  // configured groups only, no state or members (e.g. ACLs forbid it).
  bool group_discovery = true;
  Millis discovery_interval = std::chrono::seconds(30);

  // How often each group's committed offsets are asked for on every topic
  // (to learn which topics it consumes); in between, only on the topics it
  // is known to consume. A group with no known topic, or a new topic in
  // the metadata, is probed at once. 0 = every sample.
  Millis topic_probe_interval = std::chrono::minutes(5);
  // Explicit probes (brokers that answer a NULL OffsetFetch list with
  // nothing) cost groups × partitions entries; at most this many are asked
  // per sample, oldest probe first, so a big cluster's probe is spread over
  // several samples instead of making one sample take minutes.
  std::size_t topic_probe_max_partitions = 250'000;
  static constexpr KafkaTuningBounds kTopicProbeMaxPartitions{1, 1'000'000'000};

  // Lagging partitions whose record at the committed offset is read per
  // sample for an exact lag in seconds (lag_timestamps.h); 0 = off.
  std::size_t lag_timestamp_reads = 0;
  static constexpr KafkaTuningBounds kLagTimestampReads{0, 10'000};

  // Cardinality. Unset allow = everything. Configured groups are always
  // tracked; group_allow/deny filter discovered groups only. Compiled once,
  // by the config loader; they must match the whole name (RE2::FullMatch).
  OptionalRegex group_allow;
  OptionalRegex group_deny;
  OptionalRegex topic_allow;
  // "__.*": __consumer_offsets, __transaction_state.
  OptionalRegex topic_deny = DefaultTopicDeny();
  bool per_partition_series = true;
  // Hard cap on the series one sample emits; the rest are dropped and
  // counted in failwatch_kafka_series_dropped_total.
  std::size_t max_series = 50'000;
  static constexpr KafkaTuningBounds kMaxSeries{1, 100'000'000};

  // OffsetFetch requests in flight at once (one group per request); more
  // than the maximum only queues inside librdkafka.
  int max_concurrent_group_fetches = 16;
  static constexpr KafkaTuningBounds kMaxConcurrentGroupFetches{1, 1024};

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
  static constexpr KafkaTuningBounds kDltHeaderCardinality{1, 10'000};

  bool operator==(const KafkaTuning&) const = default;
};

}  // namespace failwatch
