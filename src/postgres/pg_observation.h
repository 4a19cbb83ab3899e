// What the PostgreSQL collector publishes (kind "postgres", target = the
// database name) for evaluators: the role of every node, where the endpoint
// points, which application connections sit on the wrong node, and how
// writes through a fresh and a sticky connection fare.
//
// Times are wall-clock; an epoch (WallTime{}) value means "never / unknown".
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/collector.h"
#include "core/result.h"

namespace failwatch {

inline constexpr char kPostgresKind[] = "postgres";

enum class NodeRole { kPrimary, kStandby, kUnreachable, kUnknown };
// "primary", "standby", "unreachable", "unknown": the label values.
const char* NodeRoleName(NodeRole role);

// How a node entered the node set (a node can have several sources).
inline constexpr unsigned kSourceMember = 1;      // configured `members`
inline constexpr unsigned kSourceDns = 2;         // an endpoint resolved to it
inline constexpr unsigned kSourceDiscovered = 4;  // replication views
// "member", "dns", "discovered" joined with '+' ("member+dns").
std::string NodeSourceName(unsigned sources);

struct StandbyStatus {
  // 0 when everything received is replayed (an idle primary produces no new
  // transactions, so now() - last replay timestamp would grow forever).
  std::optional<double> replay_lag_seconds;
  std::optional<std::int64_t> replay_lag_bytes;  // received - replayed
  std::string receiver_status;  // pg_stat_wal_receiver.status; "" = none
  std::string upstream;         // "sender_host:sender_port"; "" = unknown
};

// One row of pg_stat_replication as seen on a primary (or cascading standby).
struct ReplicaStatus {
  std::string client_addr;  // "" for a unix-socket client
  std::string application_name;
  std::string state;                      // "streaming", "catchup", ...
  std::string sync_state;                 // "async", "sync", ...
  std::optional<std::int64_t> lag_bytes;  // current/receive LSN - replay_lsn
  std::optional<double> replay_lag_seconds;
};

struct NodeState {
  std::string address;   // "ip:port" (or "host:port" for a named member)
  unsigned sources = 0;  // kSource* bits
  // Connected and the status query answered: role is known.
  bool up = false;
  // Why the node is not up (or why a part of its sample failed).
  std::optional<Error> error;
  NodeRole role = NodeRole::kUnknown;
  bool in_recovery = false;
  bool read_only = false;
  // A primary whose timeline is lower than another primary's: the old node
  // after a promotion that nobody stopped (split brain). Writes there are
  // lost; apps expecting the primary must not use it.
  bool superseded = false;
  std::optional<std::uint32_t> timeline;
  int server_version_num = 0;
  WallTime postmaster_start{};
  WallTime sampled_at{};                 // when the values above were read
  std::optional<StandbyStatus> standby;  // set when in recovery
  std::vector<ReplicaStatus> replicas;   // pg_stat_replication rows
  // Promotion = recovery -> primary, or a primary's timeline went up.
  WallTime last_promotion{};
  std::uint64_t promotions_total = 0;
  // Demotion = seen primary, later seen in recovery.
  WallTime last_demotion{};
  // sum(pg_stat_database.xact_rollback) as read in this sample; nullopt
  // when not read. Cumulative on the server (reset by pg_stat_reset() or a
  // crash restart).
  std::optional<std::int64_t> xact_rollback_total;
  // Rolled-back transactions that were not failwatch's own (its write
  // probes and monitoring queries on this node are subtracted) over the
  // last kRollbackWindowSamples samples, which began at
  // rollbacks_window_start. Reset when the node goes down or changes
  // between primary and recovery. See RollbackStep (pg_derive.h).
  std::int64_t rollbacks_recent = 0;
  WallTime rollbacks_window_start{};
  // rollbacks_recent >= kRollbacksRisingMin: on a node in recovery, writes
  // (most likely) keep failing with 25006 and the clients roll back.
  bool rollbacks_rising = false;
};

// Samples the rollback window spans, and how many excess rollbacks in it
// count as rising: one stray rollback may be a read transaction ending in
// ROLLBACK or a probe failure counted a sample late.
inline constexpr std::size_t kRollbackWindowSamples = 5;
inline constexpr std::int64_t kRollbacksRisingMin = 2;

struct EndpointTarget {
  std::string endpoint;       // "db.lab.test:5432" as configured
  std::string endpoint_role;  // "writer" or "reader"
  std::string address;        // "ip:port" the endpoint resolves to now
  NodeRole node_role = NodeRole::kUnknown;
  bool superseded = false;  // see NodeState::superseded
};

// Client backends on one node, grouped. Bounded: the top groups per node by
// count; the rest are folded into application_name "other".
struct AppConnectionGroup {
  std::string node;
  std::string application_name;
  std::string usename;
  std::string client_addr;  // "local" for unix sockets, "" if not visible
  std::string state;
  std::string datname;
  std::int64_t count = 0;
  WallTime oldest_backend_start{};
  // Only on a node in recovery: backends whose last statement was a write
  // (they certainly failed with 25006), the verb of the latest such write
  // (statement_verb.h; "" = none) and when it ended (its state_change).
  std::int64_t write_backends = 0;
  std::string last_write_verb;
  WallTime last_write_at{};
};

enum class StaleCause {
  // The connection was opened before the promotion: a pool kept it.
  kKeptFromBeforePromotion,
  // Opened after the promotion: the app resolved or cached the old address.
  kConnectedAfterPromotion,
  // No promotion time known (failwatch started after the failover).
  kUnknown,
};
// "kept_from_before_promotion", "connected_after_promotion", "unknown".
const char* StaleCauseName(StaleCause cause);

// Connections of one configured app on a node that is not what the app
// expects (expects=primary: a standby, a superseded primary, or a node of
// unknown role that is not the endpoint's target).
//
// Also used for unconfigured writers (PgObservation::unconfigured_writers):
// then `app` is the client's application_name, else its client_addr.
struct StaleAppConnections {
  std::string app;  // the configured application_name glob
  std::string node;
  NodeRole node_role = NodeRole::kUnknown;
  StaleCause cause = StaleCause::kUnknown;
  std::int64_t count = 0;
  WallTime oldest_backend_start{};
  // Write evidence, only on a node in recovery: of these backends, how many
  // last ran a write (so failed with 25006), the verb of the latest one and
  // when it ended. writes > 0 proves the app is failing: conclusive.
  std::int64_t writes = 0;
  std::string write_verb;  // "INSERT", "COPY FROM", ...; "" when writes = 0
  WallTime last_write_at{};
  // Distinct client addresses of these backends, sorted, at most
  // kMaxClientAddrs.
  std::vector<std::string> client_addrs;
  static constexpr std::size_t kMaxClientAddrs = 8;
  // Only for configured apps on a node in recovery: the node's
  // rollbacks_recent / rollbacks_rising (NodeState) and the window's start.
  // Rising rollbacks there mean writes keep failing with 25006 even when the
  // pool's ROLLBACK hides the failed write from pg_stat_activity: also
  // conclusive. Node-wide, not per app.
  std::int64_t rollbacks_recent = 0;
  bool rollbacks_rising = false;
  WallTime rollbacks_window_start{};
};

struct WriteProbePath {
  std::string path;            // "fresh" or "sticky"
  std::string address;         // node written to in the last attempt; "" = none
  bool attempted = false;      // false until the first attempt
  bool ok = false;             // of the last attempt
  double latency_seconds = 0;  // of the last attempt (fresh: incl. connect)
  std::string sqlstate;        // of the last failure; "" when ok
  std::string last_error;      // one line, no secrets; "" when ok
  WallTime last_attempt{};
  WallTime last_success{};
  std::uint64_t attempts_total = 0;
  // Keyed by SQLSTATE, or "timeout" / "connection" when there is none.
  std::map<std::string, std::uint64_t> failures_total;
};

class PgObservation;
inline constexpr ObservationKey<PgObservation> kPgObservations{kPostgresKind};

class PgObservation final : public Observation {
 public:
  std::string database;
  WallTime sampled_at{};
  std::vector<NodeState> nodes;  // sorted by address
  std::vector<EndpointTarget> endpoint_targets;
  // Up nodes with role primary (superseded ones included): 0 = no writer,
  // >= 2 = split brain.
  int primaries = 0;
  // Address of the primary with the highest timeline; "" when none or tied.
  std::string writer;
  std::vector<AppConnectionGroup> app_connections;
  std::vector<StaleAppConnections> stale_app_connections;
  // Clients no configured app matches that wrote to a node in recovery:
  // listed from the first write seen while their connections remain there
  // (writes back to 0 when they stop writing), then with count 0 for the
  // collector's unconfigured_writer_linger after the connections are gone,
  // so the check reports them ok before the target disappears.
  std::vector<StaleAppConnections> unconfigured_writers;
  std::vector<WriteProbePath> write_probes;  // empty when not enabled
  // Over all nodes.
  WallTime last_promotion{};
  std::uint64_t promotions_total = 0;
  // failwatch's own failed queries/connects: node -> code -> count.
  std::map<std::string, std::map<std::string, std::uint64_t>> errors_total;

  const NodeState* FindNode(const std::string& address) const;
  const WriteProbePath* FindProbe(const std::string& path) const;
  std::int64_t StaleCount(const std::string& app) const;
};

}  // namespace failwatch
