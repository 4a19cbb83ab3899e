#include "health/health_metrics.h"

#include <gtest/gtest.h>

#include <map>

#include "health/check_table.h"
#include "health/hysteresis.h"
#include "health_fixtures.h"
#include "../metric_families.h"

namespace failwatch {
namespace {

using failwatch::testing::Label;
using failwatch::testing::Find;

using namespace failwatch::testing;  // NOLINT

// A realistic verdict: every implemented check over a database mid-failover.
Verdict RealVerdict() {
  auto pg = HealthyPg(5);
  pg->endpoint_targets = {Writer("127.0.0.3:5432", NodeRole::kStandby)};
  pg->write_probes = {Probe("fresh", false, "127.0.0.3:5432", "25006", 5),
                      Probe("sticky", true, "127.0.0.2:5432", "", 5)};
  HealthInputs in = Inputs(
      5, {DbInputs(Dns("orders",
                       {Endpoint("writer", {Rec(5, AddressSet{"127.0.0.3"})})}),
                   pg)});
  in.collectors = {CollectorHealth{"postgres", "orders", true, std::nullopt,
                                   At(5), At(5), 0, Millis(1000)}};
  Hysteresis h([](std::string_view) { return CheckPolicy{}; });
  return MakeVerdict(h.Apply(RunChecks(in, HealthTuning{}), At(5), nullptr), {},
                     At(5));
}

TEST(HealthMetricsTest, StateSetHasExactlyOneOnePerCheck) {
  Verdict v = RealVerdict();
  ASSERT_GE(v.checks.size(), 8u);
  FailoverTracker tracker(std::chrono::minutes(5));
  auto fs = BuildHealthFamilies(v, tracker);
  const auto* status = Find(fs, "failwatch_check_status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->type, prometheus::MetricType::Gauge);
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> ones;
  std::map<std::pair<std::string, std::string>, int> series;
  for (const auto& m : status->metric) {
    auto key = std::make_pair(Label(m, "check"), Label(m, "target"));
    series[key]++;
    if (m.gauge.value == 1)
      ones[key].push_back(Label(m, "status"));
    else
      EXPECT_EQ(m.gauge.value, 0);
  }
  EXPECT_EQ(series.size(), v.checks.size());
  for (const auto& c : v.checks) {
    auto key = std::make_pair(c.check, c.target);
    EXPECT_EQ(series[key], 3) << c.check << " " << c.target;
    ASSERT_EQ(ones[key].size(), 1u) << c.check << " " << c.target;
    EXPECT_EQ(ones[key][0], CheckStatusName(c.status));
  }
  const auto fresh =
      std::make_pair(std::string("write_probe"), std::string("orders/fresh"));
  const auto sticky =
      std::make_pair(std::string("write_probe"), std::string("orders/sticky"));
  EXPECT_EQ(ones[fresh], std::vector<std::string>{"down"});
  EXPECT_EQ(ones[sticky], std::vector<std::string>{"ok"});
}

TEST(HealthMetricsTest, OverallStatusDegradedAndSince) {
  Verdict v = RealVerdict();
  ASSERT_EQ(v.status, VerdictState::kDown);
  FailoverTracker tracker(std::chrono::minutes(5));
  auto fs = BuildHealthFamilies(v, tracker);
  const auto* degraded = Find(fs, "failwatch_degraded");
  ASSERT_NE(degraded, nullptr);
  ASSERT_EQ(degraded->metric.size(), 1u);
  EXPECT_EQ(degraded->metric[0].gauge.value, 1);

  const auto* overall = Find(fs, "failwatch_status");
  ASSERT_NE(overall, nullptr);
  ASSERT_EQ(overall->metric.size(), 4u);
  for (const auto& m : overall->metric) {
    EXPECT_EQ(m.gauge.value, Label(m, "status") == "down" ? 1 : 0);
  }
  const auto* since = Find(fs, "failwatch_check_since_timestamp_seconds");
  ASSERT_NE(since, nullptr);
  EXPECT_EQ(since->metric.size(), v.checks.size());
  EXPECT_DOUBLE_EQ(since->metric[0].gauge.value, ToUnixSeconds(At(5)));
}

TEST(HealthMetricsTest, FailoverFamilies) {
  FailoverTracker tracker(std::chrono::minutes(5));
  auto pg = HealthyPg(0);
  (void)tracker.Update(Inputs(0, {DbInputs(nullptr, pg)}));
  pg = HealthyPg(10);
  pg->last_promotion = At(8);
  pg->nodes[0].last_promotion = At(8);
  (void)tracker.Update(Inputs(10, {DbInputs(nullptr, pg)}));
  Verdict v = MakeVerdict({}, tracker.Timelines(), At(10));
  auto fs = BuildHealthFamilies(v, tracker);

  const auto* total = Find(fs, "failwatch_failovers_total");
  ASSERT_NE(total, nullptr);
  EXPECT_EQ(total->type, prometheus::MetricType::Counter);
  ASSERT_EQ(total->metric.size(), 1u);
  EXPECT_EQ(total->metric[0].counter.value, 1);

  // Endpoint already on the promoted node and nothing stale: converged at
  // the first look.
  const auto* steps = Find(fs, "failwatch_failover_step_timestamp_seconds");
  ASSERT_NE(steps, nullptr);
  std::map<std::string, double> at;
  for (const auto& m : steps->metric) at[Label(m, "step")] = m.gauge.value;
  EXPECT_DOUBLE_EQ(at["promoted"], ToUnixSeconds(At(8)));
  EXPECT_DOUBLE_EQ(at["dns_switched"], ToUnixSeconds(At(10)));
  EXPECT_DOUBLE_EQ(at["apps_converged"], ToUnixSeconds(At(10)));

  const auto* hist = Find(fs, "failwatch_failover_convergence_seconds");
  ASSERT_NE(hist, nullptr);
  EXPECT_EQ(hist->type, prometheus::MetricType::Histogram);
  ASSERT_EQ(hist->metric.size(), 1u);
  EXPECT_EQ(hist->metric[0].histogram.sample_count, 1u);
  EXPECT_DOUBLE_EQ(hist->metric[0].histogram.sample_sum, 2.0);
  // 2 s falls in the first bucket (le=5).
  EXPECT_EQ(hist->metric[0].histogram.bucket[0].cumulative_count, 1u);

  const auto* open = Find(fs, "failwatch_failover_in_progress");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->metric[0].gauge.value, 0);
}

}  // namespace
}  // namespace failwatch
