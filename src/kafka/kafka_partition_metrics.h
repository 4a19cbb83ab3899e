// Topic- and partition-level Kafka families: the detail the series cap
// drops first, switched off entirely by per_partition_series: false.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "core/metric_builder.h"
#include "kafka/kafka_observation.h"
#include "kafka/kafka_series_budget.h"

namespace failwatch {

// failwatch_kafka_topic_partitions (exported even without per-partition
// series).
FamilyBuilder BuildKafkaTopicPartitions(const KafkaObservation& obs,
                                        SeriesBudget& budget);

struct KafkaPartitionFamilies {
  FamilyBuilder low, high, leader, committed, has_commit, lag, lag_seconds,
      lower_bound, status_code;

  // In exposition order.
  void MoveTo(std::vector<prometheus::MetricFamily>& out);
};

// The families, empty (they document the metrics even when off).
KafkaPartitionFamilies MakeKafkaPartitionFamilies();

// Watermarks, DLT partitions (into dlt_partition_unhandled), then each
// group's partitions, in that cap order.
void AddKafkaPartitionSeries(const KafkaObservation& obs, SeriesBudget& budget,
                             KafkaPartitionFamilies& f,
                             FamilyBuilder& dlt_partition_unhandled);

}  // namespace failwatch
