#include "kafka/partition_status.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const WallTime kT0 = WallTime(seconds(1'700'000'000));
constexpr Millis kWindow = minutes(10);

// One point per minute for `n` minutes: committed(i), high(i).
template <typename C, typename H>
StatusInputs Series(int n, C committed, H high,
                    std::optional<bool> members = std::nullopt) {
  StatusInputs in;
  in.window = kWindow;
  in.group_has_members = members;
  for (int i = 0; i <= n; ++i) {
    StatusPoint p;
    p.at = kT0 + minutes(i);
    p.committed = committed(i);
    p.high = high(i);
    p.lag = p.high - p.committed.value_or(0);
    in.points.push_back(p);
  }
  in.now = in.points.back().at;
  return in;
}

TEST(PartitionStatusTest, CaughtUpIsOk) {
  auto in = Series(
      12, [](int i) { return std::optional<std::int64_t>(100 * i); },
      [](int i) { return 100 * i; });
  EXPECT_EQ(EvaluatePartitionStatus(in), ConsumerStatus::kOk);
}

TEST(PartitionStatusTest, StuckCommitWhileProducingIsStall) {
  auto in = Series(
      12, [](int) { return std::optional<std::int64_t>(50); },
      [](int i) { return 100 + 10 * i; });
  EXPECT_EQ(EvaluatePartitionStatus(in), ConsumerStatus::kStall);
  in.group_has_members = true;
  EXPECT_EQ(EvaluatePartitionStatus(in), ConsumerStatus::kStall);
}

TEST(PartitionStatusTest, NoMembersAndEndMovedIsStop) {
  auto in = Series(
      12, [](int) { return std::optional<std::int64_t>(50); },
      [](int i) { return 100 + 10 * i; }, /*members=*/false);
  EXPECT_EQ(EvaluatePartitionStatus(in), ConsumerStatus::kStop);
}

TEST(PartitionStatusTest, IdleTopicIsNeverStop) {
  // Caught up and idle: OK.
  auto idle = Series(
      12, [](int) { return std::optional<std::int64_t>(100); },
      [](int) { return 100; }, false);
  EXPECT_EQ(EvaluatePartitionStatus(idle), ConsumerStatus::kOk);
  // A stuck backlog on an idle topic with nobody consuming: the end offset
  // did not move, so STALL, not STOP.
  auto backlog = Series(
      12, [](int) { return std::optional<std::int64_t>(40); },
      [](int) { return 100; }, false);
  EXPECT_EQ(EvaluatePartitionStatus(backlog), ConsumerStatus::kStall);
}

TEST(PartitionStatusTest, RisingLagWhileMovingIsWarn) {
  auto in = Series(
      12, [](int i) { return std::optional<std::int64_t>(10 * i); },
      [](int i) { return 100 + 20 * i; });
  EXPECT_EQ(EvaluatePartitionStatus(in), ConsumerStatus::kWarn);
}

TEST(PartitionStatusTest, LagThatDipsIsOk) {
  auto in = Series(
      12,
      [](int i) {
        return std::optional<std::int64_t>(i < 6 ? 10 * i : 10 * i + 60);
      },
      [](int i) { return 100 + 20 * i; });
  // Lag 100 at minute 6 after 150 at minute 5: it decreased once.
  EXPECT_EQ(EvaluatePartitionStatus(in), ConsumerStatus::kOk);
}

TEST(PartitionStatusTest, ShortHistoryIsOk) {
  auto in = Series(
      5, [](int) { return std::optional<std::int64_t>(50); },
      [](int i) { return 100 + 10 * i; }, false);
  EXPECT_EQ(EvaluatePartitionStatus(in), ConsumerStatus::kOk);
}

TEST(PartitionStatusTest, RewindLastsOneWindow) {
  auto in = Series(
      12, [](int i) { return std::optional<std::int64_t>(100 * i); },
      [](int i) { return 100 * i; });
  in.last_rewind = in.now - minutes(3);
  EXPECT_EQ(EvaluatePartitionStatus(in), ConsumerStatus::kRewind);
  in.last_rewind = in.now - minutes(11);
  EXPECT_EQ(EvaluatePartitionStatus(in), ConsumerStatus::kOk);
}

TEST(PartitionStatusTest, UnreadableIsErr) {
  auto in = Series(
      12, [](int i) { return std::optional<std::int64_t>(100 * i); },
      [](int i) { return 100 * i; });
  in.unreadable = true;
  EXPECT_EQ(EvaluatePartitionStatus(in), ConsumerStatus::kErr);
}

TEST(PartitionStatusTest, NeverCommittedWithBacklogIsStall) {
  auto in = Series(
      12, [](int) { return std::optional<std::int64_t>(); },
      [](int i) { return 100 + i; });
  EXPECT_EQ(EvaluatePartitionStatus(in), ConsumerStatus::kStall);
}

TEST(PartitionStatusTest, WorstIsMostSevere) {
  EXPECT_EQ(WorstStatus(ConsumerStatus::kOk, ConsumerStatus::kWarn),
            ConsumerStatus::kWarn);
  EXPECT_EQ(WorstStatus(ConsumerStatus::kStop, ConsumerStatus::kStall),
            ConsumerStatus::kStop);
  EXPECT_EQ(ConsumerStatusName(ConsumerStatus::kRewind), "REWIND");
}

