#include "kafka/kafka_metrics.h"

#include <gtest/gtest.h>

#include "../metric_families.h"

namespace failwatch {
namespace {

using failwatch::testing::Label;
using failwatch::testing::Find;

KafkaObservation Observation(int groups, int partitions) {
  KafkaObservation obs;
  obs.cluster = "lab";
  for (int p = 0; p < partitions; ++p) {
    obs.partitions.push_back({"orders", p, 1, 0, 100});
  }
  for (int g = 0; g < groups; ++g) {
    GroupState gs;
    gs.name = "g" + std::to_string(g);
    gs.status = g == 0 ? ConsumerStatus::kStall : ConsumerStatus::kOk;
    for (int p = 0; p < partitions; ++p) {
      GroupPartitionState ps;
      ps.topic = "orders";
      ps.partition = p;
      ps.high = 100;
      if (p > 0) ps.committed = 90;
      ps.lag = p > 0 ? 10 : 100;
      ps.lag_seconds = 2.5;
      gs.lag_sum += ps.lag;
      gs.partitions.push_back(ps);
    }
    obs.groups[gs.name] = gs;
  }
  return obs;
}

TEST(KafkaMetricsTest, StateSetAndExplicitMissingCommit) {
  KafkaCollectorStats stats;
  auto fams = BuildKafkaFamilies(Observation(1, 2), KafkaOptions{}, stats);
  const auto* status = Find(fams, "failwatch_kafka_group_status");
  ASSERT_NE(status, nullptr);
  ASSERT_EQ(status->metric.size(), 6u);
  double ones = 0;
  for (const auto& m : status->metric) {
    ones += m.gauge.value;
    if (Label(m, "status") == "STALL") {
      EXPECT_EQ(m.gauge.value, 1);
    }
  }
  EXPECT_EQ(ones, 1);
  // Partition 0 has no commit: has_commit 0 and no committed series.
  const auto* committed =
      Find(fams, "failwatch_kafka_group_partition_committed_offset");
  ASSERT_EQ(committed->metric.size(), 1u);
  EXPECT_EQ(Label(committed->metric[0], "partition"), "1");
  const auto* has = Find(fams, "failwatch_kafka_group_partition_has_commit");
  ASSERT_EQ(has->metric.size(), 2u);
  EXPECT_EQ(has->metric[0].gauge.value, 0);
  const auto* topic_sum = Find(fams, "failwatch_kafka_group_topic_lag");
  ASSERT_EQ(topic_sum->metric.size(), 1u);
  EXPECT_EQ(topic_sum->metric[0].gauge.value, 110);
  // Unknown state/members (the mock): no series rather than a fake value.
  EXPECT_TRUE(Find(fams, "failwatch_kafka_group_state")->metric.empty());
  EXPECT_TRUE(Find(fams, "failwatch_kafka_group_members")->metric.empty());
}

TEST(KafkaMetricsTest, PerPartitionSeriesCanBeOff) {
  KafkaOptions o;
  o.per_partition_series = false;
  KafkaCollectorStats stats;
  auto fams = BuildKafkaFamilies(Observation(2, 4), o, stats);
  EXPECT_TRUE(
      Find(fams, "failwatch_kafka_group_partition_lag")->metric.empty());
  EXPECT_TRUE(
      Find(fams, "failwatch_kafka_partition_high_watermark")->metric.empty());
  EXPECT_EQ(Find(fams, "failwatch_kafka_group_lag")->metric.size(), 2u);
}

TEST(KafkaMetricsTest, CapDropsPartitionSeriesFirstAndCounts) {
  KafkaOptions o;
  o.max_series = 40;
  KafkaCollectorStats stats;
  auto fams = BuildKafkaFamilies(Observation(2, 10), o, stats);
  std::size_t exported = 0;
  for (const auto& f : fams) {
    // Collector health families are never capped.
    const bool health = f.name.find("supported") != std::string::npos ||
                        f.name.find("discovery") != std::string::npos ||
                        f.name.find("data_handle") != std::string::npos ||
                        f.name.find("_total") != std::string::npos ||
                        f.name == "failwatch_kafka_groups_tracked" ||
                        f.name == "failwatch_kafka_read_seconds" ||
                        f.name.find("topic_probe") != std::string::npos ||
                        f.name.find("lag_timestamp") != std::string::npos ||
                        f.name == "failwatch_kafka_lag_seconds_from_records" ||
                        f.name == "failwatch_kafka_offset_fetch_all_topics";
    if (!health) exported += f.metric.size();
  }
  EXPECT_EQ(exported, 40u);
  EXPECT_GT(stats.series_dropped_total, 0u);
  // Group-level series survive the cap.
  EXPECT_EQ(Find(fams, "failwatch_kafka_group_status")->metric.size(), 12u);
  const auto* dropped = Find(fams, "failwatch_kafka_series_dropped_total");
  ASSERT_NE(dropped, nullptr);
  EXPECT_EQ(dropped->metric[0].counter.value,
            static_cast<double>(stats.series_dropped_total));
  // The counter accumulates across samples.
  const auto first = stats.series_dropped_total;
  BuildKafkaFamilies(Observation(2, 10), o, stats);
  EXPECT_EQ(stats.series_dropped_total, 2 * first);
}

// Rates are exported once the window is covered; the drain estimate only
// where it is finite; the last progress as soon as it is known.
TEST(KafkaMetricsTest, GroupRates) {
  KafkaObservation obs = Observation(3, 1);
  GroupRates covered;
  covered.window_covered = true;
  covered.consume_rate = 8;
  covered.produce_rate = 20;
  covered.last_progress = WallTime(std::chrono::seconds(1'700'000'000));
  obs.groups["g0"].rates = covered;
  GroupRates draining = covered;
  draining.consume_rate = 30;
  draining.drain_seconds = 40;
  obs.groups["g1"].rates = draining;
  GroupRates early;  // window not covered yet, no progress seen
  early.consume_rate = 3;
  obs.groups["g2"].rates = early;
  KafkaCollectorStats stats;
  auto fams = BuildKafkaFamilies(obs, KafkaOptions{}, stats);
  const auto* consumed =
      Find(fams, "failwatch_kafka_group_consumed_messages_per_second");
  const auto* produced =
      Find(fams, "failwatch_kafka_group_produced_messages_per_second");
  const auto* drain = Find(fams, "failwatch_kafka_group_drain_seconds");
  const auto* progress =
      Find(fams, "failwatch_kafka_group_last_progress_timestamp_seconds");
  ASSERT_TRUE(consumed && produced && drain && progress);
  ASSERT_EQ(consumed->metric.size(), 2u);
  EXPECT_EQ(Label(consumed->metric[0], "group"), "g0");
  EXPECT_EQ(consumed->metric[0].gauge.value, 8);
  EXPECT_EQ(consumed->metric[1].gauge.value, 30);
  ASSERT_EQ(produced->metric.size(), 2u);
  EXPECT_EQ(produced->metric[0].gauge.value, 20);
  ASSERT_EQ(drain->metric.size(), 1u);
  EXPECT_EQ(Label(drain->metric[0], "group"), "g1");
  EXPECT_EQ(drain->metric[0].gauge.value, 40);
  ASSERT_EQ(progress->metric.size(), 2u);
  EXPECT_EQ(progress->metric[0].gauge.value, 1'700'000'000);
}

}  // namespace
}  // namespace failwatch
