#include "health/verdict.h"

#include <gtest/gtest.h>

#include "health_fixtures.h"

namespace failwatch {
namespace {

using namespace failwatch::testing;  // NOLINT
using F = HealthConfig::ReadinessFailsOn;

CheckResult Result(std::string check, std::string target, CheckStatus s,
                   std::string reason) {
  CheckResult r;
  r.check = std::move(check);
  r.target = std::move(target);
  r.status = s;
  r.raw_status = s;
  r.reason = std::move(reason);
  r.since = At(4);
  return r;
}

FailoverTimeline OpenFailover() {
  FailoverTimeline t;
  t.database = "orders";
  t.old_primary = "127.0.0.3:5432";
  t.new_primary = "127.0.0.2:5432";
  t.promoted_at = At(0);
  t.steps = {{kStepPromoted, At(0)}, {kStepDnsSwitched, At(20)}};
  t.waiting_for = {"orders-api holds 12 connections on 127.0.0.3:5432"};
  return t;
}

Verdict Degraded() {
  return MakeVerdict(
      {Result("no_primary", "orders", CheckStatus::kOk, "primary x"),
       Result("stale_app_connections", "orders/orders-api",
              CheckStatus::kDegraded,
              "orders-api holds 12 connections on 127.0.0.3:5432 (standby "
              "since 03:12:04Z, pool kept them)")},
      {OpenFailover()}, At(61));
}

TEST(VerdictTest, WorstStatusFirstAndHeadline) {
  Verdict v = Degraded();
  EXPECT_EQ(v.status, VerdictState::kDegraded);
  EXPECT_TRUE(v.degraded);
  EXPECT_EQ(v.checks[0].check, "stale_app_connections");
  EXPECT_EQ(v.Headline(),
            "degraded: orders-api holds 12 connections on 127.0.0.3:5432 "
            "(standby since 03:12:04Z, pool kept them); orders: the writer "
            "endpoint moved to 127.0.0.2:5432 41 s ago");
}

CheckResult Risk(std::string check, std::string target, CheckStatus s,
                 std::string reason) {
  CheckResult r = Result(std::move(check), std::move(target), s,
                         std::move(reason));
  r.tier = CheckTier::kRisk;
  return r;
}

struct TierCase {
  const char* name;
  std::vector<CheckResult> checks;
  VerdictState state;
  bool degraded;
  const char* headline;
};

class VerdictTierTest : public ::testing::TestWithParam<TierCase> {};

TEST_P(VerdictTierTest, CombinesTiers) {
  const auto& c = GetParam();
  Verdict v = MakeVerdict(c.checks, {}, At(0));
  EXPECT_EQ(v.status, c.state) << c.name;
  EXPECT_EQ(v.degraded, c.degraded) << c.name;
  EXPECT_EQ(v.Headline(), c.headline) << c.name;
  EXPECT_EQ(VerdictToJson(v)["status"], VerdictStateName(c.state)) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, VerdictTierTest,
    ::testing::Values(
        TierCase{"all_ok",
                 {Result("no_primary", "o", CheckStatus::kOk, "p"),
                  Risk("dlt_missing", "l/g/t", CheckStatus::kOk, "exists")},
                 VerdictState::kOk, false, "ok: all checks ok"},
        TierCase{"risk_only_is_at_risk",
                 {Result("no_primary", "o", CheckStatus::kOk, "p"),
                  Risk("dlt_missing", "l/g/t", CheckStatus::kDegraded,
                       "no DLT")},
                 VerdictState::kAtRisk, false, "at_risk: risk: no DLT"},
        TierCase{"risk_down_is_still_at_risk",
                 {Risk("replication_lag", "o/n", CheckStatus::kDown, "lag")},
                 VerdictState::kAtRisk, false, "at_risk: risk: lag"},
        TierCase{"impact_before_risk",
                 {Risk("dlt_missing", "a", CheckStatus::kDegraded, "no DLT"),
                  Result("stale_app_connections", "o/api",
                         CheckStatus::kDegraded, "api stale")},
                 VerdictState::kDegraded, true,
                 "degraded: api stale; risk: no DLT"},
        TierCase{"impact_down",
                 {Result("no_primary", "o", CheckStatus::kDown, "none"),
                  Risk("dlt_missing", "a", CheckStatus::kDegraded, "no DLT")},
                 VerdictState::kDown, true, "down: none; risk: no DLT"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(VerdictTest, AllOkHeadlineAndEmptyVerdict) {
  Verdict v = MakeVerdict(
      {Result("no_primary", "orders", CheckStatus::kOk, "primary")}, {}, At(0));
  EXPECT_FALSE(v.degraded);
  EXPECT_EQ(v.Headline(), "ok: all checks ok");
  EXPECT_EQ(MakeVerdict({}, {}, At(0)).status, VerdictState::kOk);
}

TEST(VerdictTest, HeadlineNamesAtMostThreeReasons) {
  std::vector<CheckResult> checks;
  for (char c = 'a'; c <= 'e'; ++c) {
    checks.push_back(Result("write_probe", std::string(1, c),
                            CheckStatus::kDown, std::string(1, c)));
  }
  EXPECT_EQ(MakeVerdict(checks, {}, At(0)).Headline(),
            "down: a; b; c; and 2 more");
}

TEST(VerdictTest, ClearingChecksSayWhenTheyClear) {
  Verdict v = Degraded();  // evaluated at 61 s
  v.checks[0].pending = PendingChange{CheckStatus::kOk, At(50), At(65)};
  EXPECT_EQ(v.Headline(),
            "degraded: orders-api holds 12 connections on 127.0.0.3:5432 "
            "(standby since 03:12:04Z, pool kept them) (now ok, clears in "
            "4 s); orders: the writer endpoint moved to 127.0.0.2:5432 41 s "
            "ago");
  // A worsening one is not clearing: nothing added.
  v.checks[0].pending = PendingChange{CheckStatus::kDown, At(50), At(65)};
  EXPECT_EQ(v.Headline().find("clears"), std::string::npos);
}

TEST(VerdictJsonTest, FollowsTheDocumentedSchema) {
  Verdict v = Degraded();
  v.checks[0].evidence = {{"app", "orders-api"}, {"connections", 12}};
  v.checks[0].pending = PendingChange{CheckStatus::kOk, At(50), At(65)};
  nlohmann::json j = VerdictToJson(v);
  EXPECT_EQ(j["status"], "degraded");
  EXPECT_EQ(j["degraded"], true);
  EXPECT_EQ(j["evaluated_at"], "2023-11-14T22:14:21.000Z");
  EXPECT_EQ(j["headline"], v.Headline());
  EXPECT_EQ(j["counts"],
            nlohmann::json({{"ok", 1}, {"degraded", 1}, {"down", 0}}));
  ASSERT_EQ(j["checks"].size(), 2u);
  const auto& c = j["checks"][0];
  EXPECT_EQ(c["check"], "stale_app_connections");
  EXPECT_EQ(c["target"], "orders/orders-api");
  EXPECT_EQ(c["status"], "degraded");
  EXPECT_EQ(c["raw_status"], "degraded");
  EXPECT_EQ(c["unknown"], false);
  EXPECT_EQ(c["since"], "2023-11-14T22:13:24.000Z");
  EXPECT_EQ(c["evidence"]["connections"], 12);
  EXPECT_EQ(c["pending"]["status"], "ok");
  EXPECT_EQ(c["pending"]["effective_at"], "2023-11-14T22:14:25.000Z");
  EXPECT_TRUE(j["checks"][1]["pending"].is_null());

  ASSERT_EQ(j["failovers"].size(), 1u);
  const auto& f = j["failovers"][0];
  EXPECT_EQ(f["database"], "orders");
  EXPECT_EQ(f["state"], "in_progress");
  EXPECT_EQ(f["old_primary"], "127.0.0.3:5432");
  EXPECT_EQ(f["new_primary"], "127.0.0.2:5432");
  EXPECT_EQ(f["promoted_at"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(f["steps"][1]["step"], "dns_switched");
  EXPECT_EQ(f["steps"][1]["after_seconds"], 20.0);
  EXPECT_TRUE(f["convergence_seconds"].is_null());
  EXPECT_EQ(f["waiting_for"][0],
            "orders-api holds 12 connections on 127.0.0.3:5432");
}

struct ReadinessCase {
  const char* name;
  F fails_on;
  std::optional<CheckStatus> status;  // nullopt = no verdict yet
  bool fails;
  CheckTier tier = CheckTier::kImpact;
};

class ReadinessTest : public ::testing::TestWithParam<ReadinessCase> {};

TEST_P(ReadinessTest, Decides) {
  const auto& c = GetParam();
  std::optional<Verdict> v;
  if (c.status) {
    CheckResult one = Result("no_primary", "orders", *c.status, "why");
    one.tier = c.tier;
    v = MakeVerdict({one}, {}, At(0));
  }
  auto r = ReadinessFailure(v ? &*v : nullptr, c.fails_on);
  EXPECT_EQ(r.has_value(), c.fails) << c.name;
  if (r && c.status) {
    EXPECT_EQ(*r, std::string(CheckStatusName(*c.status)) + ": why");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReadinessTest,
    ::testing::Values(
        ReadinessCase{"never_down", F::kNever, CheckStatus::kDown, false},
        ReadinessCase{"never_no_verdict", F::kNever, std::nullopt, false},
        ReadinessCase{"degraded_ok", F::kDegraded, CheckStatus::kOk, false},
        ReadinessCase{"degraded_degraded", F::kDegraded, CheckStatus::kDegraded,
                      true},
        ReadinessCase{"degraded_down", F::kDegraded, CheckStatus::kDown, true},
        ReadinessCase{"down_degraded", F::kDown, CheckStatus::kDegraded, false},
        ReadinessCase{"down_down", F::kDown, CheckStatus::kDown, true},
        ReadinessCase{"down_no_verdict", F::kDown, std::nullopt, true},
        ReadinessCase{"degraded_risk_only", F::kDegraded, CheckStatus::kDegraded,
                      false, CheckTier::kRisk},
        ReadinessCase{"down_risk_down", F::kDown, CheckStatus::kDown, false,
                      CheckTier::kRisk}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace failwatch
