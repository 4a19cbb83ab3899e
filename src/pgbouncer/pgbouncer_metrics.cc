#include "pgbouncer/pgbouncer_metrics.h"

#include <string>

#include "core/metric_builder.h"

namespace failwatch {

std::vector<prometheus::MetricFamily> BuildPgBouncerFamilies(
    const PgBouncerObservation& obs) {
  const Labels base = {{"database", obs.database}, {"pgbouncer", obs.address}};
  auto with = [&](Labels extra) {
    Labels l = base;
    l.insert(l.end(), extra.begin(), extra.end());
    return l;
  };
  std::vector<prometheus::MetricFamily> out;

  auto info =
      FamilyBuilder::Gauge("failwatch_pgbouncer_info",
                           "1 per PgBouncer; version from SHOW VERSION.");
  auto roles_known = FamilyBuilder::Gauge(
      "failwatch_pgbouncer_node_roles_known",
      "1 when node roles from the PostgreSQL collector were available to "
      "judge server connections; 0 means role=\"unknown\" everywhere and "
      "stale counts are not a judgement.");
  auto clients = FamilyBuilder::Gauge(
      "failwatch_pgbouncer_pool_client_connections",
      "Client connections per pool (SHOW POOLS cl_active, cl_waiting).");
  auto pool_servers = FamilyBuilder::Gauge(
      "failwatch_pgbouncer_pool_server_connections",
      "Server connections per pool by state (SHOW POOLS sv_active, sv_idle, "
      "sv_used, sv_tested, sv_login).");
  auto maxwait = FamilyBuilder::Gauge(
      "failwatch_pgbouncer_pool_maxwait_seconds",
      "How long the oldest waiting client of the pool has waited, with "
      "microsecond precision (maxwait + maxwait_us); 0 when none waits.");
  auto pool_info = FamilyBuilder::Gauge("failwatch_pgbouncer_pool_info",
                                        "1 per pool; pool_mode label.");
  auto db_info = FamilyBuilder::Gauge(
      "failwatch_pgbouncer_database_info",
      "1 per PgBouncer database (SHOW DATABASES): where it points (host, "
      "port, dbname) and how failwatch reads that target (writer, reader, "
      "other).");
  auto db_pool_size =
      FamilyBuilder::Gauge("failwatch_pgbouncer_database_pool_size",
                           "Configured pool_size of the PgBouncer database.");
  auto db_current =
      FamilyBuilder::Gauge("failwatch_pgbouncer_database_current_connections",
                           "Server connections of the PgBouncer database now.");
  auto db_paused = FamilyBuilder::Gauge(
      "failwatch_pgbouncer_database_paused",
      "1 while the database is PAUSEd (clients queue up).");
  auto db_disabled = FamilyBuilder::Gauge(
      "failwatch_pgbouncer_database_disabled",
      "1 while the database is DISABLEd (new clients rejected).");
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
  auto xacts = FamilyBuilder::Counter(
      "failwatch_pgbouncer_transactions_total",
      "Transactions pooled (SHOW STATS total_xact_count).");
  auto queries =
      FamilyBuilder::Counter("failwatch_pgbouncer_queries_total",
                             "Queries pooled (SHOW STATS total_query_count).");
  auto received = FamilyBuilder::Counter(
      "failwatch_pgbouncer_received_bytes_total",
      "Bytes received from clients (SHOW STATS total_received).");
  auto sent =
      FamilyBuilder::Counter("failwatch_pgbouncer_sent_bytes_total",
                             "Bytes sent to clients (SHOW STATS total_sent).");
  auto xact_time = FamilyBuilder::Counter(
      "failwatch_pgbouncer_transaction_seconds_total",
      "Time spent in transactions (SHOW STATS total_xact_time).");
  auto query_time = FamilyBuilder::Counter(
      "failwatch_pgbouncer_query_seconds_total",
      "Time spent in queries (SHOW STATS total_query_time).");
  auto wait_time = FamilyBuilder::Counter(
      "failwatch_pgbouncer_client_wait_seconds_total",
      "Time clients waited for a server (SHOW STATS total_wait_time).");

  if (!obs.version.empty()) info.Add(with({{"version", obs.version}}), 1);
  if (obs.sampled_at != WallTime{}) {
    roles_known.Add(base, obs.roles_known ? 1 : 0);
    stale_sum.Add(base, static_cast<double>(obs.StaleTotal()));
  }
  for (const PgBouncerPool& p : obs.pools) {
    const Labels pool = with({{"pool_db", p.database}, {"pool_user", p.user}});
    auto state = [&](const char* s) {
      Labels l = pool;
      l.emplace_back("state", s);
      return l;
    };
    clients.Add(state("active"), static_cast<double>(p.cl_active));
    clients.Add(state("waiting"), static_cast<double>(p.cl_waiting));
    pool_servers.Add(state("active"), static_cast<double>(p.sv_active));
    pool_servers.Add(state("idle"), static_cast<double>(p.sv_idle));
    pool_servers.Add(state("used"), static_cast<double>(p.sv_used));
    pool_servers.Add(state("tested"), static_cast<double>(p.sv_tested));
    pool_servers.Add(state("login"), static_cast<double>(p.sv_login));
    maxwait.Add(pool, p.maxwait_seconds);
    Labels mode = pool;
    mode.emplace_back("pool_mode", p.pool_mode);
    pool_info.Add(mode, 1);
  }
  for (const PgBouncerDatabase& d : obs.databases) {
    const Labels db = with({{"pool_db", d.name}});
    auto it = obs.pool_targets.find(d.name);
    const PoolTarget t =
        it == obs.pool_targets.end() ? PoolTarget::kOther : it->second;
    Labels l = db;
    l.insert(l.end(), {{"host", d.host},
                       {"port", std::to_string(d.port)},
                       {"dbname", d.dbname},
                       {"pool_mode", d.pool_mode},
                       {"target", PoolTargetName(t)}});
    db_info.Add(l, 1);
    db_pool_size.Add(db, static_cast<double>(d.pool_size));
    db_current.Add(db, static_cast<double>(d.current_connections));
    db_paused.Add(db, d.paused ? 1 : 0);
    db_disabled.Add(db, d.disabled ? 1 : 0);
  }
  for (const PgBouncerServerGroup& g : obs.servers) {
    servers.Add(with({{"pool_db", g.pool_db},
                      {"pool_user", g.pool_user},
                      {"backend", g.address},
                      {"state", g.state},
                      {"role", ServerRoleName(g.role)},
                      {"target", PoolTargetName(g.pool_target)}}),
                static_cast<double>(g.count));
  }
  for (const PgBouncerStaleServers& s : obs.stale_servers) {
    stale.Add(with({{"pool_db", s.pool_db},
                    {"pool_user", s.pool_user},
                    {"backend", s.address},
                    {"role", ServerRoleName(s.role)}}),
              static_cast<double>(s.count));
  }
  for (const PgBouncerStats& s : obs.stats) {
    const Labels db = with({{"pool_db", s.database}});
    xacts.Add(db, static_cast<double>(s.xact_count));
    queries.Add(db, static_cast<double>(s.query_count));
    received.Add(db, static_cast<double>(s.received_bytes));
    sent.Add(db, static_cast<double>(s.sent_bytes));
    xact_time.Add(db, s.xact_seconds);
    query_time.Add(db, s.query_seconds);
    wait_time.Add(db, s.wait_seconds);
  }

  for (auto* f :
       {&info,        &roles_known, &clients,      &pool_servers, &maxwait,
        &pool_info,   &db_info,     &db_pool_size, &db_current,   &db_paused,
        &db_disabled, &servers,     &stale,        &stale_sum,    &xacts,
        &queries,     &received,    &sent,         &xact_time,    &query_time,
        &wait_time}) {
    std::move(*f).MoveTo(out);
  }
  return out;
}

}  // namespace failwatch
