// kafka_canary over hand-built canary states.
#include "health/kafka_canary_check.h"

#include <gtest/gtest.h>

#include <functional>

namespace failwatch {
namespace {

struct Case {
  std::string name;
  std::function<void(CanaryState&)> mutate;
  CheckStatus status;
  bool unknown;
  std::string reason;
};

TEST(KafkaCanaryCheckTest, Table) {
  const std::vector<Case> cases = {
      {"every partition's newest record arrived",
       [](CanaryState&) {}, CheckStatus::kOk, false,
       "canary records on lab arrive within 10 s (6 received, 1 lost since "
       "start)"},
      {"one partition lost its newest record",
       [](CanaryState& s) { s.partitions[1].last_lost = true; },
       CheckStatus::kDegraded, false,
       "canary records on lab not consumed within 10 s on 1 of 3 partitions "
       "(1; 1 lost since start)"},
      {"not running: unknown, with the reason",
       [](CanaryState& s) {
         s.running = false;
         s.error = MakeError(ErrorKind::kNotFound, "canary_topic_missing",
                             "canary topic \"c\" does not exist");
       },
       CheckStatus::kOk, true,
       "canary on lab not running: canary topic \"c\" does not exist"},
      {"nothing decided yet: unknown",
       [](CanaryState& s) {
         for (auto& p : s.partitions) p.last_lost.reset();
       },
       CheckStatus::kOk, true, "canary on lab: no record decided yet"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto obs = std::make_shared<KafkaObservation>();
    obs->cluster = "lab";
    CanaryState s;
    s.topic = "c";
    s.sla_seconds = 10;
    s.running = true;
    s.received_total = 6;
    s.lost_total = 1;
    s.partitions = {{0, false, 0}, {1, false, 1}, {2, false, 0}};
    c.mutate(s);
    obs->canary = s;
    HealthInputs in;
    in.kafka = {obs};
    std::vector<Condition> out;
    CheckKafkaCanary(in, HealthTuning{}, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].target, "lab");
    EXPECT_EQ(out[0].status, c.status);
    EXPECT_EQ(out[0].unknown, c.unknown);
    EXPECT_EQ(out[0].reason, c.reason);
  }
}

TEST(KafkaCanaryCheckTest, ClustersWithoutACanaryAreNotJudged) {
  HealthInputs in;
  in.kafka = {std::make_shared<KafkaObservation>()};
  std::vector<Condition> out;
  CheckKafkaCanary(in, HealthTuning{}, out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace failwatch
