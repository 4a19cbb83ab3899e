// /healthz (liveness) and /readyz (readiness) decisions, as pure functions.
// Liveness means "the process and its collection loop are alive": it never
// depends on a monitored system, or Kubernetes would restart the monitor
// for a database outage.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/snapshot.h"

namespace failwatch::http {

struct ProbeResult {
  bool ok = true;
  std::string reason;  // why not ok; "ok" otherwise
};

ProbeResult CheckLiveness(SteadyTime heartbeat, SteadyTime now,
                          Millis max_heartbeat_age);

// An extra readiness condition: returns the reason when not ready. The
// opt-in verdict gate plugs in here.
using ReadinessCheck = std::function<std::optional<std::string>()>;

// Ready once every target has completed (or abandoned) one sample and the
// extra check, if any, passes.
ProbeResult CheckReadiness(const Snapshot& snapshot,
                           const ReadinessCheck& extra);

}  // namespace failwatch::http
