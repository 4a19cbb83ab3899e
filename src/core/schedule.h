// When a target samples and how long one sample may take. In core because
// the scheduler and the snapshot carry it; the config loader fills it.
#pragma once

#include "core/clock.h"

namespace failwatch {

inline constexpr Millis kDefaultInterval{1000};
inline constexpr Millis kDefaultTimeout{800};

// Schedule of one target. Per-target values override the top-level ones.
struct Schedule {
  Millis interval = kDefaultInterval;
  Millis timeout = kDefaultTimeout;
  bool operator==(const Schedule&) const = default;
};

}  // namespace failwatch
