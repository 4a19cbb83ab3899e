// PostgresCollector's plan -> run -> fold with canned results through the
// PgClient interface: roles, failures as values, the write probe, and time
// from the context's clock (deadline, backoff, latency), which a live test
// cannot pin.
#include <gtest/gtest.h>

#include <map>

#include "../canned_pg_client.h"
#include "postgres/pg_queries.h"
#include "postgres/postgres_collector.h"

namespace failwatch {
namespace {

using std::nullopt;
using testing::CannedAnswer;
using testing::CannedConnection;
using testing::CannedPgClient;
using testing::Failed;
using testing::JobAddress;
using testing::Rows;

constexpr char kA[] = "127.0.0.2:5432";
constexpr char kB[] = "127.0.0.3:5432";

std::string WalFile(int timeline) {
  char buf[25];
  std::snprintf(buf, sizeof(buf), "%08X%08X%08X", timeline, 0, 7);
  return buf;
}

PgRow PrimaryRow(int timeline, const char* read_only = "off") {
  return {"f",
          read_only,
          "150004",
          "1700000000.5",
          WalFile(timeline),
          nullopt,
          std::to_string(timeline),
          nullopt,
          nullopt,
          nullopt,
          nullopt,
          nullopt,
          "0"};
}

PgRow StandbyRow(int timeline, const std::string& upstream_host) {
  const std::string tl = std::to_string(timeline);
  return {"t", "on", "150004",    "1700000000.5", nullopt, tl, tl,
          "0", "0",  "streaming", upstream_host,  "5432",  "0"};
}

// The three statements of NodeSampleSql: status, replication, activity.
CannedAnswer Node(PgRow status) {
  return {nullopt, {Rows({std::move(status)}), Rows({}), Rows({})}};
}
CannedAnswer Primary(int timeline, const char* read_only = "off") {
  return Node(PrimaryRow(timeline, read_only));
}
CannedAnswer Standby(int timeline) {
  return Node(StandbyRow(timeline, "127.0.0.2"));
}
CannedAnswer Refused() {
  return {MakeError(ErrorKind::kUnavailable, "08001", "connection refused"),
          {}};
}
CannedAnswer Hangs() { return {nullopt, {}, /*hang=*/true}; }

PgDatabaseOptions TwoNodes() {
  PgDatabaseOptions c;
  c.name = "orders";
  c.endpoint = {"127.0.0.2", 5432};
  c.members = {{"127.0.0.2", 5432}, {"127.0.0.3", 5432}};
  c.schedule.interval = Millis(1000);
  c.schedule.timeout = Millis(800);
  return c;
}

class PostgresFoldTest : public ::testing::Test {
 protected:
  void Make(PgDatabaseOptions config) {
    client_ = std::make_shared<CannedPgClient>(clock_);
    client_->answer = [this](const SessionJob& job) {
      auto a = answers_.find(JobAddress(job));
      return a != answers_.end() ? a->second : Refused();
    };
    collector_ = std::make_unique<PostgresCollector>(
        std::move(config), PostgresCollectorOptions{}, client_);
  }

  SampleContext Context() const {
    SampleContext ctx;
    ctx.clock = &clock_;
    ctx.now = clock_.Wall();
    ctx.deadline = clock_.Steady() + Millis(800);
    return ctx;
  }

  std::shared_ptr<const PgObservation> Sample(SampleOutput* out = nullptr) {
    SampleOutput o = collector_->Sample(Context());
    auto obs = std::dynamic_pointer_cast<const PgObservation>(o.observation);
    if (out != nullptr) *out = std::move(o);
    return obs;
  }

  // The connection the last job to `address` used.
  const CannedConnection* ConnectionOf(const std::string& address) const {
    for (auto it = client_->ran.rbegin(); it != client_->ran.rend(); ++it) {
      if (JobAddress(*it) == address) {
        return static_cast<const CannedConnection*>(it->session);
      }
    }
    return nullptr;
  }

