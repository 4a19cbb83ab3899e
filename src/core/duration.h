// Durations as users write them in the config: Prometheus style, units
// ms, s, m, h, d, w, combinable largest first ("1m30s", "250ms").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace failwatch {

// The longest duration accepted: 3650 days. Far beyond any interval or
// window, and small enough that converting it to nanoseconds (steady_clock)
// or adding it to a time point cannot overflow.
inline constexpr std::int64_t kMaxDurationMs = 3650LL * 24 * 3600 * 1000;

// Errors (code "bad_duration"): syntax, or "duration out of range" past
// kMaxDurationMs (including sums that would overflow).
Result<Millis> ParseDuration(std::string_view text);
std::string FormatDuration(Millis d);

}  // namespace failwatch
