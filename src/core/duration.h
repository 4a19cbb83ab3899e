// Durations as users write them in the config: Prometheus style, units
// ms, s, m, h, d, w, combinable largest first ("1m30s", "250ms").
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace failwatch {

Result<Millis> ParseDuration(std::string_view text);
std::string FormatDuration(Millis d);

}  // namespace failwatch