TEST(StatusHistoryTest, DownsamplesAndCoversTheWindow) {
  StatusHistory h(kWindow, 10);         // one stored point per minute
  for (int s = 0; s <= 15 * 60; ++s) {  // a sample every second, 15 min
    h.Record({kT0 + seconds(s), 7, 100, 93});
  }
  const WallTime now = kT0 + minutes(15);
  auto pts = h.WindowPoints(now);
  ASSERT_GE(pts.size(), 2u);
  EXPECT_LE(pts.size(), 14u);
  EXPECT_LE(pts.front().at, now - kWindow);
  EXPECT_GT(pts.front().at, now - kWindow - minutes(2));
  EXPECT_EQ(pts.back().at, now);
}

TEST(StatusHistoryTest, DetectsRewindBetweenStoredPoints) {
  StatusHistory h(kWindow, 10);
  EXPECT_FALSE(h.Record({kT0, 10, 100, 90}));
  EXPECT_FALSE(h.Record({kT0 + seconds(1), 20, 100, 80}));
  EXPECT_TRUE(h.Record({kT0 + seconds(2), 15, 100, 85}));
  EXPECT_EQ(h.last_rewind(), kT0 + seconds(2));
  // A commit that disappears (offsets expired) is not a rewind.
  EXPECT_FALSE(h.Record({kT0 + seconds(3), std::nullopt, 100, 100}));
}

