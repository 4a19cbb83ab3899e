#include "kafka/kafka_partition_metrics.h"

#include <map>
#include <string>

namespace failwatch {
namespace {

void AddGroupPartitions(const std::string& cluster, const std::string& name,
                        const GroupState& g, SeriesBudget& budget,
                        KafkaPartitionFamilies& f) {
  for (const auto& p : g.partitions) {
    const Labels l{{"cluster", cluster},
                   {"group", name},
                   {"topic", p.topic},
                   {"partition", std::to_string(p.partition)}};
    budget.Add(f.status_code, l, static_cast<int>(p.status));
    if (p.status == ConsumerStatus::kErr) continue;
    budget.Add(f.has_commit, l, p.committed ? 1 : 0);
    if (p.committed) {
      budget.Add(f.committed, l, static_cast<double>(*p.committed));
    }
    budget.Add(f.lag, l, static_cast<double>(p.lag));
    if (p.lag_seconds) {
      budget.Add(f.lag_seconds, l, *p.lag_seconds);
      budget.Add(f.lower_bound, l, p.lag_seconds_lower_bound ? 1 : 0);
    }
  }
}

}  // namespace

FamilyBuilder BuildKafkaTopicPartitions(const KafkaObservation& obs,
                                        SeriesBudget& budget) {
  auto f = FamilyBuilder::Gauge("failwatch_kafka_topic_partitions",
                                "Partitions of the topic.");
  std::map<std::string, int> counts;
  for (const auto& p : obs.partitions) counts[p.topic]++;
  for (const auto& [topic, n] : counts) {
    budget.Add(f, {{"cluster", obs.cluster}, {"topic", topic}}, n);
  }
  return f;
}

void KafkaPartitionFamilies::MoveTo(
    std::vector<prometheus::MetricFamily>& out) {
  for (FamilyBuilder* f : {&low, &high, &leader, &committed, &has_commit, &lag,
                           &lag_seconds, &lower_bound, &status_code}) {
    f->MoveTo(out);
  }
}

KafkaPartitionFamilies MakeKafkaPartitionFamilies() {
  return {
      .low = FamilyBuilder::Gauge("failwatch_kafka_partition_low_watermark",
                                  "Start offset (oldest retained message)."),
      .high = FamilyBuilder::Gauge("failwatch_kafka_partition_high_watermark",
                                   "End offset (next message to be written)."),
      .leader = FamilyBuilder::Gauge(
          "failwatch_kafka_partition_leader",
          "Broker id of the partition leader; -1 when there is none."),
      .committed = FamilyBuilder::Gauge(
          "failwatch_kafka_group_partition_committed_offset",
          "Committed offset of the group; absent when the group never "
          "committed on the partition."),
      .has_commit = FamilyBuilder::Gauge(
          "failwatch_kafka_group_partition_has_commit",
          "1 if the group has a committed offset on the partition; 0 means "
          "lag is counted from the low watermark."),
      .lag = FamilyBuilder::Gauge(
          "failwatch_kafka_group_partition_lag",
          "Messages behind: high watermark minus committed offset (minus low "
          "watermark without a commit)."),
      .lag_seconds = FamilyBuilder::Gauge(
          "failwatch_kafka_group_partition_lag_seconds",
          "Age in seconds of the next message the group will read, "
          "interpolated from failwatch's own end-offset history; 0 when "
          "caught up."),
      .lower_bound = FamilyBuilder::Gauge(
          "failwatch_kafka_group_partition_lag_seconds_is_lower_bound",
          "1 when the committed offset predates the history and lag_seconds "
          "is only a lower bound."),
      .status_code = FamilyBuilder::Gauge(
          "failwatch_kafka_group_partition_status_code",
          "Partition status: 0 OK, 1 WARN, 2 STALL, 3 STOP, 4 REWIND, 5 ERR."),
  };
}

void AddKafkaPartitionSeries(const KafkaObservation& obs, SeriesBudget& budget,
                             KafkaPartitionFamilies& f,
                             FamilyBuilder& dlt_partition_unhandled) {
  const std::string& cluster = obs.cluster;
  for (const auto& p : obs.partitions) {
    const Labels pl{{"cluster", cluster},
                    {"topic", p.topic},
                    {"partition", std::to_string(p.partition)}};
    budget.Add(f.leader, pl, p.leader);
    if (p.low) budget.Add(f.low, pl, static_cast<double>(*p.low));
    if (p.high) budget.Add(f.high, pl, static_cast<double>(*p.high));
  }
  for (const auto& [name, d] : obs.dlts) {
    for (const auto& p : d.partitions) {
      if (!p.unhandled) continue;
      budget.Add(dlt_partition_unhandled,
                 {{"cluster", cluster},
                  {"dlt", name},
                  {"partition", std::to_string(p.partition)}},
                 static_cast<double>(*p.unhandled));
    }
  }
  for (const auto& [name, g] : obs.groups) {
    AddGroupPartitions(cluster, name, g, budget, f);
  }
}

}  // namespace failwatch
