#include "kafka/offset_history.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <limits>

namespace failwatch {

std::int64_t ComputeLag(std::optional<std::int64_t> committed, std::int64_t low,
                        std::int64_t high) {
  const std::int64_t from = committed ? *committed : low;
  return std::max<std::int64_t>(0, high - from);
}

// No reserve up front: every partition of every allowed topic has a
// history, most of them idle (a flat run is 2 points), and reserving the
// bound cost 1 KB per partition — 104 MB at 100 000 partitions (heaptrack).
OffsetHistory::OffsetHistory(std::size_t capacity)
    : capacity_(static_cast<std::uint32_t>(
          std::clamp<std::size_t>(capacity, 3, UINT32_MAX - 1))) {}

WallTime OffsetHistory::AtOf(const Point& p) const {
  return WallTime(WallTime::duration(base_ns_)) + Millis(p.after_ms);
}

std::int64_t OffsetHistory::OffsetOf(const Point& p) const {
  return base_offset_ + static_cast<std::int64_t>(p.above);
}

std::optional<OffsetHistory::Point> OffsetHistory::Encode(
    WallTime at, std::int64_t high) const {
  const auto after = std::chrono::duration_cast<Millis>(
      at - WallTime(WallTime::duration(base_ns_)));
  if (after.count() < 0 || after.count() > kMaxSpanMs || high < base_offset_ ||
      high - base_offset_ > kMaxSpanMessages) {
    return std::nullopt;
  }
  return Point{static_cast<std::uint32_t>(after.count()),
               static_cast<std::uint32_t>(high - base_offset_)};
}

void OffsetHistory::Restart(WallTime at, std::int64_t high) {
  points_.clear();
  base_ns_ = at.time_since_epoch().count();
  base_offset_ = high;
  points_.push_back({0, 0});
}

// Rare (a 49-day-old history, or 4 billion messages in it): decode, cut the
// front, re-encode against the new oldest point.
void OffsetHistory::DropOldestUntilFits(WallTime at, std::int64_t high) {
  std::vector<OffsetPoint> kept = points();
  std::size_t first = 0;
  while (first < kept.size() &&
         (at - kept[first].at > Millis(kMaxSpanMs) ||
          high - kept[first].offset > kMaxSpanMessages)) {
    ++first;
  }
  if (first == kept.size()) {
    Restart(at, high);
    return;
  }
  base_ns_ = kept[first].at.time_since_epoch().count();
  base_offset_ = kept[first].offset;
  points_.clear();
  // Every kept point and the new one lie within the span of kept[first].
  for (std::size_t i = first; i < kept.size(); ++i) {
    points_.push_back(*Encode(kept[i].at, kept[i].offset));
  }
  points_.push_back(*Encode(at, high));
}

void OffsetHistory::Append(WallTime at, std::int64_t high) {
  if (points_.size() == points_.capacity()) {
    // Doubling, but never past the bound (plain growth would round 65 up
    // to 128 points).
    points_.reserve(std::min(std::max<std::size_t>(2 * points_.size(), 2),
                             std::size_t{capacity_} + 1));
  }
  if (const auto p = Encode(at, high)) {
    points_.push_back(*p);
  } else {
    DropOldestUntilFits(at, high);
  }
}

// Drops the inner point whose neighbours are closest in time. The times
// share one base, so their milliseconds compare directly.
void OffsetHistory::Thin() {
  std::size_t victim = 1;
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  for (std::size_t i = 1; i + 1 < points_.size(); ++i) {
    const std::int64_t span = std::int64_t{points_[i + 1].after_ms} -
                              std::int64_t{points_[i - 1].after_ms};
    if (span < best) {
      best = span;
      victim = i;
    }
  }
  points_.erase(points_.begin() + static_cast<std::ptrdiff_t>(victim));
}

void OffsetHistory::Record(WallTime at, std::int64_t high) {
  if (points_.empty()) {
    Restart(at, high);
    return;
  }
  const Point& last = points_.back();
  if (at <= AtOf(last)) return;  // clock went back: keep order
  if (high < OffsetOf(last)) {   // recreated
    Restart(at, high);
    return;
  }
  const std::size_t n = points_.size();
  if (n >= 2 && points_[n - 1].above == points_[n - 2].above &&
      OffsetOf(last) == high) {
    // Inside a flat run only its ends matter for interpolation.
    if (const auto p = Encode(at, high)) {
      points_.back() = *p;
      return;
    }
  }
  Append(at, high);
  if (points_.size() > capacity_) Thin();
}

std::vector<OffsetPoint> OffsetHistory::points() const {
  std::vector<OffsetPoint> out;
  out.reserve(points_.size());
  for (const Point& p : points_) out.push_back({AtOf(p), OffsetOf(p)});
  return out;
}

std::optional<LagSeconds> InterpolateLagSeconds(
    const std::vector<OffsetPoint>& points, std::int64_t committed,
    std::int64_t high, WallTime now) {
  if (points.empty()) return std::nullopt;
  if (committed >= high) return LagSeconds{0, false};
  std::size_t begin = 0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    if (points[i].offset < points[i - 1].offset) begin = i;
  }
  std::size_t r = begin;
  while (r < points.size() && points[r].offset <= committed) ++r;
  auto age = [&](WallTime t) { return std::max(0.0, ToSeconds(now - t)); };
  if (r == points.size()) {
    // Produced after the newest point, which the caller should have
    // recorded just now: nothing better than "at least 0".
    return LagSeconds{0, true};
  }
  if (r == begin) return LagSeconds{age(points[r].at), true};
  const OffsetPoint& lp = points[r - 1];
  const OffsetPoint& rp = points[r];
  // The record at `committed` exists once the end offset reaches
  // committed + 1: interpolating at `committed` itself (as
  // kafka-lag-exporter does) dates it one message too early, a bias of one
  // inter-message gap (a minute on a topic written once a minute).
  const std::int64_t target = committed + 1;
  const double frac = static_cast<double>(rp.offset - target) /
                      static_cast<double>(rp.offset - lp.offset);
  const auto span = rp.at - lp.at;
  const WallTime produced =
      rp.at - std::chrono::duration_cast<WallTime::duration>(span * frac);
  return LagSeconds{age(produced), false};
}

}  // namespace failwatch
