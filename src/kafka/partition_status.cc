#include "kafka/partition_status.h"

#include <algorithm>

namespace failwatch {

std::string_view ConsumerStatusName(ConsumerStatus s) {
  switch (s) {
    case ConsumerStatus::kOk:
      return "OK";
    case ConsumerStatus::kWarn:
      return "WARN";
    case ConsumerStatus::kStall:
      return "STALL";
    case ConsumerStatus::kStop:
      return "STOP";
    case ConsumerStatus::kRewind:
      return "REWIND";
    case ConsumerStatus::kErr:
      return "ERR";
  }
  return "ERR";
}

ConsumerStatus WorstStatus(ConsumerStatus a, ConsumerStatus b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

ConsumerStatus EvaluatePartitionStatus(const StatusInputs& in) {
  if (in.unreadable || in.points.empty()) return ConsumerStatus::kErr;
  if (in.last_rewind && in.now - *in.last_rewind <= in.window) {
    return ConsumerStatus::kRewind;
  }
  const StatusPoint& cur = in.points.back();
  if (cur.lag <= 0) return ConsumerStatus::kOk;

  // Judging "for the whole window" needs a point at or before its start;
  // until then (failwatch just started, a new partition) the answer is OK.
  const StatusPoint& start = in.points.front();
  if (start.at > in.now - in.window) return ConsumerStatus::kOk;

  const bool lag_always_positive =
      std::all_of(in.points.begin(), in.points.end(),
                  [](const StatusPoint& p) { return p.lag > 0; });
  if (!lag_always_positive) return ConsumerStatus::kOk;

  // Committed offsets only move forward unless rewound (handled above), so
  // equal ends mean it never moved in between.
  if (cur.committed == start.committed) {
    // An idle topic's end offset does not move: never STOP. Without member
    // information we cannot tell a stopped consumer from a stuck one.
    const bool end_moved = cur.high > start.high;
    if (end_moved && in.group_has_members.has_value() &&
        !*in.group_has_members) {
      return ConsumerStatus::kStop;
    }
    return ConsumerStatus::kStall;
  }

  bool never_decreased = true;
  for (std::size_t i = 1; i < in.points.size(); ++i) {
    if (in.points[i].lag < in.points[i - 1].lag) never_decreased = false;
  }
  if (never_decreased && cur.lag > start.lag) return ConsumerStatus::kWarn;
  return ConsumerStatus::kOk;
}

StatusHistory::StatusHistory(Millis window, std::size_t points)
    : window_(window),
      points_(static_cast<std::uint32_t>(
          std::clamp<std::size_t>(points, 1, UINT32_MAX - 3))) {}

Millis StatusHistory::spacing() const {
  return window_ / static_cast<long>(points_);
}

std::optional<WallTime> StatusHistory::last_rewind() const {
  if (last_rewind_ns_ == kNever) return std::nullopt;
  return WallTime(WallTime::duration(last_rewind_ns_));
}

StatusHistory::Packed StatusHistory::Packed::From(const StatusPoint& p) {
  return {p.at.time_since_epoch().count(), p.committed.value_or(kNoCommit),
          p.high, p.lag};
}

StatusPoint StatusHistory::Packed::Unpack() const {
  StatusPoint p;
  p.at = WallTime(WallTime::duration(at_ns));
  if (committed != kNoCommit) p.committed = committed;
  p.high = high;
  p.lag = lag;
  return p;
}

bool StatusHistory::Record(const StatusPoint& p) {
  bool rewound = false;
  const std::size_t capacity = std::size_t{points_} + 3;
  if (current_.at_ns != kNever && current_.committed != Packed::kNoCommit &&
      p.committed && *p.committed < current_.committed) {
    rewound = true;
    last_rewind_ns_ = p.at.time_since_epoch().count();
  }
  const Packed packed = Packed::From(p);
  if (stored_.empty() || p.at - stored_.back().Unpack().at >= spacing()) {
    // Grow by doubling, but never past the bound (a plain push_back would
    // round 24 points up to 32).
    if (stored_.size() == stored_.capacity()) {
      stored_.reserve(std::min(std::max<std::size_t>(2 * stored_.size(), 1),
                               capacity + 1));
    }
    stored_.push_back(packed);
    if (stored_.size() > capacity) stored_.erase(stored_.begin());
  }
  current_ = packed;
  return rewound;
}

std::vector<StatusPoint> StatusHistory::WindowPoints(WallTime now) const {
  std::vector<StatusPoint> out;
  const WallTime start = now - window_;
  std::size_t first = 0;
  for (std::size_t i = 0; i < stored_.size(); ++i) {
    if (stored_[i].Unpack().at <= start) first = i;
  }
  for (std::size_t i = first; i < stored_.size(); ++i) {
    out.push_back(stored_[i].Unpack());
  }
  if (current_.at_ns != kNever &&
      (out.empty() || out.back().at != current_.Unpack().at)) {
    out.push_back(current_.Unpack());
  }
  return out;
}

}  // namespace failwatch
