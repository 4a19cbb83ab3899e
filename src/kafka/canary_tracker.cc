#include "kafka/canary_tracker.h"

namespace failwatch {

std::vector<double> CanaryLatencyBounds() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
          0.25,  0.5,    1,     2.5,  5,     10,   30};
}

CanaryTracker::CanaryTracker(Millis sla) : sla_(sla) {
  totals_.sla_seconds = std::chrono::duration<double>(sla).count();
  totals_.produce_latency.bounds = CanaryLatencyBounds();
  totals_.roundtrip_latency.bounds = CanaryLatencyBounds();
  totals_.produce_latency.counts.assign(CanaryLatencyBounds().size() + 1, 0);
  totals_.roundtrip_latency.counts.assign(CanaryLatencyBounds().size() + 1,
                                          0);
}

void CanaryTracker::Sent(std::uint64_t seq, int partition, SteadyTime at) {
  if (in_flight_.contains(seq)) return;
  in_flight_[seq] = InFlight{partition, at, false};
  partitions_[partition].partition = partition;
  ++totals_.produced_total;
}

void CanaryTracker::Acked(std::uint64_t seq,
                          std::optional<double> latency_seconds) {
  auto it = in_flight_.find(seq);
  // An ack for a record already decided still counts as acked.
  const bool known = it != in_flight_.end() || lost_.contains(seq);
  if (!known) return;
  if (it != in_flight_.end()) {
    if (it->second.acked) return;
    it->second.acked = true;
  }
  if (latency_seconds) {
    ++totals_.acked_total;
    totals_.produce_latency.Observe(*latency_seconds);
  } else {
    ++totals_.produce_errors_total;
  }
}

void CanaryTracker::Received(std::uint64_t seq, SteadyTime at) {
  auto it = in_flight_.find(seq);
  if (it == in_flight_.end()) {
    if (lost_.erase(seq) != 0) ++totals_.late_total;
    return;  // a duplicate, or a record of an earlier run
  }
  const SteadyTime sent = it->second.sent;
  const int partition = it->second.partition;
  in_flight_.erase(it);
  if (at - sent > sla_) {  // Expire has not run since it went over
    ++totals_.lost_total;
    ++totals_.late_total;
    Decide(seq, partition, /*lost=*/true);
    return;
  }
  ++totals_.received_total;
  totals_.roundtrip_latency.Observe(std::chrono::duration<double>(at - sent).count());
  Decide(seq, partition, /*lost=*/false);
}

void CanaryTracker::Expire(SteadyTime now) {
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (now - it->second.sent <= sla_) {
      ++it;
      continue;
    }
    ++totals_.lost_total;
    lost_[it->first] = it->second.sent;
    Decide(it->first, it->second.partition, /*lost=*/true);
    it = in_flight_.erase(it);
  }
  for (auto it = lost_.begin(); it != lost_.end();) {
    it = now - it->second > 2 * sla_ ? lost_.erase(it) : std::next(it);
  }
}

// The partition's verdict follows its newest decided record: an older
// record lost after a newer one arrived does not turn it back to lost.
void CanaryTracker::Decide(std::uint64_t seq, int partition, bool lost) {
  CanaryPartitionState& p = partitions_[partition];
  p.partition = partition;
  if (lost) ++p.lost_total;
  auto [it, first] = last_decided_.try_emplace(partition, seq);
  if (!first && seq < it->second) return;
  it->second = seq;
  p.last_lost = lost;
}

CanaryState CanaryTracker::State() const {
  CanaryState s = totals_;
  s.in_flight = in_flight_.size();
  for (const auto& [n, p] : partitions_) s.partitions.push_back(p);
  return s;
}

}  // namespace failwatch
