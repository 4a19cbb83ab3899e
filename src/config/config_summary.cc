#include "config/config_loader.h"
#include "core/duration.h"
#include "health/check_table.h"

namespace failwatch {
namespace {

using nlohmann::json;

constexpr const char* kRedacted = "<secret>";

// The value itself never goes in; only whether there is one.
void AddPassword(const Secret& password, json* out) {
  (*out)["password_set"] = !password.empty();
  if (!password.empty()) (*out)["password"] = kRedacted;
}

void AddSchedule(const Schedule& s, json* out) {
  (*out)["interval"] = FormatDuration(s.interval);
  (*out)["timeout"] = FormatDuration(s.timeout);
}

json Addresses(const std::vector<HostPort>& list) {
  json out = json::array();
  for (const HostPort& hp : list) out.push_back(hp.ToString());
  return out;
}

const char* ExpectsName(AppConfig::Expects e) {
  return e == AppConfig::Expects::kAny ? "any" : "primary";
}

const char* ReadinessName(HealthConfig::ReadinessFailsOn r) {
  switch (r) {
    case HealthConfig::ReadinessFailsOn::kDegraded:
      return "degraded";
    case HealthConfig::ReadinessFailsOn::kDown:
      return "down";
    case HealthConfig::ReadinessFailsOn::kNever:
      break;
  }
  return "never";
}

json DatabaseSummary(const DatabaseConfig& db) {
  json out;
  out["name"] = db.name;
  out["endpoint"] = db.endpoint.ToString();
  out["reader_endpoint"] =
      db.reader_endpoint ? json(db.reader_endpoint->ToString()) : json();
  out["dns_servers"] = db.dns_servers;
  out["members"] = Addresses(db.members);
  out["user"] = db.user;
  AddPassword(db.password, &out);
  out["dbname"] = db.dbname;
  out["sslmode"] = db.sslmode;
  AddSchedule(db.schedule, &out);
  out["apps"] = json::array();
  for (const AppConfig& app : db.apps) {
    out["apps"].push_back({{"application_name", app.application_name},
                           {"expects", ExpectsName(app.expects)}});
  }
  out["write_probe"] = {{"enabled", db.write_probe.enabled},
                        {"table", db.write_probe.table},
                        {"sticky_max_lifetime",
                         FormatDuration(db.write_probe.sticky_max_lifetime)}};
  out["pgbouncers"] = json::array();
  for (const PgBouncerConfig& pb : db.pgbouncers) {
    json p;
    p["address"] = pb.address.ToString();
    p["user"] = pb.user;
    AddPassword(pb.password, &p);
    p["dbname"] = pb.dbname;
    AddSchedule(pb.schedule, &p);
    out["pgbouncers"].push_back(std::move(p));
  }
  return out;
}

json KafkaSummary(const KafkaClusterConfig& c) {
  json out;
  out["name"] = c.name;
  out["brokers"] = Addresses(c.brokers);
  // Any property may be a credential (sasl.password, ssl.key.password, ...),
  // so all values are hidden and only the keys are shown.
  out["properties"] = json::object();
  for (const auto& [key, value] : c.properties) {
    out["properties"][key] = kRedacted;
  }
  out["groups"] = json::array();
  for (const KafkaGroupConfig& g : c.groups) {
    out["groups"].push_back({{"name", g.name},
                             {"topics", g.topics},
                             {"dead_letter_topics", g.dead_letter_topics},
                             {"dlt_reprocess_group", g.dlt_reprocess_group}});
  }
  out["discover_groups"] = PatternOf(c.discover_groups);
  AddSchedule(c.schedule, &out);
  out["status_window"] = FormatDuration(c.tuning.status_window);
  out["empty_group_ttl"] = FormatDuration(c.tuning.empty_group_ttl);
  out["discovery_interval"] = FormatDuration(c.tuning.discovery_interval);
  out["group_discovery"] = c.tuning.group_discovery;
  out["topic_probe_interval"] = FormatDuration(c.tuning.topic_probe_interval);
  out["topic_probe_max_partitions"] = c.tuning.topic_probe_max_partitions;
  out["lag_timestamp_reads"] = c.tuning.lag_timestamp_reads;
  out["group_allow"] = PatternOf(c.tuning.group_allow);
  out["group_deny"] = PatternOf(c.tuning.group_deny);
  out["topic_allow"] = PatternOf(c.tuning.topic_allow);
  out["topic_deny"] = PatternOf(c.tuning.topic_deny);
  out["per_partition_series"] = c.tuning.per_partition_series;
  out["max_series"] = c.tuning.max_series;
  out["max_concurrent_group_fetches"] = c.tuning.max_concurrent_group_fetches;
  out["dlt_conventions"] = json::array();
  for (DltConvention d : c.tuning.dlt_conventions) {
    out["dlt_conventions"].push_back(std::string(DltConventionName(d)));
  }
  out["dlt_read_headers"] = c.tuning.dlt_read_headers;
  out["dlt_header_cardinality"] = c.tuning.dlt_header_cardinality;
  return out;
}

}  // namespace

nlohmann::json ConfigSummary(const Config& config) {
  json out;
  out["source"] = config.source;
  AddSchedule(config.defaults, &out);
  out["databases"] = json::array();
  for (const DatabaseConfig& db : config.databases) {
    out["databases"].push_back(DatabaseSummary(db));
  }
  out["kafka"] = json::array();
  for (const KafkaClusterConfig& c : config.kafka) {
    out["kafka"].push_back(KafkaSummary(c));
  }
  json checks = json::object();
  for (const auto& [name, o] : config.health.checks) {
    json c = json::object();
    if (o.for_duration) c["for"] = FormatDuration(*o.for_duration);
    if (o.clear_after) c["clear_after"] = FormatDuration(*o.clear_after);
    for (const auto& [key, value] : o.thresholds) {
      const ThresholdKey* t = FindThresholdKey(name, key);
      if (t != nullptr && t->kind == ThresholdKind::kDuration) {
        c[key] = FormatDuration(
            Millis(static_cast<Millis::rep>(value * 1000.0)));
      } else {
        c[key] = static_cast<std::int64_t>(value);
      }
    }
    checks[name] = std::move(c);
  }
  out["health"] = {
      {"readiness_fails_on", ReadinessName(config.health.readiness_fails_on)},
      {"checks", std::move(checks)}};
  if (config.health.failover_timeout) {
    out["health"]["failover_timeout"] =
        FormatDuration(*config.health.failover_timeout);
  }
  return out;
}

}  // namespace failwatch
