#include "kafka/offset_history.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <limits>

#include "kafka/varint.h"

namespace failwatch {

std::int64_t ComputeLag(std::optional<std::int64_t> committed, std::int64_t low,
                        std::int64_t high) {
  const std::int64_t from = committed ? *committed : low;
  return std::max<std::int64_t>(0, high - from);
}

// No reserve up front: every partition of every allowed topic has a
// history, most of them idle (a flat run is 2 points).
OffsetHistory::OffsetHistory(std::size_t capacity)
    : capacity_(static_cast<std::uint32_t>(
          std::clamp<std::size_t>(capacity, 3, UINT32_MAX - 1))) {}

OffsetHistory::Delta OffsetHistory::DeltaAt(std::size_t& pos) const {
  Delta d;
  d.ms =
      static_cast<std::int64_t>(varint::Get(bytes_.data(), bytes_.size(), pos));
  d.messages = varint::Get(bytes_.data(), bytes_.size(), pos);
  return d;
}

void OffsetHistory::Put(const Delta& d) {
  const std::size_t need =
      varint::Size(static_cast<std::uint64_t>(d.ms)) + varint::Size(d.messages);
  if (bytes_.size() + need > bytes_.capacity()) {
    // A quarter more, not double: a full history's size is stable (one
    // point in, one out), so its capacity stays near its largest size.
    bytes_.reserve(bytes_.size() + need + bytes_.size() / 4 + 8);
  }
  varint::Put(bytes_, static_cast<std::uint64_t>(d.ms));
  varint::Put(bytes_, d.messages);
}

void OffsetHistory::Restart(WallTime at, std::int64_t high) {
  bytes_.clear();
  base_ns_ = at.time_since_epoch().count();
  base_offset_ = high;
  last_after_ms_ = 0;
  last_offset_ = high;
  last_pos_ = 0;
  count_ = 1;
  flat_tail_ = false;
  Put({});
}

std::int64_t OffsetHistory::AfterMs(WallTime at) const {
  return std::chrono::duration_cast<Millis>(
             at - WallTime(WallTime::duration(base_ns_)))
      .count();
}

// Inside a flat run only its ends matter for interpolation: the newest
// point moves forward in time instead of a new one being added.
void OffsetHistory::ReplaceLastTime(std::int64_t after_ms) {
  std::size_t pos = last_pos_;
  const Delta last = DeltaAt(pos);
  bytes_.resize(last_pos_);
  Put({last.ms + (after_ms - last_after_ms_), last.messages});
  last_after_ms_ = after_ms;
}

void OffsetHistory::Append(std::int64_t after_ms, std::int64_t high) {
  last_pos_ = static_cast<std::uint32_t>(bytes_.size());
  const auto messages = static_cast<std::uint64_t>(
      varint::WrappingSub(high, last_offset_));  // high >= last_offset_
  Put({after_ms - last_after_ms_, messages});
  flat_tail_ = messages == 0;
  last_after_ms_ = after_ms;
  last_offset_ = high;
  ++count_;
}

// Drops the inner point whose neighbours are closest in time (the least
// sum of its own and the next point's milliseconds); the next point takes
// over both deltas. A sum of two varints never encodes longer than the
// two did, so the merge is written in place.
void OffsetHistory::Thin() {
  std::size_t pos = 0;
  DeltaAt(pos);  // the oldest point is never dropped
  std::size_t prev_start = pos;
  Delta prev = DeltaAt(pos);
  std::size_t victim_start = 0, victim_end = 0;
  Delta merged;
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  while (pos < bytes_.size()) {
    const std::size_t start = pos;
    const Delta d = DeltaAt(pos);
    if (prev.ms + d.ms < best) {
      best = prev.ms + d.ms;
      victim_start = prev_start;
      victim_end = pos;
      merged = {prev.ms + d.ms, prev.messages + d.messages};
    }
    prev_start = start;
    prev = d;
  }
  std::uint8_t buf[20];
  std::size_t n = varint::Put(buf, static_cast<std::uint64_t>(merged.ms));
  n += varint::Put(buf + n, merged.messages);
  const bool newest = victim_end == bytes_.size();
  std::copy(buf, buf + n,
            bytes_.begin() + static_cast<std::ptrdiff_t>(victim_start));
  const std::size_t removed = victim_end - victim_start - n;
  bytes_.erase(bytes_.begin() + static_cast<std::ptrdiff_t>(victim_start + n),
               bytes_.begin() + static_cast<std::ptrdiff_t>(victim_end));
  --count_;
  if (newest) {
    last_pos_ = static_cast<std::uint32_t>(victim_start);
    flat_tail_ = merged.messages == 0;
  } else {
    last_pos_ -= static_cast<std::uint32_t>(removed);
  }
}

void OffsetHistory::Record(WallTime at, std::int64_t high) {
  if (count_ == 0) {
    Restart(at, high);
    return;
  }
  // Clock went back: keep order.
  if (at <= WallTime(WallTime::duration(base_ns_)) + Millis(last_after_ms_)) {
    return;
  }
  const std::int64_t after_ms = AfterMs(at);
  if (high < last_offset_) {  // recreated
    Restart(at, high);
    return;
  }
  if (count_ >= 2 && flat_tail_ && high == last_offset_) {
    ReplaceLastTime(after_ms);
    return;
  }
  Append(after_ms, high);
  if (count_ > capacity_) Thin();
}

std::vector<OffsetPoint> OffsetHistory::points() const {
  std::vector<OffsetPoint> out;
  out.reserve(count_);
  std::int64_t after_ms = 0;
  std::int64_t offset = base_offset_;
  const WallTime base{WallTime::duration(base_ns_)};
  for (std::size_t pos = 0; pos < bytes_.size();) {
    const Delta d = DeltaAt(pos);
    after_ms += d.ms;
    offset = varint::WrappingAdd(offset, static_cast<std::int64_t>(d.messages));
    out.push_back({base + Millis(after_ms), offset});
  }
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
