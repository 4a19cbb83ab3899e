#include "kafka/kafka_options.h"

namespace failwatch {

KafkaOptions KafkaOptionsFromConfig(const KafkaClusterConfig& c) {
  KafkaOptions o;
  o.status_window = c.status_window;
  o.empty_group_ttl = c.empty_group_ttl;
  o.discovery_interval = c.discovery_interval;
  o.group_discovery = c.group_discovery;
  o.topic_probe_interval = c.topic_probe_interval;
  o.topic_probe_max_partitions = static_cast<std::size_t>(
      std::max<std::int64_t>(c.topic_probe_max_partitions, 1));
  o.group_allow = c.group_allow;
  o.group_deny = c.group_deny;
  o.topic_allow = c.topic_allow;
  o.topic_deny = c.topic_deny;
  o.per_partition_series = c.per_partition_series;
  o.max_series =
      static_cast<std::size_t>(std::max<std::int64_t>(c.max_series, 1));
  o.max_concurrent_group_fetches = c.max_concurrent_group_fetches;
  o.lag_timestamp_reads = static_cast<std::size_t>(
      std::max<std::int64_t>(c.lag_timestamp_reads, 0));
  o.dlt_conventions.clear();
  for (const auto& name : c.dlt_conventions) {
    if (auto conv = ParseDltConvention(name))
      o.dlt_conventions.push_back(*conv);
  }
  o.dlt_read_headers = c.dlt_read_headers;
  o.dlt_header_cardinality =
      static_cast<std::size_t>(std::max(c.dlt_header_cardinality, 1));
  return o;
}

}  // namespace failwatch
