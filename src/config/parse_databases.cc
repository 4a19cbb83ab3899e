#include <arpa/inet.h>

#include <algorithm>
#include <array>

#include "config/config_sections.h"

namespace failwatch::config_internal {
namespace {

constexpr std::uint16_t kDefaultDnsPort = 53;
constexpr std::array<std::string_view, 6> kSslModes = {
    "disable", "allow", "prefer", "require", "verify-ca", "verify-full"};

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// A plain identifier, so the write probe can put it into SQL unquoted
// without any risk of injection.
bool IsSqlIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  auto start = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!start(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return start(c) || (c >= '0' && c <= '9');
  });
}

bool IsTableName(std::string_view s) {
  auto dot = s.find('.');
  if (dot == std::string_view::npos) return IsSqlIdentifier(s);
  return IsSqlIdentifier(s.substr(0, dot)) &&
         IsSqlIdentifier(s.substr(dot + 1));
}

std::vector<std::string> ReadDnsServers(const Fields& f) {
  std::vector<std::string> out;
  std::vector<YAML::Node> items;
  if (!f.Sequence("dns_servers", &items)) return out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string path = IndexPath(f.PathOf("dns_servers"), i);
    std::optional<HostPort> hp =
        ReadAddress(f.ctx(), items[i], path, kDefaultDnsPort);
    if (!hp) continue;
    // Resolving the resolver's own name would need a resolver.
    if (!IsIpLiteral(hp->host)) {
      f.ctx().Error(items[i], path,
                    "\"" + hp->host + "\" is not an IP address");
      continue;
    }
    out.push_back(hp->ToString());
  }
  return out;
}

std::vector<HostPort> ReadAddressList(const Fields& f, std::string_view key,
                                      std::uint16_t default_port) {
  std::vector<HostPort> out;
  std::vector<YAML::Node> items;
  if (!f.Sequence(key, &items)) return out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::optional<HostPort> hp = ReadAddress(
        f.ctx(), items[i], IndexPath(f.PathOf(key), i), default_port);
    if (hp) out.push_back(std::move(*hp));
  }
  return out;
}

AppConfig ParseApp(ParseContext& ctx, const YAML::Node& node,
                   const std::string& path) {
  AppConfig app;
  Fields f = Fields::Open(ctx, node, path, {"application_name", "expects"});
  if (!f.valid()) return app;
  if (f.Require("application_name") &&
      f.String("application_name", &app.application_name) &&
      app.application_name.empty()) {
    ctx.Error(f.Find("application_name")->value, f.PathOf("application_name"),
              "must not be empty");
  }
  std::string expects;
  if (f.String("expects", &expects)) {
    if (expects == "primary") {
      app.expects = AppConfig::Expects::kPrimary;
    } else if (expects == "any") {
      app.expects = AppConfig::Expects::kAny;
    } else {
      ctx.Error(f.Find("expects")->value, f.PathOf("expects"),
                "invalid value \"" + expects + "\" (expected primary or any)");
    }
  }
  return app;
}

WriteProbeConfig ParseWriteProbe(ParseContext& ctx, const YAML::Node& node,
                                 const std::string& path) {
  WriteProbeConfig wp;
  Fields f = Fields::Open(ctx, node, path,
                          {"enabled", "table", "sticky_max_lifetime"});
  if (!f.valid()) return wp;
  f.Bool("enabled", &wp.enabled);
  f.Duration("sticky_max_lifetime", &wp.sticky_max_lifetime);
  std::string table;
  if (f.String("table", &table)) {
    if (IsTableName(table)) {
      wp.table = table;
    } else {
      ctx.Error(f.Find("table")->value, f.PathOf("table"),
                "invalid table \"" + table +
                    "\" (expected an unquoted SQL identifier, optionally "
                    "schema.table)");
    }
  }
  return wp;
}

