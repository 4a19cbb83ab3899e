// Turns the published Snapshot and the daemon's own state into Prometheus
// text format 0.0.4. Pure functions of their inputs: no backend is touched
// while serving a scrape.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "app/app_state.h"
#include "core/clock.h"
#include "core/snapshot.h"

namespace failwatch::http {

// One family already rendered as text, kept with its name so cached and
// fresh parts can be interleaved in name order without re-serializing.
struct FamilyText {
  std::string name;
  std::string text;
};

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

// Every target's own families plus the framework families, merged and
// sorted.
std::vector<prometheus::MetricFamily> SnapshotFamilies(
    const Snapshot& snapshot, std::vector<std::string>* conflicts = nullptr);

// Build info, start time, config reload state and scheduler heartbeat age.
std::vector<prometheus::MetricFamily> DaemonFamilies(const AppState& app,
                                                     SteadyTime now);

// "gcc-12.2.0", "clang-15.0.6": the failwatch_build_info compiler label.
std::string CompilerId();

std::vector<FamilyText> SerializeFamilies(
    const std::vector<prometheus::MetricFamily>& families);

// Concatenates two name-sorted lists in name order. A name present in both
// is taken from `fresh` only: the daemon's own metrics win over a collector
// that reused a reserved name.
std::string JoinByName(const std::vector<FamilyText>& cached,
                       const std::vector<FamilyText>& fresh);

}  // namespace failwatch::http
