// Drives PgBouncerCollector::Sample against a real PgBouncer 1.18 in front
// of a real PostgreSQL 15 primary + standby (scripts/lab/pg.sh and
// scripts/lab/pgbouncer.sh), with the real PostgresCollector's observation
// in the snapshot for the node roles. The lab uses its own loopback
// addresses (127.0.0.22/.23 for PostgreSQL, .24 for PgBouncer) so it can
// run next to the other live tests. Skipped only when PgBouncer or the
// PostgreSQL 15 server binaries are not installed.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/snapshot.h"
#include "pgbouncer/pgbouncer_collector.h"
#include "postgres/postgres_collector.h"

namespace failwatch {
namespace {

using namespace std::chrono_literals;

constexpr char kPostgresBin[] = "/usr/lib/postgresql/15/bin/postgres";
constexpr char kPgBouncerBin[] = "/usr/sbin/pgbouncer";
constexpr char kNode1[] = "127.0.0.22:55432";
constexpr char kNode2[] = "127.0.0.23:55432";
constexpr char kPgbIp[] = "127.0.0.24";
constexpr std::uint16_t kPgbPort = 56432;
constexpr Millis kTimeout{800};

std::string Scripts() {
  return std::string(FAILWATCH_TESTDATA_DIR) + "/../../scripts/lab/";
}

// Runs `command` with both labs' functions loaded; returns the exit status.
int Lab(const std::string& command) {
  std::string full =
      "PG_LAB_IP1=127.0.0.22 PG_LAB_IP2=127.0.0.23 bash -c 'source \"" +
      Scripts() + "pg.sh\" && source \"" + Scripts() + "pgbouncer.sh\" && " +
      command + "'";
  int rc = std::system(full.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

PgDatabaseOptions LabConfig() {
  PgDatabaseOptions c;
  c.name = "orders";
  // A name no DNS collector resolves here: the pools are judged writer
  // pools by pointing at the primary, and remembered as such.
  c.endpoint = {"db.lab.test", 55432};
  c.members = {{"127.0.0.22", 55432}, {"127.0.0.23", 55432}};
  c.user = "failwatch";
  c.password = Secret("failwatch-pw");
  c.dbname = "postgres";
  c.sslmode = "disable";
  c.schedule.timeout = kTimeout;
  return c;
}

PgBouncerConfig LabPgBouncer() {
  PgBouncerConfig p;
  p.address = {kPgbIp, kPgbPort};
  p.user = "failwatch";  // a stats_users member: SHOW only
  p.password = Secret("failwatch-pw");
  p.schedule.timeout = kTimeout;
  return p;
}

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using AppConn = std::unique_ptr<PGconn, PgConnDeleter>;

// An application connection through PgBouncer (session pooling: it holds
// one server connection until it disconnects).
AppConn OpenApp(const std::string& db) {
  std::string conninfo =
      std::string("hostaddr=") + kPgbIp + " port=" + std::to_string(kPgbPort) +
      " user=app password=app-pw dbname=" + db + " connect_timeout=5";
  AppConn c(PQconnectdb(conninfo.c_str()));
  EXPECT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
  return c;
}

void Exec(PGconn* c, const char* sql) {
  PGresult* r = PQexec(c, sql);
  EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK ||
              PQresultStatus(r) == PGRES_TUPLES_OK)
      << sql << ": " << PQerrorMessage(c);
  PQclear(r);
}

class PgBouncerLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kPostgresBin, X_OK) != 0 || access(kPgBouncerBin, X_OK) != 0) {
      GTEST_SKIP() << "PostgreSQL 15 or PgBouncer not installed";
    }
    char tmpl[] = "/tmp/failwatch-pgblive.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    lab_ = dir_ + "/lab";
    pgb_ = dir_ + "/pgbouncer";
    started_ = true;
    ASSERT_EQ(Lab("pg_lab_init " + lab_), 0) << "pg lab setup failed";
    ASSERT_EQ(Lab("pgb_lab_init " + pgb_ + " " + kPgbIp + " " +
                  std::to_string(kPgbPort) +
                  " \"orders=host=127.0.0.22 port=55432 dbname=postgres\""
                  " \"tiny=host=127.0.0.22 port=55432 dbname=postgres "
                  "pool_size=1\" && pgb_lab_start " +
                  pgb_),
              0)
        << "pgbouncer setup failed";
  }

  void TearDown() override {
    if (!started_) return;
    apps_.clear();
    Lab("kill -CONT $(pgb_lab_pid " + pgb_ + ") 2>/dev/null; pgb_lab_stop " +
        pgb_ + "; pg_lab_stop " + lab_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Samples PostgreSQL until `done` holds (max ~20 s) and publishes it in
  // the snapshot the PgBouncer collector reads.
  void SamplePgUntil(const std::function<bool(const PgObservation&)>& done) {
    std::shared_ptr<const PgObservation> obs;
    for (int i = 0; i < 80; ++i) {
      SampleContext ctx = Context(kTimeout, nullptr);
      auto out = pg_->Sample(ctx);
      obs = std::dynamic_pointer_cast<const PgObservation>(out.observation);
      if (obs && done(*obs)) break;
      std::this_thread::sleep_for(250ms);
    }
    ASSERT_TRUE(obs && done(*obs)) << "postgres state not reached";
    auto snap = std::make_shared<Snapshot>();
    TargetState ts;
    ts.key = {kPostgresKind, "orders"};
    ts.observation = obs;
    ts.sampled = true;
    snap->targets[ts.key] = ts;
    snapshot_ = snap;
  }

  SampleContext Context(Millis timeout,
                        std::shared_ptr<const Snapshot> snap) const {
    SampleContext ctx;
    ctx.clock = &SystemClock::Get();
    ctx.now = ctx.clock->Wall();
    ctx.deadline = ctx.clock->Steady() + timeout;
    ctx.snapshot = std::move(snap);
    return ctx;
  }

  SampleOutput Sample(Millis timeout = kTimeout) {
    return pgb_collector_->Sample(Context(timeout, snapshot_));
  }

  std::shared_ptr<const PgBouncerObservation> Obs(const SampleOutput& out) {
    EXPECT_FALSE(out.error) << out.error->ToString();
    return std::dynamic_pointer_cast<const PgBouncerObservation>(
        out.observation);
  }

  // Samples PgBouncer until `done` holds (max ~10 s).
  std::shared_ptr<const PgBouncerObservation> SampleUntil(
      const std::function<bool(const PgBouncerObservation&)>& done) {
    std::shared_ptr<const PgBouncerObservation> obs;
    for (int i = 0; i < 50; ++i) {
      obs = Obs(Sample());
      if (obs && done(*obs)) return obs;
      std::this_thread::sleep_for(200ms);
    }
    return obs;
  }

  static bool Writer(const PgObservation& pg, const std::string& node) {
    const NodeState* n = pg.FindNode(node);
    return pg.writer == node && n != nullptr && n->up;
  }

  std::string dir_, lab_, pgb_;
  bool started_ = false;
  PgDatabaseOptions config_ = LabConfig();
  std::unique_ptr<PostgresCollector> pg_ =
      std::make_unique<PostgresCollector>(config_);
  std::unique_ptr<PgBouncerCollector> pgb_collector_ =
      std::make_unique<PgBouncerCollector>(config_, LabPgBouncer());
  std::shared_ptr<const Snapshot> snapshot_;
  std::vector<AppConn> apps_;
};

std::int64_t Servers(const PgBouncerObservation& obs, const std::string& db,
                     const std::string& address, ServerRole role) {
  std::int64_t n = 0;
  for (const auto& g : obs.servers) {
    if (g.pool_db == db && g.address == address && g.role == role) {
      n += g.count;
    }
  }
  return n;
}

TEST_F(PgBouncerLiveTest, HeldClientsAndServersOnThePrimary) {
  SamplePgUntil([](const PgObservation& pg) { return Writer(pg, kNode1); });
  for (int i = 0; i < 3; ++i) apps_.push_back(OpenApp("orders"));
  for (auto& a : apps_) Exec(a.get(), "SELECT 1");

  auto out = Sample();
  auto obs = Obs(out);
  ASSERT_TRUE(obs);
  EXPECT_EQ(obs->version, "PgBouncer 1.18.0");
  EXPECT_TRUE(obs->roles_known);
  const PgBouncerPool* pool = obs->FindPool("orders", "app");
  ASSERT_TRUE(pool);
  EXPECT_EQ(pool->cl_active, 3);
  EXPECT_EQ(pool->cl_waiting, 0);
  EXPECT_EQ(pool->sv_active, 3);
  EXPECT_EQ(pool->pool_mode, "session");
  EXPECT_EQ(obs->FindPool("pgbouncer", "pgbouncer"), nullptr);  // admin
  ASSERT_EQ(obs->databases.size(), 2u);  // orders, tiny; not the console
  EXPECT_EQ(obs->databases[0].name, "orders");
  EXPECT_EQ(obs->databases[0].host, "127.0.0.22");
  EXPECT_EQ(obs->databases[0].port, 55432);
  EXPECT_EQ(obs->pool_targets.at("orders"), PoolTarget::kWriter);
  EXPECT_EQ(Servers(*obs, "orders", kNode1, ServerRole::kPrimary), 3);
  EXPECT_EQ(obs->StaleTotal(), 0);
  bool stats_seen = false;
  for (const auto& s : obs->stats) {
    if (s.database == "orders") stats_seen = s.query_count >= 3;
  }
  EXPECT_TRUE(stats_seen);

  // The families carry the same numbers.
  bool found = false;
  for (const auto& f : out.families) {
    if (f.name != "failwatch_pgbouncer_server_connections") continue;
    for (const auto& m : f.metric) {
      found = found || m.gauge.value == 3;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(PgBouncerLiveTest, WaitingClientsWhenThePoolIsExhausted) {
  SamplePgUntil([](const PgObservation& pg) { return Writer(pg, kNode1); });
  // pool_size=1: the first client holds the only server connection.
  apps_.push_back(OpenApp("tiny"));
  Exec(apps_[0].get(), "BEGIN");
  Exec(apps_[0].get(), "SELECT 1");
  apps_.push_back(OpenApp("tiny"));
  ASSERT_EQ(PQsendQuery(apps_[1].get(), "SELECT 1"), 1);

  auto obs = SampleUntil([](const PgBouncerObservation& o) {
    const PgBouncerPool* p = o.FindPool("tiny", "app");
    return p != nullptr && p->cl_waiting == 1 && p->maxwait_seconds > 0.3;
  });
  ASSERT_TRUE(obs);
  const PgBouncerPool* p = obs->FindPool("tiny", "app");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->cl_waiting, 1);
  EXPECT_EQ(p->cl_active, 1);
  EXPECT_EQ(p->sv_active, 1);
  // Sub-second precision: PgBouncer's maxwait column alone would say 0.
  EXPECT_GT(p->maxwait_seconds, 0.3);
  EXPECT_LT(p->maxwait_seconds, 30);
  EXPECT_EQ(obs->WaitingClients(), 1);

  // The holder commits; the waiter gets the server.
  Exec(apps_[0].get(), "COMMIT");
  apps_[0].reset();
  obs = SampleUntil([](const PgBouncerObservation& o) {
    const PgBouncerPool* q = o.FindPool("tiny", "app");
    return q != nullptr && q->cl_waiting == 0;
  });
  ASSERT_TRUE(obs);
  EXPECT_DOUBLE_EQ(obs->FindPool("tiny", "app")->maxwait_seconds, 0);
}

TEST_F(PgBouncerLiveTest, FailoverMakesKeptServersStaleUntilRetargeted) {
  SamplePgUntil([](const PgObservation& pg) { return Writer(pg, kNode1); });
  for (int i = 0; i < 2; ++i) apps_.push_back(OpenApp("orders"));
  for (auto& a : apps_) Exec(a.get(), "SELECT 1");
  auto obs = Obs(Sample());
  ASSERT_TRUE(obs);
  EXPECT_EQ(obs->StaleTotal(), 0);
  EXPECT_EQ(obs->pool_targets.at("orders"), PoolTarget::kWriter);

  // Promote the standby; nobody stops the old primary (its timeline is now
  // lower: superseded). PgBouncer keeps its server connections there.
  ASSERT_EQ(Lab("pg_lab_promote " + lab_ + " node2"), 0);
  SamplePgUntil([](const PgObservation& pg) {
    const NodeState* old = pg.FindNode(kNode1);
    return Writer(pg, kNode2) && old != nullptr && old->superseded;
  });
  obs = Obs(Sample());
  ASSERT_TRUE(obs);
  // Still a writer pool although it no longer points at the writer: it was
  // the writer pool before the failover.
  EXPECT_EQ(obs->pool_targets.at("orders"), PoolTarget::kWriter);
  ASSERT_EQ(obs->stale_servers.size(), 1u);
  EXPECT_EQ(obs->stale_servers[0].pool_db, "orders");
  EXPECT_EQ(obs->stale_servers[0].address, kNode1);
  EXPECT_EQ(obs->stale_servers[0].role, ServerRole::kSupersededPrimary);
  EXPECT_EQ(obs->stale_servers[0].count, 2);
  // "tiny" also points at 127.0.0.22 and has an idle server from nobody:
  // no servers, nothing stale.

  // Retarget PgBouncer at the new primary. Servers linked to clients stay
  // until released (session pooling): still stale.
  ASSERT_EQ(Lab("pgb_lab_set_db " + pgb_ +
                " orders \"host=127.0.0.23 port=55432 dbname=postgres\" && "
                "pgb_lab_reload " +
                pgb_),
            0);
  obs = Obs(Sample());
  ASSERT_TRUE(obs);
  EXPECT_EQ(obs->databases[0].host, "127.0.0.23");
  EXPECT_EQ(obs->pool_targets.at("orders"), PoolTarget::kWriter);
  EXPECT_EQ(obs->StaleTotal(), 2);

  // The apps reconnect: new server connections go to the new primary and
  // the stale ones are closed on release.
  apps_.clear();
  apps_.push_back(OpenApp("orders"));
  Exec(apps_[0].get(), "SELECT 1");
  obs = SampleUntil([](const PgBouncerObservation& o) {
    return o.StaleTotal() == 0 &&
           Servers(o, "orders", kNode2, ServerRole::kPrimary) == 1;
  });
  ASSERT_TRUE(obs);
  EXPECT_EQ(obs->StaleTotal(), 0);
  EXPECT_EQ(Servers(*obs, "orders", kNode2, ServerRole::kPrimary), 1);
  EXPECT_EQ(Servers(*obs, "orders", kNode1, ServerRole::kSupersededPrimary), 0);
}

TEST_F(PgBouncerLiveTest, KilledOrHungPgBouncerFailsWithinTheDeadline) {
  auto obs = Obs(Sample());
  ASSERT_TRUE(obs);
  EXPECT_FALSE(obs->roles_known);  // no PostgreSQL observation published

  // Hung (SIGSTOP): the kept session gets no answer.
  ASSERT_EQ(Lab("kill -STOP $(pgb_lab_pid " + pgb_ + ")"), 0);
  auto start = std::chrono::steady_clock::now();
  auto out = Sample(500ms);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, "timeout");
  EXPECT_LE(took, 600ms);
  EXPECT_FALSE(out.observation);
  EXPECT_FALSE(out.families.empty());  // every family, no samples
  for (const auto& f : out.families) EXPECT_TRUE(f.metric.empty()) << f.name;

  // Killed: connection refused, well before the deadline.
  ASSERT_EQ(
      Lab("kill -CONT $(pgb_lab_pid " + pgb_ + ") && pgb_lab_kill " + pgb_), 0);
  start = std::chrono::steady_clock::now();
  out = Sample(500ms);
  took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::kUnavailable) << out.error->ToString();
  EXPECT_LE(took, 600ms);

  // Back: the collector reconnects on its own.
  ASSERT_EQ(Lab("pgb_lab_start " + pgb_), 0);
  obs = Obs(Sample());
  ASSERT_TRUE(obs);
  EXPECT_EQ(obs->version, "PgBouncer 1.18.0");
}

}  // namespace
}  // namespace failwatch
