#include "kafka/kafka_metrics.h"

#include "kafka/kafka_collector_metrics.h"
#include "kafka/kafka_dlt_metrics.h"
#include "kafka/kafka_group_metrics.h"
#include "kafka/kafka_partition_metrics.h"
#include "kafka/kafka_series_budget.h"

namespace failwatch {

// The cap order is the order the builders run: group level (what alerts
// use), dead-letter topics, topic partitions, then per-partition detail.
// The exposition order is the same, except that the per-DLT-partition
// family is exposed with the other DLT families.
std::vector<prometheus::MetricFamily> BuildKafkaFamilies(
    const KafkaObservation& obs, const KafkaOptions& options,
    KafkaCollectorStats& stats) {
  SeriesBudget budget(options.max_series);
  KafkaGroupFamilies groups = BuildKafkaGroupFamilies(obs, budget);
  KafkaDltFamilies dlts = BuildKafkaDltFamilies(obs, budget);
  FamilyBuilder topic_partitions = BuildKafkaTopicPartitions(obs, budget);
  KafkaPartitionFamilies partitions = MakeKafkaPartitionFamilies();
  if (options.per_partition_series) {
    AddKafkaPartitionSeries(obs, budget, partitions, dlts.partition_unhandled);
  }

  std::vector<prometheus::MetricFamily> out;
  groups.MoveTo(out);
  dlts.MoveTo(out);
  topic_partitions.MoveTo(out);
  partitions.MoveTo(out);
  // Collector health: never capped.
  stats.series_dropped_total += budget.dropped();
  AppendKafkaCollectorFamilies(obs, stats, out);
  return out;
}

}  // namespace failwatch
