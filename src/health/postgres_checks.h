// Checks over node roles from the PostgreSQL observation: where the writer
// endpoint points, how many primaries there are, and how far standbys lag.
#pragma once

#include <vector>

#include "health/check_policy.h"
#include "health/condition.h"
#include "health/health_inputs.h"

namespace failwatch {

// Target "<database>/writer". Judged by the role of the node the endpoint
// resolves to, never by whether the DNS answer changed: degraded when some
// of its addresses are not a writable primary (standby, unreachable,
// unknown, superseded), down when none is.
void CheckEndpointNotPrimary(const HealthInputs& in, const HealthTuning& tuning,
                             std::vector<Condition>& out);

// Target "<database>". Down when no reachable node is a primary.
void CheckNoPrimary(const HealthInputs& in, const HealthTuning& tuning,
                    std::vector<Condition>& out);

// Target "<database>". Down when two or more nodes answer as primary: writes
// to the superseded one are lost.
void CheckMultiplePrimaries(const HealthInputs& in, const HealthTuning& tuning,
                            std::vector<Condition>& out);

// Target "<database>/<node address>", one per standby. Degraded when replay
// lag exceeds the seconds or bytes threshold, or the WAL receiver is not
// streaming.
void CheckReplicationLag(const HealthInputs& in, const HealthTuning& tuning,
                         std::vector<Condition>& out);

// "127.0.0.3:5432 (standby since 03:12:04Z)", the way reasons name a node.
std::string DescribeNode(const PgObservation& pg, const std::string& address);

}  // namespace failwatch
