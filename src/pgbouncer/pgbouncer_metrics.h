// The failwatch_pgbouncer_* families of one PgBouncer, built from its
// observation. Every family is emitted even when empty (or when the sample
// failed: `obs` is then an empty observation) so the exposition documents
// it. Base units: seconds, bytes; counters end in _total.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "pgbouncer/pgbouncer_observation.h"

namespace failwatch {

std::vector<prometheus::MetricFamily> BuildPgBouncerFamilies(
    const PgBouncerObservation& obs);

}  // namespace failwatch
