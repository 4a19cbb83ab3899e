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

}  // namespace
}  // namespace failwatch
