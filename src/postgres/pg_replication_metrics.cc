#include "core/metric_builder.h"
#include "postgres/pg_family_groups.h"

namespace failwatch {

void AppendPgReplicationFamilies(const PgObservation& obs, PgFamilies& out) {
  const std::string& db = obs.database;
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
  for (const NodeState& n : obs.nodes) {
    if (!n.up) continue;
    const Labels base{{"database", db}, {"node", n.address}};
    if (n.standby) {
      const StandbyStatus& s = *n.standby;
      if (s.replay_lag_seconds) lag_s.Add(base, *s.replay_lag_seconds);
      if (s.replay_lag_bytes) {
        lag_b.Add(base, static_cast<double>(*s.replay_lag_bytes));
      }
      receiver.Add({{"database", db},
                    {"node", n.address},
                    {"status", s.receiver_status},
                    {"upstream", s.upstream}},
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
  for (FamilyBuilder* f : {&lag_s, &lag_b, &receiver, &replica_b, &replica_s}) {
    f->MoveTo(out);
  }
}

}  // namespace failwatch