PgBouncerConfig ParsePgBouncer(ParseContext& ctx, const YAML::Node& node,
                               const std::string& path,
                               const Schedule& parent) {
  PgBouncerConfig pb;
  Fields f = Fields::Open(ctx, node, path,
                          {"address", "user", "password", "password_file",
                           "dbname", "interval", "timeout"});
  if (!f.valid()) return pb;
  if (f.Require("address")) {
    f.Address("address", kDefaultPgBouncerPort, &pb.address);
  }
  f.String("user", &pb.user);
  f.SecretOrFile("password", "password_file", &pb.password);
  f.String("dbname", &pb.dbname);
  pb.schedule = ReadSchedule(f, parent, "inherited");
  return pb;
}

template <typename T, typename ParseItem>
std::vector<T> ParseList(const Fields& f, std::string_view key,
                         ParseItem parse_item) {
  std::vector<T> out;
  std::vector<YAML::Node> items;
  if (!f.Sequence(key, &items)) return out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    out.push_back(parse_item(items[i], IndexPath(f.PathOf(key), i)));
  }
  return out;
}

DatabaseConfig ParseDatabase(ParseContext& ctx, const YAML::Node& node,
                             const std::string& path, const Schedule& defaults,
                             SeenNames* names) {
  DatabaseConfig db;
  Fields f = Fields::Open(
      ctx, node, path,
      {"name", "endpoint", "reader_endpoint", "dns_servers", "members", "user",
       "password", "password_file", "dbname", "sslmode", "interval", "timeout",
       "apps", "write_probe", "pgbouncers"});
  if (!f.valid()) return db;
  db.name = ReadTargetName(f, names);
  if (f.Require("endpoint")) {
    f.Address("endpoint", kDefaultPostgresPort, &db.endpoint);
  }
  HostPort reader;
  if (f.Address("reader_endpoint", kDefaultPostgresPort, &reader)) {
    db.reader_endpoint = reader;
  }
  db.dns_servers = ReadDnsServers(f);
  db.members = ReadAddressList(f, "members", kDefaultPostgresPort);
  f.String("user", &db.user);
  f.SecretOrFile("password", "password_file", &db.password);
  f.String("dbname", &db.dbname);
  std::string sslmode;
  if (f.String("sslmode", &sslmode)) {
    if (std::find(kSslModes.begin(), kSslModes.end(), sslmode) !=
        kSslModes.end()) {
      db.sslmode = sslmode;
    } else {
      ctx.Error(f.Find("sslmode")->value, f.PathOf("sslmode"),
                "invalid value \"" + sslmode +
                    "\" (expected disable, allow, prefer, require, "
                    "verify-ca or verify-full)");
    }
  }
  db.schedule = ReadSchedule(f, defaults, "inherited");
  db.apps = ParseList<AppConfig>(
      f, "apps", [&](const YAML::Node& n, const std::string& p) {
        return ParseApp(ctx, n, p);
      });
  if (const Fields::Entry* e = f.Find("write_probe")) {
    db.write_probe = ParseWriteProbe(ctx, e->value, f.PathOf("write_probe"));
  }
  db.pgbouncers = ParseList<PgBouncerConfig>(
      f, "pgbouncers", [&](const YAML::Node& n, const std::string& p) {
        return ParsePgBouncer(ctx, n, p, db.schedule);
      });
  return db;
}

}  // namespace

std::vector<DatabaseConfig> ParseDatabases(ParseContext& ctx,
                                           const YAML::Node& node,
                                           const Schedule& defaults) {
  std::vector<DatabaseConfig> out;
  if (!node.IsSequence()) {
    ctx.Error(node, "databases", "expected a sequence, got " + KindName(node));
    return out;
  }
  SeenNames names;
  std::size_t i = 0;
  for (YAML::Node item : node) {
    out.push_back(ParseDatabase(ctx, item, IndexPath("databases", i++),
                                defaults, &names));
  }
  return out;
}

}  // namespace failwatch::config_internal
