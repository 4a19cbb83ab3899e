// One kafka[] cluster as the Kafka collector reads it. The config loader
// fills it; the kafka module never sees the config.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/host_port.h"
#include "kafka/canary_config.h"
#include "core/schedule.h"
#include "core/secret.h"

namespace failwatch {

inline constexpr std::uint16_t kDefaultKafkaPort = 9092;

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

  KafkaCanaryConfig canary;  // off unless configured

  bool operator==(const KafkaClusterConfig&) const = default;
};

}  // namespace failwatch
