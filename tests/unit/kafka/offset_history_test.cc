#include "kafka/offset_history.h"

#include <gtest/gtest.h>

#include <climits>
#include <random>

namespace failwatch {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const WallTime kT0 = WallTime(seconds(1'700'000'000));

TEST(ComputeLagTest, FromCommitOrFromLowWatermark) {
  EXPECT_EQ(ComputeLag(40, 10, 100), 60);
  EXPECT_EQ(ComputeLag(std::nullopt, 10, 100), 90);
  EXPECT_EQ(ComputeLag(100, 10, 100), 0);
  // A commit read after the end offset (reads are not atomic) is no lag,
  // never negative.
  EXPECT_EQ(ComputeLag(105, 10, 100), 0);
}

TEST(InterpolateTest, ExactOnSteadyProduction) {
  // 10 messages per second, seen every 5 s.
  std::vector<OffsetPoint> pts;
  for (int i = 0; i <= 6; ++i) pts.push_back({kT0 + seconds(5 * i), 50 * i});
  const WallTime now = kT0 + seconds(30);
  // Record 119 made the end offset 120, at t0+12 s.
  auto r = InterpolateLagSeconds(pts, 119, 300, now);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->lower_bound);
  EXPECT_NEAR(r->seconds, 18.0, 1e-6);
  // Record 99 completes the point (t0+10 s, 100) exactly.
  r = InterpolateLagSeconds(pts, 99, 300, now);
  EXPECT_NEAR(r->seconds, 20.0, 1e-6);
  // Record 100 is the first one after that point.
  r = InterpolateLagSeconds(pts, 100, 300, now);
  EXPECT_NEAR(r->seconds, 19.9, 1e-6);
}

TEST(InterpolateTest, CaughtUpIsZero) {
  std::vector<OffsetPoint> pts = {{kT0, 0}, {kT0 + seconds(10), 100}};
  auto r = InterpolateLagSeconds(pts, 100, 100, kT0 + seconds(60));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->seconds, 0);
  EXPECT_FALSE(r->lower_bound);
}

TEST(InterpolateTest, NeverExtrapolatesBeforeHistory) {
  std::vector<OffsetPoint> pts = {{kT0, 1000}, {kT0 + seconds(10), 1100}};
  // Committed 10 is far older than anything seen: the answer is "at least
  // as old as the history", flagged, not a made-up "3 years".
  auto r = InterpolateLagSeconds(pts, 10, 1100, kT0 + seconds(20));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->lower_bound);
  EXPECT_NEAR(r->seconds, 20.0, 1e-6);
}

TEST(InterpolateTest, SinglePointGivesLowerBound) {
  std::vector<OffsetPoint> pts = {{kT0, 50}};
  auto r = InterpolateLagSeconds(pts, 10, 50, kT0 + seconds(3));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->lower_bound);
  EXPECT_NEAR(r->seconds, 3.0, 1e-6);
  EXPECT_FALSE(InterpolateLagSeconds({}, 10, 50, kT0).has_value());
}

TEST(InterpolateTest, FlatRunUsesItsEnd) {
  // Idle from t0 to t0+100 s at offset 10, then 10 more by t0+110 s.
  std::vector<OffsetPoint> pts = {
      {kT0, 10}, {kT0 + seconds(100), 10}, {kT0 + seconds(110), 20}};
  auto r = InterpolateLagSeconds(pts, 10, 20, kT0 + seconds(110));
  ASSERT_TRUE(r.has_value());
  // Record 10 was written after t0+100 s (the first of the ten after the
  // idle run): about 9 s old, not 110 s.
  EXPECT_NEAR(r->seconds, 9.0, 1e-6);
  r = InterpolateLagSeconds(pts, 15, 20, kT0 + seconds(110));
  EXPECT_NEAR(r->seconds, 4.0, 1e-6);
}

TEST(OffsetHistoryTest, CollapsesFlatRuns) {
  OffsetHistory h(8);
  for (int i = 0; i < 20; ++i) h.Record(kT0 + seconds(i), 5);
  ASSERT_EQ(h.points().size(), 2u);
  EXPECT_EQ(h.points()[0].at, kT0);
  EXPECT_EQ(h.points()[1].at, kT0 + seconds(19));
}

TEST(OffsetHistoryTest, StaysBoundedAndKeepsItsEnds) {
  OffsetHistory h(10);
  for (int i = 0; i < 1000; ++i) h.Record(kT0 + seconds(i), i * 3);
  EXPECT_EQ(h.points().size(), 10u);
  EXPECT_EQ(h.points().front().at, kT0);
  EXPECT_EQ(h.points().back().offset, 999 * 3);
  // Thinned, not cut: a committed offset from the start still interpolates
  // (linear production, so exactly) instead of becoming a lower bound.
  auto r = InterpolateLagSeconds(h.points(), 299, 999 * 3, kT0 + seconds(999));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->lower_bound);
  EXPECT_NEAR(r->seconds, 899.0, 1e-6);
}

TEST(OffsetHistoryTest, RecreatedPartitionRestarts) {
  OffsetHistory h(10);
  h.Record(kT0, 100);
  h.Record(kT0 + seconds(1), 200);
  h.Record(kT0 + seconds(2), 3);
  ASSERT_EQ(h.points().size(), 1u);
  EXPECT_EQ(h.points()[0].offset, 3);
}

TEST(OffsetHistoryTest, IgnoresTimeGoingBackwards) {
  OffsetHistory h(10);
  h.Record(kT0 + seconds(5), 10);
  h.Record(kT0 + seconds(4), 20);
  ASSERT_EQ(h.points().size(), 1u);
}

