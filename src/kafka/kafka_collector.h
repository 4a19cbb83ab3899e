// The Kafka collector: one per kafka[] cluster. Each sample reads metadata,
// watermarks (batched per leader) and committed offsets on a data handle,
// then lets group discovery use what is left of the budget on a separate,
// replaceable handle; the tracker turns the readings into lag, lag in
// seconds and status, published as metrics and a KafkaObservation.
#pragma once

#include <memory>

#include "core/collector.h"
#include "kafka/kafka_cluster_config.h"
#include "kafka/kafka_options.h"

namespace failwatch {

std::shared_ptr<Collector> MakeKafkaCollector(
    const KafkaClusterConfig& cluster);
std::shared_ptr<Collector> MakeKafkaCollector(const KafkaClusterConfig& cluster,
                                              const KafkaOptions& options);

}  // namespace failwatch
