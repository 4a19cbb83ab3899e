// Pool classification and the server x node role join, table-driven.
#include "pgbouncer/server_join.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

PgDatabaseOptions Config() {
  PgDatabaseOptions c;
  c.name = "orders";
  c.endpoint = {"db.lab.test", 5432};
  c.reader_endpoint = HostPort{"ro.lab.test", 5432};
  return c;
}

NodeState Node(const std::string& address, NodeRole role, bool up = true,
               bool superseded = false) {
  NodeState n;
  n.address = address;
  n.role = role;
  n.up = up;
  n.superseded = superseded;
  return n;
}

// After a failover: .3 promoted, .2 demoted to standby, .4 unreachable,
// .5 an old primary nobody stopped.
PgObservation AfterFailover() {
  PgObservation pg;
  pg.database = "orders";
  pg.nodes = {Node("10.0.0.2:5432", NodeRole::kStandby),
              Node("10.0.0.3:5432", NodeRole::kPrimary),
              Node("10.0.0.4:5432", NodeRole::kUnreachable, false),
              Node("10.0.0.5:5432", NodeRole::kPrimary, true, true)};
  pg.writer = "10.0.0.3:5432";
  pg.primaries = 2;
  EndpointTarget t;
  t.endpoint = "db.lab.test:5432";
  t.endpoint_role = "writer";
  t.address = "10.0.0.3:5432";
  t.node_role = NodeRole::kPrimary;
  pg.endpoint_targets = {t};
  return pg;
}

PgBouncerDatabase Db(const std::string& name, const std::string& host,
                     std::uint16_t port = 5432) {
  PgBouncerDatabase d;
  d.name = name;
  d.host = host;
  d.port = port;
  return d;
}

TEST(ClassifyPoolTest, Table) {
  const PgObservation pg = AfterFailover();
  struct Case {
    const char* name;
    PgBouncerDatabase db;
    bool with_pg;
    WriterPoolMemory memory;
    PoolTarget want;
  };
  const Case cases[] = {
      {"writer endpoint by name",
       Db("a", "db.lab.test"),
       true,
       {},
       PoolTarget::kWriter},
      {"writer endpoint, case-insensitive",
       Db("a", "DB.Lab.Test"),
       false,
       {},
       PoolTarget::kWriter},
      {"writer endpoint, other port",
       Db("a", "db.lab.test", 6543),
       true,
       {},
       PoolTarget::kOther},
      {"address the endpoint resolves to",
       Db("a", "10.0.0.3"),
       true,
       {},
       PoolTarget::kWriter},
      {"reader endpoint",
       Db("a", "ro.lab.test"),
       true,
       {},
       PoolTarget::kReader},
      {"standby IP, never a writer pool",
       Db("a", "10.0.0.2"),
       true,
       {},
       PoolTarget::kOther},
      {"old primary IP, remembered as writer pool",
       Db("a", "10.0.0.2"),
       true,
       {{"a", "10.0.0.2:5432"}},
       PoolTarget::kWriter},
      {"memory of another target does not count",
       Db("a", "10.0.0.2"),
       true,
       {{"a", "10.0.0.9:5432"}},
       PoolTarget::kOther},
      {"host list with the writer",
       Db("a", "10.0.0.2, 10.0.0.3"),
       true,
       {},
       PoolTarget::kWriter},
      {"unix socket",
       Db("a", "/var/run/postgresql"),
       true,
       {},
       PoolTarget::kOther},
      {"no host (auto database)", Db("a", ""), true, {}, PoolTarget::kOther},
      {"IP without pg observation",
       Db("a", "10.0.0.3"),
       false,
       {},
       PoolTarget::kOther},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ClassifyPool(c.db, Config(), c.with_pg ? &pg : nullptr, c.memory),
              c.want)
        << c.name;
  }
}

TEST(RoleOfAddressTest, Table) {
  const PgObservation pg = AfterFailover();
  PgObservation refused;
  refused.nodes = {Node("10.0.0.6:5432", NodeRole::kUnknown, false)};
  struct Case {
    std::string address;
    const PgObservation* pg;
    ServerRole want;
  };
  const Case cases[] = {
      {"10.0.0.3:5432", &pg, ServerRole::kPrimary},
      {"10.0.0.2:5432", &pg, ServerRole::kStandby},
      {"10.0.0.4:5432", &pg, ServerRole::kUnreachable},
      {"10.0.0.5:5432", &pg, ServerRole::kSupersededPrimary},
      {"10.0.0.9:5432", &pg, ServerRole::kUnknown},
      {"10.0.0.3:5432", nullptr, ServerRole::kUnknown},
      {"10.0.0.6:5432", &refused, ServerRole::kUnknown},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RoleOfAddress(c.address, c.pg), c.want) << c.address;
  }
}

PgBouncerServer Server(const std::string& db, const std::string& addr,
                       const std::string& state, std::uint16_t port = 5432) {
  PgBouncerServer s;
  s.database = db;
  s.user = "app";
  s.state = state;
  s.addr = addr;
  s.port = port;
  return s;
}

