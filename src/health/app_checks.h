// Checks of what applications experience: the write probe (a fresh and a
// sticky connection writing through the writer endpoint) and application
// connections sitting on a node of the wrong role.
#pragma once

#include <vector>

#include "health/check_policy.h"
#include "health/condition.h"
#include "health/health_inputs.h"

namespace failwatch {

inline constexpr char kSqlStateReadOnly[] = "25006";

// Target "<database>/fresh" and "<database>/sticky", when the probe is
// enabled. Fresh failing = down: every new connection fails to write. Sticky
// failing = degraded: a connection kept across the failover fails; with
// 25006 this is the stale-pool symptom (HikariCP never evicts on 25006).
void CheckWriteProbe(const HealthInputs& in, const HealthTuning& tuning,
                     std::vector<Condition>& out);

// Target "<database>/<app>" for each configured app that expects the
// primary (and any app the collector reported). Degraded while the app
// holds connections on a node of the wrong role; the reason names node,
// role, count and cause. Conclusive (published without `for`) when a
// backend on a node in recovery last ran a write: it failed with 25006.
// Also "<database>/<application_name or client_addr>" for each unconfigured
// client the collector saw writing to a node in recovery: degraded and
// conclusive while it writes, ok while its connections remain, gone after
// the collector's linger.
void CheckStaleAppConnections(const HealthInputs& in,
                              const HealthTuning& tuning,
                              std::vector<Condition>& out);

}  // namespace failwatch
