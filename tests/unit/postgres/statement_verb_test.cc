#include "postgres/statement_verb.h"

#include <gtest/gtest.h>

#include <string>

namespace failwatch {
namespace {

struct VerbCase {
  const char* name;
  std::string text;
  const char* verb;  // StatementVerbName; "" = read / unknown
};

class ClassifyStatementTest : public ::testing::TestWithParam<VerbCase> {};

TEST_P(ClassifyStatementTest, Verb) {
  const VerbCase& c = GetParam();
  EXPECT_STREQ(StatementVerbName(ClassifyStatement(c.text)), c.verb) << c.text;
}

std::string Padded(const std::string& head, const std::string& tail) {
  return head + std::string(1100, ' ') + tail;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ClassifyStatementTest,
    ::testing::Values(
        VerbCase{"Empty", "", ""},
        VerbCase{"OnlyWhitespaceAndComment", "  -- nothing\n /* here */ ", ""},
        VerbCase{"PlainSelect", "SELECT id FROM orders WHERE id = $1", ""},
        VerbCase{"Insert", "INSERT INTO orders VALUES ($1, $2)", "INSERT"},
        VerbCase{"Lowercase", "insert into orders values (1)", "INSERT"},
        VerbCase{"MixedCaseUpdate", "UpDaTe orders SET x = 1", "UPDATE"},
        VerbCase{"Delete", "delete from orders where id = 3", "DELETE"},
        VerbCase{"Merge",
                 "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED "
                 "THEN UPDATE SET v = s.v",
                 "MERGE"},
        VerbCase{"LeadingLineComment",
                 "-- app: checkout\nINSERT INTO t "
                 "VALUES (1)",
                 "INSERT"},
        VerbCase{"LeadingBlockComment", "/* svc=orders */ UPDATE t SET a=1",
                 "UPDATE"},
        VerbCase{"NestedBlockComment",
                 "/* outer /* inner */ still comment INSERT */ SELECT 1", ""},
        VerbCase{"NestedCommentThenWrite", "/* a /* b */ c */ DELETE FROM t",
                 "DELETE"},
        VerbCase{"KeywordInStringIsNotAVerb",
                 "SELECT 'INSERT INTO t' AS q, 'FOR UPDATE'", ""},
        VerbCase{"EscapeStringWithQuote", "SELECT E'it\\'s FOR UPDATE' FROM t",
                 ""},
        VerbCase{"DollarQuotedBody", "SELECT $x$ DELETE FROM t $x$", ""},
        VerbCase{"QuotedIdentifierNamedInsert", "SELECT \"insert\" FROM t", ""},
        VerbCase{"LeadingParentheses", "((SELECT * FROM t FOR UPDATE))",
                 "SELECT FOR UPDATE"},
        VerbCase{"ForUpdate", "SELECT * FROM t WHERE id=1 FOR UPDATE",
                 "SELECT FOR UPDATE"},
        VerbCase{"ForUpdateNowait", "select * from t for update nowait",
                 "SELECT FOR UPDATE"},
        VerbCase{"ForShare", "SELECT * FROM t FOR SHARE", "SELECT FOR SHARE"},
        VerbCase{"ForNoKeyUpdate", "SELECT 1 FROM t FOR NO KEY UPDATE",
                 "SELECT FOR NO KEY UPDATE"},
        VerbCase{"ForKeyShare", "SELECT 1 FROM t FOR KEY SHARE OF t",
                 "SELECT FOR KEY SHARE"},
        VerbCase{"LockingSubquery",
                 "SELECT * FROM (SELECT * FROM t FOR UPDATE SKIP LOCKED) s",
                 "SELECT FOR UPDATE"},
        VerbCase{"SubstringForIsARead", "SELECT substring(a FROM 1 FOR 3)", ""},
        VerbCase{"SelectInto", "SELECT * INTO archive_2024 FROM orders",
                 "SELECT INTO"},
        VerbCase{"NextvalInSelect", "SELECT nextval('orders_id_seq')",
                 "NEXTVAL"},
        VerbCase{"QualifiedSetval", "select pg_catalog.setval('s', 42, true)",
                 "NEXTVAL"},
        VerbCase{"CurrvalIsARead", "SELECT currval('s')", ""},
        VerbCase{"InsertWithNextvalIsInsert",
                 "INSERT INTO t VALUES (nextval('s'))", "INSERT"},
        VerbCase{"CteReadOnly",
                 "WITH recent AS (SELECT * FROM t) SELECT * FROM recent", ""},
        VerbCase{"CteDataModifying",
                 "WITH moved AS (DELETE FROM t RETURNING *) SELECT count(*) "
                 "FROM moved",
                 "DELETE"},
        VerbCase{"CteSecondIsDataModifying",
                 "WITH a AS (SELECT 1), b AS MATERIALIZED (INSERT INTO t "
                 "SELECT * FROM a RETURNING id) SELECT * FROM b",
                 "INSERT"},
        VerbCase{"CteRecursiveThenInsert",
                 "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM "
                 "r WHERE n < 5) INSERT INTO t SELECT n FROM r",
                 "INSERT"},
        VerbCase{"CteThenForUpdate",
                 "WITH a AS NOT MATERIALIZED (SELECT id FROM q) SELECT * FROM "
                 "t JOIN a USING (id) FOR UPDATE",
                 "SELECT FOR UPDATE"},
        VerbCase{"CopyFrom",
                 "COPY orders (id, total) FROM STDIN WITH (FORMAT "
                 "csv)",
                 "COPY FROM"},
        VerbCase{"CopyTo", "COPY orders TO STDOUT", ""},
        VerbCase{"CopyQueryTo", "COPY (SELECT * FROM t) TO STDOUT", ""},
        VerbCase{"CreateTable", "CREATE TABLE t (id int)", "DDL"},
        VerbCase{"CreateTempTable", "create temp table x as select 1", "DDL"},
        VerbCase{"AlterTable", "ALTER TABLE t ADD COLUMN c int", "DDL"},
        VerbCase{"AlterSystemIsAllowed", "ALTER SYSTEM SET work_mem = '64MB'",
                 ""},
        VerbCase{"Drop", "DROP INDEX CONCURRENTLY i", "DDL"},
        VerbCase{"Truncate", "TRUNCATE orders", "DDL"},
        VerbCase{"Grant", "GRANT SELECT ON t TO app", "DDL"},
        VerbCase{"Comment", "COMMENT ON TABLE t IS 'x'", "DDL"},
        VerbCase{"Refresh", "REFRESH MATERIALIZED VIEW mv", "DDL"},
        VerbCase{"Vacuum", "VACUUM (VERBOSE) t", "MAINTENANCE"},
        VerbCase{"Analyze", "ANALYZE t", "MAINTENANCE"},
        VerbCase{"Reindex", "REINDEX TABLE t", "MAINTENANCE"},
        VerbCase{"LockDefaultMode", "LOCK TABLE t", "LOCK"},
        VerbCase{"LockExclusive", "LOCK t IN SHARE ROW EXCLUSIVE MODE", "LOCK"},
        VerbCase{"LockAccessShareAllowed", "LOCK t IN ACCESS SHARE MODE", ""},
        VerbCase{"LockRowExclusiveAllowed", "lock t in row exclusive mode", ""},
        VerbCase{"LockAccessExclusive", "LOCK t IN ACCESS EXCLUSIVE MODE",
                 "LOCK"},
        VerbCase{"Notify", "NOTIFY orders_changed", "LISTEN/NOTIFY"},
        VerbCase{"ExecuteIsUnknown", "EXECUTE ins(1, 2)", ""},
        VerbCase{"PrepareDoesNotRun",
                 "PREPARE ins AS INSERT INTO t VALUES "
                 "($1)",
                 ""},
        VerbCase{"CallIsUnknown", "CALL do_things()", ""},
        VerbCase{"DoBlockIsUnknown",
                 "DO $$BEGIN INSERT INTO t VALUES (1); "
                 "END$$",
                 ""},
        VerbCase{"ExplainDoesNotRun", "EXPLAIN INSERT INTO t VALUES (1)", ""},
        VerbCase{"ExplainAnalyzeRuns",
                 "EXPLAIN ANALYZE INSERT INTO t "
                 "VALUES (1)",
                 "INSERT"},
        VerbCase{"ExplainOptionsAnalyze",
                 "EXPLAIN (FORMAT JSON, ANALYZE) DELETE FROM t", "DELETE"},
        VerbCase{"ExplainAnalyzeOff",
                 "EXPLAIN (ANALYZE off) UPDATE t SET a = 1", ""},
        VerbCase{"DeclareForUpdateCursor",
                 "DECLARE c CURSOR FOR SELECT * FROM t FOR UPDATE",
                 "SELECT FOR UPDATE"},
        VerbCase{"TransactionControl", "COMMIT", ""},
        VerbCase{"SetAndShow", "SET application_name = 'x'; SHOW work_mem", ""},
        VerbCase{"MultiStatementFirstWriteWins",
                 "BEGIN; INSERT INTO t VALUES (1); COMMIT", "INSERT"},
        VerbCase{"SemicolonInStringDoesNotSplit", "SELECT ';INSERT INTO t'",
                 ""},
        VerbCase{"WriteBeforeTheCut", Padded("INSERT INTO t VALUES ('", "')"),
                 "INSERT"},
        VerbCase{"LockClauseAfterTheCutIsNotSeen",
                 Padded("SELECT * FROM t", " FOR UPDATE"), ""},
        VerbCase{"InsufficientPrivilege", "<insufficient privilege>", ""}),
    [](const ::testing::TestParamInfo<VerbCase>& p) {
      std::string n = p.param.name;
      for (char& ch : n) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

TEST(StatementVerbTest, NamesAreDistinctAndOnlyNoneIsEmpty) {
  EXPECT_FALSE(IsWrite(StatementVerb::kNone));
  EXPECT_TRUE(IsWrite(StatementVerb::kCopyFrom));
  EXPECT_STREQ(StatementVerbName(StatementVerb::kNone), "");
  EXPECT_STREQ(StatementVerbName(StatementVerb::kCopyFrom), "COPY FROM");
  EXPECT_STREQ(StatementVerbName(StatementVerb::kListenNotify),
               "LISTEN/NOTIFY");
}

}  // namespace
}  // namespace failwatch
