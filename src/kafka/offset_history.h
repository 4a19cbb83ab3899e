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
  // A point takes 8 bytes: milliseconds and messages after the oldest point.
  // So the history reaches back at most 2^32 ms (49.7 days) and 2^32
  // messages from the newest point; older points are dropped, and a commit
  // older than what is left gets a flagged lower bound as usual.
  static constexpr std::int64_t kMaxSpanMs = 0xFFFFFFFFLL;
  static constexpr std::int64_t kMaxSpanMessages = 0xFFFFFFFFLL;

  explicit OffsetHistory(std::size_t capacity);

  void Record(WallTime at, std::int64_t high);
  // Decoded, oldest first. Times after the oldest point are kept to the
  // millisecond.
  std::vector<OffsetPoint> points() const;
  std::size_t size() const { return points_.size(); }
  std::size_t capacity_bytes() const {
    return points_.capacity() * sizeof(Point);
  }

 private:
  // One history per partition of every allowed topic: at 100 000 partitions
  // and 64 points each, the 16-byte (time, offset) point cost 102 MB; the
  // 8-byte one 51 MB.
  struct Point {
    std::uint32_t after_ms;  // since base_ns_
    std::uint32_t above;     // offset minus base_offset_
  };
  WallTime AtOf(const Point& p) const;
  std::int64_t OffsetOf(const Point& p) const;
  // nullopt: (at, high) is beyond the span of the oldest point.
  std::optional<Point> Encode(WallTime at, std::int64_t high) const;
  void Restart(WallTime at, std::int64_t high);
  void DropOldestUntilFits(WallTime at, std::int64_t high);
  void Append(WallTime at, std::int64_t high);
  void Thin();

  std::int64_t base_ns_ = 0;      // the oldest point's time, exact
  std::int64_t base_offset_ = 0;  // and its offset
  std::vector<Point> points_;
  std::uint32_t capacity_;
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
