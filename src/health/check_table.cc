#include "health/check_table.h"

#include <array>
#include <chrono>

#include "health/app_checks.h"
#include "health/collector_checks.h"
#include "health/dns_checks.h"
#include "health/kafka_canary_check.h"
#include "health/kafka_checks.h"
#include "health/pgbouncer_checks.h"
#include "health/postgres_checks.h"

namespace failwatch {
namespace {

using std::chrono::seconds;

constexpr CheckTier kImpact = CheckTier::kImpact;
constexpr CheckTier kRisk = CheckTier::kRisk;
constexpr ThresholdKind kDuration = ThresholdKind::kDuration;
constexpr ThresholdKind kCount = ThresholdKind::kCount;
constexpr ThresholdKind kBytes = ThresholdKind::kBytes;

// Threshold keys per check (ResolveTuning maps them to HealthTuning).
constexpr ThresholdKey kDnsFlappingKeys[] = {{"window", kDuration}};
constexpr ThresholdKey kDnsTtlKeys[] = {{"max_ttl", kDuration}};
constexpr ThresholdKey kReplicationLagKeys[] = {{"max_lag", kDuration},
                                                {"max_lag_bytes", kBytes}};
constexpr ThresholdKey kPgBouncerWaitingKeys[] = {{"max_wait", kDuration},
                                                  {"max_waiting", kCount}};
constexpr ThresholdKey kConsumerLagKeys[] = {{"max_lag", kDuration},
                                             {"window", kDuration},
                                             {"stopped_after", kDuration}};
constexpr ThresholdKey kDltReceivingKeys[] = {{"window", kDuration}};
constexpr ThresholdKey kDltUnhandledAgeKeys[] = {{"max_age", kDuration}};
constexpr ThresholdKey kCollectorFailingKeys[] = {{"stale_intervals", kCount}};

// One row per check: name, function, tier, default {for, clear_after},
// threshold keys. Tiers: impact = applications fail or fall behind now;
// risk = it will hurt at the next failover, or failwatch itself is blind
// (its own trouble never holds impact). Why each default is what it is:
// docs/reference/health.md, "Checks".
constexpr std::array<CheckSpec, 17> kTable = {{
    // A lost UDP packet or one slow server is normal; 5 s is several
    // consecutive failed lookups at the 1 s default interval.
    {"dns_resolution",
     &CheckDnsResolution,
     kImpact,
     {seconds(5), seconds(10)},
     {}},
    // The raw condition lingers a flap window (30 s) after the last flip,
    // so the known 20-30 s post-failover flap reads as <= 60 s: only
    // flapping that outlasts it is reported.
    {"dns_flapping",
     &CheckDnsFlapping,
     kImpact,
     {seconds(60), seconds(30)},
     kDnsFlappingKeys},
    // Clients will cache the old address at the next failover (risk). The
    // TTL is a configuration fact, not a transient: a minute filters a
    // resolver that briefly answers from a stale cache.
    {"dns_ttl", &CheckDnsTtl, kRisk, {seconds(60), seconds(10)}, kDnsTtlKeys},
    // Judged by node role, not by the DNS answer: a flapping answer makes
    // the raw condition alternate and never hold 10 s; a real mismatch
    // (DNS never moved) does.
    {"endpoint_not_primary",
     &CheckEndpointNotPrimary,
     kImpact,
     {seconds(10), seconds(10)},
     {}},
    // One unreachable sample of the primary is a blip; 5 s is several.
    {"no_primary", &CheckNoPrimary, kImpact, {seconds(5), seconds(10)}, {}},
    // Nodes are sampled a few ms apart, so one sample can show the old
    // primary before its demotion and the new one after its promotion.
    {"multiple_primaries",
     &CheckMultiplePrimaries,
     kImpact,
     {seconds(5), seconds(10)},
     {}},
    // Writes a promotion now would lose; nothing fails yet (risk). Big
    // transactions and vacuum cause lag spikes that recover alone.
    {"replication_lag",
     &CheckReplicationLag,
     kRisk,
     {seconds(60), seconds(30)},
     kReplicationLagKeys},
    // Fresh: impact. Sticky: impact until every app converged (the check
    // sets the tier per condition). One failed write (lock timeout) is not
    // an outage; 5 s is several.
    {"write_probe", &CheckWriteProbe, kImpact, {seconds(5), seconds(10)}, {}},
    // Pools that evict on error reconnect within seconds; 15 s leaves only
    // the pools that really kept their connections (HikariCP on 25006).
    {"stale_app_connections",
     &CheckStaleAppConnections,
     kImpact,
     {seconds(15), seconds(15)},
     {}},
    {"pgbouncer_waiting",
     &CheckPgBouncerWaiting,
     kImpact,
     {seconds(15), seconds(15)},
     kPgBouncerWaitingKeys},
    // PgBouncer re-resolves every dns_max_ttl (15 s default).
    {"pgbouncer_stale_servers",
     &CheckPgBouncerStaleServers,
     kImpact,
     {seconds(30), seconds(15)},
     {}},
    // The rate window (60 s) already smooths bursts: 30 s more is enough.
    {"consumer_lag",
     &CheckConsumerLag,
     kImpact,
     {seconds(30), seconds(30)},
     kConsumerLagKeys},
    // A missing DLT loses the next failed record; none is failing now.
    {"dlt_missing", &CheckDltMissing, kRisk, {seconds(60), seconds(60)}, {}},
    {"dlt_receiving",
     &CheckDltReceiving,
     kImpact,
     {seconds(0), seconds(300)},
     kDltReceivingKeys},
    // Old dead letters wait for a human; the apps themselves recovered.
    {"dlt_unhandled_age",
     &CheckDltUnhandledAge,
     kRisk,
     {seconds(60), seconds(60)},
     kDltUnhandledAgeKeys},
    // The cluster does not carry records end to end. A lost record already
    // waited the SLA: report at once; clear after a few good rounds.
    {"kafka_canary", &CheckKafkaCanary, kImpact, {seconds(0), seconds(30)}, {}},
    // failwatch's own blind spot: a ticket, never a page on its own. One
    // timed-out sample is noise; 30 s of blindness is not.
    {"collector_failing",
     &CheckCollectorFailing,
     kRisk,
     {seconds(30), seconds(10)},
     kCollectorFailingKeys},
}};

}  // namespace

std::span<const CheckSpec> CheckTable() { return kTable; }

const CheckSpec* FindCheck(std::string_view name) {
  for (const CheckSpec& spec : kTable) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const ThresholdKey* FindThresholdKey(std::string_view check,
                                     std::string_view key) {
  const CheckSpec* spec = FindCheck(check);
  if (spec == nullptr) return nullptr;
  for (const ThresholdKey& k : spec->thresholds) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

CheckTier DefaultTier(std::string_view name) {
  const CheckSpec* spec = FindCheck(name);
  return spec ? spec->tier : kImpact;
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
