// Classifies the verb of a backend's last statement (pg_stat_activity.query)
// so a connection on a node in recovery whose last statement was a write can
// be reported as having certainly failed with 25006 (read-only). Pure; the
// statement text is only read here and never stored, exported or logged:
// callers keep the verb.
//
// What counts as a write is what a hot standby refuses (PostgreSQL's "Hot
// Standby" docs): DML, data-modifying CTEs, COPY ... FROM, DDL, maintenance,
// sequence changes, row locks, SELECT INTO, LOCK above ROW EXCLUSIVE,
// LISTEN/NOTIFY. Everything else, and what cannot be judged from the text
// (EXECUTE of a prepared statement, CALL, DO, a function call that might
// write), is kNone: no evidence, so the check keeps its hold.
#pragma once

#include <cstddef>
#include <string_view>

namespace failwatch {

enum class StatementVerb {
  kNone,  // a read, or unknown
  kInsert,
  kUpdate,
  kDelete,
  kMerge,
  kCopyFrom,
  // CREATE, ALTER (not ALTER SYSTEM), DROP, TRUNCATE, GRANT, REVOKE,
  // COMMENT, SECURITY LABEL, REFRESH MATERIALIZED VIEW, REASSIGN OWNED,
  // IMPORT FOREIGN SCHEMA.
  kDdl,
  kMaintenance,  // VACUUM, ANALYZE, REINDEX, CLUSTER
  kNextval,      // nextval(...) or setval(...) anywhere in the statement
  kSelectForUpdate,
  kSelectForNoKeyUpdate,
  kSelectForShare,
  kSelectForKeyShare,
  kSelectInto,  // SELECT ... INTO new_table
  kLock,        // LOCK TABLE in a mode stronger than ROW EXCLUSIVE
  kListenNotify,
};

// "INSERT", "COPY FROM", "DDL", "NEXTVAL", "SELECT FOR UPDATE", ...; "" for
// kNone.
const char* StatementVerbName(StatementVerb verb);
inline bool IsWrite(StatementVerb verb) { return verb != StatementVerb::kNone; }

// pg_stat_activity.query is cut to this many bytes in the SQL (bounded
// memory: max_connections x 1 KiB); ClassifyStatement reads no further
// either, so a statement cut in the middle of a string or comment is judged
// by what precedes the cut.
inline constexpr std::size_t kStatementTextLimit = 1024;

// The first write verb among the statements of `text` (a simple-query
// string may hold several, separated by ';'; the server stopped at the
// first failing one), else kNone.
StatementVerb ClassifyStatement(std::string_view text);

}  // namespace failwatch
