// The admin console parsers against SHOW output of several PgBouncer
// versions: 1.18 (what is installed), an older layout without maxwait_us
// and cancel columns, a newer one with extra columns, NULLs and garbage.
#include "pgbouncer/pgbouncer_rows.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

using std::nullopt;

// PgBouncer 1.18.0, as printed by psql in the lab.
const std::vector<std::string> kPools118 = {"database",
                                            "user",
                                            "cl_active",
                                            "cl_waiting",
                                            "cl_active_cancel_req",
                                            "cl_waiting_cancel_req",
                                            "sv_active",
                                            "sv_active_cancel",
                                            "sv_being_canceled",
                                            "sv_idle",
                                            "sv_used",
                                            "sv_tested",
                                            "sv_login",
                                            "maxwait",
                                            "maxwait_us",
                                            "pool_mode"};

TEST(ParsePoolsTest, Version118WithMicroseconds) {
  AdminTable t{kPools118,
               {{"orders", "app", "1", "3", "0", "0", "1", "0", "0", "2", "0",
                 "0", "1", "2", "250000", "session"}}};
  auto pools = ParsePools(t);
  ASSERT_TRUE(pools.ok()) << pools.error().ToString();
  ASSERT_EQ(pools->size(), 1u);
  const PgBouncerPool& p = pools->front();
  EXPECT_EQ(p.database, "orders");
  EXPECT_EQ(p.user, "app");
  EXPECT_EQ(p.cl_active, 1);
  EXPECT_EQ(p.cl_waiting, 3);
  EXPECT_EQ(p.sv_active, 1);
  EXPECT_EQ(p.sv_idle, 2);
  EXPECT_EQ(p.sv_login, 1);
  EXPECT_DOUBLE_EQ(p.maxwait_seconds, 2.25);
  EXPECT_EQ(p.pool_mode, "session");
}

TEST(ParsePoolsTest, OldVersionWithoutMaxwaitUsOrPoolMode) {
  // PgBouncer 1.7: whole seconds only, no pool_mode column.
  AdminTable t{{"database", "user", "cl_active", "cl_waiting", "sv_active",
                "sv_idle", "sv_used", "sv_tested", "sv_login", "maxwait"},
               {{"db", "u", "48", "0", "48", "5", "0", "0", "0", "7"}}};
  auto pools = ParsePools(t);
  ASSERT_TRUE(pools.ok());
  EXPECT_EQ(pools->front().cl_active, 48);
  EXPECT_DOUBLE_EQ(pools->front().maxwait_seconds, 7);
  EXPECT_EQ(pools->front().pool_mode, "");
}

TEST(ParsePoolsTest, ExtraColumnsAndNullsAndReorder) {
  AdminTable t{
      {"pool_mode", "user", "database", "cl_waiting", "sv_idle",
       "load_balance_hosts", "maxwait_us", "maxwait"},
      {{"transaction", "app", "orders", nullopt, "4", "x", nullopt, "0"}}};
  auto pools = ParsePools(t);
  ASSERT_TRUE(pools.ok());
  EXPECT_EQ(pools->front().database, "orders");
  EXPECT_EQ(pools->front().cl_waiting, 0);
  EXPECT_EQ(pools->front().sv_idle, 4);
  EXPECT_EQ(pools->front().pool_mode, "transaction");
  EXPECT_DOUBLE_EQ(pools->front().maxwait_seconds, 0);
}

TEST(ParsePoolsTest, Errors) {
  struct Case {
    const char* name;
    AdminTable table;
  };
  const Case cases[] = {
      {"no database column", {{"user", "cl_active"}, {{"u", "1"}}}},
      {"garbage number",
       {{"database", "user", "cl_active"}, {{"d", "u", "many"}}}},
  };
  for (const Case& c : cases) {
    auto pools = ParsePools(c.table);
    ASSERT_FALSE(pools.ok()) << c.name;
    EXPECT_EQ(pools.error().code, "bad_reply") << c.name;
    EXPECT_EQ(pools.error().kind, ErrorKind::kInvalid) << c.name;
  }
}

TEST(ParsePoolsTest, ShortRowReadsMissingCellsAsZero) {
  AdminTable t{{"database", "user", "cl_active", "cl_waiting"},
               {{"d", "u", "2"}}};
  auto pools = ParsePools(t);
  ASSERT_TRUE(pools.ok());
  EXPECT_EQ(pools->front().cl_active, 2);
  EXPECT_EQ(pools->front().cl_waiting, 0);
}

