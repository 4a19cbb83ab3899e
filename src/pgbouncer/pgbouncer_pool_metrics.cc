#include <string>

#include "pgbouncer/pgbouncer_family_groups.h"

namespace failwatch {

void AppendPgBouncerPoolFamilies(const PgBouncerObservation& obs,
                                 PgBouncerFamilies& out) {
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
  for (const PgBouncerPool& p : obs.pools) {
    const Labels pool =
        PgBouncerLabels(obs, {{"pool_db", p.database}, {"pool_user", p.user}});
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
  for (auto* f : {&clients, &pool_servers, &maxwait, &pool_info}) {
    f->MoveTo(out);
  }
}

void AppendPgBouncerDatabaseFamilies(const PgBouncerObservation& obs,
                                     PgBouncerFamilies& out) {
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
  for (const PgBouncerDatabase& d : obs.databases) {
    const Labels db = PgBouncerLabels(obs, {{"pool_db", d.name}});
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
  for (auto* f :
       {&db_info, &db_pool_size, &db_current, &db_paused, &db_disabled}) {
    f->MoveTo(out);
  }
}

}  // namespace failwatch
