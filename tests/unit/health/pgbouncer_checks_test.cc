#include "health/pgbouncer_checks.h"

#include <gtest/gtest.h>

#include "health_fixtures.h"

namespace failwatch {
namespace {

using namespace failwatch::testing;  // NOLINT

PgBouncerPool Pool(std::string db, std::int64_t waiting, double maxwait) {
  PgBouncerPool p;
  p.database = std::move(db);
  p.user = "app";
  p.cl_waiting = waiting;
  p.maxwait_seconds = maxwait;
  return p;
}

std::shared_ptr<PgBouncerObservation> Pgb(std::vector<PgBouncerPool> pools) {
  auto o = std::make_shared<PgBouncerObservation>();
  o->database = "orders";
  o->address = "127.0.0.5:6432";
  o->sampled_at = At(10);
  o->roles_known = true;
  o->pools = std::move(pools);
  o->pool_targets["orders"] = PoolTarget::kWriter;
  return o;
}

HealthInputs WithPgb(std::shared_ptr<const PgBouncerObservation> pgb,
                     std::shared_ptr<const PgObservation> pg) {
  DatabaseInputs db = DbInputs(nullptr, std::move(pg));
  db.pgbouncers.push_back(std::move(pgb));
  return Inputs(10, {db});
}

struct WaitingCase {
  const char* name;
  std::vector<PgBouncerPool> pools;
  CheckStatus want;
};

class PgBouncerWaitingTest : public ::testing::TestWithParam<WaitingCase> {};

TEST_P(PgBouncerWaitingTest, Judges) {
  const auto& c = GetParam();
  std::vector<Condition> out;
  CheckPgBouncerWaiting(WithPgb(Pgb(c.pools), HealthyPg()), HealthTuning{},
                        out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].check, "pgbouncer_waiting");
  EXPECT_EQ(out[0].target, "orders/127.0.0.5:6432");
  EXPECT_FALSE(out[0].unknown);
  EXPECT_EQ(out[0].status, c.want) << c.name << ": " << out[0].reason;
}

INSTANTIATE_TEST_SUITE_P(
    Table, PgBouncerWaitingTest,
    ::testing::Values(
        WaitingCase{"no_pools", {}, CheckStatus::kOk},
        WaitingCase{"nobody_waits", {Pool("orders", 0, 0)}, CheckStatus::kOk},
        WaitingCase{"brief_queue", {Pool("orders", 3, 0.2)}, CheckStatus::kOk},
        WaitingCase{"waited_too_long",
                    {Pool("orders", 1, 1.5)},
                    CheckStatus::kDegraded},
        WaitingCase{
            "exactly_threshold", {Pool("orders", 1, 1.0)}, CheckStatus::kOk},
        WaitingCase{"many_waiting_briefly",
                    {Pool("orders", 12, 0.1), Pool("reports", 8, 0.1)},
                    CheckStatus::kDegraded},
        WaitingCase{"second_pool_slow",
                    {Pool("orders", 0, 0), Pool("reports", 2, 3)},
                    CheckStatus::kDegraded}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(PgBouncerWaitingReasonTest, NamesThePool) {
  std::vector<Condition> out;
  CheckPgBouncerWaiting(
      WithPgb(Pgb({Pool("orders", 0, 0), Pool("reports", 2, 3.25)}), nullptr),
      HealthTuning{}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].reason.find("reports/app: 2 waiting, oldest 3.2 s"),
            std::string::npos)
      << out[0].reason;
  EXPECT_EQ(out[0].evidence["pools"].size(), 1u);
  EXPECT_EQ(out[0].evidence["waiting_clients"], 2);
}

PgBouncerStaleServers Stale(std::string node, ServerRole role,
                            std::int64_t count) {
  PgBouncerStaleServers s;
  s.pool_db = "orders";
  s.pool_user = "app";
  s.address = std::move(node);
  s.role = role;
  s.count = count;
  return s;
}

struct StaleCase {
  const char* name;
  std::vector<PgBouncerStaleServers> stale;
  bool roles_known;
  bool with_pg;
  CheckStatus want;
  bool unknown;
};

class PgBouncerStaleServersTest : public ::testing::TestWithParam<StaleCase> {};

TEST_P(PgBouncerStaleServersTest, Judges) {
  const auto& c = GetParam();
  auto pgb = Pgb({});
  pgb->stale_servers = c.stale;
  pgb->roles_known = c.roles_known;
  std::vector<Condition> out;
  CheckPgBouncerStaleServers(WithPgb(pgb, c.with_pg ? HealthyPg() : nullptr),
                             HealthTuning{}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].check, "pgbouncer_stale_servers");
  EXPECT_EQ(out[0].target, "orders/127.0.0.5:6432");
  EXPECT_EQ(out[0].unknown, c.unknown) << c.name;
  EXPECT_EQ(out[0].status, c.want) << c.name << ": " << out[0].reason;
}

INSTANTIATE_TEST_SUITE_P(
    Table, PgBouncerStaleServersTest,
    ::testing::Values(
        StaleCase{"none", {}, true, true, CheckStatus::kOk, false},
        StaleCase{"on_standby",
                  {Stale("127.0.0.3:5432", ServerRole::kStandby, 4)},
                  true,
                  true,
                  CheckStatus::kDegraded,
                  false},
        StaleCase{"on_superseded_primary",
                  {Stale("127.0.0.3:5432", ServerRole::kSupersededPrimary, 1)},
                  true,
                  true,
                  CheckStatus::kDegraded,
                  false},
        StaleCase{"roles_unknown", {}, false, true, CheckStatus::kOk, true},
        StaleCase{
            "no_pg_observation", {}, true, false, CheckStatus::kOk, true}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(PgBouncerStaleServersReasonTest, EvidenceNamesPoolNodeRoleCount) {
  auto pg = HealthyPg();
  pg->nodes[1].last_demotion = At(4);  // not used by HealthyPg's standby
  auto pgb = Pgb({});
  pgb->stale_servers = {Stale("127.0.0.3:5432", ServerRole::kStandby, 4)};
  std::vector<Condition> out;
  CheckPgBouncerStaleServers(WithPgb(pgb, pg), HealthTuning{}, out);
  ASSERT_EQ(out.size(), 1u);
  const auto& e = out[0].evidence;
  ASSERT_EQ(e["stale"].size(), 1u);
  EXPECT_EQ(e["stale"][0]["pool"], "orders/app");
  EXPECT_EQ(e["stale"][0]["node"], "127.0.0.3:5432");
  EXPECT_EQ(e["stale"][0]["role"], "standby");
  EXPECT_EQ(e["stale"][0]["count"], 4);
  EXPECT_EQ(e["count"], 4);
  EXPECT_EQ(out[0].onset, At(4));
  EXPECT_EQ(e["writer_pools"], nlohmann::json::array({"orders"}));
  EXPECT_NE(out[0].reason.find("4 of pool orders/app on 127.0.0.3:5432"),
            std::string::npos)
      << out[0].reason;
}

TEST(PgBouncerGatherTest, ObservationsJoinTheirDatabase) {
  auto pgb = Pgb({Pool("orders", 1, 0.5)});
  TargetState ts;
  ts.key = {kPgBouncerKind, "orders/127.0.0.5:6432"};
  ts.observation = pgb;
  ts.sampled = true;
  auto snap = MakeSnapshot({ts});
  ObservationCache cache;
  HealthInputs in = GatherInputs(snap.get(), {}, At(10), cache);
  ASSERT_EQ(in.databases.size(), 1u);
  EXPECT_EQ(in.databases[0].name, "orders");
  ASSERT_EQ(in.databases[0].pgbouncers.size(), 1u);
  EXPECT_EQ(in.databases[0].pgbouncers[0]->address, "127.0.0.5:6432");
  ASSERT_EQ(in.collectors.size(), 1u);
  EXPECT_EQ(in.collectors[0].kind, "pgbouncer");
}

}  // namespace
}  // namespace failwatch
