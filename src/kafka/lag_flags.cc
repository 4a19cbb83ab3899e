#include "kafka/lag_flags.h"

#include "core/metric_builder.h"

namespace failwatch {

std::size_t FlagExpiredCommits(KafkaObservation& obs) {
  std::size_t n = 0;
  for (auto& [name, g] : obs.groups) {
    for (auto& p : g.partitions) {
      if (p.status == ConsumerStatus::kErr || !p.committed) continue;
      if (*p.committed < p.low) {
        p.lag_seconds_caveat = kLagExpired;
        ++n;
      }
    }
  }
  return n;
}

void AppendLagCaveatFamilies(const KafkaObservation& obs,
                             std::vector<prometheus::MetricFamily>& out) {
  auto f = FamilyBuilder::Gauge(
      "failwatch_kafka_group_partition_lag_seconds_caveat",
      "1 when the lag in seconds cannot date the record at the committed "
      "offset: reason expired (deleted by retention before it was consumed) "
      "or compacted (no record at that offset; dated from the next, a lower "
      "bound)");
  for (const auto& [name, g] : obs.groups) {
    for (const auto& p : g.partitions) {
      if (p.lag_seconds_caveat.empty()) continue;
      f.Add({{"cluster", obs.cluster},
             {"group", name},
             {"topic", p.topic},
             {"partition", std::to_string(p.partition)},
             {"reason", std::string(p.lag_seconds_caveat)}},
            1);
    }
  }
  f.MoveTo(out);
}

}  // namespace failwatch
