// What the PgBouncer collector publishes (kind "pgbouncer", target
// "<database>/<pgbouncer address>") for the evaluator: every pool's client
// and server counts, where its server connections go (backend address x
// node role from the PostgreSQL collector), and how many of a writer pool's
// server connections sit on a node that is not the writable primary.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/collector.h"

namespace failwatch {

inline constexpr char kPgBouncerKind[] = "pgbouncer";

// "<database>/<address>": the collector's target label.
std::string PgBouncerTarget(const std::string& database,
                            const std::string& address);

// One row of SHOW POOLS (a database/user pair).
struct PgBouncerPool {
  std::string database;  // PgBouncer's database name (pool_db)
  std::string user;
  std::int64_t cl_active = 0;
  std::int64_t cl_waiting = 0;
  std::int64_t sv_active = 0;
  std::int64_t sv_idle = 0;
  std::int64_t sv_used = 0;
  std::int64_t sv_tested = 0;
  std::int64_t sv_login = 0;
  // maxwait + maxwait_us: the oldest waiting client's wait (PgBouncer
  // < 1.8 has no maxwait_us: whole seconds then).
  double maxwait_seconds = 0;
  std::string pool_mode;
};

// One row of SHOW DATABASES: where a PgBouncer database points.
struct PgBouncerDatabase {
  std::string name;
  std::string host;  // "" = unix socket / auto-database
  std::uint16_t port = 0;
  std::string dbname;  // the PostgreSQL database
  std::int64_t pool_size = 0;
  std::int64_t current_connections = 0;
  std::string pool_mode;
  bool paused = false;
  bool disabled = false;
};

// One row of SHOW STATS (per PgBouncer database; counters since start).
struct PgBouncerStats {
  std::string database;
  std::uint64_t xact_count = 0;
  std::uint64_t query_count = 0;
  std::uint64_t received_bytes = 0;
  std::uint64_t sent_bytes = 0;
  double xact_seconds = 0;
  double query_seconds = 0;
  double wait_seconds = 0;
};

// One row of SHOW SERVERS.
struct PgBouncerServer {
  std::string database;  // pool_db
  std::string user;
  std::string state;  // active, idle, used, tested, new, ...
  std::string addr;   // backend IP (or host) PgBouncer connected to
  std::uint16_t port = 0;
  std::string connect_time;  // as PgBouncer prints it; "" when absent
};

// How failwatch reads a PgBouncer database's target.
enum class PoolTarget {
  kWriter,  // the writer endpoint, an address it resolved to, or the primary
  kReader,  // the reader endpoint
  kOther,   // anything else: servers shown, never counted stale
};
const char* PoolTargetName(PoolTarget t);  // "writer", "reader", "other"

// Role of the node a server connection is on, from the PgObservation.
// "primary", "superseded_primary", "standby", "unreachable", "unknown".
// Unknown = no PostgreSQL observation, or the address is not in its node
// set (a proxy, another name for a node): never counted stale.
enum class ServerRole {
  kPrimary,
  kSupersededPrimary,
  kStandby,
  kUnreachable,
  kUnknown
};
const char* ServerRoleName(ServerRole r);
// Not the writable primary, and failwatch knows it.
bool IsStaleRole(ServerRole r);

// Server connections grouped by pool, backend address and state.
struct PgBouncerServerGroup {
  std::string pool_db;
  std::string pool_user;
  std::string address;  // "addr:port"
  std::string state;
  ServerRole role = ServerRole::kUnknown;
  PoolTarget pool_target = PoolTarget::kOther;
  std::int64_t count = 0;
};

// Server connections of a writer pool on a node that is not the writable
// primary (one entry per pool x node with count > 0).
struct PgBouncerStaleServers {
  std::string pool_db;
  std::string pool_user;
  std::string address;
  ServerRole role = ServerRole::kUnknown;
  std::int64_t count = 0;
};

class PgBouncerObservation;
inline constexpr ObservationKey<PgBouncerObservation> kPgBouncerObservations{
    kPgBouncerKind};

class PgBouncerObservation final : public Observation {
 public:
  std::string database;  // failwatch database name
  std::string address;   // the PgBouncer "host:port"
  WallTime sampled_at{};
  std::string version;  // "PgBouncer 1.18.0"; "" when unknown
  // False when there is no PostgreSQL observation to join with: roles are
  // all unknown and stale counts are not a judgement.
  bool roles_known = false;
  std::vector<PgBouncerPool> pools;                // admin pool excluded
  std::vector<PgBouncerDatabase> databases;        // admin database excluded
  std::map<std::string, PoolTarget> pool_targets;  // by PgBouncer database
  std::vector<PgBouncerStats> stats;
  std::vector<PgBouncerServerGroup> servers;
  std::vector<PgBouncerStaleServers> stale_servers;

  std::int64_t StaleTotal() const;
  std::int64_t WaitingClients() const;
  double MaxWaitSeconds() const;
  const PgBouncerPool* FindPool(const std::string& db,
                                const std::string& user) const;
};

}  // namespace failwatch
