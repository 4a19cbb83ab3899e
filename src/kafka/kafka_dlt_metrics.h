// Dead-letter topic families: alert material, so BuildKafkaFamilies adds
// them after the group level and before the per-partition detail.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "core/metric_builder.h"
#include "kafka/kafka_observation.h"
#include "kafka/kafka_series_budget.h"

namespace failwatch {

struct KafkaDltFamilies {
  FamilyBuilder missing, source, unhandled, retained, records, last_arrival,
      newest, oldest_age, headers;
  // Per-partition detail: filled with the other per-partition series
  // (AddKafkaPartitionSeries), exposed with the DLT families.
  FamilyBuilder partition_unhandled;

  // In exposition order.
  void MoveTo(std::vector<prometheus::MetricFamily>& out);
};

// Everything but partition_unhandled.
KafkaDltFamilies BuildKafkaDltFamilies(const KafkaObservation& obs,
                                       SeriesBudget& budget);

}  // namespace failwatch
