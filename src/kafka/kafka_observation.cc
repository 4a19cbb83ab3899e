#include "kafka/kafka_observation.h"

#include <algorithm>
#include <tuple>

namespace failwatch {

const GroupPartitionState* GroupState::Find(const std::string& topic,
                                            int partition) const {
  auto it = std::lower_bound(partitions.begin(), partitions.end(),
                             std::tie(topic, partition),
                             [](const GroupPartitionState& p, const auto& key) {
                               return std::tie(p.topic, p.partition) < key;
                             });
  if (it == partitions.end() || it->topic != topic ||
      it->partition != partition) {
    return nullptr;
  }
  return &*it;
}

const GroupState* KafkaObservation::FindGroup(const std::string& name) const {
  auto it = groups.find(name);
  return it == groups.end() ? nullptr : &it->second;
}

const PartitionWatermarks* KafkaObservation::FindPartition(
    const std::string& topic, int partition) const {
  auto it = std::lower_bound(partitions.begin(), partitions.end(),
                             std::tie(topic, partition),
                             [](const PartitionWatermarks& p, const auto& key) {
                               return std::tie(p.topic, p.partition) < key;
                             });
  if (it == partitions.end() || it->topic != topic ||
      it->partition != partition) {
    return nullptr;
  }
  return &*it;
}

}  // namespace failwatch
