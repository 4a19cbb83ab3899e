#include "pgbouncer/pgbouncer_rows.h"

#include <limits>
#include <optional>

namespace failwatch {
namespace {

Error BadReply(const std::string& what) {
  return MakeError(ErrorKind::kInvalid, "bad_reply", what);
}

// Column lookup by name for one table.
class Columns {
 public:
  explicit Columns(const AdminTable& t) : t_(t) {}

  int Find(const char* name) const {
    for (std::size_t i = 0; i < t_.columns.size(); ++i) {
      if (t_.columns[i] == name) return static_cast<int>(i);
    }
    return -1;
  }

  // An error naming the first of `names` that is missing.
  std::optional<Error> Require(std::initializer_list<const char*> names,
                               const char* command) const {
    for (const char* n : names) {
      if (Find(n) < 0) {
        return BadReply(std::string(command) + ": no column \"" + n + "\"");
      }
    }
    return std::nullopt;
  }

 private:
  const AdminTable& t_;
};

const std::optional<std::string>* CellOf(const PgRow& row, int column) {
  if (column < 0 || static_cast<std::size_t>(column) >= row.size()) {
    return nullptr;
  }
  return &row[static_cast<std::size_t>(column)];
}

std::string Text(const PgRow& row, int column) {
  const auto* cell = CellOf(row, column);
  return cell != nullptr && *cell ? **cell : std::string();
}

// 0 when the column is missing or NULL; an error when malformed.
Status ReadInt(const PgRow& row, int column, const char* name,
               std::int64_t& out) {
  out = 0;
  const auto* cell = CellOf(row, column);
  if (cell == nullptr || !*cell || (*cell)->empty()) return Status::Ok();
  auto v = ParsePgInt(**cell);
  if (!v)
    return BadReply(std::string(name) + ": not a number \"" + **cell + "\"");
  out = *v;
  return Status::Ok();
}

Status ReadUint(const PgRow& row, int column, const char* name,
                std::uint64_t& out) {
  std::int64_t v = 0;
  Status s = ReadInt(row, column, name, v);
  out = v < 0 ? 0 : static_cast<std::uint64_t>(v);
  return s;
}

Status ReadPort(const PgRow& row, int column, std::uint16_t& out) {
  std::int64_t v = 0;
  Status s = ReadInt(row, column, "port", v);
  if (!s.ok()) return s;
  if (v < 0 || v > std::numeric_limits<std::uint16_t>::max()) {
    return BadReply("port out of range: " + std::to_string(v));
  }
  out = static_cast<std::uint16_t>(v);
  return Status::Ok();
}

// Returns the error of a failed Status from the enclosing parser.
#define FW_TRY(expr)                                 \
  do {                                               \
    Status fw_status_ = (expr);                      \
    if (!fw_status_.ok()) return fw_status_.error(); \
  } while (0)

}  // namespace

Result<std::vector<PgBouncerPool>> ParsePools(const AdminTable& t) {
  Columns c(t);
  if (auto e = c.Require({"database", "user"}, "SHOW POOLS")) return *e;
  const int db = c.Find("database"), user = c.Find("user"),
            cl_active = c.Find("cl_active"), cl_waiting = c.Find("cl_waiting"),
            sv_active = c.Find("sv_active"), sv_idle = c.Find("sv_idle"),
            sv_used = c.Find("sv_used"), sv_tested = c.Find("sv_tested"),
            sv_login = c.Find("sv_login"), maxwait = c.Find("maxwait"),
            maxwait_us = c.Find("maxwait_us"), mode = c.Find("pool_mode");
  std::vector<PgBouncerPool> out;
  for (const PgRow& row : t.rows) {
    PgBouncerPool p;
    p.database = Text(row, db);
    p.user = Text(row, user);
    FW_TRY(ReadInt(row, cl_active, "cl_active", p.cl_active));
    FW_TRY(ReadInt(row, cl_waiting, "cl_waiting", p.cl_waiting));
    FW_TRY(ReadInt(row, sv_active, "sv_active", p.sv_active));
    FW_TRY(ReadInt(row, sv_idle, "sv_idle", p.sv_idle));
    FW_TRY(ReadInt(row, sv_used, "sv_used", p.sv_used));
    FW_TRY(ReadInt(row, sv_tested, "sv_tested", p.sv_tested));
    FW_TRY(ReadInt(row, sv_login, "sv_login", p.sv_login));
    std::int64_t s = 0, us = 0;
    FW_TRY(ReadInt(row, maxwait, "maxwait", s));
    FW_TRY(ReadInt(row, maxwait_us, "maxwait_us", us));
    // maxwait_us is the sub-second part, not the whole wait.
    p.maxwait_seconds = static_cast<double>(s) + static_cast<double>(us) / 1e6;
    p.pool_mode = Text(row, mode);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<PgBouncerServer>> ParseServers(const AdminTable& t) {
  Columns c(t);
  if (auto e = c.Require({"database", "user", "state", "addr", "port"},
                         "SHOW SERVERS")) {
    return *e;
  }
  const int db = c.Find("database"), user = c.Find("user"),
            state = c.Find("state"), addr = c.Find("addr"),
            port = c.Find("port"), connect_time = c.Find("connect_time");
  std::vector<PgBouncerServer> out;
  for (const PgRow& row : t.rows) {
    PgBouncerServer s;
    s.database = Text(row, db);
    s.user = Text(row, user);
    s.state = Text(row, state);
    s.addr = Text(row, addr);
    FW_TRY(ReadPort(row, port, s.port));
    s.connect_time = Text(row, connect_time);
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<PgBouncerDatabase>> ParseDatabases(const AdminTable& t) {
  Columns c(t);
  if (auto e = c.Require({"name", "host", "port"}, "SHOW DATABASES")) return *e;
  const int name = c.Find("name"), host = c.Find("host"), port = c.Find("port"),
            dbname = c.Find("database"), pool_size = c.Find("pool_size"),
            current = c.Find("current_connections"), mode = c.Find("pool_mode"),
            paused = c.Find("paused"), disabled = c.Find("disabled");
  std::vector<PgBouncerDatabase> out;
  for (const PgRow& row : t.rows) {
    PgBouncerDatabase d;
    d.name = Text(row, name);
    d.host = Text(row, host);
    FW_TRY(ReadPort(row, port, d.port));
    d.dbname = Text(row, dbname);
    FW_TRY(ReadInt(row, pool_size, "pool_size", d.pool_size));
    FW_TRY(ReadInt(row, current, "current_connections", d.current_connections));
    d.pool_mode = Text(row, mode);
    std::int64_t flag = 0;
    FW_TRY(ReadInt(row, paused, "paused", flag));
    d.paused = flag != 0;
    FW_TRY(ReadInt(row, disabled, "disabled", flag));
    d.disabled = flag != 0;
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<PgBouncerStats>> ParseStats(const AdminTable& t) {
  Columns c(t);
  if (auto e = c.Require({"database"}, "SHOW STATS")) return *e;
  const int db = c.Find("database"), xact = c.Find("total_xact_count"),
            query = c.Find("total_query_count"),
            received = c.Find("total_received"), sent = c.Find("total_sent"),
            xact_time = c.Find("total_xact_time"),
            query_time = c.Find("total_query_time"),
            wait_time = c.Find("total_wait_time");
  std::vector<PgBouncerStats> out;
  for (const PgRow& row : t.rows) {
    PgBouncerStats s;
    s.database = Text(row, db);
    FW_TRY(ReadUint(row, xact, "total_xact_count", s.xact_count));
    FW_TRY(ReadUint(row, query, "total_query_count", s.query_count));
    FW_TRY(ReadUint(row, received, "total_received", s.received_bytes));
    FW_TRY(ReadUint(row, sent, "total_sent", s.sent_bytes));
    std::uint64_t us = 0;
    FW_TRY(ReadUint(row, xact_time, "total_xact_time", us));
    s.xact_seconds = static_cast<double>(us) / 1e6;
    FW_TRY(ReadUint(row, query_time, "total_query_time", us));
    s.query_seconds = static_cast<double>(us) / 1e6;
    FW_TRY(ReadUint(row, wait_time, "total_wait_time", us));
    s.wait_seconds = static_cast<double>(us) / 1e6;
    out.push_back(std::move(s));
  }
  return out;
}

std::string ParseVersion(const AdminTable& t) {
  if (t.rows.empty()) return {};
  return Text(t.rows.front(), 0);
}

}  // namespace failwatch
