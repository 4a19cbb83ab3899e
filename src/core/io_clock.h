// Time for I/O that waits in real time: librdkafka's timeout_ms, poll()
// loops, the Kafka admin worker process, the HTTP probe client. A fake clock
// cannot make such a wait return sooner, so below the collectors (which take
// time from ctx.clock, SystemClock outside tests) the I/O layer reads "now"
// from IoClock() and turns a deadline into a timeout with RemainingMs: the
// one place outside core that the monotonic clock is read for I/O.
#pragma once

#include <algorithm>
#include <chrono>
#include <climits>

#include "core/clock.h"

namespace failwatch {

inline const Clock& IoClock() { return SystemClock::Get(); }

// Milliseconds from `clock`'s now to `deadline`, at least `floor_ms`. Such a
// call needs a clock whose steady line is the real one (SystemClock); a fake
// clock drives fakes of the I/O (tests/unit/canned_pg_client.h).
inline int RemainingMs(const Clock& clock, SteadyTime deadline,
                       int floor_ms = 0) {
  const long long left =
      std::chrono::duration_cast<Millis>(deadline - clock.Steady()).count();
  return static_cast<int>(
      std::clamp<long long>(left, floor_ms, std::max(floor_ms, INT_MAX)));
}

}  // namespace failwatch
