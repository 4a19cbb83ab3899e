#include "health/check_table.h"

#include <array>

#include "health/app_checks.h"
#include "health/collector_checks.h"
#include "health/dns_checks.h"
#include "health/kafka_checks.h"
#include "health/pgbouncer_checks.h"
#include "health/postgres_checks.h"

namespace failwatch {
namespace {

constexpr std::array<CheckSpec, 15> kTable = {{
    {"dns_resolution", &CheckDnsResolution},
    {"dns_flapping", &CheckDnsFlapping},
    {"endpoint_not_primary", &CheckEndpointNotPrimary},
    {"no_primary", &CheckNoPrimary},
    {"multiple_primaries", &CheckMultiplePrimaries},
    {"replication_lag", &CheckReplicationLag},
    {"write_probe", &CheckWriteProbe},
    {"stale_app_connections", &CheckStaleAppConnections},
    {"pgbouncer_waiting", &CheckPgBouncerWaiting},
    {"pgbouncer_stale_servers", &CheckPgBouncerStaleServers},
    {"consumer_lag", &CheckConsumerLag},
    {"dlt_missing", &CheckDltMissing},
    {"dlt_receiving", &CheckDltReceiving},
    {"dlt_unhandled_age", &CheckDltUnhandledAge},
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
