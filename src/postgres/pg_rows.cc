#include "postgres/pg_rows.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "postgres/pg_queries.h"

namespace failwatch {
namespace {

Error BadRow(const std::string& what) {
  return MakeError(ErrorKind::kInvalid, "bad_row", what);
}

const std::optional<std::string>& Cell(const PgRow& row, int column) {
  return row[static_cast<std::size_t>(column)];
}

std::string Text(const PgRow& row, int column) {
  const auto& cell = Cell(row, column);
  return cell ? *cell : std::string();
}

// nullopt when NULL; an error when present but malformed.
template <typename T, typename Parse>
Result<std::optional<T>> Optional(const PgRow& row, int column,
                                  const char* name, Parse parse) {
  const auto& cell = Cell(row, column);
  if (!cell) return std::optional<T>();
  auto v = parse(*cell);
  if (!v)
    return BadRow(std::string(name) + ": unexpected value \"" + *cell + "\"");
  return std::optional<T>(static_cast<T>(*v));
}

// The per-backend columns only a node in recovery fills: both or neither,
// aligned with backend_starts.
std::optional<Error> ParseRecoveryColumns(const PgRow& row,
                                          ActivityGroupRow& g) {
  const auto& statements = Cell(row, kActLastStatements);
  const auto& changes = Cell(row, kActStateChanges);
  if (!statements && !changes) return std::nullopt;
  if (!statements || !changes) {
    return BadRow("activity: statement and state_change arrays differ");
  }
  auto verbs = ParseStatementVerbArray(*statements);
  if (!verbs) return BadRow("activity: bad statement array");
  auto times = ParsePgNumberArray(*changes);
  if (!times) return BadRow("activity: bad state_change array");
  if (verbs->size() != g.backend_starts.size() ||
      times->size() != g.backend_starts.size()) {
    return BadRow("activity: per-backend arrays not aligned");
  }
  g.last_verbs = std::move(*verbs);
  g.state_changes = std::move(*times);
  return std::nullopt;
}

}  // namespace

std::optional<bool> ParsePgBool(std::string_view text) {
  if (text == "t" || text == "on" || text == "true") return true;
  if (text == "f" || text == "off" || text == "false") return false;
  return std::nullopt;
}

std::optional<double> ParsePgDouble(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string copy(text);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<std::int64_t> ParsePgInt(std::string_view text) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && p == text.data() + text.size()) return v;
  // pg_wal_lsn_diff returns numeric: "1234" or "1234.0" style values.
  auto d = ParsePgDouble(text);
  if (d && std::fabs(*d) < 9.2e18 && *d == std::floor(*d)) {
    return static_cast<std::int64_t>(*d);
  }
  return std::nullopt;
}

std::optional<std::vector<double>> ParsePgNumberArray(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    return std::nullopt;
  }
  std::vector<double> out;
  std::string_view body = text.substr(1, text.size() - 2);
  while (!body.empty()) {
    auto comma = body.find(',');
    std::string_view item = body.substr(0, comma);
    if (item != "NULL") {
      auto v = ParsePgDouble(item);
      if (!v) return std::nullopt;
      out.push_back(*v);
    }
    if (comma == std::string_view::npos) break;
    body.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<std::vector<StatementVerb>> ParseStatementVerbArray(
    std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    return std::nullopt;
  }
  std::vector<StatementVerb> out;
  std::string element;  // scratch: cleared per element, never returned
  std::size_t i = 1;
  const std::size_t end = text.size() - 1;
  if (i == end) return out;
  while (true) {
    element.clear();
    bool quoted = false;
    if (text[i] == '"') {
      quoted = true;
      for (++i; i < end && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < end) ++i;
        element.push_back(text[i]);
      }
      if (i >= end) return std::nullopt;  // unterminated quote
      ++i;
    } else {
      for (; i < end && text[i] != ','; ++i) element.push_back(text[i]);
    }
    out.push_back(!quoted && element == "NULL" ? StatementVerb::kNone
                                               : ClassifyStatement(element));
    if (i == end) return out;
    if (text[i] != ',') return std::nullopt;
    ++i;
  }
}

std::optional<std::uint32_t> TimelineFromWalFile(std::string_view wal_file) {
  if (wal_file.size() < 8) return std::nullopt;
  std::uint32_t tli = 0;
  auto [p, ec] = std::from_chars(wal_file.data(), wal_file.data() + 8, tli, 16);
  if (ec != std::errc() || p != wal_file.data() + 8 || tli == 0) {
    return std::nullopt;
  }
  return tli;
}

