#include "health/health_evaluator.h"

#include <gtest/gtest.h>

#include "health/verdict.h"
#include "health_fixtures.h"

namespace failwatch {
namespace {

using namespace failwatch::testing;  // NOLINT

class EvaluatorTest : public ::testing::Test {
 protected:
  EvaluatorTest() : clock_(kT0) {}

  std::shared_ptr<const Verdict> Evaluate(std::shared_ptr<Snapshot> snap) {
    SampleContext ctx;
    ctx.clock = &clock_;
    ctx.now = clock_.Wall();
    ctx.deadline = clock_.Steady() + Millis(500);
    ctx.snapshot = std::move(snap);
    last_ = evaluator_->Sample(ctx);
    EXPECT_FALSE(last_.error.has_value());
    return std::dynamic_pointer_cast<const Verdict>(last_.observation);
  }

  double Now() const { return ToSeconds(clock_.Wall() - kT0); }

  static CheckStatus StatusOf(const Verdict& v, const std::string& check,
                              const std::string& target) {
    const CheckResult* r = FindCheck(v.checks, check, target);
    EXPECT_NE(r, nullptr) << check << " " << target;
    return r ? r->status : CheckStatus::kOk;
  }

  void Make(HealthConfig health = {}) {
    PgDatabaseOptions db;
    db.name = "orders";
    db.apps = {{"orders-api", AppConfig::Expects::kPrimary}};
    evaluator_ = std::make_unique<HealthEvaluator>(
        std::move(health), std::vector<PgDatabaseOptions>{db});
  }

