#include "health/app_checks.h"

#include <gtest/gtest.h>

#include "health/health_format.h"
#include "health/hysteresis.h"
#include "health_fixtures.h"

namespace failwatch {
namespace {

using namespace failwatch::testing;  // NOLINT

struct ProbeCase {
  const char* name;
  WriteProbePath probe;
  CheckStatus want;
  bool unknown;
  const char* reason_has;
};

class WriteProbeTest : public ::testing::TestWithParam<ProbeCase> {};

TEST_P(WriteProbeTest, Judges) {
  const auto& c = GetParam();
  auto pg = HealthyPg();
  pg->write_probes = {c.probe};
  std::vector<Condition> out;
  CheckWriteProbe(Inputs(10, {DbInputs(nullptr, pg)}), HealthTuning{}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].target, "orders/" + c.probe.path);
  EXPECT_EQ(out[0].status, c.want) << c.name << ": " << out[0].reason;
  EXPECT_EQ(out[0].unknown, c.unknown) << c.name;
  EXPECT_NE(out[0].reason.find(c.reason_has), std::string::npos)
      << c.name << ": " << out[0].reason;
}

WriteProbePath NotAttempted(std::string path) {
  WriteProbePath p;
  p.path = std::move(path);
  return p;
}

INSTANTIATE_TEST_SUITE_P(
    Table, WriteProbeTest,
    ::testing::Values(
        ProbeCase{"fresh_ok", Probe("fresh", true, "127.0.0.2:5432"),
                  CheckStatus::kOk, false, "ok in 3 ms"},
        ProbeCase{"fresh_read_only",
                  Probe("fresh", false, "127.0.0.3:5432", "25006"),
                  CheckStatus::kDown, false,
                  "writes through a new connection fail on 127.0.0.3:5432: "
                  "25006"},
        ProbeCase{"fresh_connect_failed", Probe("fresh", false, "", ""),
                  CheckStatus::kDown, false, "fail: error"},
        ProbeCase{"sticky_ok", Probe("sticky", true, "127.0.0.2:5432"),
                  CheckStatus::kOk, false, "kept"},
        // The stale-pool symptom.
        ProbeCase{"sticky_read_only",
                  Probe("sticky", false, "127.0.0.3:5432", "25006"),
                  CheckStatus::kDegraded, false,
                  "a kept connection on 127.0.0.3:5432 gets 25006 "
                  "(read-only): pools that keep connections"},
        ProbeCase{"sticky_other_error",
                  Probe("sticky", false, "127.0.0.3:5432", "57P01"),
                  CheckStatus::kDegraded, false, "57P01"},
        ProbeCase{"not_attempted", NotAttempted("fresh"), CheckStatus::kOk,
                  true, "not attempted"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(WriteProbeTest2, DisabledProbeEmitsNothingEnabledSilentIsUnknown) {
  auto pg = HealthyPg();
  std::vector<Condition> out;
  CheckWriteProbe(Inputs(10, {DbInputs(nullptr, pg)}), HealthTuning{}, out);
  EXPECT_TRUE(out.empty());

  DatabaseInputs db = DbInputs(nullptr, pg);
  db.write_probe_enabled = true;
  CheckWriteProbe(Inputs(10, {db}), HealthTuning{}, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].unknown);
  EXPECT_TRUE(out[1].unknown);
}

StaleAppConnections Stale(std::string app, std::string node, StaleCause cause,
                          std::int64_t count, double oldest) {
  StaleAppConnections s;
  s.app = std::move(app);
  s.node = std::move(node);
  s.node_role = NodeRole::kStandby;
  s.cause = cause;
  s.count = count;
  s.oldest_backend_start = At(oldest);
  return s;
}

std::vector<Condition> RunStale(std::shared_ptr<const PgObservation> pg,
                                std::vector<AppConfig> apps) {
  DatabaseInputs db = DbInputs(nullptr, std::move(pg));
  db.apps = std::move(apps);
  std::vector<Condition> out;
  CheckStaleAppConnections(Inputs(10, {db}), HealthTuning{}, out);
  return out;
}

TEST(StaleAppConnectionsTest, HealthyAppsAreOkAndAnyAppsAreNotJudged) {
  auto out =
      RunStale(HealthyPg(), {{"orders-api", AppConfig::Expects::kPrimary},
                             {"reports", AppConfig::Expects::kAny}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].target, "orders/orders-api");
  EXPECT_EQ(out[0].status, CheckStatus::kOk);
  EXPECT_EQ(out[0].evidence["connections"], 0);
}

// The sticky path is pinned to the old node until its lifetime ends: it
// pages only while some app still sits on a wrong node.
struct StickyTierCase {
  const char* name;
  std::int64_t stale;  // connections of an app on a wrong node
  bool probe_ok;
  CheckTier tier;
  const char* reason_has;
};

class StickyTierTest : public ::testing::TestWithParam<StickyTierCase> {};

TEST_P(StickyTierTest, RiskOnceAppsConverged) {
  const auto& c = GetParam();
  auto pg = HealthyPg();
  pg->last_promotion = At(10);
  pg->write_probes = {Probe("sticky", c.probe_ok,
                            c.probe_ok ? "127.0.0.2:5432" : "127.0.0.3:5432",
                            c.probe_ok ? "" : "25006")};
  if (c.stale > 0) {
    pg->stale_app_connections = {Stale("orders-api", "127.0.0.3:5432",
                                       StaleCause::kKeptFromBeforePromotion,
                                       c.stale, -600)};
  }
  std::vector<Condition> out;
  CheckWriteProbe(Inputs(100, {DbInputs(nullptr, pg)}), HealthTuning{}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tier.value_or(CheckTier::kImpact), c.tier) << c.name;
  EXPECT_NE(out[0].reason.find(c.reason_has), std::string::npos)
      << c.name << ": " << out[0].reason;
}

INSTANTIATE_TEST_SUITE_P(
    Table, StickyTierTest,
    ::testing::Values(StickyTierCase{"apps_still_stale_is_impact", 3, false,
                                     CheckTier::kImpact, "gets 25006"},
                      StickyTierCase{
                          "apps_converged_is_risk", 0, false, CheckTier::kRisk,
                          "a pool that keeps its connections would still fail "
                          "writes, 90 s after the promotion"},
                      StickyTierCase{"ok_probe_keeps_default", 0, true,
                                     CheckTier::kImpact, "ok in 3 ms"}),
    [](const auto& p) { return std::string(p.param.name); });

// An unconfigured client failing writes on a wrong node: not converged, so
// the failing sticky path stays impact; once it only stays connected, risk.
TEST(StickyTierTest2, UnconfiguredWriterKeepsTheStickyPathImpact) {
  auto pg = HealthyPg();
  pg->last_promotion = At(10);
  pg->write_probes = {Probe("sticky", false, "127.0.0.3:5432", "25006")};
  StaleAppConnections w = Stale("billing", "127.0.0.3:5432",
                                StaleCause::kConnectedAfterPromotion, 1, 20);
  w.writes = 1;
  w.write_verb = "INSERT";
  pg->unconfigured_writers = {w};
  auto tier = [&] {
    std::vector<Condition> out;
    CheckWriteProbe(Inputs(100, {DbInputs(nullptr, pg)}), HealthTuning{}, out);
    return out.at(0).tier.value_or(CheckTier::kImpact);
  };
  EXPECT_EQ(tier(), CheckTier::kImpact);
  pg->unconfigured_writers[0].writes = 0;
  EXPECT_EQ(tier(), CheckTier::kRisk);
}

TEST(StaleAppConnectionsTest, PoolKeptConnectionsReadLikeTheAnswer) {
  auto pg = HealthyPg();
  // 127.0.0.2 was the primary until 22:13:24Z (kT0 + 4 s).
  pg->nodes[0].role = NodeRole::kStandby;
  pg->nodes[0].last_demotion = At(4);
  pg->last_promotion = At(3);
  pg->stale_app_connections = {
      Stale("orders-api", "127.0.0.2:5432",
            StaleCause::kKeptFromBeforePromotion, 12, -600),
      Stale("orders-api", "127.0.0.2:5432",
            StaleCause::kConnectedAfterPromotion, 2, 6)};
  auto out = RunStale(pg, {{"orders-api", AppConfig::Expects::kPrimary}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, CheckStatus::kDegraded);
  EXPECT_EQ(out[0].reason,
            "orders-api holds 12 connections on 127.0.0.2:5432 (standby since "
            "22:13:24Z, pool kept them); 2 connections on 127.0.0.2:5432 "
            "(standby since 22:13:24Z, opened after the promotion: stale DNS "
            "or cached address)");
  EXPECT_EQ(out[0].evidence["connections"], 14);
  EXPECT_EQ(out[0].evidence["nodes"][0]["cause"], "kept_from_before_promotion");
  EXPECT_EQ(out[0].evidence["nodes"][0]["count"], 12);
  // Stale since the demotion, not since the (older) backend start.
  EXPECT_EQ(out[0].onset, At(4));
}

TEST(StaleAppConnectionsTest, UnconfiguredAppReportedByCollectorIsJudged) {
  auto pg = HealthyPg();
  pg->stale_app_connections = {
      Stale("billing", "127.0.0.3:5432", StaleCause::kUnknown, 3, 1)};
  auto out = RunStale(pg, {});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].target, "orders/billing");
  EXPECT_EQ(out[0].status, CheckStatus::kDegraded);
  EXPECT_EQ(out[0].onset, At(1));
}

// A demoted node (127.0.0.2 was the primary until kT0 + 4 s) and app
// connections kept from before; `writes` of them last ran an INSERT.
std::shared_ptr<PgObservation> DemotedWithStale(std::int64_t writes,
                                                double t = 0) {
  auto pg = HealthyPg(t);
  pg->nodes[0].role = NodeRole::kStandby;
  pg->nodes[0].in_recovery = true;
  pg->nodes[0].last_demotion = At(4);
  pg->last_promotion = At(3);
  StaleAppConnections s = Stale("orders-api", "127.0.0.2:5432",
                                StaleCause::kKeptFromBeforePromotion, 3, -600);
  s.writes = writes;
  if (writes > 0) {
    s.write_verb = "INSERT";
    s.last_write_at = At(6);
  }
  s.client_addrs = {"10.0.0.5"};
  pg->stale_app_connections = {s};
  return pg;
}

Hysteresis DefaultHysteresis() {
  return Hysteresis([](std::string_view c) { return DefaultPolicy(c); });
}

TEST(StaleAppConnectionsTest, AWriteOnARecoveringNodeIsConclusive) {
  auto out = RunStale(DemotedWithStale(2),
                      {{"orders-api", AppConfig::Expects::kPrimary}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, CheckStatus::kDegraded);
  EXPECT_TRUE(out[0].conclusive);
  EXPECT_EQ(out[0].reason,
            "orders-api holds 3 connections on 127.0.0.2:5432 (standby since "
            "22:13:24Z, pool kept them); 2 last wrote (INSERT) and failed "
            "with 25006");
  const auto& node = out[0].evidence["nodes"][0];
  EXPECT_EQ(out[0].evidence["app"], "orders-api");
  EXPECT_EQ(out[0].evidence["writes"], 2);
  EXPECT_EQ(node["node"], "127.0.0.2:5432");
  EXPECT_EQ(node["count"], 3);
  EXPECT_EQ(node["writes"], 2);
  EXPECT_EQ(node["write_verb"], "INSERT");
  EXPECT_EQ(node["client_addrs"], nlohmann::json::array({"10.0.0.5"}));
  EXPECT_EQ(node["stale_since"], TimeJson(At(4)));
  EXPECT_EQ(node["last_write"], TimeJson(At(6)));
}

// Counts read as sentences: one connection, one transaction (seen in the
// lab: "billing-sqla holds 1 connections").
TEST(StaleAppConnectionsTest, OneOfSomethingIsSingular) {
  auto pg = DemotedWithStale(0);
  pg->stale_app_connections[0].count = 1;
  pg->stale_app_connections[0].rollbacks_rising = true;
  pg->stale_app_connections[0].rollbacks_recent = 1;
  pg->stale_app_connections[0].rollbacks_window_start = At(1);
  auto out = RunStale(pg, {{"orders-api", AppConfig::Expects::kPrimary}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].reason,
            "orders-api holds 1 connection on 127.0.0.2:5432 (standby since "
            "22:13:24Z, pool kept them); the node rolled back 1 transaction "
            "in the last 9 s (writes failing with 25006)");
}

// Through the hysteresis with the default 15 s `for`: the write is
// published at the first sample, idle connections wait for the hold.
TEST(StaleAppConnectionsTest, ConclusiveSkipsTheHoldIdleStillWaits) {
  const std::vector<AppConfig> apps = {
      {"orders-api", AppConfig::Expects::kPrimary}};
  ASSERT_EQ(DefaultPolicy("stale_app_connections").for_duration,
            std::chrono::seconds(15));
  Hysteresis conclusive = DefaultHysteresis();
  auto r =
      conclusive.Apply(RunStale(DemotedWithStale(2), apps), At(10), nullptr);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, CheckStatus::kDegraded);
  EXPECT_TRUE(r[0].conclusive);
  EXPECT_FALSE(r[0].pending);
  EXPECT_EQ(r[0].since, At(4));  // since the demotion

  Hysteresis idle = DefaultHysteresis();
  r = idle.Apply(RunStale(DemotedWithStale(0), apps), At(10), nullptr);
  EXPECT_EQ(r[0].status, CheckStatus::kOk);
  ASSERT_TRUE(r[0].pending);
  EXPECT_EQ(r[0].pending->effective_at, At(25));
  r = idle.Apply(RunStale(DemotedWithStale(0), apps), At(24), nullptr);
  EXPECT_EQ(r[0].status, CheckStatus::kOk);
  r = idle.Apply(RunStale(DemotedWithStale(0), apps), At(25), nullptr);
  EXPECT_EQ(r[0].status, CheckStatus::kDegraded);
  EXPECT_FALSE(r[0].conclusive);
}

// A pool's BEGIN; INSERT; ROLLBACK leaves ROLLBACK as the last statement
// (writes = 0): the node's rising rollbacks prove the failing writes.
std::shared_ptr<PgObservation> DemotedRollingBack(std::int64_t rollbacks,
                                                  bool rising) {
  auto pg = DemotedWithStale(0);
  auto& s = pg->stale_app_connections[0];
  s.rollbacks_recent = rollbacks;
  s.rollbacks_rising = rising;
  s.rollbacks_window_start = At(5);
  return pg;
}

TEST(StaleAppConnectionsTest, RisingRollbacksOnARecoveringNodeAreConclusive) {
  const std::vector<AppConfig> apps = {
      {"orders-api", AppConfig::Expects::kPrimary}};
  auto out = RunStale(DemotedRollingBack(12, true), apps);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, CheckStatus::kDegraded);
  EXPECT_TRUE(out[0].conclusive);
  EXPECT_EQ(out[0].reason,
            "orders-api holds 3 connections on 127.0.0.2:5432 (standby since "
            "22:13:24Z, pool kept them); the node rolled back 12 transactions "
            "in the last 5 s (writes failing with 25006)");
  EXPECT_EQ(out[0].evidence["rollbacks_rising"], true);
  EXPECT_EQ(out[0].evidence["nodes"][0]["rollbacks_recent"], 12);

  // Published at once through the default 15 s hold.
  Hysteresis h = DefaultHysteresis();
  auto r = h.Apply(out, At(10), nullptr);
  EXPECT_EQ(r[0].status, CheckStatus::kDegraded);
  EXPECT_TRUE(r[0].conclusive);

  // One stray rollback is not rising: degraded, but the hold applies.
  out = RunStale(DemotedRollingBack(1, false), apps);
  EXPECT_EQ(out[0].status, CheckStatus::kDegraded);
  EXPECT_FALSE(out[0].conclusive);
  EXPECT_EQ(out[0].reason.find("rolled back"), std::string::npos);
  EXPECT_EQ(out[0].evidence["rollbacks_rising"], false);

  // The app's own failed write says it; the node-wide count stays evidence.
  auto both = DemotedRollingBack(12, true);
  both->stale_app_connections[0].writes = 2;
  both->stale_app_connections[0].write_verb = "INSERT";
  const auto with_write = RunStale(both, apps);
  EXPECT_TRUE(with_write[0].conclusive);
  EXPECT_NE(
      with_write[0].reason.find("2 last wrote (INSERT) and failed with 25006"),
      std::string::npos)
      << with_write[0].reason;
  EXPECT_EQ(with_write[0].reason.find("rolled back"), std::string::npos)
      << with_write[0].reason;
  EXPECT_EQ(with_write[0].evidence["nodes"][0]["rollbacks_recent"], 12);
  Hysteresis held = DefaultHysteresis();
  r = held.Apply(out, At(10), nullptr);
  EXPECT_EQ(r[0].status, CheckStatus::kOk);
  ASSERT_TRUE(r[0].pending);
}

TEST(StaleAppConnectionsTest,
     RisingRollbacksDoNotMakeAnUnconfiguredReaderFail) {
  // Unconfigured clients are judged by their own writes only.
  auto pg = DemotedWithStale(0);
  StaleAppConnections reader = Stale(
      "reports", "127.0.0.2:5432", StaleCause::kConnectedAfterPromotion, 2, 5);
  reader.rollbacks_recent = 12;
  reader.rollbacks_rising = true;
  pg->unconfigured_writers = {reader};
  auto out = RunStale(pg, {{"orders-api", AppConfig::Expects::kPrimary}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].target, "orders/reports");
  EXPECT_EQ(out[1].status, CheckStatus::kOk);
  EXPECT_FALSE(out[1].conclusive);
}

StaleAppConnections Writer(std::int64_t count, std::int64_t writes) {
  StaleAppConnections s = Stale("billing", "127.0.0.2:5432",
                                StaleCause::kConnectedAfterPromotion, count, 5);
  s.writes = writes;
  if (writes > 0) s.write_verb = "COPY FROM";
  if (count == 0) s.oldest_backend_start = WallTime{};
  return s;
}

// An unconfigured client writing to the demoted node: degraded at once,
// ok (clearing after clear_after) when it stops or leaves, then forgotten.
TEST(StaleAppConnectionsTest, UnconfiguredWriterAppearsClearsAndIsForgotten) {
  const std::vector<AppConfig> apps;  // nothing configured
  auto sample = [&](std::vector<StaleAppConnections> writers, double t) {
    auto pg = DemotedWithStale(0, t);
    pg->stale_app_connections.clear();
    pg->unconfigured_writers = std::move(writers);
    return RunStale(pg, apps);
  };
  auto c = sample({Writer(2, 1)}, 10);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].target, "orders/billing");
  EXPECT_EQ(c[0].status, CheckStatus::kDegraded);
  EXPECT_TRUE(c[0].conclusive);
  EXPECT_EQ(c[0].evidence["configured"], false);
  EXPECT_EQ(c[0].reason,
            "billing (not configured) holds 2 connections on 127.0.0.2:5432 "
            "(standby since 22:13:24Z, opened after the promotion: stale DNS "
            "or cached address); 1 last wrote (COPY FROM) and failed with "
            "25006");

  Hysteresis h = DefaultHysteresis();
  auto r = h.Apply(c, At(10), nullptr);
  EXPECT_EQ(r[0].status, CheckStatus::kDegraded);
  // Stopped writing; the connections remain: ok, clearing after 15 s.
  c = sample({Writer(2, 0)}, 12);
  EXPECT_EQ(c[0].status, CheckStatus::kOk);
  EXPECT_FALSE(c[0].conclusive);
  EXPECT_EQ(c[0].reason,
            "billing (not configured) no longer writes to a node in recovery; "
            "2 connections remain");
  r = h.Apply(c, At(12), nullptr);
  EXPECT_EQ(r[0].status, CheckStatus::kDegraded);
  // Connections gone (the collector lists it with count 0 for a while).
  c = sample({Writer(0, 0)}, 27);
  EXPECT_EQ(c[0].reason,
            "billing (not configured) has no connections left on a node in "
            "recovery");
  r = h.Apply(c, At(27), nullptr);
  EXPECT_EQ(r[0].status, CheckStatus::kOk);
  // The collector's linger is over: no condition, the target is forgotten.
  c = sample({}, 400);
  EXPECT_TRUE(c.empty());
  h.Apply(c, At(400), nullptr);
  EXPECT_EQ(h.tracked(), 0u);
}

TEST(StaleAppConnectionsTest, ConfiguredNameWinsOverAnUnconfiguredWriter) {
  auto pg = DemotedWithStale(0);
  StaleAppConnections w = Writer(1, 1);
  w.app = "orders-api";
  pg->unconfigured_writers = {w};
  auto out = RunStale(pg, {{"orders-api", AppConfig::Expects::kPrimary}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["configured"], true);
}

}  // namespace
}  // namespace failwatch
