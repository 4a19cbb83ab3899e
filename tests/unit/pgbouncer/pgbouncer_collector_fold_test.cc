// PgBouncerCollector's run -> fold with canned SHOW results through the
// PgClient interface: the join with the PostgreSQL roles before and after
// a failover, and every failure as a value (rejected, lost, timed out,
// malformed), with what it does to the session.
#include <gtest/gtest.h>

#include <map>

#include "../canned_pg_client.h"
#include "core/snapshot.h"
#include "pgbouncer/pgbouncer_collector.h"

namespace failwatch {
namespace {

using std::nullopt;
using testing::CannedAnswer;
using testing::CannedConnection;
using testing::CannedPgClient;
using testing::Failed;
using testing::Rows;

constexpr char kA[] = "127.0.0.2:5432";
constexpr char kB[] = "127.0.0.3:5432";

// The PgBouncer in front of database "orders", run through `client`.
PgBouncerCollector OrdersBouncer(std::shared_ptr<CannedPgClient> client) {
  PgDatabaseOptions db;
  db.name = "orders";
  db.endpoint = {"127.0.0.2", 5432};
  PgBouncerConfig bouncer;
  bouncer.address = {"127.0.0.1", 6432};
  return PgBouncerCollector(db, bouncer, std::move(client));
}

// A sample now on `clock` with an 800 ms budget.
SampleContext ContextOn(FakeClock& clock) {
  SampleContext ctx;
  ctx.clock = &clock;
  ctx.now = clock.Wall();
  ctx.deadline = clock.Steady() + Millis(800);
  return ctx;
}

// The five SHOW commands of one PgBouncer 1.18 with one app pool beside the
// admin console's own.
std::map<std::string, CannedAnswer> Healthy() {
  auto ok = [](QueryResult r) { return CannedAnswer{nullopt, {std::move(r)}}; };
  return {
      {"SHOW VERSION", ok(Rows({{"PgBouncer 1.18.0"}}, {"version"}))},
      {"SHOW DATABASES",
       ok(Rows({{"orders", "127.0.0.2", "5432", "orders", "20", "1",
                 "transaction", "0", "0"},
                {"pgbouncer", nullopt, "6432", "pgbouncer", "2", "0",
                 "statement", "0", "0"}},
               {"name", "host", "port", "database", "pool_size",
                "current_connections", "pool_mode", "paused", "disabled"}))},
      {"SHOW POOLS",
       ok(Rows({{"orders", "app", "4", "0", "1", "0", "0", "0", "0", "0", "0",
                 "transaction"},
                {"pgbouncer", "pgbouncer", "1", "0", "0", "0", "0", "0", "0",
                 "0", "0", "statement"}},
               {"database", "user", "cl_active", "cl_waiting", "sv_active",
                "sv_idle", "sv_used", "sv_tested", "sv_login", "maxwait",
                "maxwait_us", "pool_mode"}))},
      {"SHOW SERVERS",
       ok(Rows({{"S", "app", "orders", "active", "127.0.0.2", "5432"}},
               {"type", "user", "database", "state", "addr", "port"}))},
      {"SHOW STATS",
       ok(Rows({{"orders", "10", "20", "100", "200", "1000", "2000", "0"},
                {"pgbouncer", "1", "1", "0", "0", "0", "0", "0"}},
               {"database", "total_xact_count", "total_query_count",
                "total_received", "total_sent", "total_xact_time",
                "total_query_time", "total_wait_time"}))},
  };
}

NodeState Node(const std::string& address, NodeRole role) {
  NodeState n;
  n.address = address;
  n.role = role;
  n.up = true;
  return n;
}

std::shared_ptr<const Snapshot> WithRoles(NodeRole a, NodeRole b) {
  auto pg = std::make_shared<PgObservation>();
  pg->database = "orders";
  pg->nodes = {Node(kA, a), Node(kB, b)};
  pg->writer = a == NodeRole::kPrimary ? kA : kB;
  pg->primaries = 1;
  auto snap = std::make_shared<Snapshot>();
  TargetState ts;
  ts.key = {kPostgresKind, "orders"};
  ts.observation = pg;
  ts.sampled = true;
  snap->targets[ts.key] = ts;
  return snap;
}

struct BouncerCase {
  std::string name;
  // Changes to Healthy(), by command.
  std::map<std::string, CannedAnswer> answers;
  std::shared_ptr<const Snapshot> snapshot;
  std::string error_code;  // "" = an observation
  bool session_closed = false;
  bool roles_known = true;
  ServerRole server_role = ServerRole::kPrimary;
  std::size_t stale_servers = 0;
};

TEST(PgBouncerFoldTest, OneSampleFoldsCannedResults) {
  const auto before = WithRoles(NodeRole::kPrimary, NodeRole::kStandby);
  const auto after = WithRoles(NodeRole::kStandby, NodeRole::kPrimary);
  const std::vector<BouncerCase> cases = {
      {"all_commands_answer", {}, before, ""},
      {"after_failover_servers_are_stale",
       {},
       after,
       "",
       false,
       true,
       ServerRole::kStandby,
       1},
      {"no_postgres_observation",
       {},
       nullptr,
       "",
       false,
       false,
       ServerRole::kUnknown},
      {"command_rejected_keeps_the_session",
       {{"SHOW POOLS", {nullopt, {Failed("08P01", "invalid command")}}}},
       before,
       "08P01"},
      {"connection_lost_closes_it",
       {{"SHOW SERVERS",
         {MakeError(ErrorKind::kUnavailable, "08006", "connection lost"), {}}}},
       before,
       "08006",
       true},
      {"timeout_closes_it",
       {{"SHOW STATS", {nullopt, {}, /*hang=*/true}}},
       before,
       "timeout",
       true},
      {"no_result_is_a_bad_reply",
       {{"SHOW VERSION", {nullopt, {}}}},
       before,
       "bad_reply",
       true},
      {"malformed_table_is_a_bad_reply",
       {{"SHOW POOLS",
         {nullopt, {Rows({{"orders"}}, {"database"})}}}},  // no "user"
       before,
       "bad_reply",
       true},
  };
  for (const BouncerCase& c : cases) {
    SCOPED_TRACE(c.name);
    FakeClock clock;
    auto client = std::make_shared<CannedPgClient>(clock);
    std::map<std::string, CannedAnswer> answers = Healthy();
    for (const auto& [sql, a] : c.answers) answers[sql] = a;
    client->answer = [&](const SessionJob& job) { return answers.at(job.sql); };
    PgBouncerCollector collector = OrdersBouncer(client);
    SampleContext ctx = ContextOn(clock);
    ctx.snapshot = c.snapshot;
    SampleOutput out = collector.Sample(ctx);

    ASSERT_EQ(client->connections.size(), 1u);
    EXPECT_EQ(!client->connections[0]->connected(), c.session_closed);
    EXPECT_FALSE(out.families.empty());
    EXPECT_EQ(out.error ? out.error->code : "", c.error_code);
    auto obs =
        std::dynamic_pointer_cast<const PgBouncerObservation>(out.observation);
    if (!c.error_code.empty()) {
      EXPECT_FALSE(obs);
      continue;
    }
    ASSERT_TRUE(obs);
    EXPECT_EQ(obs->version, "PgBouncer 1.18.0");
    EXPECT_EQ(obs->sampled_at, ctx.now);
    // The admin console's own database is no pool to watch.
    ASSERT_EQ(obs->pools.size(), 1u);
    EXPECT_EQ(obs->pools[0].cl_active, 4);
    ASSERT_EQ(obs->databases.size(), 1u);
    ASSERT_EQ(obs->stats.size(), 1u);
    EXPECT_EQ(obs->roles_known, c.roles_known);
    ASSERT_EQ(obs->servers.size(), 1u);
    EXPECT_EQ(obs->servers[0].address, kA);
    EXPECT_EQ(obs->servers[0].role, c.server_role)
        << ServerRoleName(obs->servers[0].role);
    EXPECT_EQ(obs->servers[0].pool_target, PoolTarget::kWriter);
    EXPECT_EQ(obs->stale_servers.size(), c.stale_servers);
  }
}

TEST(PgBouncerFoldTest, OneCommandPerRoundTripUnderTheContextDeadline) {
  FakeClock clock;
  clock.Advance(Millis(5'000));
  auto client = std::make_shared<CannedPgClient>(clock);
  const auto answers = Healthy();
  client->answer = [&](const SessionJob& job) {
    CannedAnswer a = answers.at(job.sql);
    a.takes = Millis(10);
    return a;
  };
  PgBouncerCollector collector = OrdersBouncer(client);
  SampleContext ctx = ContextOn(clock);
  const SteadyTime start = clock.Steady();
  EXPECT_FALSE(collector.Sample(ctx).error);
  ASSERT_EQ(client->ran.size(), 5u);
  EXPECT_EQ(client->ran[0].sql, "SHOW VERSION");
  EXPECT_EQ(client->ran[4].sql, "SHOW STATS");
  // One deadline for all five: 800 ms less the 20 ms output margin.
  ASSERT_EQ(client->deadlines.size(), 5u);
  for (SteadyTime d : client->deadlines) EXPECT_EQ(d, start + Millis(780));
  EXPECT_EQ(client->connections[0]->connects, 1);  // one session reused
}

}  // namespace
}  // namespace failwatch