  FakeClock clock_;
  std::unique_ptr<HealthEvaluator> evaluator_;
  SampleOutput last_;
};

// After a failover the primary is 127.0.0.3; 127.0.0.2 is a standby since
// t=0.
std::shared_ptr<PgObservation> AfterFailover(double t, bool endpoint_on_old) {
  auto pg = HealthyPg(t);
  pg->nodes[0] = Node("127.0.0.2:5432", NodeRole::kStandby);
  pg->nodes[0].last_demotion = At(0);
  pg->nodes[1] = Node("127.0.0.3:5432", NodeRole::kPrimary);
  pg->nodes[1].last_promotion = At(0);
  pg->last_promotion = At(0);
  pg->writer = "127.0.0.3:5432";
  pg->endpoint_targets = {endpoint_on_old
                              ? Writer("127.0.0.2:5432", NodeRole::kStandby)
                              : Writer("127.0.0.3:5432", NodeRole::kPrimary)};
  return pg;
}

TEST_F(EvaluatorTest, FlappingDnsAfterAFailoverDoesNotAlarmTheEndpoint) {
  Make();
  // Answers alternate between the old and the new node every second for
  // 25 s (seen in the wild despite a 5 s TTL), then settle on the new one.
  for (int step = 0; step < 80; ++step) {
    const double t = Now();
    const bool on_old = t < 25 && static_cast<int>(t) % 2 == 0;
    auto v = Evaluate(MakeSnapshot(
        {State("postgres", "orders", AfterFailover(t, on_old), t)}));
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(StatusOf(*v, "endpoint_not_primary", "orders/writer"),
              CheckStatus::kOk)
        << "t=" << t;
    clock_.Advance(Millis(500));
  }
}

TEST_F(EvaluatorTest, EndpointStuckOnTheStandbyIsDownAfterFor) {
  Make();
  std::shared_ptr<const Verdict> v;
  for (; Now() < 9.5; clock_.Advance(Millis(500))) {
    v = Evaluate(MakeSnapshot(
        {State("postgres", "orders", AfterFailover(Now(), true), Now())}));
    EXPECT_EQ(StatusOf(*v, "endpoint_not_primary", "orders/writer"),
              CheckStatus::kOk)
        << "t=" << Now();
  }
  clock_.Advance(Millis(500));  // t = 10 s: `for` (10 s) has held
  v = Evaluate(MakeSnapshot(
      {State("postgres", "orders", AfterFailover(Now(), true), Now())}));
  const CheckResult* r =
      FindCheck(v->checks, "endpoint_not_primary", "orders/writer");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, CheckStatus::kDown);
  EXPECT_EQ(r->since, At(0));  // the node's demotion
  EXPECT_EQ(v->status, VerdictState::kDown);
  EXPECT_TRUE(v->degraded);
}

TEST_F(EvaluatorTest, RecoveryClearsAfterClearAfter) {
  HealthConfig health;
  health.checks["endpoint_not_primary"] =
      CheckOverride{Millis(0), Millis(3000), {}};
  Make(health);
  auto snap = [&](bool old) {
    return MakeSnapshot(
        {State("postgres", "orders", AfterFailover(Now(), old), Now())});
  };
  EXPECT_EQ(
      StatusOf(*Evaluate(snap(true)), "endpoint_not_primary", "orders/writer"),
      CheckStatus::kDown);  // for: 0s from the override
  clock_.Advance(Millis(1000));
  EXPECT_EQ(
      StatusOf(*Evaluate(snap(false)), "endpoint_not_primary", "orders/writer"),
      CheckStatus::kDown);
  clock_.Advance(Millis(2999));
  EXPECT_EQ(
      StatusOf(*Evaluate(snap(false)), "endpoint_not_primary", "orders/writer"),
      CheckStatus::kDown);
  clock_.Advance(Millis(1));
  EXPECT_EQ(
      StatusOf(*Evaluate(snap(false)), "endpoint_not_primary", "orders/writer"),
      CheckStatus::kOk);
}

TEST_F(EvaluatorTest, ChecksOfAVanishedTargetAreDropped) {
  Make();
  auto v = Evaluate(MakeSnapshot(
      {State("postgres", "orders", HealthyPg(), 0),
       State("dns", "orders",
             Dns("orders",
                 {Endpoint("writer", {Rec(0, AddressSet{"127.0.0.2"})})}),
             0)}));
  EXPECT_NE(FindCheck(v->checks, "no_primary", "orders"), nullptr);
  EXPECT_NE(FindCheck(v->checks, "stale_app_connections", "orders/orders-api"),
            nullptr);
  EXPECT_NE(FindCheck(v->checks, "collector_failing", "postgres/orders"),
            nullptr);

  v = Evaluate(MakeSnapshot({State(
      "dns", "orders",
      Dns("orders", {Endpoint("writer", {Rec(0, AddressSet{"127.0.0.2"})})}),
      0)}));
  EXPECT_EQ(FindCheck(v->checks, "no_primary", "orders"), nullptr);
  EXPECT_EQ(FindCheck(v->checks, "collector_failing", "postgres/orders"),
            nullptr);
  EXPECT_NE(FindCheck(v->checks, "dns_resolution", "orders/writer"), nullptr);
  for (const auto& f : last_.families) {
    for (const auto& m : f.metric) {
      for (const auto& l : m.label) {
        EXPECT_NE(l.value, "postgres/orders") << f.name;
      }
    }
  }
}

TEST_F(EvaluatorTest, AbandonedSampleKeepsTheLastObservationAndReportsIt) {
  HealthConfig health;
  health.checks["collector_failing"] = CheckOverride{Millis(0), Millis(0), {}};
  Make(health);
  (void)Evaluate(MakeSnapshot({State("postgres", "orders", HealthyPg(), 0)}));
  clock_.Advance(Millis(1000));
  auto v = Evaluate(MakeSnapshot(
      {State("postgres", "orders", nullptr, 1,
             Error{ErrorKind::kTimeout, "timeout", "sample abandoned"})}));
  EXPECT_NE(FindCheck(v->checks, "no_primary", "orders"), nullptr);
  EXPECT_EQ(StatusOf(*v, "collector_failing", "postgres/orders"),
            CheckStatus::kDegraded);
}

TEST_F(EvaluatorTest, DoesNotJudgeItself) {
  Make();
  auto self = State("health", "verdict", nullptr, 0,
                    Error{ErrorKind::kInternal, "x", "y"});
  auto v = Evaluate(MakeSnapshot({self}));
  EXPECT_TRUE(v->checks.empty());
  EXPECT_EQ(v->status, VerdictState::kOk);
}

TEST_F(EvaluatorTest, NullSnapshotIsAnEmptyVerdict) {
  Make();
  auto v = Evaluate(nullptr);
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->checks.empty());
  EXPECT_EQ(v->evaluated_at, kT0);
}

