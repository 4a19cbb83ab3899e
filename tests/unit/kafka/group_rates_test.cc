// Rates, lag trend, progress and drain estimate over synthetic group
// histories (simulated second by second, sampled like the collector), and
// the bounds of the per-group ring.
#include "kafka/group_rates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "kafka/varint.h"

namespace failwatch {
namespace {

using std::chrono::seconds;

WallTime T(int s) { return WallTime(seconds(1'700'000'000 + s)); }

// A consumer that reads up to `capacity` messages a second and commits
// every `commit_every` seconds; `produce(t)` messages arrive in second t.
struct Sim {
  std::function<std::int64_t(int)> produce = [](int) { return 0; };
  std::int64_t capacity = 0;
  int commit_every = 1;
  int seconds = 120;
  int sample_every = 5;
  std::int64_t start_lag = 0;  // backlog before t = 0
  // Applied to each sampled point (offset resets and the like).
  std::function<void(int, GroupRatePoint&)> edit;
};

Sim S(std::function<std::int64_t(int)> produce, std::int64_t capacity,
      int commit_every = 1, int secs = 120, int sample_every = 5,
      std::int64_t start_lag = 0) {
  Sim s;
  s.produce = std::move(produce);
  s.capacity = capacity;
  s.commit_every = commit_every;
  s.seconds = secs;
  s.sample_every = sample_every;
  s.start_lag = start_lag;
  return s;
}

std::vector<GroupRatePoint> Simulate(const Sim& s) {
  std::int64_t end = 1000 + s.start_lag, read = 1000, committed = 1000;
  std::vector<GroupRatePoint> out;
  for (int t = 0; t <= s.seconds; ++t) {
    if (t > 0) {
      end += s.produce(t);
      read = std::min(end, read + s.capacity);
      if (t % s.commit_every == 0) committed = read;
    }
    if (t % s.sample_every != 0) continue;
    GroupRatePoint p{T(t), committed, end, end - committed, false};
    if (s.edit) s.edit(t, p);
    out.push_back(p);
  }
  return out;
}

std::optional<GroupRates> Rates(const std::vector<GroupRatePoint>& points) {
  return ComputeGroupRates({points, seconds(60), seconds(30), std::nullopt});
}

struct Want {
  bool covered = true;
  bool growing = false;
  bool stopped = false;
  bool drain = false;
  double consume = -1;  // < 0: not checked
  double produce = -1;
};

struct Case {
  const char* name;
  Sim sim;
  Want want;
};

TEST(GroupRatesTest, Scenarios) {
  auto constant = [](std::int64_t n) { return [n](int) { return n; }; };
  const std::vector<Case> cases = {
      // The lab drill: 20/s produced, 8/s consumed.
      {"falling behind", S(constant(20), 8), {true, true, false, false, 8, 20}},
      {"keeps up", S(constant(20), 50), {true, false, false, false, 20, 20}},
      // 600 extra at t = 65, drained at 30/s net by t = 85: within the
      // window (60..120), so the lag ends where it started.
      {"burst that drains",
       S([](int t) { return t == 65 ? 610 : 10; }, 40),
       {true, false, false, false, -1, -1}},
      // 900 extra at t = 100: 300 left at t = 120, falling at 30/s.
      {"burst still draining",
       S([](int t) { return t == 100 ? 910 : 10; }, 40),
       {true, false, false, true, -1, -1}},
      {"backlog draining",
       S(constant(10), 40, 1, 120, 5, 5000),
       {true, false, false, true, 40, 10}},
      {"idle topic", S(constant(0), 10), {true, false, false, false, 0, 0}},
      // Commits every 25 s in batches of 2500: a sawtooth, not a trend.
      {"batch commits keep up",
       S(constant(100), 1000, 25),
       {true, false, false, false, -1, 100}},
      {"stopped while producing",
       S(constant(20), 0),
       {true, true, true, false, 0, 20}},
      {"stopped on an idle topic with a backlog",
       S(constant(0), 0, 1, 120, 5, 500),
       {true, false, true, false, 0, 0}},
      {"not enough data",
       S(constant(20), 8, 1, 40),
       {false, false, true, false, -1, -1}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = Rates(Simulate(c.sim));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->window_covered, c.want.covered);
    EXPECT_EQ(r->lag_growing, c.want.growing)
        << "slope " << r->lag_slope << " growth " << r->lag_growth;
    EXPECT_EQ(r->drain_seconds.has_value(), c.want.drain);
    if (c.want.consume >= 0) {
      EXPECT_NEAR(r->consume_rate, c.want.consume, 0.5);
    }
    if (c.want.produce >= 0) {
      EXPECT_NEAR(r->produce_rate, c.want.produce, 0.5);
    }
    EXPECT_GE(r->consume_rate, 0);
    EXPECT_GE(r->produce_rate, 0);
    if (c.want.covered) {
      EXPECT_EQ(r->stopped, c.want.stopped);
    }
    EXPECT_LE(r->lag_history.size(), kLagHistoryPoints);
  }
}

TEST(GroupRatesTest, NotEnoughDataStillCountsWhatItHas) {
  // 40 s of a stopped consumer: not covered, but 40 s without progress
  // is already known.
  auto r = Rates(Simulate(S([](int) { return 20; }, 0, 1, 40)));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->window_covered);
  EXPECT_DOUBLE_EQ(r->covered_seconds, 40);
  EXPECT_TRUE(r->stopped);
  EXPECT_DOUBLE_EQ(r->no_progress_seconds, 40);
  EXPECT_FALSE(r->last_progress.has_value());
}

TEST(GroupRatesTest, DrainEstimate) {
  // 5000 behind at the start, consuming 40/s of 10/s: 3200 left at 120 s.
  auto r = Rates(Simulate(S([](int) { return 10; }, 40, 1, 120, 5, 5000)));
  ASSERT_TRUE(r && r->drain_seconds);
  EXPECT_EQ(r->lag_history.back().lag, 5000 - 30 * 120);
  EXPECT_NEAR(*r->drain_seconds, (5000 - 30 * 120) / 30.0, 1);
  EXPECT_LT(r->lag_growth, 0);
  EXPECT_EQ(r->last_progress, T(120));
}

TEST(GroupRatesTest, OffsetResetIsNeverANegativeRate) {
  for (bool flagged : {false, true}) {
    SCOPED_TRACE(flagged ? "flagged by the tracker" : "seen in the sums");
    // The group is rewound by 2000 at t = 100 (an operator replaying).
    Sim s = S([](int) { return 20; }, 20);
    s.edit = [flagged](int t, GroupRatePoint& p) {
      if (t < 100) return;
      p.committed_sum -= 2000;
      p.lag_sum += 2000;
      if (t == 100) p.reset = flagged;
    };
    auto r = Rates(Simulate(s));
    ASSERT_TRUE(r);
    EXPECT_GE(r->consume_rate, 0);
    // Rates restart at the reset: 20 s since, not a window.
    EXPECT_FALSE(r->window_covered);
    EXPECT_DOUBLE_EQ(r->covered_seconds, 20);
    EXPECT_FALSE(r->lag_growing);
    // The reset restarts the progress count too.
    EXPECT_LE(r->no_progress_seconds, 20);
  }
}

TEST(GroupRatesTest, NoCommitsAtAll) {
  // A group that never committed on a topic being written: committed sum
  // stays 0, lag is the whole topic.
  std::vector<GroupRatePoint> pts;
  for (int t = 0; t <= 90; t += 5)
    pts.push_back({T(t), 0, 20 * t, 20 * t, false});
  auto r = Rates(pts);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->consume_rate, 0);
  EXPECT_NEAR(r->produce_rate, 20, 1e-9);
  EXPECT_TRUE(r->stopped);
  EXPECT_TRUE(r->lag_growing);
  EXPECT_FALSE(r->drain_seconds);
}

TEST(GroupRatesTest, RememberedProgressOutlivesThePoints) {
  std::vector<GroupRatePoint> pts;
  for (int t = 0; t <= 90; t += 5) pts.push_back({T(t), 500, 600, 100, false});
  auto r = ComputeGroupRates({pts, seconds(60), seconds(30), T(-100)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->last_progress, T(-100));
  // Counted from the oldest point: a lower bound.
  EXPECT_DOUBLE_EQ(r->no_progress_seconds, 90);
  EXPECT_TRUE(r->stopped);
}

TEST(GroupRatesTest, EmptyIsUnknown) { EXPECT_FALSE(Rates({}).has_value()); }

TEST(GroupRatesTest, LagHistoryIsDownsampledEndToEnd) {
  auto pts = Simulate(S([](int) { return 20; }, 8, 1, 600, 1));
  auto r = Rates(pts);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->lag_history.size(), kLagHistoryPoints);
  EXPECT_EQ(r->lag_history.front().at, pts.front().at);
  EXPECT_EQ(r->lag_history.back().at, pts.back().at);
  EXPECT_EQ(r->lag_history.back().lag, pts.back().lag_sum);
}

TEST(GroupRateRingTest, BoundedByCountAndAge) {
  GroupRateRing ring(seconds(60), seconds(600), 120);
  for (int t = 0; t <= 3600; ++t) {
    ring.Record({T(t), t, 2 * t, t, false});
    ASSERT_LE(ring.points().size(), 120u);
  }
  const auto& p = ring.points();
  // One point at or before the age limit starts the span.
  EXPECT_LE(p.front().at, T(3000));
  EXPECT_GT(p[1].at, T(3000));
  // The window keeps every sample (one a second): 60 of the 120 points.
  int in_window = 0;
  for (const auto& q : p) in_window += q.at >= T(3540) ? 1 : 0;
  EXPECT_GE(in_window, 60);
  auto r =
      ComputeGroupRates({p, seconds(60), seconds(30), ring.last_progress()});
  ASSERT_TRUE(r && r->window_covered);
  EXPECT_NEAR(r->consume_rate, 1, 1e-9);
  EXPECT_NEAR(r->produce_rate, 2, 1e-9);
}

TEST(GroupRateRingTest, AgeDropsOldPoints) {
  GroupRateRing ring(seconds(60), seconds(600), 120);
  for (int t = 0; t <= 2000; t += 100) ring.Record({T(t), 0, 0, 0, false});
  EXPECT_EQ(ring.points().front().at, T(1400));
  EXPECT_EQ(ring.points().size(), 7u);
}

TEST(GroupRateRingTest, ClockGoingBackIsIgnored) {
  GroupRateRing ring(seconds(60), seconds(600), 120);
  ring.Record({T(10), 1, 1, 0, false});
  ring.Record({T(5), 2, 2, 0, false});
  ring.Record({T(10), 3, 3, 0, false});
  ASSERT_EQ(ring.points().size(), 1u);
  EXPECT_EQ(ring.points()[0].committed_sum, 1);
}

TEST(GroupRateRingTest, ProgressIsRememberedAndResetsAreNotProgress) {
  GroupRateRing ring(seconds(60), seconds(600), 10);
  ring.Record({T(0), 10, 10, 0, false});
  ring.Record({T(1), 20, 20, 0, false});
  ring.Record({T(2), 900, 900, 0, true});  // partition set changed
  for (int t = 3; t < 50; ++t) ring.Record({T(t), 900, 900 + t, t, false});
  EXPECT_EQ(ring.last_progress(), T(1));
}

TEST(GroupRateRingTest, ThinningKeepsResetsInPlace) {
  GroupRateRing ring(seconds(5), seconds(600), 5);
  ring.Record({T(0), 0, 0, 0, false});
  ring.Record({T(10), 100, 100, 0, true});
  for (int t = 11; t < 40; ++t) ring.Record({T(t), 100, 100, 0, false});
  // Whatever was thinned, no point pairs sums from both sides of the reset.
  const auto& p = ring.points();
  ASSERT_LE(p.size(), 5u);
  bool saw_reset = p.front().at >= T(10);
  for (std::size_t i = 1; i < p.size(); ++i) {
    if (p[i - 1].at < T(10) && p[i].at >= T(10)) saw_reset = p[i].reset;
  }
  EXPECT_TRUE(saw_reset);
}

// The ring as it was before its points became a byte stream, on a plain
// vector: the encoded ring must keep exactly these rules.
class ReferenceRing {
 public:
  ReferenceRing(Millis window, Millis max_age, std::size_t max_points)
      : window_(window),
        max_age_(std::max(max_age, window)),
        max_points_(std::max<std::size_t>(max_points, 3)) {}

  void Record(const GroupRatePoint& p) {
    if (!points_.empty() && p.at <= points_.back().at) return;
    if (!points_.empty() && !p.reset &&
        p.committed_sum > points_.back().committed_sum) {
      last_progress_ = p.at;
    }
    points_.push_back(p);
    const WallTime oldest = p.at - max_age_;
    std::size_t drop = 0;
    while (drop + 1 < points_.size() && points_[drop + 1].at <= oldest) ++drop;
    points_.erase(points_.begin(), points_.begin() + static_cast<long>(drop));
    while (points_.size() > max_points_) Thin();
  }
  const std::vector<GroupRatePoint>& points() const { return points_; }
  std::optional<WallTime> last_progress() const { return last_progress_; }

 private:
  void Thin() {
    const WallTime window_start = points_.back().at - window_;
    std::size_t victim = 0;
    auto gap = WallTime::duration::max();
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
    const GroupRatePoint& v = points_[victim];
    const GroupRatePoint& before = points_[victim - 1];
    if (v.reset || v.committed_sum < before.committed_sum ||
        v.end_sum < before.end_sum) {
      points_[victim + 1].reset = true;
    }
    points_.erase(points_.begin() + static_cast<long>(victim));
  }

  Millis window_;
  Millis max_age_;
  std::size_t max_points_;
  std::vector<GroupRatePoint> points_;
  std::optional<WallTime> last_progress_;
};

// Sums of random traffic: steady growth, bursts, resets (down to 0 or a
// jump), and values near the int64 limits.
std::int64_t NextSum(std::mt19937_64& rng, std::int64_t v) {
  switch (rng() % 12) {
    case 0:
      return static_cast<std::int64_t>(rng());  // anywhere in int64
    case 1:
      return rng() % 2 ? INT64_MAX - static_cast<std::int64_t>(rng() % 3)
                       : INT64_MIN + static_cast<std::int64_t>(rng() % 3);
    case 2:
      return 0;
    case 3:
      return varint::WrappingAdd(
          v, static_cast<std::int64_t>(rng() % 5'000'000'000));
    default:
      return varint::WrappingAdd(v, static_cast<std::int64_t>(rng() % 1000));
  }
}

GroupRatePoint RandomPoint(std::mt19937_64& rng, const GroupRatePoint& prev,
                           std::chrono::milliseconds step) {
  GroupRatePoint p;
  p.at = prev.at + step;
  // Sums near the int64 limits wrap, as the ring's deltas do (a signed
  // overflow here would be the test's own undefined behaviour).
  p.committed_sum =
      rng() % 3 ? varint::WrappingAdd(prev.committed_sum,
                                      static_cast<std::int64_t>(rng() % 2000))
                : NextSum(rng, prev.committed_sum);
  p.end_sum = rng() % 3
                  ? varint::WrappingAdd(p.committed_sum,
                                        static_cast<std::int64_t>(rng() % 500))
                  : NextSum(rng, prev.end_sum);
  if (p.committed_sum > p.end_sum && rng() % 2) p.end_sum = p.committed_sum;
  const auto kind = rng() % 8;
  p.lag_sum = kind < 5 ? static_cast<std::int64_t>(
                             static_cast<std::uint64_t>(p.end_sum) -
                             static_cast<std::uint64_t>(p.committed_sum))
              : kind < 7 ? static_cast<std::int64_t>(rng() % 100'000)
                         : static_cast<std::int64_t>(rng());
  p.reset = rng() % 15 == 0;
  return p;
}

std::chrono::milliseconds RandomStep(std::mt19937_64& rng) {
  using std::chrono::milliseconds;
  if (rng() % 100 == 0) return milliseconds(rng() % 2'000'000);  // a pause
  switch (rng() % 10) {
    case 0:
      return milliseconds(-static_cast<int>(rng() % 20'000));  // clock back
    case 1:
      return milliseconds(0);
    case 2:
      return milliseconds(1 + rng() % 5);  // a burst of samples
    default:
      return milliseconds(rng() % 20'000);
  }
}

void ExpectSame(const GroupRateRing& ring, const ReferenceRing& ref,
                const std::string& where) {
  const auto got = ring.points();
  const auto& want = ref.points();
  ASSERT_EQ(got.size(), want.size()) << where;
  ASSERT_EQ(ring.size(), want.size()) << where;
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].at, want[i].at) << where << " point " << i;
    ASSERT_EQ(got[i].committed_sum, want[i].committed_sum) << where << i;
    ASSERT_EQ(got[i].end_sum, want[i].end_sum) << where << i;
    ASSERT_EQ(got[i].lag_sum, want[i].lag_sum) << where << i;
    ASSERT_EQ(got[i].reset, want[i].reset) << where << i;
  }
  ASSERT_EQ(ring.last_progress(), ref.last_progress()) << where;
}

// Times a whole number of milliseconds after the first (sub-millisecond
// itself), so the stream's cut times are exact and every point must match.
TEST(GroupRateRingTest, MatchesTheVectorRingOnRandomTraffic) {
  std::mt19937_64 rng(11);
  for (int run = 0; run < 60; ++run) {
    const Millis window(1'000 * (1 + rng() % 120));
    const Millis max_age(rng() % 4 == 0 ? 0 : 1'000 * (rng() % 1200));
    const std::size_t max_points = rng() % 140;
    GroupRateRing ring(window, max_age, max_points);
    ReferenceRing ref(window, max_age, max_points);
    GroupRatePoint prev;
    prev.at = T(0) + std::chrono::microseconds(rng() % 1'000'000);
    prev.committed_sum = static_cast<std::int64_t>(rng() % 1'000'000'000);
    prev.end_sum = prev.committed_sum + 40;
    for (int i = 0; i < 600; ++i) {
      const GroupRatePoint p = RandomPoint(rng, prev, RandomStep(rng));
      ring.Record(p);
      ref.Record(p);
      ExpectSame(ring, ref,
                 "run " + std::to_string(run) + " i " + std::to_string(i));
      if (!ref.points().empty()) prev = ref.points().back();
      prev.at = std::max(prev.at, p.at - seconds(30));
    }
  }
}

// With sub-millisecond sample times only the stored times differ: the
// oldest and the newest stay exact, the others are cut by < 1 ms.
TEST(GroupRateRingTest, SubMillisecondTimesAreCutExceptTheEnds) {
  GroupRateRing ring(seconds(60), seconds(600), 120);
  const WallTime start = T(0) + std::chrono::microseconds(123'456);
  for (int i = 0; i < 100; ++i) {
    ring.Record(
        {start + std::chrono::microseconds(10'000'777LL * i), i, i, 0, false});
  }
  const auto p = ring.points();
  ASSERT_EQ(p.size(), 61u);
  EXPECT_EQ(p.back().at, start + std::chrono::microseconds(10'000'777LL * 99));
  for (std::size_t i = 0; i + 1 < p.size(); ++i) {
    const WallTime exact =
        start + std::chrono::microseconds(10'000'777LL * (39 + i));
    EXPECT_LE(p[i].at, exact);
    EXPECT_GT(p[i].at, exact - std::chrono::milliseconds(1));
    EXPECT_EQ(p[i].committed_sum, static_cast<std::int64_t>(39 + i));
  }
  EXPECT_EQ(ring.last_progress(), p.back().at);
}

}  // namespace
}  // namespace failwatch
