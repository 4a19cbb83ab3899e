// Turns a KafkaObservation into metric families (names and meaning in
// docs/reference/kafka.md), applying the cardinality controls: per-partition
// series can be switched off, and a hard cap drops series beyond it,
// cluster- and group-level ones last.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kafka/kafka_observation.h"
#include "kafka/kafka_options.h"

namespace failwatch {

// Collector-level facts that are not part of the observation.
struct KafkaCollectorStats {
  std::uint64_t series_dropped_total = 0;  // updated by BuildKafkaFamilies
  std::uint64_t discovery_handles_replaced_total = 0;
  int discovery_handles_abandoned = 0;
  bool discovery_disabled = false;
  std::uint64_t data_handle_resets_total = 0;
  // Wait before the next data handle reset may happen (0: none pending).
  double data_handle_reset_backoff_seconds = 0;
  // Admin worker processes lost (and restarted), by reason; empty when the
  // admin calls run in-process.
  std::map<std::string, std::uint64_t> admin_worker_restarts;
  bool admin_worker_enabled = false;
  // Dead-letter record reads (timestamps, headers) and failed ones.
  std::uint64_t dlt_reads_total = 0;
  std::uint64_t dlt_read_failures_total = 0;
  // Topic probes (see KafkaTracker): groups due but over this sample's
  // budget, partitions asked about by explicit probes, and whether the
  // brokers answer NULL OffsetFetch lists ("works"/"unsupported"/"unknown").
  std::size_t topic_probes_pending = 0;
  // Records read at committed offsets for lag in seconds, failed ones, and
  // partitions whose lag_seconds came from a record in the last sample.
  std::uint64_t lag_timestamp_reads_total = 0;
  std::uint64_t lag_timestamp_read_failures_total = 0;
  std::size_t lag_seconds_from_records = 0;
  std::uint64_t topic_probe_partitions_total = 0;
  std::string offset_fetch_all = "unknown";
  // Seconds spent per read phase in the last sample: metadata, watermarks,
  // committed, discovery.
  std::map<std::string, double> phase_seconds;
};

// Adds this sample's dropped series to stats.series_dropped_total.
std::vector<prometheus::MetricFamily> BuildKafkaFamilies(
    const KafkaObservation& obs, const KafkaOptions& options,
    KafkaCollectorStats& stats);

}  // namespace failwatch
