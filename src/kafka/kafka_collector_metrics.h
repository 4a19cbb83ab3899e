// The Kafka collector's own health (handles, discovery, record reads,
// phases): never capped, so they come after the capped families.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "kafka/kafka_metrics.h"
#include "kafka/kafka_observation.h"

namespace failwatch {

void AppendKafkaCollectorFamilies(const KafkaObservation& obs,
                                  const KafkaCollectorStats& stats,
                                  std::vector<prometheus::MetricFamily>& out);

}  // namespace failwatch
