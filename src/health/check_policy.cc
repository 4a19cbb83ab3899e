#include "health/check_policy.h"

#include <optional>
#include <string>
#include <utility>

#include "health/check_table.h"

namespace failwatch {

CheckPolicy DefaultPolicy(std::string_view name) {
  const CheckSpec* spec = FindCheck(name);
  return spec ? spec->policy : CheckPolicy{};
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
