#include "kafka/partition_status.h"

#include <algorithm>

#include "kafka/varint.h"

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
          std::clamp<std::size_t>(points, 1, UINT32_MAX - 4))) {}

namespace {

constexpr std::uint64_t kNsPerMs = 1'000'000;

}  // namespace

// Stored points are at least this far apart (a non-positive window stores
// every sample that does not go back in time).
std::uint64_t StatusHistory::spacing_ms() const {
  const Millis spacing = window_ / static_cast<long>(points_);
  return spacing.count() > 0 ? static_cast<std::uint64_t>(spacing.count()) : 0;
}

std::optional<WallTime> StatusHistory::last_rewind() const {
  if (!has_rewind_) return std::nullopt;
  return WallTime(WallTime::duration(last_rewind_ns_));
}

StatusHistory::Point StatusHistory::Point::From(const StatusPoint& p) {
  return {p.at.time_since_epoch().count(), p.high, p.committed.value_or(0),
          p.lag, p.committed.has_value()};
}

StatusPoint StatusHistory::Point::Unpack() const {
  StatusPoint p;
  p.at = WallTime(WallTime::duration(at_ns));
  if (has_commit) p.committed = committed;
  p.high = high;
  p.lag = lag;
  return p;
}

StatusHistory::Point StatusHistory::current() const {
  return {current_ns_, current_high_, current_committed_, current_lag_,
          current_has_commit_};
}

void StatusHistory::NextPosition(Cursor& c) const {
  if (c.index == 0) {
    c.point.at_ns = base_ns_;
    c.point.high = base_high_;
    return;
  }
  const std::uint64_t ms =
      varint::Get(bytes_.data(), bytes_.size(), c.pos) + spacing_ms();
  c.point.at_ns = varint::WrappingAdd(c.point.at_ns,
                                      static_cast<std::int64_t>(ms * kNsPerMs));
  c.point.high = varint::WrappingAdd(
      c.point.high,
      varint::UnZigZag(varint::Get(bytes_.data(), bytes_.size(), c.pos)));
}

void StatusHistory::NextCommitAndLag(Cursor& c) const {
  Point& p = c.point;
  const std::uint64_t v = varint::Get(bytes_.data(), bytes_.size(), c.pos);
  if ((v & 1) == 0) {  // lag == high - committed
    p.has_commit = true;
    p.lag = static_cast<std::int64_t>(v >> 1);
    p.committed = varint::WrappingSub(p.high, p.lag);
  } else {
    p.has_commit = (v & 2) != 0;
    p.lag = static_cast<std::int64_t>(
        varint::Get(bytes_.data(), bytes_.size(), c.pos));
    p.committed = p.has_commit
                      ? varint::WrappingSub(
                            p.high, varint::UnZigZag(varint::Get(
                                        bytes_.data(), bytes_.size(), c.pos)))
                      : 0;
  }
  ++c.index;
}

void StatusHistory::Next(Cursor& c) const {
  NextPosition(c);
  NextCommitAndLag(c);
}

// Grows by an eighth (and at least the point), not by doubling: a full
// history's size is stable (one point in, one out), so slack would stay.
void StatusHistory::Grow(std::size_t more) {
  const std::size_t need = bytes_.size() + more;
  if (need <= bytes_.capacity()) return;
  bytes_.reserve(std::max(need, bytes_.size() + bytes_.size() / 8 + 8));
}

void StatusHistory::Store(const Point& p) {
  std::uint64_t fields[5];
  std::size_t n = 0;
  if (stored_ == 0) {
    base_ns_ = last_ns_ = p.at_ns;
    base_high_ = last_high_ = p.high;
  } else {
    // Record stores only points at least the spacing after the last one.
    const std::uint64_t ms = (static_cast<std::uint64_t>(p.at_ns) -
                              static_cast<std::uint64_t>(last_ns_)) /
                             kNsPerMs;
    fields[n++] = ms - spacing_ms();
    fields[n++] = varint::ZigZag(varint::WrappingSub(p.high, last_high_));
    last_ns_ =
        varint::WrappingAdd(last_ns_, static_cast<std::int64_t>(ms * kNsPerMs));
    last_high_ = p.high;
  }
  const auto below =
      static_cast<std::uint64_t>(varint::WrappingSub(p.high, p.committed));
  if (p.has_commit && below == static_cast<std::uint64_t>(p.lag) &&
      below >> 63 == 0) {
    fields[n++] = below << 1;
  } else {
    fields[n++] = p.has_commit ? 3 : 1;
    fields[n++] = static_cast<std::uint64_t>(p.lag);
    if (p.has_commit)
      fields[n++] = varint::ZigZag(static_cast<std::int64_t>(below));
  }
  std::size_t more = 0;
  for (std::size_t i = 0; i < n; ++i) more += varint::Size(fields[i]);
  Grow(more);
  for (std::size_t i = 0; i < n; ++i) varint::Put(bytes_, fields[i]);
  ++stored_;
}

// The second point becomes the base: its time and end offset move into
// base_ns_/base_high_, and its commit and lag bytes (which do not depend on
// the previous point) become the stream's first.
void StatusHistory::DropOldest() {
  Cursor c;
  Next(c);
  NextPosition(c);
  base_ns_ = c.point.at_ns;
  base_high_ = c.point.high;
  bytes_.erase(bytes_.begin(),
               bytes_.begin() + static_cast<std::ptrdiff_t>(c.pos));
  --stored_;
}

bool StatusHistory::Record(const StatusPoint& p) {
  bool rewound = false;
  if (has_current_ && current_has_commit_ && p.committed &&
      *p.committed < current_committed_) {
    rewound = true;
    has_rewind_ = true;
    last_rewind_ns_ = p.at.time_since_epoch().count();
  }
  const Point point = Point::From(p);
  current_stored_ =
      stored_ == 0 || (point.at_ns >= last_ns_ &&
                       static_cast<std::uint64_t>(point.at_ns) -
                               static_cast<std::uint64_t>(last_ns_) >=
                           spacing_ms() * kNsPerMs);
  if (current_stored_) {
    // Dropping first keeps the stream within points_ + 3 points.
    if (stored_ == capacity()) DropOldest();
    Store(point);
  }
  has_current_ = true;
  current_ns_ = point.at_ns;
  current_high_ = point.high;
  current_committed_ = point.committed;
  current_lag_ = point.lag;
  current_has_commit_ = point.has_commit;
  return rewound;
}

std::vector<StatusPoint> StatusHistory::WindowPoints(WallTime now) const {
  std::vector<StatusPoint> out;
  out.reserve(std::size_t{stored_} + 1);
  const std::int64_t start_ns = (now - window_).time_since_epoch().count();
  Cursor c;
  while (c.index < stored_) {
    Next(c);
    // The last point at or before the start is the first one returned.
    if (c.point.at_ns <= start_ns) out.clear();
    out.push_back(c.point.Unpack());
  }
  if (!has_current_) return out;
  // The stored copy of the current sample has its time cut to the
  // millisecond: the exact one replaces it.
  if (current_stored_ && !out.empty()) out.pop_back();
  out.push_back(current().Unpack());
  return out;
}

}  // namespace failwatch
