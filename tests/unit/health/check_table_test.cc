#include "health/check_table.h"

#include <gtest/gtest.h>

#include <set>

#include "config/check_names.h"
#include "health/check_policy.h"
#include "health_fixtures.h"

namespace failwatch {
namespace {

using namespace failwatch::testing;  // NOLINT
using std::chrono::seconds;

TEST(CheckTableTest, EveryImplementedCheckIsAKnownConfigName) {
  std::set<std::string_view> seen;
  for (const auto& spec : CheckTable()) {
    EXPECT_TRUE(IsKnownCheckName(spec.name)) << spec.name;
    EXPECT_TRUE(seen.insert(spec.name).second) << "duplicate " << spec.name;
  }
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
  kafka->dlts["orders.DLT"].sources = {{"billing", "orders", "spring_dlt", true}};
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
  // dlt_unhandled_age).
  EXPECT_EQ(RunChecks(in, HealthTuning{}).size(), 15u);
}

TEST(CheckPolicyTest, EveryKnownCheckHasADocumentedDefault) {
  for (auto name : kCheckNames) {
    const CheckPolicy p = DefaultPolicy(name);
    EXPECT_TRUE(p.for_duration.count() > 0 || p.clear_after.count() > 0)
        << name;
  }
  EXPECT_EQ(DefaultPolicy("endpoint_not_primary"),
            (CheckPolicy{seconds(10), seconds(10)}));
  EXPECT_EQ(DefaultPolicy("no_such_check"), CheckPolicy{});
}

TEST(CheckPolicyTest, OverridesReplaceOnlyWhatTheySet) {
  HealthConfig config;
  config.checks["endpoint_not_primary"] = CheckOverride{Millis(2000), {}};
  config.checks["no_primary"] = CheckOverride{{}, Millis(1)};
  EXPECT_EQ(ResolvePolicy(config, "endpoint_not_primary"),
            (CheckPolicy{seconds(2), seconds(10)}));
  EXPECT_EQ(ResolvePolicy(config, "no_primary"),
            (CheckPolicy{seconds(5), Millis(1)}));
  EXPECT_EQ(ResolvePolicy(config, "write_probe"), DefaultPolicy("write_probe"));
}

}  // namespace
}  // namespace failwatch
