#include "postgres/pg_rows.h"

#include <gtest/gtest.h>

#include "postgres/pg_queries.h"

namespace failwatch {
namespace {

using std::nullopt;

PgRow StandbyRow() {
  return {"t",    "on",   "150004",    "1700000000.5", nullopt, "2", "1",
          "0.25", "4096", "streaming", "127.0.0.2",    "55432", "17"};
}

TEST(ParseNodeStatus, Primary) {
  PgRow row = {"f",
               "off",
               "150004",
               "1700000000.123456",
               "000000030000000000000007",
               nullopt,
               "2",
               nullopt,
               nullopt,
               nullopt,
               nullopt,
               nullopt,
               nullopt};
  auto r = ParseNodeStatus({row});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_FALSE(r->in_recovery);
  EXPECT_FALSE(r->read_only);
  EXPECT_EQ(r->server_version_num, 150004);
  EXPECT_DOUBLE_EQ(r->postmaster_start, 1700000000.123456);
  EXPECT_EQ(r->wal_file, "000000030000000000000007");
  EXPECT_FALSE(r->received_tli);
  EXPECT_EQ(r->checkpoint_tli, 2u);
  EXPECT_FALSE(r->replay_lag_seconds);
  EXPECT_FALSE(r->sender_host);
  EXPECT_FALSE(r->xact_rollback_total);  // NULL: not readable
}

TEST(ParseNodeStatus, Standby) {
  auto r = ParseNodeStatus({StandbyRow()});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->in_recovery);
  EXPECT_TRUE(r->read_only);
  EXPECT_EQ(r->received_tli, 2u);
  EXPECT_DOUBLE_EQ(*r->replay_lag_seconds, 0.25);
  EXPECT_EQ(r->replay_lag_bytes, 4096);
  EXPECT_EQ(r->receiver_status, "streaming");
  EXPECT_EQ(r->sender_host, "127.0.0.2");
  EXPECT_EQ(r->sender_port, 55432);
  EXPECT_EQ(r->xact_rollback_total, 17);
}

TEST(ParseNodeStatus, RollbackTotal) {
  // sum() over bigint is numeric: "12" or "12.0"; garbage is an error.
  PgRow row = StandbyRow();
  row[kStatusXactRollback] = "123456789012";
  auto r = ParseNodeStatus({row});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->xact_rollback_total, 123456789012);
  row[kStatusXactRollback] = "0";
  EXPECT_EQ(ParseNodeStatus({row})->xact_rollback_total, 0);
  row[kStatusXactRollback] = "many";
  auto bad = ParseNodeStatus({row});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "bad_row");
}

TEST(ParseNodeStatus, RejectsWrongShapeAndGarbage) {
  EXPECT_FALSE(ParseNodeStatus({}).ok());
  EXPECT_FALSE(ParseNodeStatus({StandbyRow(), StandbyRow()}).ok());
  PgRow short_row = StandbyRow();
  short_row.pop_back();
  EXPECT_FALSE(ParseNodeStatus({short_row}).ok());
  PgRow bad = StandbyRow();
  bad[kStatusReplayLagBytes] = "lots";
  auto r = ParseNodeStatus({bad});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_row");
  PgRow null_recovery = StandbyRow();
  null_recovery[kStatusInRecovery] = nullopt;
  EXPECT_FALSE(ParseNodeStatus({null_recovery}).ok());
}

TEST(ParseReplicationRows, NullsAndNumericLag) {
  std::vector<PgRow> rows = {
      {"127.0.0.3", "node2", "streaming", "async", "0", "0.001"},
      {nullopt, "walreceiver", "startup", "async", nullopt, nullopt},
      {"10.0.0.9", "node3", "catchup", "sync", "123456789012", nullopt},
  };
  auto r = ParseReplicationRows(rows);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].client_addr, "127.0.0.3");
  EXPECT_EQ((*r)[0].lag_bytes, 0);
  EXPECT_DOUBLE_EQ(*(*r)[0].replay_lag_seconds, 0.001);
  EXPECT_EQ((*r)[1].client_addr, "");
  EXPECT_FALSE((*r)[1].lag_bytes);
  EXPECT_EQ((*r)[2].lag_bytes, 123456789012);
  EXPECT_EQ((*r)[2].sync_state, "sync");
}

TEST(ParseActivityRows, GroupsWithStartArrays) {
  std::vector<PgRow> rows = {
      {"orders-api", "app", "127.0.0.1", "idle", "postgres", "3",
       "{1700000000.5,1700000001,1700000002.25}", nullopt, nullopt},
      {"", "app", "local", "active", "postgres", "1", "{1700000003}", nullopt,
       nullopt},
      {"psql", "postgres", "", "", "", "2", nullopt, nullopt, nullopt},
  };
  auto r = ParseActivityRows(rows);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].count, 3);
  EXPECT_EQ((*r)[0].backend_starts,
            (std::vector<double>{1700000000.5, 1700000001, 1700000002.25}));
  EXPECT_EQ((*r)[1].client_addr, "local");
  EXPECT_TRUE((*r)[2].backend_starts.empty());
  // A primary sends NULL statement columns: no verbs, no state changes.
  EXPECT_TRUE((*r)[0].last_verbs.empty());
  EXPECT_TRUE((*r)[0].state_changes.empty());
  rows[0][kActCount] = "-1";
  EXPECT_FALSE(ParseActivityRows(rows).ok());
  rows[0][kActCount] = "3";
  rows[0][kActBackendStarts] = "1,2";
  EXPECT_FALSE(ParseActivityRows(rows).ok());
}

