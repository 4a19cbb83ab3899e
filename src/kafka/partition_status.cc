#include "kafka/partition_status.h"

#include <algorithm>
#include <cstring>

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

std::size_t StatusHistory::stride() const {
  return (wide_ ? sizeof(Packed) : sizeof(Narrow)) / sizeof(std::uint32_t);
}

template <typename T>
T StatusHistory::Load(std::size_t i) const {
  T t;
  std::memcpy(static_cast<void*>(&t), words_.data() + i * stride(), sizeof t);
  return t;
}

template <typename T>
void StatusHistory::Save(std::size_t i, const T& t) {
  std::memcpy(words_.data() + i * stride(), &t, sizeof t);
}

StatusHistory::Packed StatusHistory::Stored(std::size_t i) const {
  if (wide_) return Load<Packed>(i);
  const Narrow n = Load<Narrow>(i);
  Packed p;
  p.at_ns = base_ns_ + std::int64_t{n.after_ms} * 1'000'000;
  p.high = base_high_ + n.high;
  if (n.below_high != Narrow::kNoCommit) p.committed = p.high - n.below_high;
  p.lag = n.lag;
  return p;
}

bool StatusHistory::Encode(const Packed& p, Narrow* out) const {
  auto fits32 = [](std::int64_t v) {
    return v > INT32_MIN && v <= INT32_MAX;  // INT32_MIN is the sentinel
  };
  const std::int64_t after_ms = (p.at_ns - base_ns_) / 1'000'000;
  if (p.at_ns < base_ns_ || after_ms > UINT32_MAX) return false;
  // Differences of in-range offsets, so no int64 overflow: offsets are
  // non-negative and a commit sentinel is handled before subtracting.
  if (p.high < 0 || base_high_ < 0 || !fits32(p.high - base_high_)) {
    return false;
  }
  std::int64_t below = Narrow::kNoCommit;
  if (p.committed != Packed::kNoCommit) {
    if (p.committed < 0 || !fits32(p.high - p.committed)) return false;
    below = p.high - p.committed;
  }
  if (p.lag < 0 || p.lag > INT32_MAX) return false;
  *out = {static_cast<std::uint32_t>(after_ms),
          static_cast<std::int32_t>(p.high - base_high_),
          static_cast<std::int32_t>(below), static_cast<std::int32_t>(p.lag)};
  return true;
}

void StatusHistory::GoWide() {
  const std::size_t n = stored_count();
  std::vector<Packed> all;
  all.reserve(n);
  for (std::size_t i = 0; i < n; ++i) all.push_back(Stored(i));
  wide_ = true;
  words_.assign(n * stride(), 0);
  for (std::size_t i = 0; i < n; ++i) Save(i, all[i]);
}

// The next oldest becomes the base, so narrow times and offsets stay
// within the window's span however long failwatch runs. Only the time and
// the end offset are relative to the base (the commit's distance below the
// end and the lag are not), so rebasing is a subtraction, in place: this
// runs once per stored point of every group-partition.
void StatusHistory::DropOldest() {
  if (!wide_ && stored_count() >= 2) {
    const Narrow next = Load<Narrow>(1);
    bool fits = true;
    for (std::size_t i = 2; i < stored_count() && fits; ++i) {
      const std::int64_t high = std::int64_t{Load<Narrow>(i).high} - next.high;
      fits = high > INT32_MIN && high <= INT32_MAX;
    }
    if (fits) {
      base_ns_ += std::int64_t{next.after_ms} * 1'000'000;
      base_high_ += next.high;
      for (std::size_t i = 1; i < stored_count(); ++i) {
        Narrow n = Load<Narrow>(i);
        n.after_ms -= next.after_ms;  // stored oldest first: never negative
        n.high -= next.high;
        Save(i, n);
      }
    } else {
      GoWide();
    }
  }
  words_.erase(words_.begin(),
               words_.begin() + static_cast<std::ptrdiff_t>(stride()));
}

void StatusHistory::Store(const Packed& p) {
  if (!wide_ && stored_count() == 0) {
    base_ns_ = p.at_ns;
    base_high_ = p.high;
  }
  Narrow n;
  if (!wide_ && !Encode(p, &n)) GoWide();
  if (words_.size() == words_.capacity()) {
    // Grow by doubling, but never past the bound (a plain push_back would
    // round 24 points up to 32); +1 for the point stored before the oldest
    // is dropped.
    words_.reserve(std::min(std::max(2 * words_.size(), stride()),
                            (capacity() + 1) * stride()));
  }
  const std::size_t at = stored_count();
  words_.resize(words_.size() + stride());
  if (wide_) {
    Save(at, p);
  } else {
    Save(at, n);
  }
}

bool StatusHistory::Record(const StatusPoint& p) {
  bool rewound = false;
  if (current_.at_ns != kNever && current_.committed != Packed::kNoCommit &&
      p.committed && *p.committed < current_.committed) {
    rewound = true;
    last_rewind_ns_ = p.at.time_since_epoch().count();
  }
  const Packed packed = Packed::From(p);
  const std::size_t n = stored_count();
  current_stored_ =
      n == 0 ||
      packed.at_ns - Stored(n - 1).at_ns >=
          std::chrono::duration_cast<WallTime::duration>(spacing()).count();
  if (current_stored_) {
    Store(packed);
    if (stored_count() > capacity()) DropOldest();
  }
  current_ = packed;
  return rewound;
}

std::vector<StatusPoint> StatusHistory::WindowPoints(WallTime now) const {
  std::vector<StatusPoint> out;
  const WallTime start = now - window_;
  std::size_t first = 0;
  const std::size_t n = stored_count();
  const std::int64_t start_ns = start.time_since_epoch().count();
  for (std::size_t i = 0; i < n; ++i) {
    if (Stored(i).at_ns <= start_ns) first = i;
  }
  out.reserve(n - first + 1);
  for (std::size_t i = first; i < n; ++i) out.push_back(Stored(i).Unpack());
  if (current_.at_ns == kNever) return out;
  // The stored copy of the current sample has its time cut to the
  // millisecond: the exact one replaces it.
  if (current_stored_ && !out.empty()) out.pop_back();
  out.push_back(current_.Unpack());
  return out;
}

}  // namespace failwatch