TEST(JoinServersTest, CountsStaleOnlyForWriterPools) {
  const PgObservation pg = AfterFailover();
  PgBouncerObservation obs;
  // "orders" pointed at 10.0.0.2 while it was the primary (remembered);
  // "reports" points at the standby on purpose.
  obs.databases = {Db("orders", "10.0.0.2"), Db("reports", "10.0.0.2"),
                   Db("new", "db.lab.test")};
  WriterPoolMemory memory = {{"orders", "10.0.0.2:5432"}};
  std::vector<PgBouncerServer> servers = {
      Server("orders", "10.0.0.2", "active"),
      Server("orders", "10.0.0.2", "active"),
      Server("orders", "10.0.0.2", "idle"),
      Server("orders", "10.0.0.5", "idle"),
      Server("reports", "10.0.0.2", "active"),
      Server("new", "10.0.0.3", "active"),
      Server("new", "10.0.0.9", "idle"),
  };
  JoinServers(servers, Config(), &pg, memory, obs);
  EXPECT_TRUE(obs.roles_known);
  EXPECT_EQ(obs.pool_targets["orders"], PoolTarget::kWriter);
  EXPECT_EQ(obs.pool_targets["reports"], PoolTarget::kOther);
  EXPECT_EQ(obs.pool_targets["new"], PoolTarget::kWriter);
  EXPECT_EQ(memory.at("new"), "db.lab.test:5432");
  EXPECT_EQ(memory.count("reports"), 0u);

  ASSERT_EQ(obs.stale_servers.size(), 2u);
  EXPECT_EQ(obs.stale_servers[0].address, "10.0.0.2:5432");
  EXPECT_EQ(obs.stale_servers[0].role, ServerRole::kStandby);
  EXPECT_EQ(obs.stale_servers[0].count, 3);  // active + idle
  EXPECT_EQ(obs.stale_servers[1].address, "10.0.0.5:5432");
  EXPECT_EQ(obs.stale_servers[1].role, ServerRole::kSupersededPrimary);
  EXPECT_EQ(obs.StaleTotal(), 4);

  // Groups: one per pool x address x state.
  ASSERT_EQ(obs.servers.size(), 6u);
  std::int64_t total = 0;
  for (const auto& g : obs.servers) total += g.count;
  EXPECT_EQ(total, 7);
  for (const auto& g : obs.servers) {
    if (g.address == "10.0.0.9:5432") {
      EXPECT_EQ(g.role, ServerRole::kUnknown);  // not in the node set
    }
  }
}

TEST(JoinServersTest, RetargetedPoolForgetsOldTargetButOldServersStayStale) {
  const PgObservation pg = AfterFailover();
  WriterPoolMemory memory = {{"orders", "10.0.0.2:5432"}};
  PgBouncerObservation obs;
  // RELOAD pointed the pool at the new primary; a released-later server
  // still sits on the old node.
  obs.databases = {Db("orders", "10.0.0.3")};
  JoinServers({Server("orders", "10.0.0.2", "active"),
               Server("orders", "10.0.0.3", "idle")},
              Config(), &pg, memory, obs);
  EXPECT_EQ(memory.at("orders"), "10.0.0.3:5432");
  EXPECT_EQ(obs.StaleTotal(), 1);

  // Pointed at the standby afterwards (a mistake): not the writer, not
  // remembered, so its servers are shown but not counted.
  PgBouncerObservation later;
  later.databases = {Db("orders", "10.0.0.2")};
  JoinServers({Server("orders", "10.0.0.2", "idle")}, Config(), &pg, memory,
              later);
  EXPECT_EQ(later.pool_targets["orders"], PoolTarget::kOther);
  EXPECT_EQ(later.StaleTotal(), 0);
  EXPECT_EQ(memory.count("orders"), 0u);
}

TEST(JoinServersTest, WithoutRolesNothingIsStale) {
  WriterPoolMemory memory;
  PgBouncerObservation obs;
  obs.databases = {Db("orders", "db.lab.test")};
  JoinServers({Server("orders", "10.0.0.2", "active")}, Config(), nullptr,
              memory, obs);
  EXPECT_FALSE(obs.roles_known);
  EXPECT_EQ(obs.pool_targets["orders"], PoolTarget::kWriter);
  ASSERT_EQ(obs.servers.size(), 1u);
  EXPECT_EQ(obs.servers[0].role, ServerRole::kUnknown);
  EXPECT_EQ(obs.StaleTotal(), 0);
}

TEST(JoinServersTest, ServersOfARemovedWriterDatabase) {
  const PgObservation pg = AfterFailover();
  WriterPoolMemory memory = {{"gone", "10.0.0.2:5432"}};
  PgBouncerObservation obs;  // "gone" no longer in SHOW DATABASES
  JoinServers({Server("gone", "10.0.0.2", "active")}, Config(), &pg, memory,
              obs);
  EXPECT_EQ(obs.StaleTotal(), 1);
}

}  // namespace
}  // namespace failwatch