TEST(OffsetHistoryTest, FewBytesPerPointToTheMillisecond) {
  OffsetHistory h(64);
  for (int i = 0; i < 500; ++i) {
    h.Record(kT0 + milliseconds(1000 * i) + std::chrono::microseconds(700),
             1'000'000'000'000LL + 7 * i);
  }
  EXPECT_EQ(h.size(), 64u);
  // Two varints a point (~8 s and ~56 messages apart once thinned: 3
  // bytes) where a fixed point took 8, plus a quarter of growth room.
  EXPECT_LE(h.capacity_bytes(), 64u * 4u);
  auto pts = h.points();
  // The oldest point is exact; the rest are cut to the millisecond.
  EXPECT_EQ(pts.front().at, kT0 + std::chrono::microseconds(700));
  for (const OffsetPoint& p : pts) {
    const auto ms = std::chrono::duration_cast<milliseconds>(p.at - kT0);
    EXPECT_EQ(ms.count() % 1000, 0);
    EXPECT_EQ(p.offset, 1'000'000'000'000LL + 7 * (ms.count() / 1000));
  }
}

TEST(OffsetHistoryTest, AnySpanAndAnyOffsetStayExact) {
  OffsetHistory h(10);
  h.Record(kT0, 0);
  h.Record(kT0 + seconds(10), 100);
  // 50 days later (past 2^32 ms) the old points are still there, so a
  // commit from then interpolates instead of becoming a lower bound.
  const WallTime later = kT0 + std::chrono::hours(24 * 50);
  h.Record(later, 200);
  ASSERT_EQ(h.points().size(), 3u);
  auto r = InterpolateLagSeconds(h.points(), 50, 200, later);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->lower_bound);
  // Record 50 made the end offset 51, 5.1 s after kT0.
  EXPECT_NEAR(r->seconds, ToSeconds(later - kT0) - 5.1, 1e-3);

  // Offsets 2^32 and more apart, and the extremes a hostile broker could
  // send: every value comes back as it went in.
  const std::int64_t offsets[] = {INT64_MIN,       -5,       0, 3'000'000'000LL,
                                  5'000'000'000LL, INT64_MAX};
  OffsetHistory wide(10);
  for (std::size_t i = 0; i < std::size(offsets); ++i) {
    wide.Record(kT0 + seconds(static_cast<int>(i)), offsets[i]);
  }
  auto pts = wide.points();
  ASSERT_EQ(pts.size(), std::size(offsets));
  for (std::size_t i = 0; i < pts.size(); ++i) {
    EXPECT_EQ(pts[i].offset, offsets[i]);
    EXPECT_EQ(pts[i].at, kT0 + seconds(static_cast<int>(i)));
  }
}

// The rules on plain points (what the history did before it was encoded):
// the same thinning, flat runs and restarts, for comparison.
class ReferenceHistory {
 public:
  explicit ReferenceHistory(std::size_t capacity) : capacity_(capacity) {}
  void Record(WallTime at, std::int64_t high) {
    if (!pts_.empty() && at <= pts_.back().at) return;
    if (pts_.empty() || high < pts_.back().offset) {
      pts_ = {{at, high}};
      return;
    }
    const WallTime cut =
        pts_.front().at +
        std::chrono::duration_cast<milliseconds>(at - pts_.front().at);
    const std::size_t n = pts_.size();
    if (n >= 2 && pts_[n - 2].offset == pts_[n - 1].offset &&
        high == pts_[n - 1].offset) {
      pts_.back().at = cut;
      return;
    }
    pts_.push_back({cut, high});
    if (pts_.size() <= capacity_) return;
    std::size_t victim = 1;
    auto best = WallTime::duration::max();
    for (std::size_t i = 1; i + 1 < pts_.size(); ++i) {
      if (pts_[i + 1].at - pts_[i - 1].at < best) {
        best = pts_[i + 1].at - pts_[i - 1].at;
        victim = i;
      }
    }
    pts_.erase(pts_.begin() + static_cast<std::ptrdiff_t>(victim));
  }
  const std::vector<OffsetPoint>& points() const { return pts_; }

 private:
  std::size_t capacity_;
  std::vector<OffsetPoint> pts_;
};

TEST(OffsetHistoryTest, MatchesThePlainRulesOnRandomTraffic) {
  std::mt19937_64 rng(7);
  for (int run = 0; run < 50; ++run) {
    const std::size_t capacity = 3 + rng() % 20;
    OffsetHistory h(capacity);
    ReferenceHistory ref(capacity);
    WallTime t = kT0 + std::chrono::microseconds(rng() % 1000);
    std::int64_t high = static_cast<std::int64_t>(rng() % 1'000'000);
    for (int i = 0; i < 400; ++i) {
      // Irregular steps (some backwards), bursts, idle runs, a recreation.
      t += milliseconds(static_cast<int>(rng() % 30'000)) -
           milliseconds(rng() % 10 == 0 ? 40'000 : 0) +
           std::chrono::microseconds(rng() % 1000);
      const auto kind = rng() % 10;
      if (kind < 4) high += static_cast<std::int64_t>(rng() % 100'000);
      if (kind == 4) high += static_cast<std::int64_t>(rng() % 5'000'000'000);
      if (kind == 5 && rng() % 20 == 0) high = 0;
      h.Record(t, high);
      ref.Record(t, high);
      ASSERT_EQ(h.size(), ref.points().size()) << "run " << run << " i " << i;
    }
    const auto got = h.points();
    const auto& want = ref.points();
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].at, want[i].at) << "run " << run << " point " << i;
      EXPECT_EQ(got[i].offset, want[i].offset);
    }
  }
}

}  // namespace
}  // namespace failwatch
