#include "kafka/lag_timestamps.h"
#include "kafka/lag_flags.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

using std::chrono::seconds;

const WallTime kNow = WallTime(seconds(1'700'000'000));

GroupPartitionState Part(std::string topic, int partition,
                         std::optional<std::int64_t> committed,
                         std::int64_t high, ConsumerStatus status = {}) {
  GroupPartitionState p;
  p.topic = std::move(topic);
  p.partition = partition;
  p.committed = committed;
  p.high = high;
  p.lag = high - committed.value_or(0);
  p.status = status;
  return p;
}

KafkaObservation Obs() {
  KafkaObservation obs;
  obs.at = kNow;
  GroupState a;
  a.name = "a";
  a.partitions = {Part("orders", 0, 10, 110),  // lag 100
                  Part("orders", 1, 50, 50),   // caught up: no read
                  Part("orders", 2, std::nullopt, 7),
                  Part("orders", 3, 1, 9, ConsumerStatus::kErr)};
  GroupState b;
  b.name = "b";
  b.partitions = {Part("orders", 0, 10, 110),  // same offset as a: one read
                  Part("audit", 0, 3, 8)};     // lag 5
  obs.groups = {{"a", a}, {"b", b}};
  return obs;
}

TEST(LagTimestampsTest, PlansLargestLagFirstOncePerOffsetWithinTheBound) {
  const KafkaObservation obs = Obs();
  auto reads = PlanLagTimestampReads(obs, 10);
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].tp, (TopicPartition{"orders", 0}));
  EXPECT_EQ(reads[0].offset, 10);
  EXPECT_EQ(reads[0].max_records, 1);
  EXPECT_EQ(reads[1].tp, (TopicPartition{"audit", 0}));
  EXPECT_EQ(PlanLagTimestampReads(obs, 1).size(), 1u);
  EXPECT_TRUE(PlanLagTimestampReads(obs, 0).empty());
}

TEST(LagTimestampsTest, AppliesExactAgesAndRecomputesTheGroupMax) {
  KafkaObservation obs = Obs();
  obs.groups["a"].partitions[0].lag_seconds = 3;  // interpolated
  obs.groups["a"].partitions[0].lag_seconds_lower_bound = true;
  obs.groups["a"].lag_seconds_max = 3;
  const auto reads = PlanLagTimestampReads(obs, 10);
  std::vector<Result<std::vector<RecordInfo>>> results;
  results.push_back(std::vector<RecordInfo>{{10, kNow - seconds(42), {}, {}}});
  results.push_back(
      MakeError(ErrorKind::kTimeout, "timeout", "record read: deadline"));
  EXPECT_EQ(ApplyLagTimestamps(obs, reads, results), 2u);  // a and b
  const auto& a = obs.groups["a"];
  EXPECT_DOUBLE_EQ(*a.partitions[0].lag_seconds, 42);
  EXPECT_FALSE(a.partitions[0].lag_seconds_lower_bound);
  EXPECT_DOUBLE_EQ(*a.lag_seconds_max, 42);
  EXPECT_DOUBLE_EQ(*obs.groups["b"].partitions[0].lag_seconds, 42);
  // The failed read left audit alone.
  EXPECT_FALSE(obs.groups["b"].partitions[1].lag_seconds.has_value());
}

TEST(LagTimestampsTest, IgnoresRecordsWithoutTimestampOrBeforeTheOffset) {
  KafkaObservation obs = Obs();
  const auto reads = PlanLagTimestampReads(obs, 1);
  std::vector<Result<std::vector<RecordInfo>>> no_stamp;
  no_stamp.push_back(std::vector<RecordInfo>{{10, std::nullopt, {}, {}}});
  EXPECT_EQ(ApplyLagTimestamps(obs, reads, no_stamp), 0u);
  std::vector<Result<std::vector<RecordInfo>>> empty;
  empty.push_back(std::vector<RecordInfo>{});
  EXPECT_EQ(ApplyLagTimestamps(obs, reads, empty), 0u);
  // A record from the future (clock skew) is age 0, not negative.
  std::vector<Result<std::vector<RecordInfo>>> future;
  future.push_back(std::vector<RecordInfo>{{12, kNow + seconds(5), {}, {}}});
  EXPECT_EQ(ApplyLagTimestamps(obs, reads, future), 2u);
  EXPECT_DOUBLE_EQ(*obs.groups["a"].partitions[0].lag_seconds, 0);
}

// The 2.0.2 mock cluster has neither DeleteRecords nor retention, so the
// caveats are tested on canned rows.
TEST(LagCaveatsTest, ACommitBelowTheStartOffsetIsExpired) {
  KafkaObservation obs = Obs();
  obs.groups["b"].partitions[1].low = 5;  // audit: committed 3, start 5
  obs.groups["a"].partitions[0].low = 10;  // committed 10 = start: fine
  EXPECT_EQ(FlagExpiredCommits(obs), 1u);
  EXPECT_EQ(obs.groups["b"].partitions[1].lag_seconds_caveat, "expired");
  EXPECT_EQ(obs.groups["a"].partitions[0].lag_seconds_caveat, "");
  // The deleted offset is not read (nothing to date it from).
  for (const auto& r : PlanLagTimestampReads(obs, 10)) {
    EXPECT_NE(r.tp, (TopicPartition{"audit", 0}));
  }
  std::vector<prometheus::MetricFamily> out;
  AppendLagCaveatFamilies(obs, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "failwatch_kafka_group_partition_lag_seconds_caveat");
  ASSERT_EQ(out[0].metric.size(), 1u);
  EXPECT_EQ(out[0].metric[0].label.back().value, "expired");
}

TEST(LagCaveatsTest, ANextRecordIsALowerBoundFlaggedCompacted) {
  KafkaObservation obs = Obs();
  const auto reads = PlanLagTimestampReads(obs, 1);  // orders/0 at 10
  std::vector<Result<std::vector<RecordInfo>>> hole;
  // Offsets 10..14 compacted away: the read returns offset 15.
  hole.push_back(std::vector<RecordInfo>{{15, kNow - seconds(30), {}, {}}});
  EXPECT_EQ(ApplyLagTimestamps(obs, reads, hole), 2u);
  const auto& p = obs.groups["a"].partitions[0];
  EXPECT_DOUBLE_EQ(*p.lag_seconds, 30);
  EXPECT_TRUE(p.lag_seconds_lower_bound);
  EXPECT_EQ(p.lag_seconds_caveat, "compacted");
  // The exact record leaves no caveat.
  KafkaObservation exact = Obs();
  std::vector<Result<std::vector<RecordInfo>>> at;
  at.push_back(std::vector<RecordInfo>{{10, kNow - seconds(30), {}, {}}});
  ApplyLagTimestamps(exact, reads, at);
  EXPECT_EQ(exact.groups["a"].partitions[0].lag_seconds_caveat, "");
  EXPECT_FALSE(exact.groups["a"].partitions[0].lag_seconds_lower_bound);
}

}  // namespace
}  // namespace failwatch
