// Checks over the PgBouncer observations: clients queueing for a server
// connection, and a writer pool's server connections kept on a node that
// is no longer the writable primary (PgBouncer re-resolves only every
// dns_max_ttl and keeps servers up to server_lifetime).
#pragma once

#include <cstdint>
#include <vector>

#include "health/check_policy.h"
#include "health/condition.h"
#include "health/health_inputs.h"

namespace failwatch {

// Target "<database>/<pgbouncer address>". Degraded when any pool's oldest
// waiting client waited over tuning.pgbouncer_max_wait_seconds, or more than
// tuning.pgbouncer_max_waiting clients wait. A client queued a whole second
// is latency every user notices; 20 queued clients is a saturated pool even
// while each waits briefly. Brief queues are normal; the check's `for`
// (15 s) keeps only sustained ones.
void CheckPgBouncerWaiting(const HealthInputs& in, const HealthTuning& tuning,
                           std::vector<Condition>& out);

// Target "<database>/<pgbouncer address>". Degraded when a writer pool has
// server connections on a node that is a standby, a superseded primary or
// unreachable; unknown while no node roles are available to judge by.
void CheckPgBouncerStaleServers(const HealthInputs& in,
                                const HealthTuning& tuning,
                                std::vector<Condition>& out);

}  // namespace failwatch