// On a node in recovery the last statements arrive as text[] in the
// server's quoting; only verbs come out, aligned with backend_starts.
TEST(ParseActivityRows, StandbyStatementsBecomeVerbs) {
  std::vector<PgRow> rows = {
      {"orders-api", "app", "127.0.0.1", "idle in transaction (aborted)",
       "postgres", "4", "{1700000000,1700000001,1700000002,1700000003}",
       R"sql({"INSERT INTO orders VALUES ($1, 'a\"b;')",)sql"
       R"sql("SELECT 1",NULL,""})sql",
       "{1700000100.5,1700000101,0,1700000103}"},
  };
  auto r = ParseActivityRows(rows);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ((*r)[0].last_verbs.size(), 4u);
  EXPECT_EQ((*r)[0].last_verbs[0], StatementVerb::kInsert);
  EXPECT_EQ((*r)[0].last_verbs[1], StatementVerb::kNone);
  EXPECT_EQ((*r)[0].last_verbs[2], StatementVerb::kNone);  // NULL
  EXPECT_EQ((*r)[0].last_verbs[3], StatementVerb::kNone);  // ""
  EXPECT_EQ((*r)[0].state_changes,
            (std::vector<double>{1700000100.5, 1700000101, 0, 1700000103}));

  auto bad = rows;
  bad[0][kActStateChanges] = nullopt;  // one of the pair missing
  EXPECT_FALSE(ParseActivityRows(bad).ok());
  bad = rows;
  bad[0][kActStateChanges] = "{1,2,3}";  // not aligned
  EXPECT_FALSE(ParseActivityRows(bad).ok());
  bad = rows;
  bad[0][kActLastStatements] = R"({"INSERT INTO t)";  // unterminated
  EXPECT_FALSE(ParseActivityRows(bad).ok());
}

TEST(ParseStatementVerbArray, ServerQuoting) {
  using V = StatementVerb;
  EXPECT_EQ(ParseStatementVerbArray("{}"), std::vector<V>{});
  EXPECT_EQ(ParseStatementVerbArray("{COMMIT,NULL}"),
            (std::vector<V>{V::kNone, V::kNone}));
  // A comma and a brace inside quotes do not split.
  EXPECT_EQ(ParseStatementVerbArray(R"({"select 1, 2 for update","{x}"})"),
            (std::vector<V>{V::kSelectForUpdate, V::kNone}));
  // "NULL" quoted is the text NULL, not a NULL element.
  EXPECT_EQ(ParseStatementVerbArray(R"({"NULL","delete from t"})"),
            (std::vector<V>{V::kNone, V::kDelete}));
  EXPECT_FALSE(ParseStatementVerbArray("x"));
  EXPECT_FALSE(ParseStatementVerbArray(R"({"a"b})"));
}

TEST(ActivitySql, CutsStatementsAtTheClassifierLimit) {
  const std::string sql = kActivitySql;
  EXPECT_NE(sql.find(std::to_string(kStatementTextLimit) + ") ORDER BY"),
            std::string::npos);
  EXPECT_NE(sql.find("CASE WHEN pg_is_in_recovery() THEN array_agg(left("),
            std::string::npos);
}

TEST(PgScalars, Parse) {
  EXPECT_EQ(ParsePgBool("t"), true);
  EXPECT_EQ(ParsePgBool("off"), false);
  EXPECT_FALSE(ParsePgBool("yes?"));
  EXPECT_EQ(ParsePgInt("42"), 42);
  EXPECT_EQ(ParsePgInt("4096.0"), 4096);
  EXPECT_FALSE(ParsePgInt("1.5"));
  EXPECT_FALSE(ParsePgInt(""));
  EXPECT_FALSE(ParsePgDouble("NaN"));
  EXPECT_EQ(ParsePgNumberArray("{}"), std::vector<double>{});
  EXPECT_EQ(ParsePgNumberArray("{1,NULL,2}"), (std::vector<double>{1, 2}));
  EXPECT_FALSE(ParsePgNumberArray("{1,x}"));
}

TEST(TimelineFromWalFile, FirstEightHexDigits) {
  EXPECT_EQ(TimelineFromWalFile("000000010000000000000001"), 1u);
  EXPECT_EQ(TimelineFromWalFile("0000000A0000000000000001"), 10u);
  EXPECT_EQ(TimelineFromWalFile("0000001f00000000000000FF"), 31u);
  EXPECT_FALSE(TimelineFromWalFile("00000000000000000000000"));  // tli 0
  EXPECT_FALSE(TimelineFromWalFile("0000001"));
  EXPECT_FALSE(TimelineFromWalFile("zzzzzzzz0000000000000001"));
}

}  // namespace
}  // namespace failwatch
