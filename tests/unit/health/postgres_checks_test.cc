#include "health/postgres_checks.h"

#include <gtest/gtest.h>

#include "health_fixtures.h"

namespace failwatch {
namespace {

using namespace failwatch::testing;  // NOLINT

std::vector<Condition> RunCheck(void (*fn)(const HealthInputs&,
                                           const HealthTuning&,
                                           std::vector<Condition>&),
                                std::shared_ptr<const PgObservation> pg,
                                HealthTuning tuning = {}) {
  std::vector<Condition> out;
  fn(Inputs(10, {DbInputs(nullptr, std::move(pg))}), tuning, out);
  return out;
}

struct EndpointCase {
  const char* name;
  std::vector<EndpointTarget> targets;
  CheckStatus want;
  bool unknown;
};

class EndpointNotPrimaryTest : public ::testing::TestWithParam<EndpointCase> {};

TEST_P(EndpointNotPrimaryTest, Judges) {
  const auto& c = GetParam();
  auto pg = HealthyPg();
  pg->endpoint_targets = c.targets;
  // A reader endpoint on a standby is what it should be: never judged.
  pg->endpoint_targets.push_back(EndpointTarget{"ro.lab.test:5432", "reader",
                                                "127.0.0.3:5432",
                                                NodeRole::kStandby, false});
  auto out = RunCheck(&CheckEndpointNotPrimary, pg);
  ASSERT_EQ(out.size(), 1u) << c.name;
  EXPECT_EQ(out[0].target, "orders/writer");
  EXPECT_EQ(out[0].unknown, c.unknown) << c.name;
  EXPECT_EQ(out[0].status, c.want) << c.name << ": " << out[0].reason;
}

INSTANTIATE_TEST_SUITE_P(
    Table, EndpointNotPrimaryTest,
    ::testing::Values(
        EndpointCase{"primary",
                     {Writer("127.0.0.2:5432", NodeRole::kPrimary)},
                     CheckStatus::kOk,
                     false},
        EndpointCase{"standby",
                     {Writer("127.0.0.3:5432", NodeRole::kStandby)},
                     CheckStatus::kDown,
                     false},
        EndpointCase{"unreachable",
                     {Writer("127.0.0.9:5432", NodeRole::kUnreachable)},
                     CheckStatus::kDown,
                     false},
        EndpointCase{"unknown_role",
                     {Writer("127.0.0.9:5432", NodeRole::kUnknown)},
                     CheckStatus::kDown,
                     false},
        EndpointCase{"superseded",
                     {Writer("127.0.0.2:5432", NodeRole::kPrimary, true)},
                     CheckStatus::kDown,
                     false},
        EndpointCase{"one_of_two_is_standby",
                     {Writer("127.0.0.2:5432", NodeRole::kPrimary),
                      Writer("127.0.0.3:5432", NodeRole::kStandby)},
                     CheckStatus::kDegraded,
                     false},
        EndpointCase{"not_resolved", {}, CheckStatus::kOk, true}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(EndpointNotPrimaryReasonTest, NamesNodeRoleSinceAndPrimary) {
  auto pg = HealthyPg();
  pg->nodes[0].role = NodeRole::kStandby;  // 127.0.0.2 demoted at 03:12:04
  pg->nodes[0].last_demotion = At(4);
  pg->nodes[1].role = NodeRole::kPrimary;
  pg->writer = "127.0.0.3:5432";
  pg->endpoint_targets = {Writer("127.0.0.2:5432", NodeRole::kStandby)};
  auto out = RunCheck(&CheckEndpointNotPrimary, pg);
  ASSERT_EQ(out.size(), 1u);
  // kT0 is 2023-11-14T22:13:20Z.
  EXPECT_EQ(out[0].reason,
            "writer endpoint db.lab.test:5432 resolves to 127.0.0.2:5432 "
            "(standby since 22:13:24Z); the primary is 127.0.0.3:5432");
  EXPECT_EQ(out[0].onset, At(4));
  EXPECT_EQ(out[0].evidence["addresses"][0]["role"], "standby");
}

TEST(NoPrimaryTest, Judges) {
  auto pg = HealthyPg();
  auto out = RunCheck(&CheckNoPrimary, pg);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, CheckStatus::kOk);
  EXPECT_EQ(out[0].target, "orders");

  pg->nodes[0] = Node("127.0.0.2:5432", NodeRole::kUnreachable);
  pg->primaries = 0;
  pg->writer = "";
  out = RunCheck(&CheckNoPrimary, pg);
  EXPECT_EQ(out[0].status, CheckStatus::kDown);
  EXPECT_EQ(out[0].reason,
            "no primary among 2 nodes: 127.0.0.2:5432 (unreachable: 08001), "
            "127.0.0.3:5432 (standby)");

  pg->nodes.clear();
  out = RunCheck(&CheckNoPrimary, pg);
  EXPECT_TRUE(out[0].unknown);
}

TEST(MultiplePrimariesTest, Judges) {
  auto pg = HealthyPg();
  auto out = RunCheck(&CheckMultiplePrimaries, pg);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, CheckStatus::kOk);

  pg->nodes[0].superseded = true;
  pg->nodes[0].timeline = 3;
  pg->nodes[1] = Node("127.0.0.3:5432", NodeRole::kPrimary);
  pg->nodes[1].timeline = 4;
  pg->primaries = 2;
  pg->writer = "127.0.0.3:5432";
  out = RunCheck(&CheckMultiplePrimaries, pg);
  EXPECT_EQ(out[0].status, CheckStatus::kDown);
  EXPECT_NE(out[0].reason.find("127.0.0.2:5432 (superseded primary, timeline "
                               "3)"),
            std::string::npos)
      << out[0].reason;
  EXPECT_EQ(out[0].evidence["primaries"],
            nlohmann::json({"127.0.0.2:5432", "127.0.0.3:5432"}));
}

struct LagCase {
  const char* name;
  std::optional<double> seconds;
  std::optional<std::int64_t> bytes;
  const char* receiver;
  CheckStatus want;
};

class ReplicationLagTest : public ::testing::TestWithParam<LagCase> {};

TEST_P(ReplicationLagTest, Judges) {
  const auto& c = GetParam();
  auto pg = HealthyPg();
  pg->nodes[1].standby->replay_lag_seconds = c.seconds;
  pg->nodes[1].standby->replay_lag_bytes = c.bytes;
  pg->nodes[1].standby->receiver_status = c.receiver;
  HealthTuning tuning;
  tuning.replication_lag_seconds = 30;
  tuning.replication_lag_bytes = 1000;
  auto out = RunCheck(&CheckReplicationLag, pg, tuning);
  ASSERT_EQ(out.size(), 1u);  // the primary has no row
  EXPECT_EQ(out[0].target, "orders/127.0.0.3:5432");
  EXPECT_EQ(out[0].status, c.want) << c.name << ": " << out[0].reason;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReplicationLagTest,
    ::testing::Values(
        LagCase{"caught_up", 0.0, 0, "streaming", CheckStatus::kOk},
        LagCase{"at_seconds_threshold", 30.0, 0, "streaming", CheckStatus::kOk},
        LagCase{"over_seconds", 30.5, 0, "streaming", CheckStatus::kDegraded},
        LagCase{"at_bytes_threshold", 1.0, 1000, "streaming", CheckStatus::kOk},
        LagCase{"over_bytes", 1.0, 1001, "streaming", CheckStatus::kDegraded},
        LagCase{"unknown_values", std::nullopt, std::nullopt, "streaming",
                CheckStatus::kOk},
        LagCase{"no_receiver", 0.0, 0, "", CheckStatus::kDegraded},
        LagCase{"receiver_starting", 0.0, 0, "starting",
                CheckStatus::kDegraded}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(ReplicationLagReasonTest, NamesTheProblems) {
  auto pg = HealthyPg();
  pg->nodes[1].standby->replay_lag_seconds = 45;
  pg->nodes[1].standby->receiver_status = "";
  auto out = RunCheck(&CheckReplicationLag, pg);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].reason,
            "standby 127.0.0.3:5432: replay lag 45.0 s > 30 s, no WAL "
            "receiver (not streaming)");
  EXPECT_EQ(out[0].evidence["replay_lag_seconds"], 45.0);
}

// A crashed or hung standby is a row of its own (risk: nothing to promote),
// not a row that disappears; with no primary up, no_primary speaks instead.
TEST(ReplicationLagUnreachableTest, NodeIsNotReplicating) {
  auto pg = HealthyPg();
  pg->nodes[1] = Node("127.0.0.3:5432", NodeRole::kUnreachable);
  auto out = RunCheck(&CheckReplicationLag, pg);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].target, "orders/127.0.0.3:5432");
  EXPECT_EQ(out[0].status, CheckStatus::kDegraded);
  EXPECT_FALSE(out[0].unknown);
  EXPECT_EQ(out[0].reason,
            "127.0.0.3:5432 (unreachable: 08001): not replicating, a "
            "promotion could not use it");
  EXPECT_EQ(out[0].evidence["receiver_status"], "unreachable");

  pg->nodes[0] = Node("127.0.0.2:5432", NodeRole::kUnreachable);
  pg->primaries = 0;
  EXPECT_TRUE(RunCheck(&CheckReplicationLag, pg).empty());
}

}  // namespace
}  // namespace failwatch
