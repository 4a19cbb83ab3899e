#include "health/hysteresis.h"

#include <gtest/gtest.h>

#include "health_fixtures.h"

namespace failwatch {
namespace {

using namespace failwatch::testing;  // NOLINT
using std::chrono::seconds;

constexpr CheckStatus kOk = CheckStatus::kOk;
constexpr CheckStatus kDeg = CheckStatus::kDegraded;
constexpr CheckStatus kDown = CheckStatus::kDown;

Condition Cond(CheckStatus s, std::string reason = "",
               std::string target = "orders") {
  Condition c;
  c.check = "endpoint_not_primary";
  c.target = std::move(target);
  c.status = s;
  c.reason = reason.empty() ? CheckStatusName(s) : reason;
  return c;
}

Condition Unknown() {
  Condition c = Cond(kOk, "no data");
  c.unknown = true;
  return c;
}

Hysteresis Make(seconds for_duration = seconds(10),
                seconds clear_after = seconds(20)) {
  return Hysteresis([=](std::string_view) {
    return CheckPolicy{for_duration, clear_after};
  });
}

// One step of a scripted sequence: at time t the raw condition is c, and
// the published status must be `want`.
struct Step {
  double t;
  Condition c;
  CheckStatus want;
};

void Play(Hysteresis& h, const std::vector<Step>& steps) {
  for (const auto& s : steps) {
    auto out = h.Apply({s.c}, At(s.t), nullptr);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].status, s.want)
        << "at t=" << s.t << " raw=" << CheckStatusName(s.c.status);
  }
}

TEST(HysteresisTest, EscalatesOnlyAfterForHolds) {
  auto h = Make();
  Play(h, {{0, Cond(kOk), kOk},
           {1, Cond(kDeg), kOk},
           {10.999, Cond(kDeg), kOk},  // just under `for`
           {11, Cond(kDeg), kDeg}});   // exactly `for`
}

Condition Proven(CheckStatus s) {
  Condition c = Cond(s, "proven");
  c.conclusive = true;
  return c;
}

TEST(HysteresisTest, ConclusiveEvidenceSkipsForButNotClearAfter) {
  auto h = Make();
  Play(h, {{0, Cond(kOk), kOk},
           {1, Proven(kDeg), kDeg},     // no hold
           {2, Cond(kDeg), kDeg},       // evidence turns ambiguous: stays
           {3, Cond(kOk), kDeg},        // clearing waits clear_after (20 s)
           {22.9, Cond(kOk), kDeg},
           {23, Cond(kOk), kOk},
           {24, Cond(kDeg), kOk},       // ambiguous again: waits for `for`
           {33.9, Cond(kDeg), kOk},
           {34, Cond(kDeg), kDeg}});
}

TEST(HysteresisTest, ConclusiveResultIsMarkedAndHasNoPending) {
  auto h = Make();
  auto out = h.Apply({Proven(kDeg)}, At(0), nullptr);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].conclusive);
  EXPECT_FALSE(out[0].pending.has_value());
  out = h.Apply({Cond(kDown)}, At(1), nullptr);
  EXPECT_EQ(out[0].status, kDeg);  // down is not proven: `for` applies
  EXPECT_TRUE(out[0].pending.has_value());
}

TEST(HysteresisTest, InterruptedRunRestartsFor) {
  auto h = Make();
  Play(h, {{0, Cond(kDeg), kOk},
           {9, Cond(kDeg), kOk},
           {9.5, Cond(kOk), kOk},  // one ok sample resets the run
           {10, Cond(kDeg), kOk},
           {19.9, Cond(kDeg), kOk},
           {20, Cond(kDeg), kDeg}});
}

TEST(HysteresisTest, ClearsOnlyAfterClearAfterHolds) {
  auto h = Make(seconds(0), seconds(20));
  Play(h, {{0, Cond(kDown), kDown},
           {5, Cond(kOk), kDown},
           {24.9, Cond(kOk), kDown},  // just under clear_after
           {25, Cond(kOk), kOk}});
}

TEST(HysteresisTest, ClearingIsInterruptedByABadSample) {
  auto h = Make(seconds(0), seconds(20));
  Play(h, {{0, Cond(kDeg), kDeg},
           {5, Cond(kOk), kDeg},
           {20, Cond(kDeg), kDeg},
           {21, Cond(kOk), kDeg},
           {40.9, Cond(kOk), kDeg},
           {41, Cond(kOk), kOk}});
}