TEST(StatusHistoryTest, StoresAFewBytesPerPoint) {
  // 10 s samples a little late or early, a few thousand messages a step,
  // a lag of a few thousand: varint deltas, well under 8 bytes a point.
  StatusHistory h(kWindow, 60);  // a stored point per 10 s
  for (int s = 0; s <= 30 * 6; ++s) {
    const WallTime at =
        kT0 + seconds(10 * s) + std::chrono::milliseconds(37 * (s % 5));
    const std::int64_t high = 5'000'000 + 3'000LL * s + (s % 7) * 11;
    const std::int64_t committed = high - 2'000 - (s % 3) * 500;
    h.Record({at, committed, high, high - committed});
  }
  // Bounded by points + 3 stored.
  EXPECT_LE(h.capacity_bytes(), (60u + 3u) * 8u);
  auto pts = h.WindowPoints(kT0 + seconds(10 * 30 * 6));
  ASSERT_GE(pts.size(), 40u);  // early samples are skipped
  for (const StatusPoint& p : pts) {
    const auto s = std::chrono::duration_cast<seconds>(p.at - kT0).count() / 10;
    const std::int64_t high = 5'000'000 + 3'000LL * s + (s % 7) * 11;
    EXPECT_EQ(p.high, high);
    EXPECT_EQ(p.committed, high - 2'000 - (s % 3) * 500);
    EXPECT_EQ(p.lag, 2'000 + (s % 3) * 500);
    EXPECT_EQ(p.at - kT0,
              seconds(10 * s) + std::chrono::milliseconds(37 * (s % 5)));
  }
}

TEST(StatusHistoryTest, ValuesBeyondThirtyTwoBitsStayExact) {
  // A consumer 3 billion messages behind on a busy topic, and a commit
  // that disappears: nothing is lost.
  StatusHistory h(kWindow, 10);
  const std::int64_t base = 9'000'000'000'000LL;
  for (int m = 0; m <= 12; ++m) {
    std::optional<std::int64_t> committed = base + m;
    if (m == 5) committed = std::nullopt;
    h.Record({kT0 + minutes(m), committed, base + 3'000'000'000LL + m,
              3'000'000'000LL});
  }
  auto pts = h.WindowPoints(kT0 + minutes(12));
  ASSERT_GE(pts.size(), 10u);
  for (const StatusPoint& p : pts) {
    const auto m = std::chrono::duration_cast<minutes>(p.at - kT0).count();
    EXPECT_EQ(p.high, base + 3'000'000'000LL + m);
    EXPECT_EQ(p.lag, 3'000'000'000LL);
    if (m == 5) {
      EXPECT_FALSE(p.committed.has_value());
    } else {
      EXPECT_EQ(p.committed, base + m);
    }
  }
}

TEST(StatusHistoryTest, NegativeAndOddValuesStayExact) {
  // A commit past the end (lag clamped to 0), a lag that is not the end
  // minus the commit, negative values: the explicit encodings.
  StatusHistory h(kWindow, 10);
  auto point = [](int m) {
    StatusPoint p;
    p.at = kT0 + minutes(m);
    p.high = (m % 2 ? -1 : 1) * (1000LL * m + 7);
    if (m % 4 != 3) p.committed = p.high + (m % 3 == 0 ? 5 : -5 * m);
    p.lag = m % 5 == 0 ? -m
                       : std::max<std::int64_t>(
                             0, p.high - p.committed.value_or(p.high));
    return p;
  };
  for (int m = 0; m <= 20; ++m) h.Record(point(m));
  auto pts = h.WindowPoints(kT0 + minutes(20));
  ASSERT_GE(pts.size(), 10u);
  for (const StatusPoint& p : pts) {
    const auto m = std::chrono::duration_cast<minutes>(p.at - kT0).count();
    const StatusPoint want = point(static_cast<int>(m));
    EXPECT_EQ(p.high, want.high) << m;
    EXPECT_EQ(p.committed, want.committed) << m;
    EXPECT_EQ(p.lag, want.lag) << m;
  }
}

TEST(StatusHistoryTest, HostileExtremesStayExact) {
  // Offsets from a hostile or broken broker: every int64 value
  // round-trips, whatever the deltas between neighbours.
  constexpr std::int64_t kMin = INT64_MIN;
  constexpr std::int64_t kMax = INT64_MAX;
  struct Values {
    std::optional<std::int64_t> committed;
    std::int64_t high;
    std::int64_t lag;
  };
  const Values values[] = {
      {kMin, kMax, kMax},
      {kMax, kMin, kMin},
      {std::nullopt, kMin, kMax},
      {kMin + 1, kMax - 1, -1},
      {kMax, kMax, 0},
      {kMin, kMin, 0},
      {0, kMin, kMin},
      {kMin, 0, kMax},
      {-1, kMax, kMin},
      {std::nullopt, 0, kMin},
      {kMax - 1, kMin + 1, 0},
      {1, kMax, kMax - 1},
  };
  constexpr int kCount = sizeof values / sizeof values[0];
  StatusHistory h(kWindow, 10);  // 13 stored: the oldest ones get dropped
  for (int m = 0; m < 2 * kCount; ++m) {
    const Values& v = values[m % kCount];
    h.Record({kT0 + minutes(m), v.committed, v.high, v.lag});
  }
  auto pts = h.WindowPoints(kT0 + minutes(2 * kCount - 1));
  ASSERT_GE(pts.size(), 10u);
  for (const StatusPoint& p : pts) {
    const auto m = std::chrono::duration_cast<minutes>(p.at - kT0).count();
    const Values& v = values[m % kCount];
    EXPECT_EQ(p.committed, v.committed) << m;
    EXPECT_EQ(p.high, v.high) << m;
    EXPECT_EQ(p.lag, v.lag) << m;
  }
}

TEST(StatusHistoryTest, RunsForMonthsExactly) {
  // Times are deltas between neighbouring points: 60 days of samples (past
  // 2^32 ms) keep exact, small points.
  StatusHistory h(kWindow, 10);
  const auto step = minutes(7);
  WallTime t = kT0;
  for (int i = 0; i < 60 * 24 * 60 / 7; ++i, t += step) {
    h.Record({t, 100 + i, 200 + i, 100});
  }
  EXPECT_LE(h.capacity_bytes(), (10u + 3u) * 8u);
  const WallTime last = t - step;
  auto pts = h.WindowPoints(last);
  ASSERT_GE(pts.size(), 2u);
  EXPECT_LE(pts.front().at, last - kWindow);
  EXPECT_EQ(pts.back().at, last);
  for (const StatusPoint& p : pts) {
    const auto i = (p.at - kT0) / step;
    EXPECT_EQ(p.high, 200 + i);
    EXPECT_EQ(p.committed, 100 + i);
  }
}

TEST(StatusHistoryTest, EndOffsetsThatJumpDownStayExact) {
  // A recreated partition between two busy ones: end offsets that jump
  // down by billions and back up, across the dropping of the oldest.
  StatusHistory h(kWindow, 10);  // 13 stored points
  auto high_at = [](int m) {
    if (m < 2) return m == 0 ? 2'000'000'010LL : 10LL;
    return m % 5 == 0 ? 3LL * m : 4'000'000'000LL + m;
  };
  for (int m = 0; m < 20; ++m) {
    const std::int64_t high = high_at(m);
    h.Record({kT0 + minutes(m), high - 5, high, 5});
  }
  auto pts = h.WindowPoints(kT0 + minutes(19));
  ASSERT_GE(pts.size(), 10u);
  for (const StatusPoint& p : pts) {
    const auto m = std::chrono::duration_cast<minutes>(p.at - kT0).count();
    EXPECT_EQ(p.high, high_at(static_cast<int>(m)));
    EXPECT_EQ(p.committed, high_at(static_cast<int>(m)) - 5);
    EXPECT_EQ(p.lag, 5);
  }
}

TEST(StatusHistoryTest, CurrentSampleKeepsItsExactTime) {
  StatusHistory h(kWindow, 10);
  const WallTime at = kT0 + std::chrono::microseconds(1500);
  h.Record({kT0, 1, 2, 1});
  h.Record({at + minutes(1), 1, 2, 1});
  auto pts = h.WindowPoints(at + minutes(1));
  ASSERT_EQ(pts.size(), 2u);  // the stored copy is not repeated
  EXPECT_EQ(pts.back().at, at + minutes(1));
  EXPECT_EQ(pts.front().at, kT0);
}

}  // namespace
}  // namespace failwatch
