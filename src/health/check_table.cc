#include "health/check_table.h"

#include <array>

#include "health/app_checks.h"
#include "health/collector_checks.h"
#include "health/dns_checks.h"
#include "health/postgres_checks.h"

namespace failwatch {
namespace {

// Not yet implemented (their observations do not exist yet):
// pgbouncer_waiting, pgbouncer_stale_servers (PgBouncerObservation),
// consumer_lag, dlt_missing, dlt_receiving, dlt_unhandled_age
// (KafkaObservation). Their defaults are already in check_policy.cc.
constexpr std::array<CheckSpec, 9> kTable = {{
    {"dns_resolution", &CheckDnsResolution},
    {"dns_flapping", &CheckDnsFlapping},
    {"endpoint_not_primary", &CheckEndpointNotPrimary},
    {"no_primary", &CheckNoPrimary},
    {"multiple_primaries", &CheckMultiplePrimaries},
    {"replication_lag", &CheckReplicationLag},
    {"write_probe", &CheckWriteProbe},
    {"stale_app_connections", &CheckStaleAppConnections},
    {"collector_failing", &CheckCollectorFailing},
}};

}  // namespace

std::span<const CheckSpec> CheckTable() { return kTable; }

std::vector<Condition> RunChecks(const HealthInputs& in,
                                 const HealthTuning& tuning) {
  std::vector<Condition> out;
  for (const CheckSpec& spec : kTable) spec.fn(in, tuning, out);
  return out;
}

}  // namespace failwatch
