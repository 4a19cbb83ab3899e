// The kafka[] tuning and dead-letter keys: defaults, every key read, and
// what the summary shows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "test_env.h"

namespace failwatch {
namespace {

using config_test::FakeEnv;
using config_test::FakeFiles;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

ConfigLoadResult Parse(const std::string& yaml) {
  return ParseConfig(yaml, "test.yml", FakeEnv({}), FakeFiles({}));
}

TEST(KafkaConfigTest, Defaults) {
  auto r = Parse("kafka:\n  - name: k\n    brokers: [127.0.0.1]\n");
  ASSERT_TRUE(r.config.has_value());
  const KafkaClusterConfig& k = r.config->kafka[0];
  EXPECT_EQ(k.tuning.status_window, minutes(10));
  EXPECT_EQ(k.tuning.empty_group_ttl, hours(24));
  EXPECT_EQ(k.tuning.discovery_interval, seconds(30));
  EXPECT_TRUE(k.tuning.group_discovery);
  EXPECT_EQ(k.tuning.topic_probe_interval, minutes(5));
  EXPECT_EQ(k.tuning.topic_probe_max_partitions, 250'000);
  EXPECT_EQ(k.tuning.lag_timestamp_reads, 0);
  EXPECT_EQ(PatternOf(k.tuning.topic_deny), "__.*");
  EXPECT_FALSE(k.tuning.group_allow);
  EXPECT_TRUE(k.tuning.per_partition_series);
  EXPECT_EQ(k.tuning.max_series, 50000);
  EXPECT_EQ(k.tuning.max_concurrent_group_fetches, 16);
  EXPECT_THAT(
      k.tuning.dlt_conventions,
      ElementsAre(DltConvention::kSpringDlt, DltConvention::kRetryableDlt,
                  DltConvention::kScsError));
  EXPECT_FALSE(k.tuning.dlt_read_headers);
  EXPECT_EQ(k.tuning.dlt_header_cardinality, 50);
}

TEST(KafkaConfigTest, EveryKeyIsRead) {
  auto r = Parse(R"(kafka:
  - name: k
    brokers: [127.0.0.1]
    status_window: 2m
    empty_group_ttl: 1h
    discovery_interval: 10s
    group_discovery: false
    topic_probe_interval: 0s
    topic_probe_max_partitions: 1000
    lag_timestamp_reads: 25
    groups:
      - name: billing
        topics: [orders, payments]
    group_allow: "app-.*"
    group_deny: "app-test-.*"
    topic_allow: "orders.*"
    topic_deny: ""
    per_partition_series: false
    max_series: 1000
    max_concurrent_group_fetches: 4
    dlt_conventions: [scs_error]
    dlt_read_headers: true
    dlt_header_cardinality: 7
)");
  std::string all;
  for (const auto& e : r.errors) all += e.ToString() + "\n";
  ASSERT_TRUE(r.config.has_value()) << all;
  const KafkaClusterConfig& k = r.config->kafka[0];
  EXPECT_EQ(k.tuning.status_window, minutes(2));
  EXPECT_EQ(k.tuning.empty_group_ttl, hours(1));
  EXPECT_EQ(k.tuning.discovery_interval, seconds(10));
  EXPECT_FALSE(k.tuning.group_discovery);
  EXPECT_EQ(k.tuning.topic_probe_interval, seconds(0));
  EXPECT_EQ(k.tuning.topic_probe_max_partitions, 1000);
  EXPECT_EQ(k.tuning.lag_timestamp_reads, 25);
  ASSERT_EQ(k.groups.size(), 1u);
  EXPECT_THAT(k.groups[0].topics, ElementsAre("orders", "payments"));
  EXPECT_EQ(PatternOf(k.tuning.group_allow), "app-.*");
  EXPECT_EQ(PatternOf(k.tuning.group_deny), "app-test-.*");
  EXPECT_EQ(PatternOf(k.tuning.topic_allow), "orders.*");
  EXPECT_FALSE(k.tuning.topic_deny);  // "" = no filter
  EXPECT_FALSE(k.tuning.per_partition_series);
  EXPECT_EQ(k.tuning.max_series, 1000);
  EXPECT_EQ(k.tuning.max_concurrent_group_fetches, 4);
  EXPECT_THAT(k.tuning.dlt_conventions, ElementsAre(DltConvention::kScsError));
  EXPECT_TRUE(k.tuning.dlt_read_headers);
  EXPECT_EQ(k.tuning.dlt_header_cardinality, 7);

  const auto summary = ConfigSummary(*r.config)["kafka"][0];
  EXPECT_EQ(summary["status_window"], "2m");
  EXPECT_EQ(summary["dlt_conventions"], nlohmann::json({"scs_error"}));
  EXPECT_EQ(summary["max_series"], 1000);
  EXPECT_EQ(summary["dlt_read_headers"], true);
  EXPECT_EQ(summary["groups"][0]["topics"],
            nlohmann::json({"orders", "payments"}));
}

TEST(KafkaConfigTest, BadGroupTopicsAreReportedAtTheItem) {
  auto r = Parse(R"(kafka:
  - name: k
    brokers: [127.0.0.1]
    topic_probe_max_partitions: 0
    groups:
      - name: billing
        topics: [orders, "bad topic"]
)");
  std::string all;
  for (const auto& e : r.errors) all += e.ToString() + "\n";
  EXPECT_FALSE(r.config.has_value());
  EXPECT_THAT(all, testing::HasSubstr("test.yml:4:33"));
  EXPECT_THAT(all, testing::HasSubstr("topic_probe_max_partitions"));
  EXPECT_THAT(all, testing::HasSubstr("test.yml:7:26"));
  EXPECT_THAT(all, testing::HasSubstr("invalid topic name \"bad topic\""));
}

TEST(KafkaConfigTest, EmptyConventionListMeansExplicitOnly) {
  auto r = Parse(
      "kafka:\n  - name: k\n    brokers: [127.0.0.1]\n    dlt_conventions: "
      "[]\n");
  ASSERT_TRUE(r.config.has_value());
  EXPECT_THAT(r.config->kafka[0].tuning.dlt_conventions, IsEmpty());
}

}  // namespace
}  // namespace failwatch
