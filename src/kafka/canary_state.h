// What the canary publishes with each Kafka observation: counters since
// the collector started, latency histograms, and per partition the
// verdict on its latest record (received within the SLA or lost).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/metric_builder.h"
#include "core/result.h"

namespace failwatch {

struct CanaryPartitionState {
  int partition = 0;
  // Verdict on this partition's newest decided record; unset before any.
  std::optional<bool> last_lost;
  std::uint64_t lost_total = 0;
};

struct CanaryState {
  std::string topic;
  double sla_seconds = 0;
  // Producing started (topic known and the consumer has its assignment).
  bool running = false;
  // Why not running / the last produce-side error; never a property value.
  std::optional<Error> error;
  std::uint64_t produced_total = 0;
  std::uint64_t acked_total = 0;
  std::uint64_t produce_errors_total = 0;
  std::uint64_t received_total = 0;  // within the SLA
  std::uint64_t lost_total = 0;      // not received within the SLA
  std::uint64_t late_total = 0;      // received after being counted lost
  std::uint64_t in_flight = 0;
  HistogramData produce_latency;    // produce() to broker ack, seconds
  HistogramData roundtrip_latency;  // produce() to consumed, seconds
  std::vector<CanaryPartitionState> partitions;  // sorted
};

}  // namespace failwatch
