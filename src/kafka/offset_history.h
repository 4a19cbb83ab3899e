// Lag in messages and in seconds. Lag in seconds needs to know when the
// record at the committed offset was produced; brokers cannot say (the mock
// does not implement ListOffsets by timestamp), so failwatch remembers when
// it saw each partition's end offset and interpolates between those points.
// It never extrapolates: a committed offset older than the oldest point
// yields a flagged lower bound instead of a guess.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/clock.h"

namespace failwatch {

// Messages behind: end offset minus the committed offset, or, without a
// commit, end minus start offset (what a new consumer would have to read).
std::int64_t ComputeLag(std::optional<std::int64_t> committed, std::int64_t low,
                        std::int64_t high);

struct OffsetPoint {
  WallTime at{};
  std::int64_t offset = 0;  // high watermark seen at `at`
};

struct LagSeconds {
  double seconds = 0;
  // The committed offset predates the history: `seconds` is how far back
  // the history reaches, so the true lag is at least that.
  bool lower_bound = false;
};

// (time, high watermark) points of one partition, oldest first, bounded.
// When full it drops the point whose neighbours are closest in time, so
// old history thins out instead of being cut off, and flat runs (idle
// partition) collapse to their two ends.
class OffsetHistory {
 public:
  explicit OffsetHistory(std::size_t capacity);

  void Record(WallTime at, std::int64_t high);
  // Decoded, oldest first. The oldest point's time is exact, the others
  // are cut to the millisecond after it.
  std::vector<OffsetPoint> points() const;
  std::size_t size() const { return count_; }
  std::size_t capacity_bytes() const { return bytes_.capacity(); }

 private:
  // One history per partition of every allowed topic, 64 points each when
  // full: at 100 000 partitions a fixed 8-byte point cost 52 MB
  // (heaptrack, bench/kafka_scale.sh). Each point is stored as two varints,
  // the milliseconds and the messages since the previous point (offsets
  // only grow within a history: a drop restarts it), which take 2-3 and 1-4
  // bytes at ordinary sample rates. Any span and any offset stay exact.
  struct Delta {
    std::int64_t ms = 0;
    std::uint64_t messages = 0;
  };
  Delta DeltaAt(std::size_t& pos) const;
  void Put(const Delta& d);
  void Restart(WallTime at, std::int64_t high);
  std::int64_t AfterMs(WallTime at) const;
  void ReplaceLastTime(std::int64_t after_ms);
  void Append(std::int64_t after_ms, std::int64_t high);
  void Thin();

  std::int64_t base_ns_ = 0;        // the oldest point's time, exact
  std::int64_t base_offset_ = 0;    // and its offset
  std::int64_t last_after_ms_ = 0;  // the newest point, decoded
  std::int64_t last_offset_ = 0;
  std::vector<std::uint8_t> bytes_;  // Delta varints, oldest first
  std::uint32_t last_pos_ = 0;       // where the newest point starts
  std::uint32_t count_ = 0;
  std::uint32_t capacity_;
  // The two newest points have the same offset (a flat run).
  bool flat_tail_ = false;
};

// Interpolated age of the record at `committed` (the next one the group will
// read): the time the end offset passed committed + 1, linear between the
// neighbouring points. `points` oldest first, non-decreasing offsets expected;
// a decreasing step (partition recreated) restarts the usable history there.
// nullopt only when there are no points.
std::optional<LagSeconds> InterpolateLagSeconds(
    const std::vector<OffsetPoint>& points, std::int64_t committed,
    std::int64_t high, WallTime now);

}  // namespace failwatch