TEST_F(EvaluatorTest, VerdictIsFoundInAPublishedSnapshot) {
  Make();
  auto snap = MakeSnapshot({State("postgres", "orders", HealthyPg(), 0)});
  EXPECT_EQ(FindVerdict(*snap), nullptr);
  auto v = Evaluate(snap);
  snap->targets[TargetKey{"health", "verdict"}] =
      State("health", "verdict", v, 0);
  EXPECT_EQ(FindVerdict(*snap), v);
  EXPECT_EQ(ReadinessFailure(FindVerdict(*snap).get(),
                             HealthConfig::ReadinessFailsOn::kDegraded),
            std::nullopt);
}

// A reload during an incident (an edited broker list, a new database)
// builds a new evaluator; it continues the old one's state.
class ReloadTest : public EvaluatorTest {
 protected:
  static std::vector<PgDatabaseOptions> Databases(bool with_billing) {
    PgDatabaseOptions orders;
    orders.name = "orders";
    orders.apps = {{"orders-api", AppConfig::Expects::kPrimary}};
    std::vector<PgDatabaseOptions> out{orders};
    if (with_billing) {
      PgDatabaseOptions billing;
      billing.name = "billing";
      out.push_back(billing);
    }
    return out;
  }
  std::shared_ptr<const Verdict> EvaluateWith(Collector& c) {
    SampleContext ctx;
    ctx.clock = &clock_;
    ctx.now = clock_.Wall();
    ctx.deadline = clock_.Steady() + Millis(500);
    ctx.snapshot = MakeSnapshot(
        {State("postgres", "orders", AfterFailover(Now(), true), Now())});
    auto out = c.Sample(ctx);
    return std::dynamic_pointer_cast<const Verdict>(out.observation);
  }
  // The endpoint stuck on the old primary from t = 0 (`for`: 10 s), the
  // config reloaded at t = 6 s: the status at t = 10 s.
  CheckStatus StatusAtTenSecondsAfterAReloadAtSix(bool continued) {
    auto before = MakeHealthEvaluator(HealthConfig{}, Databases(false));
    for (; Now() < 6; clock_.Advance(Millis(500))) (void)EvaluateWith(*before);
    auto after = MakeHealthEvaluator(HealthConfig{}, Databases(true),
                                     continued ? before.get() : nullptr);
    std::shared_ptr<const Verdict> v;
    for (; Now() <= 10; clock_.Advance(Millis(500))) v = EvaluateWith(*after);
    return StatusOf(*v, "endpoint_not_primary", "orders/writer");
  }
};

TEST_F(ReloadTest, APendingStatusKeepsItsRunAcrossAReload) {
  EXPECT_EQ(StatusAtTenSecondsAfterAReloadAtSix(/*continued=*/true),
            CheckStatus::kDown);
}

TEST_F(ReloadTest, WithoutContinuingTheHoldWouldStartAgain) {
  // What a reload did before: the new evaluator waits its 10 s again.
  EXPECT_EQ(StatusAtTenSecondsAfterAReloadAtSix(/*continued=*/false),
            CheckStatus::kOk);
}

TEST_F(ReloadTest, AHeldDownStatusAndTheVerdictSurviveAReload) {
  auto before = MakeHealthEvaluator(HealthConfig{}, Databases(false));
  std::shared_ptr<const Verdict> v;
  for (; Now() <= 10; clock_.Advance(Millis(500))) v = EvaluateWith(*before);
  ASSERT_EQ(v->status, VerdictState::kDown);
  // The new config clears the check only after 30 s of ok: still held.
  HealthConfig slower;
  slower.checks["endpoint_not_primary"] =
      CheckOverride{Millis(10000), Millis(30000), {}};
  auto after = MakeHealthEvaluator(slower, Databases(true), before.get());
  v = EvaluateWith(*after);
  const CheckResult* r =
      FindCheck(v->checks, "endpoint_not_primary", "orders/writer");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, CheckStatus::kDown);
  EXPECT_EQ(r->since, At(0));  // not the reload's time
  EXPECT_EQ(v->status, VerdictState::kDown);
  // The failover timeline is kept too.
  EXPECT_EQ(v->failovers.size(), 1u);
}

TEST(MakeHealthEvaluatorTest, IsTheHealthVerdictTarget) {
  auto c = MakeHealthEvaluator(HealthConfig{}, {});
  EXPECT_EQ(c->kind(), "health");
  EXPECT_EQ(c->target(), "verdict");
}

}  // namespace
}  // namespace failwatch
