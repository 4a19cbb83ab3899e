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
  const std::vector<OffsetPoint>& points() const { return points_; }

 private:
  std::size_t capacity_;
  std::vector<OffsetPoint> points_;
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
