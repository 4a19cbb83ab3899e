// The PgBouncer collector's family groups, in the order
// BuildPgBouncerFamilies appends them (the exposition order).
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "core/metric_builder.h"
#include "pgbouncer/pgbouncer_observation.h"

namespace failwatch {

using PgBouncerFamilies = std::vector<prometheus::MetricFamily>;

// {database, pgbouncer} labels of the observation, then `extra`.
Labels PgBouncerLabels(const PgBouncerObservation& obs, Labels extra = {});

// SHOW POOLS: clients, servers by state, maxwait, pool mode.
void AppendPgBouncerPoolFamilies(const PgBouncerObservation& obs,
                                 PgBouncerFamilies& out);
// SHOW DATABASES: where each PgBouncer database points, its limits.
void AppendPgBouncerDatabaseFamilies(const PgBouncerObservation& obs,
                                     PgBouncerFamilies& out);
// SHOW STATS counters.
void AppendPgBouncerStatsFamilies(const PgBouncerObservation& obs,
                                  PgBouncerFamilies& out);

}  // namespace failwatch
