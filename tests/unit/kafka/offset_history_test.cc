#include "kafka/offset_history.h"

#include <gtest/gtest.h>

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

TEST(OffsetHistoryTest, EightBytesPerPointToTheMillisecond) {
  OffsetHistory h(64);
  for (int i = 0; i < 500; ++i) {
    h.Record(kT0 + milliseconds(1000 * i) + std::chrono::microseconds(700),
             1'000'000'000'000LL + 7 * i);
  }
  EXPECT_EQ(h.size(), 64u);
  EXPECT_LE(h.capacity_bytes(), 65u * 8u);
  auto pts = h.points();
  // The oldest point is exact; the rest are cut to the millisecond.
  EXPECT_EQ(pts.front().at, kT0 + std::chrono::microseconds(700));
  for (const OffsetPoint& p : pts) {
    const auto ms = std::chrono::duration_cast<milliseconds>(p.at - kT0);
    EXPECT_EQ(ms.count() % 1000, 0);
    EXPECT_EQ(p.offset, 1'000'000'000'000LL + 7 * (ms.count() / 1000));
  }
}

TEST(OffsetHistoryTest, ForgetsWhatIsOlderThanItsSpan) {
  OffsetHistory h(10);
  h.Record(kT0, 0);
  h.Record(kT0 + seconds(10), 100);
  // 50 days later (past 2^32 ms from the oldest point): the old points go,
  // and a commit from then is a lower bound, not a wrong interpolation.
  const WallTime later = kT0 + std::chrono::hours(24 * 50);
  h.Record(later, 200);
  ASSERT_EQ(h.points().size(), 1u);
  EXPECT_EQ(h.points()[0].at, later);
  auto r = InterpolateLagSeconds(h.points(), 50, 200, later + seconds(5));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->lower_bound);

  // Likewise past 2^32 messages above the oldest point.
  OffsetHistory busy(10);
  busy.Record(kT0, 0);
  busy.Record(kT0 + seconds(1), 3'000'000'000LL);
  busy.Record(kT0 + seconds(2), 5'000'000'000LL);
  auto pts = busy.points();
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[0].offset, 3'000'000'000LL);
  EXPECT_EQ(pts[1].offset, 5'000'000'000LL);
  EXPECT_EQ(pts[1].at, kT0 + seconds(2));
}

}  // namespace
}  // namespace failwatch
