#include "http/collector_part.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/metric_builder.h"
#include "core/text_format.h"
#include "fake_app_state.h"
#include "http/exposition.h"
#include "http_test_client.h"

namespace failwatch::http {
namespace {

using ::testing::ElementsAre;
using testing::Gunzip;
using ::testing::HasSubstr;
using testing::MakeTarget;
using ::testing::Not;
using testing::OneSample;

std::size_t Count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

TargetState Published(const std::string& kind, const std::string& target,
                      std::vector<prometheus::MetricFamily> families) {
  TargetState s = MakeTarget(kind, target, true);
  s.rendered = RenderFamilies(families);
  return s;
}

Snapshot SnapshotOf(std::vector<TargetState> targets) {
  Snapshot s;
  for (auto& t : targets) s.targets.emplace(t.key, std::move(t));
  return s;
}

std::string Text(const CollectorPart& part) {
  return part.run.Plain("").value();
}

TEST(CollectorPartTest, MergesTargetsAndAddsFrameworkMetrics) {
  Snapshot s = SnapshotOf(
      {MakeTarget("dns", "orders", true),
       MakeTarget("dns", "billing", true,
                  MakeError(ErrorKind::kTimeout, "timeout", "no answer")),
       MakeTarget("postgres", "orders", false)});
  const std::string text = Text(BuildCollectorPart(s, {}, nullptr));
  EXPECT_EQ(Count(text, "# TYPE failwatch_dns_up gauge"), 1u);
  EXPECT_EQ(Count(text, "# HELP failwatch_dns_up"), 1u);
  // Samples of one family are contiguous.
  EXPECT_THAT(text, HasSubstr("failwatch_dns_up{target=\"billing\"} 0\n"
                              "failwatch_dns_up{target=\"orders\"} 1\n"));
  // Families are sorted by name.
  EXPECT_LT(text.find("# HELP failwatch_collector_deadline_exceeded_total"),
            text.find("# HELP failwatch_collector_duration_seconds"));
  EXPECT_LT(text.find("# HELP failwatch_collector_timeout_seconds"),
            text.find("# HELP failwatch_dns_up"));
}

// Byte for byte what merging the structs and serializing them gives (the
// /metrics of before families were rendered at publish).
TEST(CollectorPartTest, SameTextAsMergingTheStructs) {
  std::vector<prometheus::MetricFamily> main_cluster, eu_cluster;
  main_cluster.push_back(
      OneSample(FamilyBuilder::Gauge("failwatch_kafka_lag", "Lag."),
                {{"cluster", "main"}}, 5));
  main_cluster.push_back(
      OneSample(FamilyBuilder::Counter("failwatch_kafka_reads_total", "Reads."),
                {{"cluster", "main"}}, 9));
  eu_cluster.push_back(
      OneSample(FamilyBuilder::Gauge("failwatch_kafka_lag", "Lag, other help."),
                {{"cluster", "eu"}}, 7));
  eu_cluster.push_back(OneSample(
      FamilyBuilder::Gauge("failwatch_a_first", "Sorts first."), {}, 1));
  Snapshot s = SnapshotOf({Published("kafka", "main", main_cluster),
                           Published("kafka", "eu", eu_cluster)});

  std::vector<prometheus::MetricFamily> all = eu_cluster;  // "eu" < "main"
  all.insert(all.end(), main_cluster.begin(), main_cluster.end());
  auto framework = FrameworkFamilies(s);
  all.insert(all.end(), framework.begin(), framework.end());
  EXPECT_EQ(Text(BuildCollectorPart(s, {}, nullptr)),
            FamiliesText(MergeFamilies(all)));
}

TEST(CollectorPartTest, DropsAFamilyWhoseTypeConflicts) {
  Snapshot s = SnapshotOf(
      {Published("kafka", "a",
                 {OneSample(FamilyBuilder::Gauge("x", "X."), {{"t", "a"}}, 1)}),
       Published(
           "kafka", "b",
           {OneSample(FamilyBuilder::Counter("x", "X."), {{"t", "b"}}, 5)})});
  std::vector<std::string> conflicts;
  const std::string text = Text(BuildCollectorPart(s, {}, &conflicts));
  EXPECT_THAT(conflicts, ElementsAre("x"));
  EXPECT_THAT(text, HasSubstr("# TYPE x gauge\nx{t=\"a\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("x{t=\"b\"}")));
}

TEST(CollectorPartTest, LeavesOutReservedNames) {
  Snapshot s = SnapshotOf({Published(
      "kafka", "a",
      {OneSample(FamilyBuilder::Gauge("failwatch_build_info", "Mine."), {}, 2),
       OneSample(FamilyBuilder::Gauge("failwatch_kafka_up", "Up."), {}, 1)})});
  const std::string text =
      Text(BuildCollectorPart(s, {"failwatch_build_info"}, nullptr));
  EXPECT_THAT(text, Not(HasSubstr("failwatch_build_info")));
  EXPECT_THAT(text, HasSubstr("failwatch_kafka_up 1\n"));
}

TEST(CollectorPartTest, GzipOfThePartIsItsText) {
  Snapshot s = SnapshotOf(
      {MakeTarget("dns", "orders", true), MakeTarget("dns", "billing", true)});
  CollectorPart part = BuildCollectorPart(s, {}, nullptr);
  EXPECT_TRUE(part.compressed);
  auto gz = part.run.Gzip("fresh 1\n");
  ASSERT_TRUE(gz.ok());
  EXPECT_EQ(Gunzip(*gz), Text(part) + "fresh 1\n");
}

}  // namespace
}  // namespace failwatch::http
