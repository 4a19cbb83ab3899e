#include "health/check_table.h"

#include <array>

#include "health/app_checks.h"
#include "health/collector_checks.h"
#include "health/dns_checks.h"
#include "health/kafka_canary_check.h"
#include "health/kafka_checks.h"
#include "health/pgbouncer_checks.h"
#include "health/postgres_checks.h"

namespace failwatch {
namespace {

constexpr CheckTier kImpact = CheckTier::kImpact;
constexpr CheckTier kRisk = CheckTier::kRisk;

// Tiers: impact = applications fail or fall behind now; risk = it will
// hurt at the next failover, or failwatch itself is blind (its own
// trouble never holds impact). Reasons per check: docs/reference/health.md.
constexpr std::array<CheckSpec, 17> kTable = {{
    {"dns_resolution", &CheckDnsResolution, kImpact},
    {"dns_flapping", &CheckDnsFlapping, kImpact},
    // Clients will cache the old address at the next failover.
    {"dns_ttl", &CheckDnsTtl, kRisk},
    {"endpoint_not_primary", &CheckEndpointNotPrimary, kImpact},
    {"no_primary", &CheckNoPrimary, kImpact},
    {"multiple_primaries", &CheckMultiplePrimaries, kImpact},
    // Writes a promotion now would lose; nothing fails yet.
    {"replication_lag", &CheckReplicationLag, kRisk},
    // Fresh: impact. Sticky: impact until every app converged (the check
    // sets the tier per condition).
    {"write_probe", &CheckWriteProbe, kImpact},
    {"stale_app_connections", &CheckStaleAppConnections, kImpact},
    {"pgbouncer_waiting", &CheckPgBouncerWaiting, kImpact},
    {"pgbouncer_stale_servers", &CheckPgBouncerStaleServers, kImpact},
    {"consumer_lag", &CheckConsumerLag, kImpact},
    // A missing DLT loses the next failed record; none is failing now.
    {"dlt_missing", &CheckDltMissing, kRisk},
    {"dlt_receiving", &CheckDltReceiving, kImpact},
    // Old dead letters wait for a human; the apps themselves recovered.
    {"dlt_unhandled_age", &CheckDltUnhandledAge, kRisk},
    // The cluster does not carry records end to end.
    {"kafka_canary", &CheckKafkaCanary, kImpact},
    // failwatch's own blind spot: a ticket, never a page on its own.
    {"collector_failing", &CheckCollectorFailing, kRisk},
}};

}  // namespace

std::span<const CheckSpec> CheckTable() { return kTable; }

CheckTier DefaultTier(std::string_view name) {
  for (const CheckSpec& spec : kTable) {
    if (spec.name == name) return spec.tier;
  }
  return kImpact;
}

std::vector<Condition> RunChecks(const HealthInputs& in,
                                 const HealthTuning& tuning) {
  std::vector<Condition> out;
  for (const CheckSpec& spec : kTable) {
    const std::size_t first = out.size();
    spec.fn(in, tuning, out);
    for (std::size_t i = first; i < out.size(); ++i) {
      if (!out[i].tier) out[i].tier = spec.tier;
    }
  }
  return out;
}

}  // namespace failwatch
