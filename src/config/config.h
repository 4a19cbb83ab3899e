// The whole configuration shape. The loader (config_loader.h) fills these
// with defaults applied and validation done, so the rest of the code never
// sees a half-valid config.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/secret.h"
#include "core/clock.h"
#include "core/host_port.h"

namespace failwatch {

inline constexpr Millis kDefaultInterval{1000};
inline constexpr Millis kDefaultTimeout{800};
inline constexpr std::uint16_t kDefaultPostgresPort = 5432;
inline constexpr std::uint16_t kDefaultPgBouncerPort = 6432;
inline constexpr std::uint16_t kDefaultKafkaPort = 9092;

// Schedule of one target. Per-target values override the top-level ones.
struct Schedule {
  Millis interval = kDefaultInterval;
  Millis timeout = kDefaultTimeout;
  bool operator==(const Schedule&) const = default;
};

struct AppConfig {
  enum class Expects { kPrimary, kAny };
  std::string application_name;  // glob: '*' and '?'
  Expects expects = Expects::kPrimary;
  bool operator==(const AppConfig&) const = default;
};

struct WriteProbeConfig {
  bool enabled = false;
  std::string table = "failwatch_heartbeat";
  // The sticky path's connection is recycled after this long, like a pool's
  // maxLifetime (HikariCP's default is 30 min): how long a naive pool keeps
  // writing to a demoted node.
  Millis sticky_max_lifetime{30 * 60 * 1000};
  // The heartbeat row's id. Not a YAML key: the app sets it to
  // "failwatch/<instance_id>/<database>" so replicas never share a row
  // (app/instance_identity.h); empty = "failwatch/<database>".
  std::string row_id;
  bool operator==(const WriteProbeConfig&) const = default;
};

struct PgBouncerConfig {
  HostPort address;
  std::string user = "pgbouncer";
  Secret password;
  std::string dbname = "pgbouncer";
  Schedule schedule;
  bool operator==(const PgBouncerConfig&) const = default;
};

struct DatabaseConfig {
  std::string name;
  HostPort endpoint;
  std::optional<HostPort> reader_endpoint;
  // "ip[:port]" of DNS servers; empty = the system's /etc/resolv.conf.
  std::vector<std::string> dns_servers;
  std::vector<HostPort> members;
  std::string user = "failwatch";
  Secret password;
  std::string dbname = "postgres";
  std::string sslmode = "prefer";
  Schedule schedule;
  std::vector<AppConfig> apps;
  WriteProbeConfig write_probe;
  std::vector<PgBouncerConfig> pgbouncers;
  bool operator==(const DatabaseConfig&) const = default;
};

// Names accepted in kafka[].dlt_conventions (the Kafka module maps them to
// topic names: kafka/dlt_naming.h).
inline constexpr const char* kKafkaDltConventions[] = {
    "spring_dlt", "retryable_dlt", "scs_error"};

struct KafkaGroupConfig {
  std::string name;
  std::vector<std::string> dead_letter_topics;
  std::string dlt_reprocess_group;  // empty = none
  // Topics the group consumes; set = never probed (for brokers that do not
  // answer NULL OffsetFetch lists or describe groups).
  std::vector<std::string> topics;
  bool operator==(const KafkaGroupConfig&) const = default;
};

struct KafkaClusterConfig {
  std::string name;
  std::vector<HostPort> brokers;
  // Passed through to librdkafka. Values may hold secrets (sasl.password):
  // they are never logged or shown in /status.
  std::map<std::string, Secret> properties;
  std::vector<KafkaGroupConfig> groups;
  std::string discover_groups;  // regex; empty = only configured groups
  Schedule schedule;

  // Collector tuning; meaning and defaults as in kafka/kafka_options.h,
  // which MakeKafkaCollector fills from these.
  Millis status_window = std::chrono::minutes(10);
  Millis empty_group_ttl = std::chrono::hours(24);
  Millis discovery_interval = std::chrono::seconds(30);
  bool group_discovery = true;
  Millis topic_probe_interval = std::chrono::minutes(5);
  std::int64_t topic_probe_max_partitions = 250'000;
  std::int64_t lag_timestamp_reads = 0;
  // Whole-name RE2 regexes; empty = no filter.
  std::string group_allow;
  std::string group_deny;
  std::string topic_allow;
  std::string topic_deny = "__.*";
  bool per_partition_series = true;
  std::int64_t max_series = 50'000;
  int max_concurrent_group_fetches = 16;

  // Dead-letter topics. Conventions by name (see kKafkaDltConventions),
  // tried in this order for groups without explicit dead_letter_topics.
  std::vector<std::string> dlt_conventions = {"spring_dlt", "retryable_dlt",
                                              "scs_error"};
  bool dlt_read_headers = false;
  // Distinct (original topic, exception) pairs exported per DLT.
  int dlt_header_cardinality = 50;

  bool operator==(const KafkaClusterConfig&) const = default;
};

struct CheckOverride {
  std::optional<Millis> for_duration;  // `for:` in YAML
  std::optional<Millis> clear_after;
  // Keys from config/check_names.h kThresholdKeys that were set: durations
  // in seconds, counts and bytes as numbers.
  std::map<std::string, double> thresholds;
  bool operator==(const CheckOverride&) const = default;
};

struct HealthConfig {
  enum class ReadinessFailsOn { kNever, kDegraded, kDown };
  ReadinessFailsOn readiness_fails_on = ReadinessFailsOn::kNever;
  // A failover not converged after this long is logged as such.
  std::optional<Millis> failover_timeout;
  // Keyed by check name (e.g. "endpoint_not_primary").
  std::map<std::string, CheckOverride> checks;
  bool operator==(const HealthConfig&) const = default;
};

struct Config {
  std::string source;  // file path, for messages
  // This replica's name among several (HA pair, shards); empty = the host
  // name (a Kubernetes pod's name).
  std::string instance_id;
  Schedule defaults;
  std::vector<DatabaseConfig> databases;
  std::vector<KafkaClusterConfig> kafka;
  HealthConfig health;
};

}  // namespace failwatch
