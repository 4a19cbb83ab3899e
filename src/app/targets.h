// Turns a Config into the scheduled targets: one collector per source and
// target. On reload, collectors whose config did not change are reused so
// their history rings and counters survive.
#pragma once

#include <vector>

#include "config/config.h"
#include "core/scheduler.h"

namespace failwatch {

std::vector<ScheduledTarget> BuildTargets(
    const Config& next, const Config* previous,
    const std::vector<ScheduledTarget>& previous_targets);

}  // namespace failwatch
