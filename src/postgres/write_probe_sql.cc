#include "postgres/write_probe_sql.h"

namespace failwatch {
namespace {

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  auto alpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!alpha(s.front())) return false;
  for (char c : s) {
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '$') return false;
  }
  return true;
}

}  // namespace

Result<std::string> HeartbeatUpsertSql(std::string_view table,
                                       std::string_view id) {
  std::string quoted;
  std::string_view rest = table;
  while (true) {
    auto dot = rest.find('.');
    std::string_view part = rest.substr(0, dot);
    if (!IsIdentifier(part)) {
      return MakeError(ErrorKind::kInvalid, "bad_table",
                       "write_probe.table must be name or schema.name, got \"" +
                           std::string(table) + "\"");
    }
    if (!quoted.empty()) quoted += '.';
    quoted += '"';
    quoted += part;
    quoted += '"';
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
    if (quoted.find('.') != std::string::npos) {
      return MakeError(ErrorKind::kInvalid, "bad_table",
                       "write_probe.table has more than two parts");
    }
  }
  std::string safe_id;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
              c == '/' || c == '-';
    safe_id += ok ? c : '_';
  }
  return "INSERT INTO " + quoted + " (id, ts) VALUES ('" + safe_id +
         "', now()) ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts";
}

}  // namespace failwatch
