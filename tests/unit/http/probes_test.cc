#include "http/probes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_app_state.h"

namespace failwatch::http {
namespace {

using ::testing::HasSubstr;
using testing::MakeTarget;

TEST(LivenessTest, FreshHeartbeatIsAliveStaleIsNot) {
  SteadyTime beat(Millis(1'000'000));
  EXPECT_TRUE(CheckLiveness(beat, beat + Millis(9999), Millis(10000)).ok);
  EXPECT_TRUE(CheckLiveness(beat, beat + Millis(10000), Millis(10000)).ok);
  ProbeResult stale = CheckLiveness(beat, beat + Millis(12500), Millis(10000));
  EXPECT_FALSE(stale.ok);
  EXPECT_EQ(stale.reason, "scheduler heartbeat is 12.5s old (limit 10.0s)");
}

TEST(ReadinessTest, ReadyOnceEveryTargetSampled) {
  Snapshot s;
  for (auto t : {MakeTarget("dns", "orders", true),
                 MakeTarget("postgres", "orders", false),
                 MakeTarget("kafka", "main", false)}) {
    s.targets.emplace(t.key, t);
  }
  ProbeResult r = CheckReadiness(s, nullptr);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "not sampled yet: kafka/main, postgres/orders");

  for (auto& [key, t] : s.targets) t.sampled = true;
  EXPECT_TRUE(CheckReadiness(s, nullptr).ok);
}

TEST(ReadinessTest, ExtraCheckCanHoldReadiness) {
  Snapshot s;
  auto t = MakeTarget("dns", "orders", true);
  s.targets.emplace(t.key, t);
  std::optional<std::string> verdict = "orders: degraded";
  ReadinessCheck extra = [&] { return verdict; };
  ProbeResult r = CheckReadiness(s, extra);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.reason, HasSubstr("degraded"));
  verdict.reset();
  EXPECT_TRUE(CheckReadiness(s, extra).ok);
}

}  // namespace
}  // namespace failwatch::http
