#include "core/metric_builder.h"
#include "postgres/pg_family_groups.h"

namespace failwatch {
namespace {

void AppendConnectionGroups(const PgObservation& obs, PgFamilies& out) {
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
    Labels l{{"database", obs.database},
             {"node", g.node},
             {"application_name", g.application_name},
             {"usename", g.usename},
             {"client_addr", g.client_addr},
             {"state", g.state},
             {"datname", g.datname}};
    conns.Add(l, static_cast<double>(g.count));
    conns_oldest.Add(l, PgSeconds(g.oldest_backend_start));
    // Only on nodes in recovery (the statement is read nowhere else).
    if (g.write_backends > 0) {
      conns_writes.Add(l, static_cast<double>(g.write_backends));
    }
  }
  for (FamilyBuilder* f : {&conns, &conns_oldest, &conns_writes}) {
    f->MoveTo(out);
  }
}

void AppendStaleConnections(const PgObservation& obs,
                            const PgDatabaseOptions& config, PgFamilies& out) {
  const std::string& db = obs.database;
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
    stale_oldest.Add(l, PgSeconds(s.oldest_backend_start));
    stale_writes.Add(l, static_cast<double>(s.writes));
  }
  auto stale_app = FamilyBuilder::Gauge(
      "failwatch_pg_app_stale_connections",
      "Per configured app: its stale connections over all nodes (0 = none).");
  for (const AppConfig& app : config.apps) {
    stale_app.Add({{"database", db}, {"app", app.application_name}},
                  static_cast<double>(obs.StaleCount(app.application_name)));
  }
  for (FamilyBuilder* f : {&stale, &stale_oldest, &stale_writes, &stale_app}) {
    f->MoveTo(out);
  }
}

}  // namespace

void AppendPgAppConnectionFamilies(const PgObservation& obs,
                                   const PgDatabaseOptions& config,
                                   PgFamilies& out) {
  AppendConnectionGroups(obs, out);
  AppendStaleConnections(obs, config, out);
}

}  // namespace failwatch
