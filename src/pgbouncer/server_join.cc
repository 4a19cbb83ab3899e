#include "pgbouncer/server_join.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "core/host_port.h"

namespace failwatch {
namespace {

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// PgBouncer accepts a comma-separated host list; each with the pool's port.
std::vector<std::string> PoolAddresses(const PgBouncerDatabase& db) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= db.host.size()) {
    std::size_t comma = db.host.find(',', start);
    if (comma == std::string::npos) comma = db.host.size();
    std::string h = db.host.substr(start, comma - start);
    h.erase(0, h.find_first_not_of(' '));
    h.erase(h.find_last_not_of(' ') + 1);
    if (!h.empty() && h.front() != '/') {  // '/' = unix socket directory
      out.push_back(Lower(HostPort{h, db.port}.ToString()));
    }
    start = comma + 1;
  }
  return out;
}

std::string Key(const PgBouncerDatabase& db) {
  return Lower(db.host) + ":" + std::to_string(db.port);
}

bool IsWriter(const std::vector<std::string>& addrs,
              const PgDatabaseOptions& config, const PgObservation* pg) {
  const std::string endpoint = Lower(config.endpoint.ToString());
  for (const std::string& a : addrs) {
    if (a == endpoint) return true;
    if (pg == nullptr) continue;
    if (!pg->writer.empty() && a == Lower(pg->writer)) return true;
    for (const EndpointTarget& t : pg->endpoint_targets) {
      if (t.endpoint_role == "writer" && a == Lower(t.address)) return true;
    }
  }
  return false;
}

bool IsReader(const std::vector<std::string>& addrs,
              const PgDatabaseOptions& config) {
  if (!config.reader_endpoint) return false;
  const std::string reader = Lower(config.reader_endpoint->ToString());
  return std::find(addrs.begin(), addrs.end(), reader) != addrs.end();
}

}  // namespace

PoolTarget ClassifyPool(const PgBouncerDatabase& db,
                        const PgDatabaseOptions& config,
                        const PgObservation* pg,
                        const WriterPoolMemory& memory) {
  const auto addrs = PoolAddresses(db);
  if (IsWriter(addrs, config, pg)) return PoolTarget::kWriter;
  if (IsReader(addrs, config)) return PoolTarget::kReader;
  auto it = memory.find(db.name);
  if (it != memory.end() && it->second == Key(db)) return PoolTarget::kWriter;
  return PoolTarget::kOther;
}

ServerRole RoleOfAddress(const std::string& address, const PgObservation* pg) {
  if (pg == nullptr) return ServerRole::kUnknown;
  const NodeState* n = pg->FindNode(address);
  if (n == nullptr) return ServerRole::kUnknown;
  if (!n->up) {
    return n->role == NodeRole::kUnreachable ? ServerRole::kUnreachable
                                             : ServerRole::kUnknown;
  }
  switch (n->role) {
    case NodeRole::kPrimary:
      return n->superseded ? ServerRole::kSupersededPrimary
                           : ServerRole::kPrimary;
    case NodeRole::kStandby:
      return ServerRole::kStandby;
    case NodeRole::kUnreachable:
      return ServerRole::kUnreachable;
    case NodeRole::kUnknown:
      return ServerRole::kUnknown;
  }
  return ServerRole::kUnknown;
}

void JoinServers(const std::vector<PgBouncerServer>& servers,
                 const PgDatabaseOptions& config, const PgObservation* pg,
                 WriterPoolMemory& memory, PgBouncerObservation& obs) {
  obs.roles_known = pg != nullptr;
  obs.pool_targets.clear();
  for (const PgBouncerDatabase& db : obs.databases) {
    PoolTarget t = ClassifyPool(db, config, pg, memory);
    obs.pool_targets[db.name] = t;
    if (t == PoolTarget::kWriter) {
      memory[db.name] = Key(db);
    } else {
      memory.erase(db.name);
    }
  }
  auto target_of = [&](const std::string& pool_db) {
    auto it = obs.pool_targets.find(pool_db);
    if (it != obs.pool_targets.end()) return it->second;
    // Servers of a database removed by a RELOAD linger until released.
    return memory.count(pool_db) != 0 ? PoolTarget::kWriter
                                      : PoolTarget::kOther;
  };

  using GroupKey =
      std::tuple<std::string, std::string, std::string, std::string>;
  std::map<GroupKey, PgBouncerServerGroup> groups;
  for (const PgBouncerServer& s : servers) {
    const std::string address = s.addr == "unix" || s.addr.empty()
                                    ? s.addr
                                    : HostPort{s.addr, s.port}.ToString();
    auto& g = groups[{s.database, s.user, address, s.state}];
    if (g.count == 0) {
      g.pool_db = s.database;
      g.pool_user = s.user;
      g.address = address;
      g.state = s.state;
      g.role = RoleOfAddress(address, pg);
      g.pool_target = target_of(s.database);
    }
    g.count++;
  }
  obs.servers.clear();
  std::map<std::tuple<std::string, std::string, std::string>,
           PgBouncerStaleServers>
      stale;
  for (auto& [key, g] : groups) {
    if (g.pool_target == PoolTarget::kWriter && IsStaleRole(g.role)) {
      auto& s = stale[{g.pool_db, g.pool_user, g.address}];
      s.pool_db = g.pool_db;
      s.pool_user = g.pool_user;
      s.address = g.address;
      s.role = g.role;
      s.count += g.count;
    }
    obs.servers.push_back(g);
  }
  obs.stale_servers.clear();
  for (auto& [key, s] : stale) obs.stale_servers.push_back(s);
}

}  // namespace failwatch