Result<NodeStatusRow> ParseNodeStatus(const std::vector<PgRow>& rows) {
  if (rows.size() != 1) {
    return BadRow("status: expected 1 row, got " + std::to_string(rows.size()));
  }
  const PgRow& row = rows[0];
  if (row.size() != kStatusColumnCount) {
    return BadRow("status: expected " + std::to_string(kStatusColumnCount) +
                  " columns, got " + std::to_string(row.size()));
  }
  NodeStatusRow out;
  auto recovery = ParsePgBool(Text(row, kStatusInRecovery));
  auto read_only = ParsePgBool(Text(row, kStatusReadOnly));
  auto version = ParsePgInt(Text(row, kStatusServerVersionNum));
  if (!recovery || !read_only || !version) {
    return BadRow("status: in_recovery/read_only/server_version_num missing");
  }
  out.in_recovery = *recovery;
  out.read_only = *read_only;
  out.server_version_num = static_cast<int>(*version);
  if (auto start = ParsePgDouble(Text(row, kStatusPostmasterStart)))
    out.postmaster_start = *start;
  out.wal_file = Cell(row, kStatusWalFile);
  auto to_int = [](const std::string& s) { return ParsePgInt(s); };
  auto to_double = [](const std::string& s) { return ParsePgDouble(s); };
  auto received =
      Optional<std::uint32_t>(row, kStatusReceivedTli, "received_tli", to_int);
  auto checkpoint = Optional<std::uint32_t>(row, kStatusCheckpointTli,
                                            "checkpoint_tli", to_int);
  auto lag_s = Optional<double>(row, kStatusReplayLagSeconds,
                                "replay_lag_seconds", to_double);
  auto lag_b = Optional<std::int64_t>(row, kStatusReplayLagBytes,
                                      "replay_lag_bytes", to_int);
  auto port = Optional<int>(row, kStatusSenderPort, "sender_port", to_int);
  auto rollbacks =
      Optional<std::int64_t>(row, kStatusXactRollback, "xact_rollback", to_int);
  for (const Error* e : {received.ok() ? nullptr : &received.error(),
                         rollbacks.ok() ? nullptr : &rollbacks.error(),
                         checkpoint.ok() ? nullptr : &checkpoint.error(),
                         lag_s.ok() ? nullptr : &lag_s.error(),
                         lag_b.ok() ? nullptr : &lag_b.error(),
                         port.ok() ? nullptr : &port.error()}) {
    if (e != nullptr) return *e;
  }
  out.received_tli = *received;
  out.checkpoint_tli = *checkpoint;
  out.replay_lag_seconds = *lag_s;
  out.replay_lag_bytes = *lag_b;
  out.receiver_status = Cell(row, kStatusReceiverStatus);
  out.sender_host = Cell(row, kStatusSenderHost);
  out.sender_port = *port;
  out.xact_rollback_total = *rollbacks;
  return out;
}

Result<std::vector<ReplicaStatus>> ParseReplicationRows(
    const std::vector<PgRow>& rows) {
  std::vector<ReplicaStatus> out;
  for (const PgRow& row : rows) {
    if (row.size() != kReplicationColumnCount) {
      return BadRow("replication: expected " +
                    std::to_string(kReplicationColumnCount) + " columns");
    }
    ReplicaStatus r;
    r.client_addr = Text(row, kReplClientAddr);
    r.application_name = Text(row, kReplApplicationName);
    r.state = Text(row, kReplState);
    r.sync_state = Text(row, kReplSyncState);
    auto lag_b = Optional<std::int64_t>(
        row, kReplLagBytes, "lag_bytes",
        [](const std::string& s) { return ParsePgInt(s); });
    auto lag_s =
        Optional<double>(row, kReplLagSeconds, "replay_lag",
                         [](const std::string& s) { return ParsePgDouble(s); });
    if (!lag_b.ok()) return lag_b.error();
    if (!lag_s.ok()) return lag_s.error();
    r.lag_bytes = *lag_b;
    r.replay_lag_seconds = *lag_s;
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<ActivityGroupRow>> ParseActivityRows(
    const std::vector<PgRow>& rows) {
  std::vector<ActivityGroupRow> out;
  for (const PgRow& row : rows) {
    if (row.size() != kActivityColumnCount) {
      return BadRow("activity: expected " +
                    std::to_string(kActivityColumnCount) + " columns");
    }
    ActivityGroupRow g;
    g.application_name = Text(row, kActApplicationName);
    g.usename = Text(row, kActUsename);
    g.client_addr = Text(row, kActClientAddr);
    g.state = Text(row, kActState);
    g.datname = Text(row, kActDatname);
    auto count = ParsePgInt(Text(row, kActCount));
    if (!count || *count < 0) return BadRow("activity: bad count");
    g.count = *count;
    if (Cell(row, kActBackendStarts)) {
      auto starts = ParsePgNumberArray(*Cell(row, kActBackendStarts));
      if (!starts) return BadRow("activity: bad backend_start array");
      g.backend_starts = std::move(*starts);
    }
    if (auto e = ParseRecoveryColumns(row, g)) return *e;
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace failwatch
