#include "pgbouncer/pgbouncer_metrics.h"

#include "pgbouncer/pgbouncer_family_groups.h"

namespace failwatch {
namespace {

// Server connections by backend and role, and the stale ones.
void AppendServerFamilies(const PgBouncerObservation& obs,
                          PgBouncerFamilies& out) {
  auto servers = FamilyBuilder::Gauge(
      "failwatch_pgbouncer_server_connections",
      "Server connections (SHOW SERVERS) by pool, backend address, state and "
      "the role of the node at that address (primary, superseded_primary, "
      "standby, unreachable, unknown); target is the pool's target.");
  auto stale = FamilyBuilder::Gauge(
      "failwatch_pgbouncer_stale_server_connections",
      "Server connections of a writer pool on a node that is not the "
      "writable primary (standby, superseded primary, unreachable).");
  auto stale_sum = FamilyBuilder::Gauge(
      "failwatch_pgbouncer_stale_servers",
      "Sum of failwatch_pgbouncer_stale_server_connections over all pools; "
      "always present.");
  for (const PgBouncerServerGroup& g : obs.servers) {
    servers.Add(
        PgBouncerLabels(obs, {{"pool_db", g.pool_db},
                              {"pool_user", g.pool_user},
                              {"backend", g.address},
                              {"state", g.state},
                              {"role", ServerRoleName(g.role)},
                              {"target", PoolTargetName(g.pool_target)}}),
        static_cast<double>(g.count));
  }
  for (const PgBouncerStaleServers& s : obs.stale_servers) {
    stale.Add(PgBouncerLabels(obs, {{"pool_db", s.pool_db},
                                    {"pool_user", s.pool_user},
                                    {"backend", s.address},
                                    {"role", ServerRoleName(s.role)}}),
              static_cast<double>(s.count));
  }
  if (obs.sampled_at != WallTime{}) {
    stale_sum.Add(PgBouncerLabels(obs), static_cast<double>(obs.StaleTotal()));
  }
  for (auto* f : {&servers, &stale, &stale_sum}) f->MoveTo(out);
}

}  // namespace

Labels PgBouncerLabels(const PgBouncerObservation& obs, Labels extra) {
  Labels l{{"database", obs.database}, {"pgbouncer", obs.address}};
  l.insert(l.end(), extra.begin(), extra.end());
  return l;
}

std::vector<prometheus::MetricFamily> BuildPgBouncerFamilies(
    const PgBouncerObservation& obs) {
  PgBouncerFamilies out;
  auto info =
      FamilyBuilder::Gauge("failwatch_pgbouncer_info",
                           "1 per PgBouncer; version from SHOW VERSION.");
  if (!obs.version.empty()) {
    info.Add(PgBouncerLabels(obs, {{"version", obs.version}}), 1);
  }
  info.MoveTo(out);
  auto roles_known = FamilyBuilder::Gauge(
      "failwatch_pgbouncer_node_roles_known",
      "1 when node roles from the PostgreSQL collector were available to "
      "judge server connections; 0 means role=\"unknown\" everywhere and "
      "stale counts are not a judgement.");
  if (obs.sampled_at != WallTime{}) {
    roles_known.Add(PgBouncerLabels(obs), obs.roles_known ? 1 : 0);
  }
  roles_known.MoveTo(out);
  AppendPgBouncerPoolFamilies(obs, out);
  AppendPgBouncerDatabaseFamilies(obs, out);
  AppendServerFamilies(obs, out);
  AppendPgBouncerStatsFamilies(obs, out);
  return out;
}

}  // namespace failwatch
