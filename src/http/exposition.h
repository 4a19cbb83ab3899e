// The metric families /metrics adds to the targets' own: the framework's
// per-target families and the daemon's. Pure functions of their inputs: no
// backend is touched while serving a scrape.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/snapshot.h"
#include "http/site_source.h"

namespace failwatch::http {

// Merges families that share a name into one (one HELP/TYPE, samples
// contiguous), keeping the first family's HELP and TYPE, and sorts by name.
// A family whose type differs from the first one of its name is dropped
// (mixed types would make the whole exposition invalid); its name is
// appended to `conflicts` when given.
std::vector<prometheus::MetricFamily> MergeFamilies(
    std::vector<prometheus::MetricFamily> families,
    std::vector<std::string>* conflicts = nullptr);

// failwatch_collector_* per {collector, target}, computed from TargetState.
std::vector<prometheus::MetricFamily> FrameworkFamilies(
    const Snapshot& snapshot);

// Build info, start time, config reload state and scheduler heartbeat age.
std::vector<prometheus::MetricFamily> DaemonFamilies(const SiteSource& app,
                                                     SteadyTime now);

// "gcc-12.2.0", "clang-15.0.6": the failwatch_build_info compiler label.
std::string CompilerId();

}  // namespace failwatch::http
