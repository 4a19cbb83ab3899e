// Consumption and production rates of a consumer group, from failwatch's
// own samples: per group one (time, committed sum, end-offset sum, lag sum)
// point per sample in a small bounded ring, and a pure function that turns
// the points into rates, the lag trend, the last progress and a drain
// estimate. The status rules (partition_status.h) need ten minutes to call
// a consumer WARN; these tell "falling behind" from "a burst that drains"
// within one short window. Rules: docs/reference/kafka.md, "Rates".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/clock.h"

namespace failwatch {

// One sample of a group, summed over the partitions readable in it.
struct GroupRatePoint {
  WallTime at{};
  std::int64_t committed_sum = 0;  // partitions with a commit only
  std::int64_t end_sum = 0;        // high watermarks
  std::int64_t lag_sum = 0;
  // The sums are not comparable with the previous point's: the partition
  // set (or which partitions have a commit) changed, or some partition's
  // committed or end offset went backwards (reset, topic recreated).
  bool reset = false;
};

struct LagSample {
  WallTime at{};
  std::int64_t lag = 0;
};

struct GroupRates {
  double window_seconds = 0;   // the configured window
  double covered_seconds = 0;  // span the rates below are measured over
  // A comparable point at or before end - window exists. Without it the
  // figures below are over the shorter covered span and not to be judged.
  bool window_covered = false;
  double consume_rate = 0;      // committed offsets per second, >= 0
  double produce_rate = 0;      // end offsets per second, >= 0
  std::int64_t lag_growth = 0;  // lag at the end - lag at the window start
  double lag_slope = 0;         // least-squares slope of lag, messages/s
  bool lag_growing = false;     // see ComputeGroupRates
  // Last sample in which the committed sum grew; unset when never seen.
  std::optional<WallTime> last_progress;
  // end - max(last progress, the first comparable point): a lower bound
  // when no progress was seen.
  double no_progress_seconds = 0;
  bool stopped = false;  // no progress for stopped_after with lag > 0
  // lag / (consume - produce) when lag > 0 and consume > produce over
  // the window, or else since the window's highest lag (a burst still
  // draining); unset when neither shows consumption ahead.
  std::optional<double> drain_seconds;
  // The whole ring downsampled to <= kLagHistoryPoints, oldest first.
  std::vector<LagSample> lag_history;
};

inline constexpr std::size_t kLagHistoryPoints = 30;

// A burst leaves lag higher than before by less than one commit batch (the
// largest single drop of lag in the window) once drained; below this many
// messages growth is noise either way.
inline constexpr std::int64_t kMinLagGrowth = 10;

struct RateInputs {
  std::vector<GroupRatePoint> points;  // oldest first; last = this sample
  Millis window{60'000};
  Millis stopped_after{30'000};
  // Progress remembered by the ring after the points that showed it were
  // dropped.
  std::optional<WallTime> last_progress;
};

// nullopt without points. lag_growing ("grows steadily") = all of:
//  - the window is covered;
//  - the least-squares slope of lag over the window's points is > 0;
//  - lag_growth > max(kMinLagGrowth, the largest drop of lag between
//    consecutive points in the window): a burst that drained, or a
//    consumer committing in batches, ends within one batch of its start;
//  - lag rose between more consecutive points than it fell: a burst still
//    draining rose once and has been falling since.
// Only points after the last reset are used for rates and progress;
// lag_history spans all points.
std::optional<GroupRates> ComputeGroupRates(const RateInputs& in);

// Bounded per-group ring of GroupRatePoints: at most max_points, none older
// than max_age (one older point is kept as the window's start). When full,
// points older than `window` are thinned first (the one whose neighbours
// are closest in time goes), so the window keeps its resolution and the
// rest still covers max_age for the sparkline.
class GroupRateRing {
 public:
  GroupRateRing(Millis window, Millis max_age, std::size_t max_points);

  // Ignored when `p.at` is not after the last point (clock went back).
  void Record(const GroupRatePoint& p);
  // Decoded, oldest first. The newest point's time is exact; the others
  // are whole milliseconds after the first point the ring recorded (that
  // one itself is exact while it is the oldest).
  std::vector<GroupRatePoint> points() const;
  std::optional<WallTime> last_progress() const;
  std::size_t size() const { return count_; }
  // Heap bytes held for stored points (what a ring costs at scale).
  std::size_t capacity_bytes() const { return bytes_.capacity(); }

 private:
  // One ring per consumer group: at 10 000 groups and 10 s samples the
  // 40-byte points (61 of them over the default 10 min) held ~25-50 MB,
  // the collector's largest remaining history. Neighbouring points differ
  // by a sample interval and a few hundred messages, so every point after
  // the oldest (whose values are the base_ members) is stored as varints
  // of its differences from the previous one:
  //   - the milliseconds since the previous point << 1 | reset;
  //   - the zigzagged changes of committed_sum and end_sum, modulo 2^64
  //     (any int64 sums, a reset's jump down included, round-trip exactly);
  //   - zigzag(lag_sum - (end_sum - committed_sum)), usually 0 (lag is
  //     clamped per partition and partitions without a commit count
  //     high - low, so it cannot simply be derived).
  // That is 7-8 bytes a point where the struct took 40: history_memory_bench
  // at 10 000 groups went from 26.6 MB (2655 B a ring, vector slack
  // included) to 7.1 MB (708 B, 120 of them this object). The newest point's
  // exact time is kept in last_ns_: Record orders samples by it, and
  // last_progress (exact) is compared with it. In the common full state
  // (the age limit, not max_points, binds) a Record appends one point and
  // drops the oldest by erasing its bytes; only thinning re-encodes.
  struct Cursor {
    std::size_t pos = 0;    // of the next point's bytes
    std::size_t index = 0;  // of `point`
    std::int64_t after_ms = 0;
    GroupRatePoint point;
  };
  Cursor First() const;
  void Next(Cursor& c) const;
  std::uint64_t MsAfterBase(std::int64_t ns) const;
  void Append(const GroupRatePoint& p);
  void DropOlderThan(WallTime oldest);
  void Thin();

  Millis window_;
  Millis max_age_;
  std::int64_t base_ns_ = 0;  // the oldest point
  std::int64_t base_committed_ = 0;
  std::int64_t base_end_ = 0;
  std::int64_t base_lag_ = 0;
  std::int64_t last_ns_ = 0;  // the newest point, exact
  std::int64_t last_committed_ = 0;
  std::int64_t last_end_ = 0;
  std::int64_t last_progress_ns_ = 0;  // when has_progress_
  std::vector<std::uint8_t> bytes_;    // points after the oldest
  std::uint32_t max_points_;
  std::uint32_t count_ = 0;
  bool base_reset_ = false;
  bool has_progress_ = false;
};

}  // namespace failwatch