TEST(HysteresisTest, AlternatingRawNeverAlarms) {
  // DNS flapping between the old and the new node for 30 s: the raw
  // endpoint check alternates every second and never holds 10 s.
  auto h = Make();
  std::vector<Step> steps;
  for (int t = 0; t < 30; ++t) {
    steps.push_back({static_cast<double>(t), Cond(t % 2 ? kDeg : kOk), kOk});
  }
  Play(h, steps);
}

TEST(HysteresisTest, DegradedAndDownAlternatingStillEscalates) {
  auto h = Make();
  Play(h, {{0, Cond(kDeg), kOk},
           {5, Cond(kDown), kOk},
           {6, Cond(kDeg), kOk},
           {10, Cond(kDown), kDeg},  // bad (>= degraded) for 10 s
           {19.9, Cond(kDown), kDeg},
           {20, Cond(kDown), kDown}});  // down continuously since 10
}

TEST(HysteresisTest, PartialRecoveryStepsDown) {
  auto h = Make(seconds(0), seconds(20));
  Play(h, {{0, Cond(kDown), kDown},
           {1, Cond(kDeg), kDown},
           {21, Cond(kDeg), kDeg},
           {22, Cond(kOk), kDeg},
           {42, Cond(kOk), kOk}});
}

TEST(HysteresisTest, UnknownHoldsTheStatus) {
  auto h = Make(seconds(0), seconds(5));
  Play(h, {{0, Cond(kDown, "writer on standby"), kDown},
           {1, Unknown(), kDown},
           {100, Unknown(), kDown}});
  auto out = h.Apply({Unknown()}, At(101), nullptr);
  EXPECT_TRUE(out[0].unknown);
  // The held alarm keeps explaining itself.
  EXPECT_EQ(out[0].reason, "writer on standby");
}

TEST(HysteresisTest, SinceIsTheStartOfTheRunOrTheOnset) {
  auto h = Make();
  h.Apply({Cond(kOk)}, At(0), nullptr);
  h.Apply({Cond(kDeg)}, At(3), nullptr);
  auto out = h.Apply({Cond(kDeg)}, At(13), nullptr);
  EXPECT_EQ(out[0].status, kDeg);
  EXPECT_EQ(out[0].since, At(3));

  auto h2 = Make();
  Condition c = Cond(kDeg);
  c.onset = At(-30);  // the data says it began before we looked
  h2.Apply({c}, At(0), nullptr);
  out = h2.Apply({c}, At(10), nullptr);
  EXPECT_EQ(out[0].since, At(-30));
}

TEST(HysteresisTest, PendingShowsTheComingChangeAndKeepsTheOldReason) {
  auto h = Make();
  h.Apply({Cond(kOk, "endpoint on primary")}, At(0), nullptr);
  auto out = h.Apply({Cond(kDeg, "endpoint on standby")}, At(2), nullptr);
  EXPECT_EQ(out[0].status, kOk);
  EXPECT_EQ(out[0].raw_status, kDeg);
  EXPECT_EQ(out[0].reason, "endpoint on primary");
  ASSERT_TRUE(out[0].pending.has_value());
  EXPECT_EQ(out[0].pending->status, kDeg);
  EXPECT_EQ(out[0].pending->since, At(2));
  EXPECT_EQ(out[0].pending->effective_at, At(12));

  out = h.Apply({Cond(kDeg, "endpoint on standby")}, At(12), nullptr);
  EXPECT_EQ(out[0].reason, "endpoint on standby");
  EXPECT_FALSE(out[0].pending.has_value());
}

