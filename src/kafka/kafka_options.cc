#include "kafka/kafka_options.h"

namespace failwatch {

KafkaOptions KafkaOptionsFromConfig(const KafkaClusterConfig& c) {
  KafkaOptions o;
  static_cast<KafkaTuning&>(o) = c.tuning;
  return o;
}

}  // namespace failwatch
