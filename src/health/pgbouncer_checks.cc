#include "health/pgbouncer_checks.h"

#include <spdlog/fmt/fmt.h>

#include "health/health_format.h"
#include "health/postgres_checks.h"

namespace failwatch {

void CheckPgBouncerWaiting(const HealthInputs& in, const HealthTuning& tuning,
                           std::vector<Condition>& out) {
  for (const auto& db : in.databases) {
    for (const auto& pgb : db.pgbouncers) {
      if (!pgb) continue;
      Condition c;
      c.check = "pgbouncer_waiting";
      c.target = PgBouncerTarget(db.name, pgb->address);
      const std::int64_t waiting = pgb->WaitingClients();
      const double maxwait = pgb->MaxWaitSeconds();
      nlohmann::json pools = nlohmann::json::array();
      std::vector<std::string> parts;
      for (const auto& p : pgb->pools) {
        if (p.cl_waiting == 0 && p.maxwait_seconds == 0) continue;
        pools.push_back({{"pool", p.database + "/" + p.user},
                         {"cl_waiting", p.cl_waiting},
                         {"cl_active", p.cl_active},
                         {"sv_active", p.sv_active},
                         {"maxwait_seconds", p.maxwait_seconds}});
        parts.push_back(fmt::format("{}/{}: {} waiting, oldest {:.1f} s",
                                    p.database, p.user, p.cl_waiting,
                                    p.maxwait_seconds));
      }
      c.evidence = {{"pgbouncer", pgb->address},
                    {"waiting_clients", waiting},
                    {"maxwait_seconds", maxwait},
                    {"threshold_maxwait_seconds", tuning.pgbouncer_max_wait_seconds},
                    {"threshold_waiting_clients", tuning.pgbouncer_max_waiting + 1},
                    {"pools", std::move(pools)}};
      if (maxwait > tuning.pgbouncer_max_wait_seconds ||
          waiting > tuning.pgbouncer_max_waiting) {
        c.status = CheckStatus::kDegraded;
        c.reason = fmt::format(
            "PgBouncer {}: {} clients wait for a server connection ({})",
            pgb->address, waiting, Join(parts, "; "));
      } else {
        c.reason =
            fmt::format("PgBouncer {}: {} clients waiting, oldest {:.1f} s",
                        pgb->address, waiting, maxwait);
      }
      out.push_back(std::move(c));
    }
  }
}

void CheckPgBouncerStaleServers(const HealthInputs& in, const HealthTuning&,
                                std::vector<Condition>& out) {
  for (const auto& db : in.databases) {
    for (const auto& pgb : db.pgbouncers) {
      if (!pgb) continue;
      Condition c;
      c.check = "pgbouncer_stale_servers";
      c.target = PgBouncerTarget(db.name, pgb->address);
      c.evidence["pgbouncer"] = pgb->address;
      if (!pgb->roles_known || !db.pg) {
        c.unknown = true;
        c.reason = fmt::format(
            "PgBouncer {}: no node roles from the PostgreSQL collector to "
            "judge its server connections by",
            pgb->address);
        out.push_back(std::move(c));
        continue;
      }
      const PgObservation& pg = *db.pg;
      nlohmann::json stale = nlohmann::json::array();
      std::vector<std::string> parts;
      for (const auto& s : pgb->stale_servers) {
        stale.push_back({{"pool", s.pool_db + "/" + s.pool_user},
                         {"node", s.address},
                         {"role", ServerRoleName(s.role)},
                         {"count", s.count}});
        parts.push_back(fmt::format("{} of pool {}/{} on {}", s.count,
                                    s.pool_db, s.pool_user,
                                    DescribeNode(pg, s.address)));
        const NodeState* n = pg.FindNode(s.address);
        WallTime since = n != nullptr && n->last_demotion != WallTime{}
                             ? n->last_demotion
                             : pg.last_promotion;
        if (since != WallTime{} && (c.onset == WallTime{} || since < c.onset)) {
          c.onset = since;
        }
      }
      std::vector<std::string> writer_pools;
      for (const auto& [name, target] : pgb->pool_targets) {
        if (target == PoolTarget::kWriter) writer_pools.push_back(name);
      }
      c.evidence["writer_pools"] = writer_pools;
      c.evidence["writer"] = pg.writer;
      c.evidence["stale"] = std::move(stale);
      c.evidence["count"] = pgb->StaleTotal();
      if (pgb->StaleTotal() > 0) {
        c.status = CheckStatus::kDegraded;
        c.reason = fmt::format(
            "PgBouncer {} keeps {} server connections off the primary {}: {}",
            pgb->address, pgb->StaleTotal(),
            pg.writer.empty() ? "(unknown)" : pg.writer, Join(parts, "; "));
      } else {
        c.reason = fmt::format(
            "PgBouncer {}: no writer pool server connection off the primary",
            pgb->address);
      }
      out.push_back(std::move(c));
    }
  }
}

}  // namespace failwatch