// A held status keeps the tier it had when it was raw: a risk clearing
// (raw ok, tierless) must not read as impact during clear_after, and an
// impact held through an unknown sample stays impact.
TEST(HysteresisTest, HeldStatusKeepsItsOwnTier) {
  struct Case {
    const char* name;
    std::optional<CheckTier> held_tier;
    Condition next;
    CheckTier want;
  };
  Condition ok_impact = Cond(kOk, "fixed");
  Condition ok_risk = Cond(kOk, "fixed");
  ok_risk.tier = CheckTier::kRisk;
  const std::vector<Case> cases = {
      {"risk clearing, raw ok without tier", CheckTier::kRisk, ok_impact,
       CheckTier::kRisk},
      {"risk clearing, raw ok with risk", CheckTier::kRisk, ok_risk,
       CheckTier::kRisk},
      {"impact clearing, raw ok", std::nullopt, ok_impact, CheckTier::kImpact},
      {"impact through an unknown sample", std::nullopt, Unknown(),
       CheckTier::kImpact},
      {"risk through an unknown sample", CheckTier::kRisk, Unknown(),
       CheckTier::kRisk},
  };
  for (const auto& tc : cases) {
    auto h = Make(seconds(0), seconds(20));
    Condition bad = Cond(kDeg, "sticky path gets 25006");
    bad.tier = tc.held_tier;
    h.Apply({bad}, At(0), nullptr);
    auto out = h.Apply({tc.next}, At(5), nullptr);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].status, kDeg) << tc.name;
    EXPECT_EQ(out[0].tier, tc.want) << tc.name;
    EXPECT_EQ(out[0].reason, "sticky path gets 25006") << tc.name;
    out = h.Apply({tc.next}, At(25), nullptr);
    if (!tc.next.unknown) {
      EXPECT_EQ(out[0].status, kOk) << tc.name;
    }
  }
}

// The log line of a risk that cleared says risk, not the ok condition's
// default tier (seen in the lab: "tier=impact from=degraded to=ok").
TEST(HysteresisTest, TransitionToOkCarriesTheTierOfTheEndedProblem) {
  auto h = Make(seconds(0), seconds(0));
  std::vector<StatusTransition> tr;
  Condition bad = Cond(kDeg, "sticky path gets 25006");
  bad.tier = CheckTier::kRisk;
  h.Apply({bad}, At(0), &tr);
  h.Apply({Cond(kOk, "fixed")}, At(1), &tr);
  ASSERT_EQ(tr.size(), 2u);
  EXPECT_EQ(tr[0].to, kDeg);
  EXPECT_EQ(tr[0].tier, CheckTier::kRisk);
  EXPECT_EQ(tr[1].to, kOk);
  EXPECT_EQ(tr[1].tier, CheckTier::kRisk);
}

TEST(HysteresisTest, ReportsTransitionsAndForgetsVanishedTargets) {
  auto h = Make(seconds(0), seconds(0));
  std::vector<StatusTransition> tr;
  h.Apply({Cond(kOk, "", "a"), Cond(kOk, "", "b")}, At(0), &tr);
  EXPECT_TRUE(tr.empty());
  h.Apply({Cond(kDown, "gone bad", "a"), Cond(kOk, "", "b")}, At(1), &tr);
  ASSERT_EQ(tr.size(), 1u);
  EXPECT_EQ(tr[0].target, "a");
  EXPECT_EQ(tr[0].from, kOk);
  EXPECT_EQ(tr[0].to, kDown);
  EXPECT_EQ(tr[0].reason, "gone bad");
  EXPECT_EQ(h.tracked(), 2u);

  h.Apply({Cond(kOk, "", "b")}, At(2), &tr);
  EXPECT_EQ(h.tracked(), 1u);
  // "a" comes back: it starts over from ok, with a fresh `for`.
  auto h2 = Make(seconds(10), seconds(0));
  h2.Apply({Cond(kDown, "", "a")}, At(0), nullptr);
  h2.Apply({}, At(5), nullptr);
  auto out = h2.Apply({Cond(kDown, "", "a")}, At(11), nullptr);
  EXPECT_EQ(out[0].status, kOk);
}

TEST(HysteresisTest, PolicyIsPerCheck) {
  Hysteresis h([](std::string_view check) {
    return check == "slow" ? CheckPolicy{seconds(60), seconds(0)}
                           : CheckPolicy{seconds(0), seconds(0)};
  });
  Condition slow = Cond(kDown);
  slow.check = "slow";
  Condition fast = Cond(kDown);
  fast.check = "fast";
  auto out = h.Apply({slow, fast}, At(0), nullptr);
  EXPECT_EQ(out[0].status, kOk);
  EXPECT_EQ(out[1].status, kDown);
}

}  // namespace
}  // namespace failwatch
