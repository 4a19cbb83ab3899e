// Pure parsers for the rows of the queries in pg_queries.h. They take rows
// as vectors of optional strings (nullopt = SQL NULL), the text format
// libpq returns, so tests can feed literal rows without a server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "postgres/pg_observation.h"
#include "postgres/statement_verb.h"

namespace failwatch {

using PgRow = std::vector<std::optional<std::string>>;

struct NodeStatusRow {
  bool in_recovery = false;
  bool read_only = false;
  int server_version_num = 0;
  double postmaster_start = 0;  // epoch seconds
  std::optional<std::string> wal_file;
  std::optional<std::uint32_t> received_tli;
  std::optional<std::uint32_t> checkpoint_tli;
  std::optional<double> replay_lag_seconds;
  std::optional<std::int64_t> replay_lag_bytes;
  std::optional<std::string> receiver_status;
  std::optional<std::string> sender_host;
  std::optional<int> sender_port;
  // sum(pg_stat_database.xact_rollback); NULL when not readable.
  std::optional<std::int64_t> xact_rollback_total;
};

struct ActivityGroupRow {
  std::string application_name;
  std::string usename;
  std::string client_addr;
  std::string state;
  std::string datname;
  std::int64_t count = 0;
  std::vector<double> backend_starts;  // epoch seconds, ascending
  // Per backend, aligned with backend_starts; empty unless the node is in
  // recovery. The verb of the last statement (the text itself is dropped
  // in the parser) and when the backend's state last changed (epoch
  // seconds, 0 = unknown): for an idle backend, when that statement ended.
  std::vector<StatementVerb> last_verbs;
  std::vector<double> state_changes;
};

// kNodeStatusSql: exactly one row.
Result<NodeStatusRow> ParseNodeStatus(const std::vector<PgRow>& rows);
// kReplicationSql.
Result<std::vector<ReplicaStatus>> ParseReplicationRows(
    const std::vector<PgRow>& rows);
// kActivitySql.
Result<std::vector<ActivityGroupRow>> ParseActivityRows(
    const std::vector<PgRow>& rows);

// Scalars in PostgreSQL's text output format.
std::optional<bool> ParsePgBool(std::string_view text);  // "t"/"f", "on"/"off"
std::optional<double> ParsePgDouble(std::string_view text);
std::optional<std::int64_t> ParsePgInt(std::string_view text);
// "{1.5,2,NULL}" of numbers; NULL elements are skipped.
std::optional<std::vector<double>> ParsePgNumberArray(std::string_view text);
// A text[] in PostgreSQL's array output ({a,"b c",NULL}; quoted elements
// use backslash escapes), each element classified as it is decoded (NULL =
// kNone). The decoded text lives only in a scratch buffer here.
std::optional<std::vector<StatementVerb>> ParseStatementVerbArray(
    std::string_view text);
// Timeline from a WAL file name: its first 8 hex digits
// ("000000020000000000000003" -> 2).
std::optional<std::uint32_t> TimelineFromWalFile(std::string_view wal_file);

}  // namespace failwatch