TEST(ParseServersTest, Version118) {
  AdminTable t{
      {"type", "user", "database", "state", "addr", "port", "local_addr",
       "local_port", "connect_time", "request_time", "wait", "wait_us",
       "close_needed", "ptr", "link", "remote_pid", "tls", "application_name"},
      {{"S", "app", "orders", "active", "127.0.0.2", "55432", "127.0.0.1",
        "40000", "2024-05-01 10:00:00 UTC", "2024-05-01 10:00:01 UTC", "0", "0",
        "0", "0x1", "0x2", "1234", "", "app"},
       {"S", "app", "orders", "idle", "::1", "5432", nullopt, nullopt, nullopt,
        nullopt, nullopt, nullopt, nullopt, nullopt, nullopt, nullopt, nullopt,
        nullopt}}};
  auto servers = ParseServers(t);
  ASSERT_TRUE(servers.ok()) << servers.error().ToString();
  ASSERT_EQ(servers->size(), 2u);
  EXPECT_EQ((*servers)[0].addr, "127.0.0.2");
  EXPECT_EQ((*servers)[0].port, 55432);
  EXPECT_EQ((*servers)[0].state, "active");
  EXPECT_EQ((*servers)[0].connect_time, "2024-05-01 10:00:00 UTC");
  EXPECT_EQ((*servers)[1].addr, "::1");
  EXPECT_EQ((*servers)[1].connect_time, "");
}

TEST(ParseServersTest, PortOutOfRangeAndMissingColumn) {
  AdminTable bad_port{{"user", "database", "state", "addr", "port"},
                      {{"u", "d", "idle", "10.0.0.1", "70000"}}};
  EXPECT_FALSE(ParseServers(bad_port).ok());
  AdminTable no_addr{{"user", "database", "state", "port"}, {}};
  auto r = ParseServers(no_addr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("addr"), std::string::npos);
}

TEST(ParseDatabasesTest, Version118AndNewerColumns) {
  AdminTable t{{"name", "host", "port", "database", "force_user", "pool_size",
                "min_pool_size", "reserve_pool", "server_lifetime", "pool_mode",
                "load_balance_hosts", "max_connections", "current_connections",
                "paused", "disabled"},
               {{"orders", "db.lab.test", "5432", "orders", "", "20", "0", "0",
                 "3600", nullopt, "round-robin", "0", "3", "1", "0"},
                {"pgbouncer", nullopt, "6432", "pgbouncer", "pgbouncer", "2",
                 "0", "0", nullopt, "statement", nullopt, "0", "0", "0", "0"}}};
  auto dbs = ParseDatabases(t);
  ASSERT_TRUE(dbs.ok()) << dbs.error().ToString();
  ASSERT_EQ(dbs->size(), 2u);
  EXPECT_EQ((*dbs)[0].host, "db.lab.test");
  EXPECT_EQ((*dbs)[0].port, 5432);
  EXPECT_EQ((*dbs)[0].dbname, "orders");
  EXPECT_EQ((*dbs)[0].pool_size, 20);
  EXPECT_EQ((*dbs)[0].current_connections, 3);
  EXPECT_TRUE((*dbs)[0].paused);
  EXPECT_FALSE((*dbs)[0].disabled);
  EXPECT_EQ((*dbs)[1].host, "");
}

TEST(ParseStatsTest, MicrosecondsToSeconds) {
  AdminTable t{
      {"database", "total_xact_count", "total_query_count", "total_received",
       "total_sent", "total_xact_time", "total_query_time", "total_wait_time",
       "avg_xact_count", "total_server_assignment_count"},
      {{"orders", "10", "12", "1000", "2000", "1500000", "500000", "2500", "1",
        "9"}}};
  auto stats = ParseStats(t);
  ASSERT_TRUE(stats.ok());
  const PgBouncerStats& s = stats->front();
  EXPECT_EQ(s.xact_count, 10u);
  EXPECT_EQ(s.query_count, 12u);
  EXPECT_EQ(s.received_bytes, 1000u);
  EXPECT_EQ(s.sent_bytes, 2000u);
  EXPECT_DOUBLE_EQ(s.xact_seconds, 1.5);
  EXPECT_DOUBLE_EQ(s.query_seconds, 0.5);
  EXPECT_DOUBLE_EQ(s.wait_seconds, 0.0025);
}

TEST(ParseStatsTest, OldLayoutWithoutQueryCount) {
  // PgBouncer < 1.8: total_requests, total_query_time only.
  AdminTable t{{"database", "total_requests", "total_received", "total_sent",
                "total_query_time"},
               {{"orders", "5", "1", "2", "3000000"}}};
  auto stats = ParseStats(t);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->front().query_count, 0u);
  EXPECT_DOUBLE_EQ(stats->front().query_seconds, 3);
}

TEST(ParseVersionTest, RowsOrNone) {
  EXPECT_EQ(ParseVersion({{"version"}, {{"PgBouncer 1.18.0"}}}),
            "PgBouncer 1.18.0");
  EXPECT_EQ(ParseVersion({{"version"}, {}}), "");
  EXPECT_EQ(ParseVersion({{"version"}, {{nullopt}}}), "");
}

}  // namespace
}  // namespace failwatch