  std::size_t JobsTo(const std::string& address) const {
    return static_cast<std::size_t>(std::count_if(
        client_->ran.begin(), client_->ran.end(),
        [&](const SessionJob& j) { return JobAddress(j) == address; }));
  }

  FakeClock clock_;
  std::shared_ptr<CannedPgClient> client_;
  std::unique_ptr<PostgresCollector> collector_;
  std::map<std::string, CannedAnswer> answers_;
};

struct NodeExpect {
  std::string address;
  bool up;
  NodeRole role;
  std::string error_code;  // "" = none
  bool superseded = false;
  bool read_only = false;
  bool session_closed = false;
};

struct FoldCase {
  std::string name;
  std::map<std::string, CannedAnswer> answers;
  std::vector<NodeExpect> nodes;
  std::string writer;
  std::string sample_error;  // "" = none
};

TEST_F(PostgresFoldTest, OneSampleFoldsCannedResults) {
  const std::vector<FoldCase> cases = {
      {"primary_and_standby",
       {{kA, Primary(1)}, {kB, Standby(1)}},
       {{kA, true, NodeRole::kPrimary, ""},
        {kB, true, NodeRole::kStandby, "", false, true}},
       kA,
       ""},
      {"old_primary_read_only_after_promotion",
       {{kA, Primary(1, "on")}, {kB, Primary(2)}},
       {{kA, true, NodeRole::kPrimary, "", true, true},
        {kB, true, NodeRole::kPrimary, ""}},
       kB,
       ""},
      {"query_error_is_a_value",
       {{kA,
         {nullopt, {Failed("57P03", "the database system is starting up")}}},
        {kB, Primary(2)}},
       {{kA, false, NodeRole::kUnknown, "57P03", false, false, true},
        {kB, true, NodeRole::kPrimary, ""}},
       kB,
       ""},
      {"timeout_is_a_value",
       {{kA, Hangs()}, {kB, Primary(2)}},
       {{kA, false, NodeRole::kUnreachable, "timeout", false, false, true},
        {kB, true, NodeRole::kPrimary, ""}},
       kB,
       ""},
      {"refused_writer_standby_left",
       {{kA, Refused()}, {kB, Standby(1)}},
       {{kA, false, NodeRole::kUnreachable, "08001", false, false, true},
        {kB, true, NodeRole::kStandby, "", false, true}},
       "",
       ""},
      {"malformed_status_row",
       {{kA, Node({"f", "off"})}, {kB, Primary(1)}},
       {{kA, false, NodeRole::kUnknown, "bad_row"},
        {kB, true, NodeRole::kPrimary, ""}},
       kB,
       ""},
      {"no_node_up",
       {{kA, Refused()}, {kB, Hangs()}},
       {{kA, false, NodeRole::kUnreachable, "08001", false, false, true},
        {kB, false, NodeRole::kUnreachable, "timeout", false, false, true}},
       "",
       "no_node_up"},
  };
  for (const FoldCase& c : cases) {
    SCOPED_TRACE(c.name);
    answers_ = c.answers;
    Make(TwoNodes());
    SampleOutput out;
    auto obs = Sample(&out);
    ASSERT_TRUE(obs);
    EXPECT_EQ(obs->writer, c.writer);
    EXPECT_EQ(out.error ? out.error->code : "", c.sample_error);
    EXPECT_FALSE(out.families.empty());
    ASSERT_EQ(obs->nodes.size(), c.nodes.size());
    for (const NodeExpect& e : c.nodes) {
      SCOPED_TRACE(e.address);
      const NodeState* n = obs->FindNode(e.address);
      ASSERT_NE(n, nullptr);
      EXPECT_EQ(n->up, e.up);
      EXPECT_EQ(n->role, e.role) << NodeRoleName(n->role);
      EXPECT_EQ(n->error ? n->error->code : "", e.error_code);
      EXPECT_EQ(n->superseded, e.superseded);
      EXPECT_EQ(n->read_only, e.read_only);
      const CannedConnection* conn = ConnectionOf(e.address);
      ASSERT_NE(conn, nullptr);
      EXPECT_EQ(!conn->connected(), e.session_closed);
    }
  }
}

TEST_F(PostgresFoldTest, RoleChangeCountsOnePromotionAndOneDemotion) {
  answers_ = {{kA, Primary(1)}, {kB, Standby(1)}};
  Make(TwoNodes());
  auto before = Sample();
  ASSERT_TRUE(before);
  EXPECT_EQ(before->promotions_total, 0u);

  clock_.Advance(Millis(1000));
  const WallTime failover_seen = clock_.Wall();
  answers_ = {{kA, Node(StandbyRow(2, "127.0.0.3"))}, {kB, Primary(2)}};
  auto after = Sample();
  ASSERT_TRUE(after);
  const NodeState* a = after->FindNode(kA);
  const NodeState* b = after->FindNode(kB);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->role, NodeRole::kStandby);
  EXPECT_EQ(a->last_demotion, failover_seen);
  EXPECT_EQ(b->role, NodeRole::kPrimary);
  EXPECT_EQ(b->promotions_total, 1u);
  EXPECT_EQ(b->last_promotion, failover_seen);
  EXPECT_EQ(after->promotions_total, 1u);
  EXPECT_EQ(after->last_promotion, failover_seen);
  EXPECT_EQ(after->writer, kB);
}

TEST_F(PostgresFoldTest, DeadlineComesFromTheContextClock) {
  answers_ = {{kA, Primary(1)}, {kB, Standby(1)}};
  Make(TwoNodes());
  clock_.Advance(Millis(123'456));
  const SteadyTime start = clock_.Steady();
  Sample();
  ASSERT_EQ(client_->deadlines.size(), 1u);
  // 800 ms budget less the output margin (budget / 10, at most 30 ms).
  EXPECT_EQ(client_->deadlines[0], start + Millis(770));
  EXPECT_EQ(client_->clocks_seen[0], &clock_);
}

TEST_F(PostgresFoldTest, FailedNodeWaitsItsBackoffOnTheContextClock) {
  answers_ = {{kA, Refused()}, {kB, Primary(1)}};
  answers_[kB].takes = Millis(100);
  Make(TwoNodes());
  Sample();  // .2 fails at t+100 ms: next try after one interval (1 s)
  EXPECT_EQ(JobsTo(kA), 1u);

  clock_.Advance(Millis(500));
  auto obs = Sample();
  EXPECT_EQ(JobsTo(kA), 1u) << "retried inside the backoff";
  ASSERT_TRUE(obs && obs->FindNode(kA));
  EXPECT_EQ(obs->FindNode(kA)->role, NodeRole::kUnreachable);

  clock_.Advance(Millis(500));  // t+1.2 s: past t+100 ms + 1 s
  Sample();
  EXPECT_EQ(JobsTo(kA), 2u);
}

TEST_F(PostgresFoldTest, WriteProbeLatencyIsMeasuredOnTheContextClock) {
  PgDatabaseOptions config = TwoNodes();
  config.write_probe.enabled = true;
  answers_ = {{kA, Primary(1)}, {kB, Standby(1)}};
  Make(config);
  client_->answer = [this](const SessionJob& job) {
    if (job.target.application_name.starts_with(kProbeApplicationPrefix)) {
      CannedAnswer a{nullopt, {Rows({})}};
      a.takes = Millis(250);
      return a;
    }
    return answers_.at(JobAddress(job));
  };
  auto obs = Sample();
  ASSERT_TRUE(obs);
  ASSERT_EQ(obs->write_probes.size(), 2u);
  for (const auto& p : obs->write_probes) {
    SCOPED_TRACE(p.path);
    EXPECT_TRUE(p.ok) << p.sqlstate << " " << p.last_error;
    EXPECT_EQ(p.address, kA);
    EXPECT_DOUBLE_EQ(p.latency_seconds, 0.25);
  }
}

}  // namespace
}  // namespace failwatch
