// Dead-letter topics against the librdkafka mock cluster: a missing DLT is
// reported without being created, and producing to / reprocessing a DLT
// moves depth, the arrival counter, the newest timestamp and the oldest
// unhandled age.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <set>

#include "kafka/kafka_collector.h"
#include "kafka/kafka_observation.h"
#include "kafka/kafka_reader.h"
#include "kafka/rdkafka_handle.h"
#include "kafka_test_cluster.h"

namespace failwatch {
namespace {

using std::chrono::milliseconds;
using testing::App;
using testing::ExpectAgeOfRecordAt;
using testing::MockCluster;
using testing::NowMs;
using testing::Sampled;
using testing::SampleOnce;

KafkaOptions TestOptions() {
  KafkaOptions o;
  o.topic_probe_interval = Millis(0);
  o.group_discovery = false;
  return o;
}

std::set<std::string> Topics(const KafkaClusterConfig& cfg) {
  auto rk = CreateHandle(cfg, HandleRole::kData);
  EXPECT_TRUE(rk.ok());
  auto md = ReadMetadata(rk->get(),
                         std::chrono::steady_clock::now() + milliseconds(3000));
  EXPECT_TRUE(md.ok());
  std::set<std::string> out;
  for (const auto& p : md->partitions) out.insert(p.tp.topic);
  return out;
}

TEST(KafkaDltIntegrationTest, MissingDltIsReportedAndNeverCreated) {
  MockCluster mc({"orders:3", "payments:2", "payments.DLT:1"});
  App app(mc.bootstraps());
  app.Produce("orders", 0, 3);
  app.Commit("billing", "orders", 0, 1);
  app.Commit("billing", "payments", 0, 0);
  KafkaClusterConfig cfg = mc.Config();
  cfg.groups.push_back({"billing", {}, "", {}});
  cfg.groups.push_back({"sink", {"connect-dlq"}, "", {}});
  const auto before = Topics(cfg);
  auto c = MakeKafkaCollector(cfg, TestOptions());
  Sampled s;
  for (int i = 0; i < 3; ++i) {
    s = SampleOnce(*c);
    ASSERT_FALSE(s.out.error.has_value()) << s.out.error->ToString();
  }
  std::printf("[ measure ] dlt missing: sample %.4f s\n", s.seconds);
  const auto& missing = s.obs()->dlt_missing;
  ASSERT_EQ(missing.size(), 3u);
  EXPECT_EQ(
      s.Value("failwatch_kafka_dlt_missing", {{"group", "billing"},
                                              {"topic", "orders"},
                                              {"expected_dlt", "orders.DLT"},
                                              {"reason", "absent"}}),
      1);
  // payments.DLT exists with 1 partition for a 2-partition source.
  EXPECT_EQ(s.Value("failwatch_kafka_dlt_missing",
                    {{"group", "billing"},
                     {"topic", "payments"},
                     {"expected_dlt", "payments.DLT"},
                     {"reason", "too_few_partitions"}}),
            1);
  EXPECT_EQ(s.Value("failwatch_kafka_dlt_missing",
                    {{"group", "sink"}, {"expected_dlt", "connect-dlq"}}),
            1);
  EXPECT_TRUE(s.obs()->dlts.contains("payments.DLT"));
  // Asking must not create: not orders.DLT, orders-dlt,
  // error.orders.billing nor connect-dlq.
  EXPECT_EQ(Topics(cfg), before);
}

TEST(KafkaDltIntegrationTest, DepthArrivalsAndOldestAgeMove) {
  MockCluster mc({"orders:1", "orders.DLT:2"});
  App app(mc.bootstraps());
  app.Produce("orders", 0, 5);
  app.Commit("billing", "orders", 0, 5);
  KafkaClusterConfig cfg = mc.Config();
  cfg.groups.push_back({"billing", {}, "replay", {}});
  if (std::getenv("DLT_DEBUG") != nullptr) {
    cfg.properties["debug"] = Secret(std::getenv("DLT_DEBUG"));
    spdlog::set_level(spdlog::level::debug);
  }
  KafkaOptions o = TestOptions();
  o.dlt_read_headers = true;
  auto c = MakeKafkaCollector(cfg, o);

  // Three dead letters, 60/50/40 s old, on partition 0.
  const std::int64_t t0 = NowMs();
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"kafka_dlt-original-topic", "orders"},
      {"kafka_dlt-exception-fqcn", "org.example.DbReadOnlyException"}};
  for (int i = 0; i < 3; ++i) {
    app.ProduceRecord("orders.DLT", 0, t0 - 60'000 + i * 10'000, headers);
  }
  const std::int64_t before_s1 = NowMs();
  auto s1 = SampleOnce(*c);
  const std::int64_t after_s1 = NowMs();
  ASSERT_FALSE(s1.out.error.has_value()) << s1.out.error->ToString();
  const DltState& d1 = s1.obs()->dlts.at("orders.DLT");
  EXPECT_EQ(d1.unhandled, 3);
  EXPECT_EQ(d1.records_total, 0u);
  ASSERT_TRUE(d1.newest_timestamp.has_value());
  EXPECT_NEAR(ToUnixSeconds(*d1.newest_timestamp), (t0 - 40'000) / 1000.0,
              0.0005);
  ASSERT_TRUE(d1.oldest_unhandled_age_seconds.has_value());
  ExpectAgeOfRecordAt(*d1.oldest_unhandled_age_seconds, t0 - 60'000, before_s1,
                      after_s1);
  EXPECT_EQ(s1.Value("failwatch_kafka_dlt_header_records",
                     {{"dlt", "orders.DLT"},
                      {"original_topic", "orders"},
                      {"exception", "org.example.DbReadOnlyException"}}),
            3);
  std::printf("[ measure ] dlt first sample (2 reads): %.4f s\n", s1.seconds);

  // Two more arrive (one per partition): counter, depth, newest move.
  const std::int64_t t1 = NowMs();
  app.ProduceRecord("orders.DLT", 0, t1, headers);
  app.ProduceRecord("orders.DLT", 1, t1, {});
  auto s2 = SampleOnce(*c);
  const DltState& d2 = s2.obs()->dlts.at("orders.DLT");
  EXPECT_EQ(d2.unhandled, 5);
  EXPECT_EQ(d2.records_total, 2u);
  EXPECT_TRUE(d2.last_arrival_seen.has_value());
  EXPECT_NEAR(ToUnixSeconds(*d2.newest_timestamp), t1 / 1000.0, 0.0005);
  EXPECT_EQ(
      s2.Value("failwatch_kafka_dlt_records_total", {{"dlt", "orders.DLT"}}),
      2);
  EXPECT_EQ(s2.Value("failwatch_kafka_dlt_unhandled", {{"dlt", "orders.DLT"}}),
            5);
  EXPECT_EQ(s2.Value("failwatch_kafka_dlt_header_records",
                     {{"dlt", "orders.DLT"},
                      {"original_topic", "unknown"},
                      {"exception", "unknown"}}),
            1);
  std::printf("[ measure ] dlt sample after arrivals: %.4f s\n", s2.seconds);

  // The reprocessor handles the two oldest on partition 0: depth falls,
  // the oldest unhandled is now the 40 s old record.
  app.Commit("replay", "orders.DLT", 0, 2);
  const std::int64_t before_s3 = NowMs();
  auto s3 = SampleOnce(*c);
  const std::int64_t after_s3 = NowMs();
  const DltState& d3 = s3.obs()->dlts.at("orders.DLT");
  EXPECT_EQ(d3.unhandled, 3);
  EXPECT_EQ(d3.partitions[0].reprocess_committed, 2);
  ASSERT_TRUE(d3.oldest_unhandled_age_seconds.has_value());
  ExpectAgeOfRecordAt(*d3.oldest_unhandled_age_seconds, t0 - 40'000, before_s3,
                      after_s3);
  EXPECT_EQ(d3.records_total, 2u);

  // Everything handled: depth 0, no age.
  app.Commit("replay", "orders.DLT", 0, 4);
  app.Commit("replay", "orders.DLT", 1, 1);
  auto s4 = SampleOnce(*c);
  const DltState& d4 = s4.obs()->dlts.at("orders.DLT");
  EXPECT_EQ(d4.unhandled, 0);
  EXPECT_FALSE(d4.oldest_unhandled_age_seconds.has_value());
  EXPECT_FALSE(s4.Value("failwatch_kafka_dlt_oldest_unhandled_age_seconds",
                        {{"dlt", "orders.DLT"}}));
  // A quiet DLT costs no record reads.
  auto s5 = SampleOnce(*c);
  EXPECT_EQ(s5.Value("failwatch_kafka_dlt_reads_total", {}),
            s4.Value("failwatch_kafka_dlt_reads_total", {}));
  EXPECT_EQ(s5.Value("failwatch_kafka_dlt_read_failures_total", {}), 0);
  std::printf("[ measure ] dlt quiet sample: %.4f s, reads so far %.0f\n",
              s5.seconds, *s5.Value("failwatch_kafka_dlt_reads_total", {}));
}

}  // namespace
}  // namespace failwatch
