#include "postgres/pg_metrics.h"

#include "core/metric_builder.h"

namespace failwatch {
namespace {

constexpr NodeRole kAllRoles[] = {NodeRole::kPrimary, NodeRole::kStandby,
                                  NodeRole::kUnreachable, NodeRole::kUnknown};

double Seconds(WallTime t) { return t == WallTime{} ? 0 : ToUnixSeconds(t); }

}  // namespace

std::vector<prometheus::MetricFamily> BuildPgFamilies(
    const PgObservation& obs, const PgDatabaseOptions& config) {
  const std::string& db = obs.database;
  std::vector<prometheus::MetricFamily> out;

  auto up = FamilyBuilder::Gauge(
      "failwatch_pg_node_up",
      "1 when the node answered the status query in the last sample.");
  auto role = FamilyBuilder::Gauge(
      "failwatch_pg_node_role",
      "1 for the node's current role (primary, standby, unreachable, "
      "unknown), 0 for the others.");
  auto info = FamilyBuilder::Gauge(
      "failwatch_pg_node_info",
      "1 per node; source says how it entered the node set "
      "(member, dns, discovered).");
  auto recovery = FamilyBuilder::Gauge("failwatch_pg_node_in_recovery",
                                       "pg_is_in_recovery() of the node.");
  auto read_only = FamilyBuilder::Gauge(
      "failwatch_pg_node_read_only",
      "1 when new sessions on the node default to read-only "
      "(transaction_read_only).");
  auto superseded = FamilyBuilder::Gauge(
      "failwatch_pg_node_superseded",
      "1 for a primary on a lower timeline than another primary: the old "
      "node after a promotion, still accepting writes that will be lost.");
  auto timeline = FamilyBuilder::Gauge("failwatch_pg_node_timeline",
                                       "Current timeline ID of the node.");
  auto version = FamilyBuilder::Gauge("failwatch_pg_node_server_version_num",
                                      "server_version_num of the node.");
  auto start =
      FamilyBuilder::Gauge("failwatch_pg_node_postmaster_start_time_seconds",
                           "pg_postmaster_start_time() as a Unix timestamp.");
  auto node_error = FamilyBuilder::Gauge(
      "failwatch_pg_node_error",
      "1 while the node's last sample failed; code is an SQLSTATE, "
      "\"timeout\" or \"08001\" (could not connect).");
  auto lag_s = FamilyBuilder::Gauge(
      "failwatch_pg_standby_replay_lag_seconds",
      "Standby: now() - last replayed transaction time; 0 when all "
      "received WAL is replayed.");
  auto lag_b = FamilyBuilder::Gauge(
      "failwatch_pg_standby_replay_lag_bytes",
      "Standby: received but not yet replayed WAL, in bytes.");
  auto receiver = FamilyBuilder::Gauge(
      "failwatch_pg_standby_receiver_info",
      "Standby: 1 with the WAL receiver status and upstream (host:port).");
  auto replica_b = FamilyBuilder::Gauge(
      "failwatch_pg_replica_lag_bytes",
      "Per pg_stat_replication row of a node: its current WAL position "
      "minus the replica's replay position, in bytes.");
  auto replica_s = FamilyBuilder::Gauge(
      "failwatch_pg_replica_replay_lag_seconds",
      "Per pg_stat_replication row: replay_lag in seconds.");
  auto node_promotions = FamilyBuilder::Counter(
      "failwatch_pg_node_promotions_total",
      "Promotions of the node seen by failwatch (recovery -> primary, or "
      "a primary's timeline went up).");
  auto node_last_promotion = FamilyBuilder::Gauge(
      "failwatch_pg_node_last_promotion_time_seconds",
      "When failwatch saw the node's last promotion (0 = never).");
  auto node_last_demotion = FamilyBuilder::Gauge(
      "failwatch_pg_node_last_demotion_time_seconds",
      "When failwatch saw the node go from primary to recovery (0 = never).");
  auto node_rollbacks = FamilyBuilder::Counter(
      "failwatch_pg_node_xact_rollbacks_total",
      "sum(pg_stat_database.xact_rollback) of the node: rolled-back "
      "transactions (failwatch's own failed probes included; reset by "
      "pg_stat_reset() or a crash restart).");
  auto node_rollbacks_recent = FamilyBuilder::Gauge(
      "failwatch_pg_node_rollbacks_recent",
      "Rolled-back transactions of the node over the last 5 samples, "
      "failwatch's own subtracted. On a node in recovery: most likely "
      "writes failing with 25006.");
  auto errors = FamilyBuilder::Counter(
      "failwatch_pg_errors_total",
      "failwatch's own failed connects and queries per node, by SQLSTATE "
      "(or timeout).");

  for (const NodeState& n : obs.nodes) {
    const Labels base{{"database", db}, {"node", n.address}};
    up.Add(base, n.up ? 1 : 0);
    for (NodeRole r : kAllRoles) {
      role.Add(
          {{"database", db}, {"node", n.address}, {"role", NodeRoleName(r)}},
          n.role == r ? 1 : 0);
    }
    info.Add({{"database", db},
              {"node", n.address},
              {"source", NodeSourceName(n.sources)}},
             1);
    node_promotions.Add(base, static_cast<double>(n.promotions_total));
    node_last_promotion.Add(base, Seconds(n.last_promotion));
    node_last_demotion.Add(base, Seconds(n.last_demotion));
    if (n.error) {
      node_error.Add(
          {{"database", db}, {"node", n.address}, {"code", n.error->code}}, 1);
    }
    if (!n.up) continue;
    recovery.Add(base, n.in_recovery ? 1 : 0);
    read_only.Add(base, n.read_only ? 1 : 0);
    superseded.Add(base, n.superseded ? 1 : 0);
    if (n.timeline) timeline.Add(base, *n.timeline);
    version.Add(base, n.server_version_num);
    start.Add(base, Seconds(n.postmaster_start));
    if (n.xact_rollback_total) {
      node_rollbacks.Add(base, static_cast<double>(*n.xact_rollback_total));
      node_rollbacks_recent.Add(base, static_cast<double>(n.rollbacks_recent));
    }
    if (n.standby) {
      if (n.standby->replay_lag_seconds) {
        lag_s.Add(base, *n.standby->replay_lag_seconds);
      }
      if (n.standby->replay_lag_bytes) {
        lag_b.Add(base, static_cast<double>(*n.standby->replay_lag_bytes));
      }
      receiver.Add({{"database", db},
                    {"node", n.address},
                    {"status", n.standby->receiver_status},
                    {"upstream", n.standby->upstream}},
                   1);
    }
    for (const ReplicaStatus& r : n.replicas) {
      Labels l{
          {"database", db},           {"node", n.address},
          {"replica", r.client_addr}, {"application_name", r.application_name},
          {"state", r.state},         {"sync_state", r.sync_state}};
      if (r.lag_bytes) replica_b.Add(l, static_cast<double>(*r.lag_bytes));
      if (r.replay_lag_seconds) replica_s.Add(l, *r.replay_lag_seconds);
    }
  }
  for (const auto& [node, codes] : obs.errors_total) {
    for (const auto& [code, count] : codes) {
      errors.Add({{"database", db}, {"node", node}, {"code", code}},
                 static_cast<double>(count));
    }
  }

  auto primaries = FamilyBuilder::Gauge(
      "failwatch_pg_primaries",
      "Up nodes that are primaries: 0 = no writer, 2 or more = split brain.");
  primaries.Add({{"database", db}}, obs.primaries);
  auto writer = FamilyBuilder::Gauge(
      "failwatch_pg_writer",
      "1 for the primary on the highest timeline (absent when none or "
      "ambiguous).");
  if (!obs.writer.empty())
    writer.Add({{"database", db}, {"node", obs.writer}}, 1);
  auto promotions =
      FamilyBuilder::Counter("failwatch_pg_promotions_total",
                             "Promotions seen on any node of the database.");
  promotions.Add({{"database", db}}, static_cast<double>(obs.promotions_total));
  auto last_promotion = FamilyBuilder::Gauge(
      "failwatch_pg_last_promotion_time_seconds",
      "When failwatch saw the database's last promotion (0 = never).");
  last_promotion.Add({{"database", db}}, Seconds(obs.last_promotion));

  auto target = FamilyBuilder::Gauge(
      "failwatch_pg_endpoint_target",
      "1 per address an endpoint resolves to now, with the role of the "
      "node there (role = writer|reader endpoint).");
  for (const EndpointTarget& t : obs.endpoint_targets) {
    target.Add({{"database", db},
                {"endpoint", t.endpoint},
                {"role", t.endpoint_role},
                {"address", t.address},
                {"node_role", t.superseded ? "superseded_primary"
                                           : NodeRoleName(t.node_role)}},
               1);
  }

  auto conns = FamilyBuilder::Gauge(
      "failwatch_pg_app_connections",
      "Client backends per node, grouped; the largest groups per node, the "
      "rest under application_name=\"other\".");
  auto conns_oldest = FamilyBuilder::Gauge(
      "failwatch_pg_app_connections_oldest_start_time_seconds",
      "Oldest backend_start of the group, as a Unix timestamp.");
  auto conns_writes = FamilyBuilder::Gauge(
      "failwatch_pg_app_connections_writes",
      "Of the group's backends on a node in recovery, those whose last "
      "statement was a write: each failed with 25006. Only groups with any.");
  for (const AppConnectionGroup& g : obs.app_connections) {
    Labels l{{"database", db},
             {"node", g.node},
             {"application_name", g.application_name},
             {"usename", g.usename},
             {"client_addr", g.client_addr},
             {"state", g.state},
             {"datname", g.datname}};
    conns.Add(l, static_cast<double>(g.count));
    conns_oldest.Add(l, Seconds(g.oldest_backend_start));
    // Only on nodes in recovery (the statement is read nowhere else).
    if (g.write_backends > 0) {
      conns_writes.Add(l, static_cast<double>(g.write_backends));
    }
  }

  auto stale = FamilyBuilder::Gauge(
      "failwatch_pg_stale_app_connections",
      "Connections of a configured app on a node that is not what it "
      "expects; cause: kept_from_before_promotion, "
      "connected_after_promotion, unknown.");
  auto stale_oldest = FamilyBuilder::Gauge(
      "failwatch_pg_stale_app_connections_oldest_start_time_seconds",
      "Oldest backend_start among those stale connections.");
  auto stale_writes = FamilyBuilder::Gauge(
      "failwatch_pg_stale_app_connections_writes",
      "Of those stale connections, backends on a node in recovery whose last "
      "statement was a write (it failed with 25006: conclusive).");
  for (const StaleAppConnections& s : obs.stale_app_connections) {
    Labels l{{"database", db},
             {"app", s.app},
             {"node", s.node},
             {"node_role", NodeRoleName(s.node_role)},
             {"cause", StaleCauseName(s.cause)}};
    stale.Add(l, static_cast<double>(s.count));
    stale_oldest.Add(l, Seconds(s.oldest_backend_start));
    stale_writes.Add(l, static_cast<double>(s.writes));
  }
  auto stale_app = FamilyBuilder::Gauge(
      "failwatch_pg_app_stale_connections",
      "Per configured app: its stale connections over all nodes (0 = none).");
  for (const AppConfig& app : config.apps) {
    stale_app.Add({{"database", db}, {"app", app.application_name}},
                  static_cast<double>(obs.StaleCount(app.application_name)));
  }

  auto probe_ok = FamilyBuilder::Gauge(
      "failwatch_pg_write_probe_success",
      "1 when the last heartbeat write through the path succeeded "
      "(fresh: new connection to the endpoint's current address; sticky: "
      "one long-lived connection).");
  auto probe_latency = FamilyBuilder::Gauge(
      "failwatch_pg_write_probe_latency_seconds",
      "Duration of the last heartbeat write (fresh includes connecting).");
  auto probe_attempts = FamilyBuilder::Counter(
      "failwatch_pg_write_probe_attempts_total", "Heartbeat writes tried.");
  auto probe_failures = FamilyBuilder::Counter(
      "failwatch_pg_write_probe_failures_total",
      "Failed heartbeat writes by SQLSTATE (25006 = read-only node).");
  auto probe_last_success = FamilyBuilder::Gauge(
      "failwatch_pg_write_probe_last_success_time_seconds",
      "When the path last wrote successfully (0 = never).");
  auto probe_target = FamilyBuilder::Gauge(
      "failwatch_pg_write_probe_target",
      "1 for the node the path wrote to in its last attempt.");
  for (const WriteProbePath& p : obs.write_probes) {
    const Labels l{{"database", db}, {"path", p.path}};
    if (p.attempted) {
      probe_ok.Add(l, p.ok ? 1 : 0);
      probe_latency.Add(l, p.latency_seconds);
    }
    probe_attempts.Add(l, static_cast<double>(p.attempts_total));
    for (const auto& [code, count] : p.failures_total) {
      probe_failures.Add(
          {{"database", db}, {"path", p.path}, {"sqlstate", code}},
          static_cast<double>(count));
    }
    probe_last_success.Add(l, Seconds(p.last_success));
    if (!p.address.empty()) {
      probe_target.Add(
          {{"database", db}, {"path", p.path}, {"address", p.address}}, 1);
    }
  }

  for (FamilyBuilder* f : {&up,
                           &role,
                           &info,
                           &recovery,
                           &read_only,
                           &superseded,
                           &timeline,
                           &version,
                           &start,
                           &node_error,
                           &lag_s,
                           &lag_b,
                           &receiver,
                           &replica_b,
                           &replica_s,
                           &node_promotions,
                           &node_last_promotion,
                           &node_last_demotion,
                           &node_rollbacks,
                           &node_rollbacks_recent,
                           &errors,
                           &primaries,
                           &writer,
                           &promotions,
                           &last_promotion,
                           &target,
                           &conns,
                           &conns_oldest,
                           &conns_writes,
                           &stale,
                           &stale_oldest,
                           &stale_writes,
                           &stale_app,
                           &probe_ok,
                           &probe_latency,
                           &probe_attempts,
                           &probe_failures,
                           &probe_last_success,
                           &probe_target}) {
    std::move(*f).MoveTo(out);
  }
  return out;
}

}  // namespace failwatch
