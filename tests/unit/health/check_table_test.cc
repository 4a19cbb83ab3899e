#include "health/check_table.h"

#include <gtest/gtest.h>

#include <set>

#include "health/check_policy.h"
#include "health_fixtures.h"

namespace failwatch {
namespace {

using namespace failwatch::testing;  // NOLINT
using std::chrono::seconds;

TEST(CheckTableTest, NamesAreUniqueAndFindable) {
  std::set<std::string_view> seen;
  for (const auto& spec : CheckTable()) {
    EXPECT_TRUE(seen.insert(spec.name).second) << "duplicate " << spec.name;
    EXPECT_EQ(FindCheck(spec.name), &spec) << spec.name;
  }
  EXPECT_EQ(FindCheck("no_such_check"), nullptr);
  EXPECT_EQ(FindThresholdKey("consumer_lag", "window")->kind,
            ThresholdKind::kDuration);
  EXPECT_EQ(FindThresholdKey("no_primary", "window"), nullptr);
}

TEST(CheckTableTest, ConditionsCarryTheirRowsName) {
  auto pg = HealthyPg();
  pg->write_probes = {Probe("fresh", true, "127.0.0.2:5432")};
  HealthInputs in = Inputs(
      1, {DbInputs(Dns("orders",
                       {Endpoint("writer", {Rec(1, AddressSet{"127.0.0.2"})})}),
                   pg)});
  in.databases[0].apps = {{"orders-api", AppConfig::Expects::kPrimary}};
  auto pgb = std::make_shared<PgBouncerObservation>();
  pgb->database = "orders";
  pgb->address = "127.0.0.5:6432";
  pgb->roles_known = true;
  in.databases[0].pgbouncers = {pgb};
  auto kafka = std::make_shared<KafkaObservation>();
  kafka->cluster = "lab";
  kafka->dlts_evaluated = true;
  kafka->groups["billing"].name = "billing";
  kafka->groups["billing"].configured = true;
  kafka->dlts["orders.DLT"].sources = {
      {"billing", "orders", "spring_dlt", true}};
  kafka->canary.emplace();
  kafka->canary->running = true;
  kafka->canary->partitions = {{0, false, 0}};
  in.kafka = {kafka};
  in.collectors = {CollectorHealth{"dns", "orders", true, std::nullopt, At(1),
                                   At(1), 0, Millis(1000)}};
  for (const auto& spec : CheckTable()) {
    std::vector<Condition> out;
    spec.fn(in, HealthTuning{}, out);
    EXPECT_FALSE(out.empty()) << spec.name << " emitted nothing";
    for (const auto& c : out) {
      EXPECT_EQ(c.check, spec.name);
      EXPECT_FALSE(c.reason.empty()) << c.check << " " << c.target;
      EXPECT_TRUE(c.evidence.is_object()) << c.check;
    }
  }
  // One row per implemented check and target: the standby's lag, the fresh
  // probe, the one app, the one collector, the PgBouncer (twice), the
  // Kafka group and its DLT (consumer_lag, dlt_missing, dlt_receiving,
  // dlt_unhandled_age), its canary, and the writer's TTL.
  const auto all = RunChecks(in, HealthTuning{});
  EXPECT_EQ(all.size(), 17u);
  for (const auto& c : all) {
    ASSERT_TRUE(c.tier.has_value()) << c.check;
    EXPECT_EQ(*c.tier, DefaultTier(c.check)) << c.check;
  }
}

struct TierRow {
  const char* check;
  CheckTier tier;
};

TEST(CheckTableTest, TiersSayWhatAFailureMeans) {
  // Risk: will hurt at the next failover, or failwatch's own blind spot.
  const TierRow rows[] = {
      {"dns_resolution", CheckTier::kImpact},
      {"endpoint_not_primary", CheckTier::kImpact},
      {"stale_app_connections", CheckTier::kImpact},
      {"consumer_lag", CheckTier::kImpact},
      {"dlt_receiving", CheckTier::kImpact},
      {"kafka_canary", CheckTier::kImpact},
      {"write_probe", CheckTier::kImpact},
      {"dns_ttl", CheckTier::kRisk},
      {"replication_lag", CheckTier::kRisk},
      {"dlt_missing", CheckTier::kRisk},
      {"dlt_unhandled_age", CheckTier::kRisk},
      {"collector_failing", CheckTier::kRisk},
  };
  for (const auto& r : rows) EXPECT_EQ(DefaultTier(r.check), r.tier) << r.check;
}

TEST(CheckPolicyTest, TuningComesFromTheConfigKeys) {
  HealthConfig config;
  config.checks["consumer_lag"].thresholds = {
      {"max_lag", 120}, {"window", 90}, {"stopped_after", 20}};
  config.checks["replication_lag"].thresholds = {{"max_lag_bytes", 1024}};
  config.checks["dns_ttl"].thresholds = {{"max_ttl", 30}};
  config.checks["pgbouncer_waiting"].thresholds = {{"max_waiting", 0},
                                                   {"max_wait", 0.25}};
  config.checks["collector_failing"].thresholds = {{"stale_intervals", 2}};
  config.failover_timeout = Millis(60'000);
  const HealthTuning t = ResolveTuning(config);
  const HealthTuning d;
  EXPECT_EQ(t.consumer_lag_seconds, 120);
  EXPECT_EQ(t.consumer_lag_window, Millis(90'000));
  EXPECT_EQ(t.consumer_lag_stopped_after, Millis(20'000));
  EXPECT_EQ(t.replication_lag_bytes, 1024);
  EXPECT_EQ(t.replication_lag_seconds, d.replication_lag_seconds);
  EXPECT_EQ(t.dns_max_ttl_seconds, 30);
  EXPECT_EQ(t.pgbouncer_max_waiting, 0);
  EXPECT_EQ(t.pgbouncer_max_wait_seconds, 0.25);
  EXPECT_EQ(t.collector_stale_intervals, 2);
  EXPECT_EQ(t.failover_timeout, Millis(60'000));
  EXPECT_EQ(t.dns_flap_window, d.dns_flap_window);
  EXPECT_EQ(ResolveTuning(HealthConfig{}).dlt_unhandled_age_seconds,
            d.dlt_unhandled_age_seconds);
}

// A threshold key the config accepts but ResolveTuning ignores would be a
// silent no-op: each one must change the tuning.
TEST(CheckPolicyTest, EveryThresholdKeyChangesTheTuning) {
  for (const CheckSpec& spec : CheckTable()) {
    for (const ThresholdKey& k : spec.thresholds) {
      HealthConfig config;
      config.checks[std::string(spec.name)].thresholds = {
          {std::string(k.key), 12345}};
      EXPECT_FALSE(ResolveTuning(config) == HealthTuning{})
          << spec.name << "." << k.key << " is not applied";
    }
  }
}

TEST(CheckPolicyTest, EveryKnownCheckHasADocumentedDefault) {
  for (const CheckSpec& spec : CheckTable()) {
    const CheckPolicy p = DefaultPolicy(spec.name);
    EXPECT_TRUE(p.for_duration.count() > 0 || p.clear_after.count() > 0)
        << spec.name;
  }
  EXPECT_EQ(DefaultPolicy("endpoint_not_primary"),
            (CheckPolicy{seconds(10), seconds(10)}));
  EXPECT_EQ(DefaultPolicy("no_such_check"), CheckPolicy{});
}

TEST(CheckPolicyTest, OverridesReplaceOnlyWhatTheySet) {
  HealthConfig config;
  config.checks["endpoint_not_primary"] = CheckOverride{Millis(2000), {}, {}};
  config.checks["no_primary"] = CheckOverride{{}, Millis(1), {}};
  EXPECT_EQ(ResolvePolicy(config, "endpoint_not_primary"),
            (CheckPolicy{seconds(2), seconds(10)}));
  EXPECT_EQ(ResolvePolicy(config, "no_primary"),
            (CheckPolicy{seconds(5), Millis(1)}));
  EXPECT_EQ(ResolvePolicy(config, "write_probe"), DefaultPolicy("write_probe"));
}

}  // namespace
}  // namespace failwatch
