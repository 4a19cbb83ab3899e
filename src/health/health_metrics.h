// The evaluator's metric families: per-check state sets, the overall
// verdict, and the failover timeline. Names and labels are documented in
// docs/reference/health.md.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "health/failover_timeline.h"
#include "health/verdict.h"

namespace failwatch {

std::vector<prometheus::MetricFamily> BuildHealthFamilies(
    const Verdict& verdict, const FailoverTracker& failovers);

}  // namespace failwatch
