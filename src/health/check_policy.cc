#include "health/check_policy.h"

#include <array>
#include <optional>
#include <string>
#include <utility>

namespace failwatch {
namespace {

using std::chrono::seconds;

struct PolicyRow {
  std::string_view name;
  CheckPolicy policy;
};

// Why each default is what it is: docs/reference/health.md, "Checks".
constexpr std::array<PolicyRow, 17> kDefaults = {{
    // A lost UDP packet or one slow server is normal; 5 s is several
    // consecutive failed lookups at the 1 s default interval.
    {"dns_resolution", {seconds(5), seconds(10)}},
    // The raw condition lingers a flap window (30 s) after the last flip,
    // so the known 20-30 s post-failover flap reads as <= 60 s: only
    // flapping that outlasts it is reported.
    {"dns_flapping", {seconds(60), seconds(30)}},
    // The TTL is a configuration fact, not a transient: a minute filters
    // a resolver that briefly answers from a stale cache.
    {"dns_ttl", {seconds(60), seconds(10)}},
    // Judged by node role, not by the DNS answer: a flapping answer makes
    // the raw condition alternate and never hold 10 s; a real mismatch
    // (DNS never moved) does.
    {"endpoint_not_primary", {seconds(10), seconds(10)}},
    // One unreachable sample of the primary is a blip; 5 s is several.
    {"no_primary", {seconds(5), seconds(10)}},
    // Nodes are sampled a few ms apart, so one sample can show the old
    // primary before its demotion and the new one after its promotion.
    {"multiple_primaries", {seconds(5), seconds(10)}},
    // Big transactions and vacuum cause lag spikes that recover alone.
    {"replication_lag", {seconds(60), seconds(30)}},
    // One failed write (lock timeout) is not an outage; 5 s is several.
    {"write_probe", {seconds(5), seconds(10)}},
    // Pools that evict on error reconnect within seconds; 15 s leaves only
    // the pools that really kept their connections (HikariCP on 25006).
    {"stale_app_connections", {seconds(15), seconds(15)}},
    {"pgbouncer_waiting", {seconds(15), seconds(15)}},
    // PgBouncer re-resolves every dns_max_ttl (15 s default).
    {"pgbouncer_stale_servers", {seconds(30), seconds(15)}},
    // The rate window (60 s) already smooths bursts: 30 s more is enough.
    {"consumer_lag", {seconds(30), seconds(30)}},
    {"dlt_missing", {seconds(60), seconds(60)}},
    {"dlt_receiving", {seconds(0), seconds(300)}},
    {"dlt_unhandled_age", {seconds(60), seconds(60)}},
    // A lost record already waited the SLA: report at once; clear after
    // a few good rounds.
    {"kafka_canary", {seconds(0), seconds(30)}},
    // One timed-out sample is noise; 30 s of blindness is not.
    {"collector_failing", {seconds(30), seconds(10)}},
}};

}  // namespace

CheckPolicy DefaultPolicy(std::string_view name) {
  for (const auto& row : kDefaults) {
    if (row.name == name) return row.policy;
  }
  return CheckPolicy{};
}

namespace {

std::optional<double> Threshold(const HealthConfig& config,
                                const std::string& check,
                                const std::string& key) {
  auto it = config.checks.find(check);
  if (it == config.checks.end()) return std::nullopt;
  auto t = it->second.thresholds.find(key);
  if (t == it->second.thresholds.end()) return std::nullopt;
  return t->second;
}

void SetSeconds(const HealthConfig& c, const char* check, const char* key,
                double* out) {
  if (auto v = Threshold(c, check, key)) *out = *v;
}

void SetMillis(const HealthConfig& c, const char* check, const char* key,
               Millis* out) {
  if (auto v = Threshold(c, check, key)) {
    *out = Millis(static_cast<Millis::rep>(*v * 1000.0));
  }
}

template <typename Int>
void SetCount(const HealthConfig& c, const char* check, const char* key,
              Int* out) {
  if (auto v = Threshold(c, check, key)) *out = static_cast<Int>(*v);
}

}  // namespace

HealthTuning ResolveTuning(const HealthConfig& c) {
  HealthTuning t;
  SetMillis(c, "dns_flapping", "window", &t.dns_flap_window);
  SetSeconds(c, "dns_ttl", "max_ttl", &t.dns_max_ttl_seconds);
  SetSeconds(c, "replication_lag", "max_lag", &t.replication_lag_seconds);
  SetCount(c, "replication_lag", "max_lag_bytes", &t.replication_lag_bytes);
  SetSeconds(c, "pgbouncer_waiting", "max_wait", &t.pgbouncer_max_wait_seconds);
  SetCount(c, "pgbouncer_waiting", "max_waiting", &t.pgbouncer_max_waiting);
  SetSeconds(c, "consumer_lag", "max_lag", &t.consumer_lag_seconds);
  SetMillis(c, "consumer_lag", "window", &t.consumer_lag_window);
  SetMillis(c, "consumer_lag", "stopped_after", &t.consumer_lag_stopped_after);
  SetMillis(c, "dlt_receiving", "window", &t.dlt_receiving_window);
  SetSeconds(c, "dlt_unhandled_age", "max_age", &t.dlt_unhandled_age_seconds);
  SetCount(c, "collector_failing", "stale_intervals",
           &t.collector_stale_intervals);
  if (c.failover_timeout) t.failover_timeout = *c.failover_timeout;
  return t;
}

CheckPolicy ResolvePolicy(const HealthConfig& config, std::string_view name) {
  CheckPolicy p = DefaultPolicy(name);
  auto it = config.checks.find(std::string(name));
  if (it == config.checks.end()) return p;
  if (it->second.for_duration) p.for_duration = *it->second.for_duration;
  if (it->second.clear_after) p.clear_after = *it->second.clear_after;
  return p;
}

}  // namespace failwatch
