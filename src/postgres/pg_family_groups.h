// The PostgreSQL collector's family groups, in the order BuildPgFamilies
// appends them (the exposition order). Every family is appended, empty or
// not.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "core/clock.h"
#include "postgres/pg_observation.h"
#include "postgres/postgres_options.h"

namespace failwatch {

using PgFamilies = std::vector<prometheus::MetricFamily>;

// A time as Unix seconds; 0 for "never" (an unset WallTime).
inline double PgSeconds(WallTime t) {
  return t == WallTime{} ? 0 : ToUnixSeconds(t);
}

// Up, role, identity, recovery and errors of each node.
void AppendPgNodeStateFamilies(const PgObservation& obs, PgFamilies& out);
// Standby replay lag and pg_stat_replication rows.
void AppendPgReplicationFamilies(const PgObservation& obs, PgFamilies& out);
// Promotions, demotions and rollbacks per node, and failwatch's own errors.
void AppendPgNodeHistoryFamilies(const PgObservation& obs, PgFamilies& out);
// Client backends per node and the stale connections of configured apps.
void AppendPgAppConnectionFamilies(const PgObservation& obs,
                                   const PgDatabaseOptions& config,
                                   PgFamilies& out);
// The heartbeat write probes per path.
void AppendPgWriteProbeFamilies(const PgObservation& obs, PgFamilies& out);

}  // namespace failwatch
