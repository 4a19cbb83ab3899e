#include "kafka/group_rates.h"

#include <algorithm>
#include <limits>

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

GroupRateRing::GroupRateRing(Millis window, Millis max_age,
                             std::size_t max_points)
    : window_(window),
      max_age_(std::max(max_age, window)),
      max_points_(std::max<std::size_t>(max_points, 3)) {}

void GroupRateRing::Record(const GroupRatePoint& p) {
  if (!points_.empty() && p.at <= points_.back().at) return;
  if (!points_.empty() && !p.reset &&
      p.committed_sum > points_.back().committed_sum) {
    last_progress_ = p.at;
  }
  points_.push_back(p);
  // Keep one point at or before the age limit: it starts the oldest span.
  const WallTime oldest = p.at - max_age_;
  std::size_t drop = 0;
  while (drop + 1 < points_.size() && points_[drop + 1].at <= oldest) ++drop;
  points_.erase(points_.begin(), points_.begin() + static_cast<long>(drop));
  while (points_.size() > max_points_) Thin();
}

void GroupRateRing::Thin() {
  const WallTime window_start = points_.back().at - window_;
  std::size_t victim = 0;
  auto gap = WallTime::duration::max();
  // Older than the window first; only a sample rate too high for the bound
  // thins the window itself.
  for (int pass = 0; pass < 2 && victim == 0; ++pass) {
    for (std::size_t i = 1; i + 1 < points_.size(); ++i) {
      if (pass == 0 && points_[i].at >= window_start) break;
      const auto g = points_[i + 1].at - points_[i - 1].at;
      if (g < gap) {
        gap = g;
        victim = i;
      }
    }
  }
  if (victim == 0) victim = 1;
  // The next point is not comparable with the one before the victim either.
  const GroupRatePoint& v = points_[victim];
  const GroupRatePoint& before = points_[victim - 1];
  if (v.reset || v.committed_sum < before.committed_sum ||
      v.end_sum < before.end_sum) {
    points_[victim + 1].reset = true;
  }
  points_.erase(points_.begin() + static_cast<long>(victim));
}

}  // namespace failwatch
