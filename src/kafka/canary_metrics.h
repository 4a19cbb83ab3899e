// The canary's metric families (failwatch_kafka_canary_*), built apart
// from the Kafka collector's other families.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "kafka/canary_state.h"

namespace failwatch {

void AppendCanaryFamilies(const std::string& cluster, const CanaryState& s,
                          std::vector<prometheus::MetricFamily>& out);

}  // namespace failwatch
