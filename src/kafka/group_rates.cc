#include "kafka/group_rates.h"

#include <algorithm>
#include <climits>
#include <limits>

#include "kafka/varint.h"

namespace failwatch {
namespace {

using Points = std::vector<GroupRatePoint>;

double Secs(WallTime::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Index of the first point comparable with every later one: after the
// last flagged reset, or a committed/end sum that went backwards (the
// tracker flags those per partition; this also catches unflagged ones).
std::size_t SegmentStart(const Points& p) {
  std::size_t start = 0;
  for (std::size_t i = 1; i < p.size(); ++i) {
    if (p[i].reset || p[i].committed_sum < p[i - 1].committed_sum ||
        p[i].end_sum < p[i - 1].end_sum) {
      start = i;
    }
  }
  return start;
}

// The newest point in [from, end) at or before `cutoff`, if any.
std::optional<std::size_t> NewestAtOrBefore(const Points& p, std::size_t from,
                                            WallTime cutoff) {
  std::optional<std::size_t> out;
  for (std::size_t i = from; i < p.size() && p[i].at <= cutoff; ++i) out = i;
  return out;
}

struct Rates {
  double consume = 0;
  double produce = 0;
};

// Both sums only grow within a segment, so neither rate is negative.
Rates RatesBetween(const GroupRatePoint& a, const GroupRatePoint& b) {
  const double dt = Secs(b.at - a.at);
  if (dt <= 0) return {};
  return {std::max(0.0,
                   static_cast<double>(b.committed_sum - a.committed_sum) / dt),
          std::max(0.0, static_cast<double>(b.end_sum - a.end_sum) / dt)};
}

// Least-squares slope of lag over points [from, end), messages per second.
double LagSlope(const Points& p, std::size_t from) {
  const std::size_t n = p.size() - from;
  if (n < 2) return 0;
  double mt = 0, ml = 0;
  for (std::size_t i = from; i < p.size(); ++i) {
    mt += Secs(p[i].at - p[from].at);
    ml += static_cast<double>(p[i].lag_sum);
  }
  mt /= static_cast<double>(n);
  ml /= static_cast<double>(n);
  double num = 0, den = 0;
  for (std::size_t i = from; i < p.size(); ++i) {
    const double dt = Secs(p[i].at - p[from].at) - mt;
    num += dt * (static_cast<double>(p[i].lag_sum) - ml);
    den += dt * dt;
  }
  return den > 0 ? num / den : 0;
}

struct LagSteps {
  std::int64_t max_drop = 0;  // one commit batch of a batching consumer
  int rises = 0;
  int falls = 0;
};

LagSteps CountLagSteps(const Points& p, std::size_t from) {
  LagSteps s;
  for (std::size_t i = from + 1; i < p.size(); ++i) {
    const std::int64_t d = p[i].lag_sum - p[i - 1].lag_sum;
    s.max_drop = std::max(s.max_drop, -d);
    if (d > 0) ++s.rises;
    if (d < 0) ++s.falls;
  }
  return s;
}

// The newest point with the window's highest lag.
std::size_t LagPeak(const Points& p, std::size_t from) {
  std::size_t peak = from;
  for (std::size_t i = from; i < p.size(); ++i) {
    if (p[i].lag_sum >= p[peak].lag_sum) peak = i;
  }
  return peak;
}

std::optional<WallTime> LastProgress(const Points& p, std::size_t from) {
  for (std::size_t i = p.size() - 1; i > from; --i) {
    if (p[i].committed_sum > p[i - 1].committed_sum) return p[i].at;
  }
  return std::nullopt;
}

std::vector<LagSample> Downsample(const Points& p) {
  std::vector<LagSample> out;
  const std::size_t n = p.size();
  const std::size_t k = std::min(n, kLagHistoryPoints);
  for (std::size_t j = 0; j < k; ++j) {
    // Evenly by index, first and last included.
    const std::size_t i = k == 1 ? n - 1 : j * (n - 1) / (k - 1);
    out.push_back({p[i].at, p[i].lag_sum});
  }
  return out;
}

void SetProgress(const RateInputs& in, std::size_t seg, GroupRates& r) {
  const Points& p = in.points;
  r.last_progress = LastProgress(p, seg);
  if (in.last_progress &&
      (!r.last_progress || *in.last_progress > *r.last_progress)) {
    r.last_progress = in.last_progress;
  }
  // Before the segment nothing is known about progress: a reset (an
  // operator rewinding the group, say) restarts the count.
  WallTime since = p[seg].at;
  if (r.last_progress && *r.last_progress > since) since = *r.last_progress;
  r.no_progress_seconds = Secs(p.back().at - since);
  r.stopped =
      p.back().lag_sum > 0 && r.no_progress_seconds >= Secs(in.stopped_after);
}

}  // namespace

std::optional<GroupRates> ComputeGroupRates(const RateInputs& in) {
  const Points& p = in.points;
  if (p.empty()) return std::nullopt;
  GroupRates r;
  r.window_seconds = Secs(in.window);
  r.lag_history = Downsample(p);
  const std::size_t seg = SegmentStart(p);
  const GroupRatePoint& end = p.back();
  const auto base_at = NewestAtOrBefore(p, seg, end.at - in.window);
  r.window_covered = base_at.has_value();
  const std::size_t base = base_at.value_or(seg);

  r.covered_seconds = Secs(end.at - p[base].at);
  const Rates w = RatesBetween(p[base], end);
  r.consume_rate = w.consume;
  r.produce_rate = w.produce;
  r.lag_growth = end.lag_sum - p[base].lag_sum;
  r.lag_slope = LagSlope(p, base);
  const LagSteps steps = CountLagSteps(p, base);
  r.lag_growing = r.window_covered && r.lag_slope > 0 &&
                  r.lag_growth > std::max(kMinLagGrowth, steps.max_drop) &&
                  steps.rises > steps.falls;

  const double lag = static_cast<double>(end.lag_sum);
  const Rates since_peak = RatesBetween(p[LagPeak(p, base)], end);
  if (lag > 0 && w.consume > w.produce) {
    r.drain_seconds = lag / (w.consume - w.produce);
  } else if (lag > 0 && !r.lag_growing &&
             since_peak.consume > since_peak.produce) {
    r.drain_seconds = lag / (since_peak.consume - since_peak.produce);
  }
  SetProgress(in, seg, r);
  return r;
}

namespace {

constexpr std::uint64_t kNsPerMs = 1'000'000;

WallTime FromNs(std::int64_t ns) { return WallTime(WallTime::duration(ns)); }

std::int64_t Ns(WallTime t) { return t.time_since_epoch().count(); }

// Drops the inner point whose neighbours are closest in time, older than
// the window first; only a sample rate too high for the bound thins the
// window itself.
void ThinOnce(Points& points, Millis window) {
  const WallTime window_start = points.back().at - window;
  std::size_t victim = 0;
  auto gap = WallTime::duration::max();
  for (int pass = 0; pass < 2 && victim == 0; ++pass) {
    for (std::size_t i = 1; i + 1 < points.size(); ++i) {
      if (pass == 0 && points[i].at >= window_start) break;
      const auto g = points[i + 1].at - points[i - 1].at;
      if (g < gap) {
        gap = g;
        victim = i;
      }
    }
  }
  if (victim == 0) victim = 1;
  // The next point is not comparable with the one before the victim either.
  const GroupRatePoint& v = points[victim];
  const GroupRatePoint& before = points[victim - 1];
  if (v.reset || v.committed_sum < before.committed_sum ||
      v.end_sum < before.end_sum) {
    points[victim + 1].reset = true;
  }
  points.erase(points.begin() + static_cast<long>(victim));
}

}  // namespace

// No reserve up front: a group seen once (or deleted) keeps one point.
GroupRateRing::GroupRateRing(Millis window, Millis max_age,
                             std::size_t max_points)
    : window_(window),
      max_age_(std::max(max_age, window)),
      max_points_(static_cast<std::uint32_t>(
          std::clamp<std::size_t>(max_points, 3, UINT32_MAX - 1))) {}

std::optional<WallTime> GroupRateRing::last_progress() const {
  if (!has_progress_) return std::nullopt;
  return FromNs(last_progress_ns_);
}

// Whole milliseconds from the oldest point to `ns` (never before it).
std::uint64_t GroupRateRing::MsAfterBase(std::int64_t ns) const {
  return (static_cast<std::uint64_t>(ns) -
          static_cast<std::uint64_t>(base_ns_)) /
         kNsPerMs;
}

GroupRateRing::Cursor GroupRateRing::First() const {
  Cursor c;
  c.point = {FromNs(base_ns_), base_committed_, base_end_, base_lag_,
             base_reset_};
  return c;
}

// Decodes the point after c.point (c.index + 1 < count_).
void GroupRateRing::Next(Cursor& c) const {
  const std::uint8_t* data = bytes_.data();
  const std::size_t end = bytes_.size();
  const std::uint64_t head = varint::Get(data, end, c.pos);
  GroupRatePoint& p = c.point;
  p.committed_sum = varint::WrappingAdd(
      p.committed_sum, varint::UnZigZag(varint::Get(data, end, c.pos)));
  p.end_sum = varint::WrappingAdd(
      p.end_sum, varint::UnZigZag(varint::Get(data, end, c.pos)));
  p.lag_sum =
      varint::WrappingAdd(varint::WrappingSub(p.end_sum, p.committed_sum),
                          varint::UnZigZag(varint::Get(data, end, c.pos)));
  p.reset = (head & 1) != 0;
  c.after_ms =
      varint::WrappingAdd(c.after_ms, static_cast<std::int64_t>(head >> 1));
  ++c.index;
  // The newest point's time is kept exact, the others are cut.
  p.at = FromNs(c.index + 1 == count_
                    ? last_ns_
                    : varint::WrappingAdd(
                          base_ns_, static_cast<std::int64_t>(
                                        static_cast<std::uint64_t>(c.after_ms) *
                                        kNsPerMs)));
}

void GroupRateRing::Append(const GroupRatePoint& p) {
  const std::int64_t ns = Ns(p.at);
  if (count_ == 0) {
    base_ns_ = ns;
    base_committed_ = p.committed_sum;
    base_end_ = p.end_sum;
    base_lag_ = p.lag_sum;
    base_reset_ = p.reset;
  } else {
    // The previous newest point is cut to the millisecond from here on.
    const std::uint64_t ms = MsAfterBase(ns) - MsAfterBase(last_ns_);
    const std::uint64_t fields[4] = {
        ms << 1 | (p.reset ? 1 : 0),
        varint::ZigZag(varint::WrappingSub(p.committed_sum, last_committed_)),
        varint::ZigZag(varint::WrappingSub(p.end_sum, last_end_)),
        varint::ZigZag(varint::WrappingSub(
            p.lag_sum, varint::WrappingSub(p.end_sum, p.committed_sum)))};
    std::size_t need = 0;
    for (const std::uint64_t f : fields) need += varint::Size(f);
    if (bytes_.size() + need > bytes_.capacity()) {
      // A quarter more, not double: a full ring's size is stable (one
      // point in, one out), so its capacity stays near its largest size.
      bytes_.reserve(bytes_.size() + need + bytes_.size() / 4 + 8);
    }
    for (const std::uint64_t f : fields) varint::Put(bytes_, f);
  }
  last_ns_ = ns;
  last_committed_ = p.committed_sum;
  last_end_ = p.end_sum;
  ++count_;
}

// Keeps one point at or before `oldest`: it starts the oldest span. The
// last point dropped's successor becomes the base; the bytes up to it go.
void GroupRateRing::DropOlderThan(WallTime oldest) {
  Cursor base = First();
  while (base.index + 1 < count_) {
    Cursor next = base;
    Next(next);
    if (next.point.at > oldest) break;
    base = next;
  }
  if (base.index == 0) return;
  bytes_.erase(bytes_.begin(),
               bytes_.begin() + static_cast<std::ptrdiff_t>(base.pos));
  count_ -= static_cast<std::uint32_t>(base.index);
  base_ns_ = Ns(base.point.at);
  base_committed_ = base.point.committed_sum;
  base_end_ = base.point.end_sum;
  base_lag_ = base.point.lag_sum;
  base_reset_ = base.point.reset;
}

// Rare (a sample interval shorter than max_age / max_points): decoding,
// thinning the plain points and re-encoding them keeps the rules in one
// place. Re-encoding loses nothing: the stored times are already whole
// milliseconds after the base.
void GroupRateRing::Thin() {
  Points p = points();
  while (p.size() > max_points_) ThinOnce(p, window_);
  bytes_.clear();
  count_ = 0;
  for (const GroupRatePoint& q : p) Append(q);
}

void GroupRateRing::Record(const GroupRatePoint& p) {
  if (count_ > 0 && Ns(p.at) <= last_ns_) return;
  if (count_ > 0 && !p.reset && p.committed_sum > last_committed_) {
    last_progress_ns_ = Ns(p.at);
    has_progress_ = true;
  }
  Append(p);
  DropOlderThan(p.at - max_age_);
  if (count_ > max_points_) Thin();
}

std::vector<GroupRatePoint> GroupRateRing::points() const {
  std::vector<GroupRatePoint> out;
  if (count_ == 0) return out;
  out.reserve(count_);
  Cursor c = First();
  out.push_back(c.point);
  while (c.index + 1 < count_) {
    Next(c);
    out.push_back(c.point);
  }
  return out;
}

}  // namespace failwatch
