// Small inline SVG drawings for the status page: the failover timeline on a
// time axis and a lag sparkline. Inline so the page stays self-contained (no
// scripts, no external requests); pure functions of their inputs so tests
// compare strings.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "health/failover_timeline.h"

namespace failwatch::http {

// promoted, dns_switched, pgbouncer_moved, apps_converged as marks on one
// axis from the promotion to max(now, the last step); an unreached step is
// listed on a "waiting:" line under the axis. Each step's label has its own
// row, so steps a second apart stay readable. Labels are escaped.
std::string TimelineSvg(const FailoverTimeline& timeline, WallTime now);

// A polyline of (time, value) points scaled into width x height; empty
// string for fewer than two points. `title` becomes the tooltip.
std::string SparklineSvg(const std::vector<std::pair<WallTime, double>>& points,
                         const std::string& title, int width = 160,
                         int height = 28);

}  // namespace failwatch::http
