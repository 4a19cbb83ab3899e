// Pure parsers for the admin console's SHOW output. Columns are matched by
// name, never by position: PgBouncer adds, renames and drops columns between
// versions (1.18 added cl_active_cancel_req, 1.21 prepared statements in
// SHOW SERVERS, < 1.8 had no maxwait_us), so a missing optional column reads
// as 0/"" and unknown columns are ignored. A NULL cell reads like a missing
// column; a present but malformed number is an error (a garbled reply must
// not read as zeros).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "pgbouncer/pgbouncer_observation.h"
#include "postgres/pg_rows.h"

namespace failwatch {

// One SHOW result: column names and rows of optional text cells.
struct AdminTable {
  std::vector<std::string> columns;
  std::vector<PgRow> rows;
};

// SHOW POOLS. Requires `database` and `user`.
Result<std::vector<PgBouncerPool>> ParsePools(const AdminTable& t);
// SHOW SERVERS. Requires `database`, `user`, `state`, `addr`, `port`.
Result<std::vector<PgBouncerServer>> ParseServers(const AdminTable& t);
// SHOW DATABASES. Requires `name`, `host`, `port`.
Result<std::vector<PgBouncerDatabase>> ParseDatabases(const AdminTable& t);
// SHOW STATS. Requires `database`. Times are microseconds on the wire.
Result<std::vector<PgBouncerStats>> ParseStats(const AdminTable& t);
// SHOW VERSION: the first cell ("PgBouncer 1.18.0"); "" when no rows (old
// versions answered with a NOTICE instead).
std::string ParseVersion(const AdminTable& t);

}  // namespace failwatch
