// Metric families of the PostgreSQL collector, built from its observation
// alone (so tests can check the exposition without a server). Every family
// is emitted, empty or not. docs/reference/postgres.md lists them.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "postgres/pg_observation.h"
#include "postgres/postgres_options.h"

namespace failwatch {

std::vector<prometheus::MetricFamily> BuildPgFamilies(
    const PgObservation& obs, const PgDatabaseOptions& config);

}  // namespace failwatch
