// The canary's bookkeeping, without I/O: sequence -> when it was sent;
// acks and receipts matched to it; a record not received within the SLA
// is lost (once), and a receipt after that is late, not received. Times
// are steady-clock points the caller passes in (tests use a fake clock).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>

#include "core/clock.h"
#include "kafka/canary_state.h"

namespace failwatch {

// Latency buckets (seconds) of both canary histograms.
std::vector<double> CanaryLatencyBounds();

class CanaryTracker {
 public:
  explicit CanaryTracker(Millis sla);

  void Sent(std::uint64_t seq, int partition, SteadyTime at);
  // The broker's answer: latency from produce() to ack, or an error.
  void Acked(std::uint64_t seq, std::optional<double> latency_seconds);
  void Received(std::uint64_t seq, SteadyTime at);
  // Counts every record older than the SLA as lost.
  void Expire(SteadyTime now);

  // Counters, histograms and per-partition verdicts so far.
  CanaryState State() const;

 private:
  struct InFlight {
    int partition = 0;
    SteadyTime sent{};
    bool acked = false;
  };
  void Decide(std::uint64_t seq, int partition, bool lost);

  Millis sla_;
  std::map<std::uint64_t, InFlight> in_flight_;  // by sequence
  // Lost sequences kept until twice the SLA, so a late receipt is told
  // from a stranger's record.
  std::map<std::uint64_t, SteadyTime> lost_;
  std::map<int, CanaryPartitionState> partitions_;
  std::map<int, std::uint64_t> last_decided_;  // partition -> sequence
  CanaryState totals_;
};

}  // namespace failwatch
