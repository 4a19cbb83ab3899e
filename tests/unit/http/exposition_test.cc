#include "http/exposition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/metric_builder.h"
#include "core/text_format.h"
#include "fake_app_state.h"

namespace failwatch::http {
namespace {

using testing::FakeAppState;
using ::testing::HasSubstr;
using testing::MakeTarget;
using ::testing::Not;
using testing::OneSample;

std::string Render(const std::vector<prometheus::MetricFamily>& families) {
  return FamiliesText(families);
}

Snapshot TwoDnsTargetsAndOnePending() {
  Snapshot s;
  s.version = 7;
  for (auto t :
       {MakeTarget("dns", "orders", true),
        MakeTarget("dns", "billing", true,
                   MakeError(ErrorKind::kTimeout, "timeout", "no answer")),
        MakeTarget("postgres", "orders", false)}) {
    s.targets.emplace(t.key, t);
  }
  return s;
}

TEST(MergeFamiliesTest, OneHelpAndTypePerNameSamplesContiguousSorted) {
  std::vector<prometheus::MetricFamily> in;
  in.push_back(
      OneSample(FamilyBuilder::Gauge("zeta", "Z."), {{"target", "a"}}, 1));
  in.push_back(
      OneSample(FamilyBuilder::Gauge("alpha", "A."), {{"target", "a"}}, 2));
  in.push_back(OneSample(FamilyBuilder::Gauge("zeta", "Z again."),
                         {{"target", "b"}}, 3));
  auto merged = MergeFamilies(std::move(in));
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].name, "alpha");
  EXPECT_EQ(merged[1].name, "zeta");
  EXPECT_EQ(merged[1].help, "Z.");
  ASSERT_EQ(merged[1].metric.size(), 2u);

  std::string text = Render(merged);
  EXPECT_EQ(text,
            "# HELP alpha A.\n"
            "# TYPE alpha gauge\n"
            "alpha{target=\"a\"} 2\n"
            "# HELP zeta Z.\n"
            "# TYPE zeta gauge\n"
            "zeta{target=\"a\"} 1\n"
            "zeta{target=\"b\"} 3\n");
}

TEST(MergeFamiliesTest, DropsAFamilyWhoseTypeConflicts) {
  std::vector<prometheus::MetricFamily> in;
  in.push_back(
      OneSample(FamilyBuilder::Gauge("x", "X."), {{"target", "a"}}, 1));
  in.push_back(
      OneSample(FamilyBuilder::Counter("x", "X."), {{"target", "b"}}, 5));
  std::vector<std::string> conflicts;
  auto merged = MergeFamilies(std::move(in), &conflicts);
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].type, prometheus::MetricType::Gauge);
  EXPECT_EQ(merged[0].metric.size(), 1u);
  EXPECT_THAT(conflicts, ::testing::ElementsAre("x"));
}

TEST(FrameworkFamiliesTest, ValuesComeFromTargetState) {
  std::string text =
      Render(MergeFamilies(FrameworkFamilies(TwoDnsTargetsAndOnePending())));
  const std::string ok = "{collector=\"dns\",target=\"orders\"}";
  const std::string bad = "{collector=\"dns\",target=\"billing\"}";
  const std::string pending = "{collector=\"postgres\",target=\"orders\"}";
  EXPECT_THAT(text, HasSubstr("failwatch_collector_success" + ok + " 1\n"));
  EXPECT_THAT(text, HasSubstr("failwatch_collector_success" + bad + " 0\n"));
  EXPECT_THAT(text,
              HasSubstr("failwatch_collector_success" + pending + " 0\n"));
  EXPECT_THAT(text, HasSubstr("failwatch_collector_duration_seconds" + ok +
                              " 0.125\n"));
  EXPECT_THAT(text,
              HasSubstr("failwatch_collector_last_success_timestamp_seconds" +
                        ok + " 1700000100.25\n"));
  EXPECT_THAT(text,
              HasSubstr("failwatch_collector_last_success_timestamp_seconds" +
                        bad + " 0\n"));
  EXPECT_THAT(text,
              HasSubstr("failwatch_collector_samples_total" + ok + " 3\n"));
  EXPECT_THAT(text,
              HasSubstr("failwatch_collector_failures_total" + bad + " 1\n"));
  EXPECT_THAT(text,
              HasSubstr("failwatch_collector_failures_total" + ok + " 0\n"));
  EXPECT_THAT(text, HasSubstr("failwatch_collector_interval_seconds" + pending +
                              " 15\n"));
  EXPECT_THAT(text, HasSubstr("failwatch_collector_timeout_seconds" + pending +
                              " 5\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE failwatch_collector_samples_total "
                              "counter\n"));
  EXPECT_THAT(text, HasSubstr("failwatch_collector_skipped_intervals_total" +
                              ok + " 0\n"));
  EXPECT_THAT(text, HasSubstr("failwatch_collector_deadline_exceeded_total" +
                              ok + " 0\n"));
}

TEST(FrameworkFamiliesTest, EmptySnapshotStillDocumentsTheMetrics) {
  std::string text = Render(FrameworkFamilies(Snapshot{}));
  EXPECT_THAT(text, HasSubstr("# TYPE failwatch_collector_success gauge\n"));
  EXPECT_THAT(text, Not(HasSubstr("failwatch_collector_success{")));
}

TEST(DaemonFamiliesTest, ReportsBuildReloadAndHeartbeat) {
  FakeClock clock;
  FakeAppState app(clock);
  ReloadStatus reload;
  reload.last_reload_successful = false;
  reload.last_reload_success = WallTime(std::chrono::seconds(1'700'000'050));
  reload.reloads_total = 4;
  reload.reload_failures_total = 1;
  app.SetReload(reload);
  clock.Advance(Millis(2500));  // heartbeat was taken at construction

  std::string text = Render(MergeFamilies(DaemonFamilies(app, clock.Steady())));
  EXPECT_THAT(text, HasSubstr("failwatch_build_info{version=\""));
  EXPECT_THAT(text, HasSubstr("compiler=\"" + CompilerId() + "\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("failwatch_start_time_seconds 1700000000\n"));
  EXPECT_THAT(text, HasSubstr("failwatch_config_last_reload_successful 0\n"));
  EXPECT_THAT(text, HasSubstr("failwatch_config_last_reload_success_timestamp_"
                              "seconds 1700000050\n"));
  EXPECT_THAT(text, HasSubstr("failwatch_config_reloads_total 4\n"));
  EXPECT_THAT(text, HasSubstr("failwatch_config_reload_failures_total 1\n"));
  EXPECT_THAT(text,
              HasSubstr("failwatch_scheduler_heartbeat_age_seconds 2.5\n"));
}

}  // namespace
}  // namespace failwatch::http
