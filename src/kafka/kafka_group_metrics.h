// Group-level Kafka families (status, lag, rates, per-topic lag): what
// alerts use, so BuildKafkaFamilies adds them first under the series cap.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "core/metric_builder.h"
#include "kafka/kafka_observation.h"
#include "kafka/kafka_series_budget.h"

namespace failwatch {

struct KafkaGroupFamilies {
  FamilyBuilder status, state, members, lag_sum, lag_max, lag_seconds_max,
      consumed, produced, drain, last_progress, readable, topic_lag_sum,
      topic_lag_max, topic_lag_seconds_max;

  // In exposition order.
  void MoveTo(std::vector<prometheus::MetricFamily>& out);
};

KafkaGroupFamilies BuildKafkaGroupFamilies(const KafkaObservation& obs,
                                           SeriesBudget& budget);

}  // namespace failwatch
