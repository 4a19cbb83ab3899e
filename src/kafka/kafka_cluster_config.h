// One kafka[] cluster as the Kafka collector reads it. The config loader
// fills it; the kafka module never sees the config.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/host_port.h"
#include "core/regex.h"
#include "core/schedule.h"
#include "core/secret.h"
#include "kafka/canary_config.h"
#include "kafka/kafka_tuning.h"

namespace failwatch {

inline constexpr std::uint16_t kDefaultKafkaPort = 9092;

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
  // Compiled by the config loader; unset = only configured groups.
  OptionalRegex discover_groups;
  Schedule schedule;

  // Collector tuning: defaults and bounds in kafka/kafka_tuning.h.
  KafkaTuning tuning;

  KafkaCanaryConfig canary;  // off unless configured

  bool operator==(const KafkaClusterConfig&) const = default;
};

// The cluster's connection settings without its groups, for the parts that
// only connect (discovery, the admin worker client, the canary, the
// collector after building its trackers): each full copy held 1.1 MB at
// 10 000 groups (heaptrack, bench/kafka_scale.sh).
inline KafkaClusterConfig WithoutGroups(const KafkaClusterConfig& cluster) {
  KafkaClusterConfig out = cluster;
  out.groups = std::vector<KafkaGroupConfig>();  // move-assign: frees
  return out;
}

}  // namespace failwatch
