#include "kafka/kafka_group_metrics.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace failwatch {
namespace {

constexpr std::string_view kGroupStates[] = {
    "Unknown", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead",
    "Empty"};

struct TopicAggregate {
  std::int64_t lag_sum = 0;
  std::int64_t lag_max = 0;
  std::optional<double> lag_seconds_max;
};

KafkaGroupFamilies MakeFamilies() {
  return {
      .status = FamilyBuilder::Gauge(
          "failwatch_kafka_group_status",
          "Consumer group status (state set: 1 for the current status): OK, "
          "WARN, STALL, STOP, REWIND, ERR."),
      .state = FamilyBuilder::Gauge(
          "failwatch_kafka_group_state",
          "Consumer group state from DescribeConsumerGroups (state set); "
          "absent where the brokers cannot describe groups."),
      .members = FamilyBuilder::Gauge(
          "failwatch_kafka_group_members",
          "Members of the consumer group; absent where unknown."),
      .lag_sum = FamilyBuilder::Gauge(
          "failwatch_kafka_group_lag",
          "Messages behind, summed over the group's partitions."),
      .lag_max = FamilyBuilder::Gauge(
          "failwatch_kafka_group_lag_max",
          "Messages behind on the group's most lagging partition."),
      .lag_seconds_max = FamilyBuilder::Gauge(
          "failwatch_kafka_group_lag_seconds_max",
          "Age in seconds of the oldest unconsumed message over the group's "
          "partitions (interpolated; may be a lower bound)."),
      .consumed = FamilyBuilder::Gauge(
          "failwatch_kafka_group_consumed_messages_per_second",
          "Committed offsets per second, summed over the group's partitions, "
          "over the rate window; absent until the window is covered."),
      .produced = FamilyBuilder::Gauge(
          "failwatch_kafka_group_produced_messages_per_second",
          "End offsets per second over the group's partitions (what it has "
          "to keep up with), over the rate window; absent until it is "
          "covered."),
      .drain = FamilyBuilder::Gauge(
          "failwatch_kafka_group_drain_seconds",
          "Estimated seconds until the group's lag is consumed at the "
          "current rates; absent when lag is 0 or consumption is not ahead."),
      .last_progress = FamilyBuilder::Gauge(
          "failwatch_kafka_group_last_progress_timestamp_seconds",
          "When failwatch last saw the group's committed offsets advance "
          "(Unix seconds); absent until it has."),
      .readable = FamilyBuilder::Gauge(
          "failwatch_kafka_group_offsets_readable",
          "1 if the group's committed offsets were read in the last sample."),
      .topic_lag_sum = FamilyBuilder::Gauge(
          "failwatch_kafka_group_topic_lag",
          "Messages behind, summed over the group's partitions of the topic."),
      .topic_lag_max = FamilyBuilder::Gauge(
          "failwatch_kafka_group_topic_lag_max",
          "Messages behind on the group's most lagging partition of the "
          "topic."),
      .topic_lag_seconds_max = FamilyBuilder::Gauge(
          "failwatch_kafka_group_topic_lag_seconds_max",
          "Age in seconds of the oldest unconsumed message of the topic for "
          "the group (interpolated; may be a lower bound)."),
  };
}

// Rates only once the window is covered: a rate over the first seconds
// after a start or a reset says little.
void AddRates(const GroupRates& r, const Labels& gl, SeriesBudget& budget,
              KafkaGroupFamilies& f) {
  if (r.window_covered) {
    budget.Add(f.consumed, gl, r.consume_rate);
    budget.Add(f.produced, gl, r.produce_rate);
    if (r.drain_seconds) budget.Add(f.drain, gl, *r.drain_seconds);
  }
  if (r.last_progress) {
    budget.Add(f.last_progress, gl, ToUnixSeconds(*r.last_progress));
  }
}

void AddStateSets(const std::string& cluster, const std::string& name,
                  const GroupState& g, SeriesBudget& budget,
                  KafkaGroupFamilies& f) {
  for (ConsumerStatus s : kAllConsumerStatuses) {
    budget.Add(f.status,
               {{"cluster", cluster},
                {"group", name},
                {"status", std::string(ConsumerStatusName(s))}},
               s == g.status ? 1 : 0);
  }
  budget.Add(f.readable, {{"cluster", cluster}, {"group", name}},
             g.error ? 0 : 1);
  if (!g.state) return;
  for (std::string_view st : kGroupStates) {
    budget.Add(
        f.state,
        {{"cluster", cluster}, {"group", name}, {"state", std::string(st)}},
        *g.state == st ? 1 : 0);
  }
}

void AddTopicLag(const std::string& cluster, const std::string& name,
                 const GroupState& g, SeriesBudget& budget,
                 KafkaGroupFamilies& f) {
  std::map<std::string, TopicAggregate> topics;
  for (const auto& p : g.partitions) {
    if (p.status == ConsumerStatus::kErr) continue;
    TopicAggregate& a = topics[p.topic];
    a.lag_sum += p.lag;
    a.lag_max = std::max(a.lag_max, p.lag);
    if (p.lag_seconds) {
      a.lag_seconds_max =
          std::max(a.lag_seconds_max.value_or(0), *p.lag_seconds);
    }
  }
  for (const auto& [topic, a] : topics) {
    const Labels tl{{"cluster", cluster}, {"group", name}, {"topic", topic}};
    budget.Add(f.topic_lag_sum, tl, static_cast<double>(a.lag_sum));
    budget.Add(f.topic_lag_max, tl, static_cast<double>(a.lag_max));
    if (a.lag_seconds_max) {
      budget.Add(f.topic_lag_seconds_max, tl, *a.lag_seconds_max);
    }
  }
}

}  // namespace

void KafkaGroupFamilies::MoveTo(std::vector<prometheus::MetricFamily>& out) {
  for (FamilyBuilder* f :
       {&status, &state, &members, &lag_sum, &lag_max, &lag_seconds_max,
        &consumed, &produced, &drain, &last_progress, &readable, &topic_lag_sum,
        &topic_lag_max, &topic_lag_seconds_max}) {
    f->MoveTo(out);
  }
}

KafkaGroupFamilies BuildKafkaGroupFamilies(const KafkaObservation& obs,
                                           SeriesBudget& budget) {
  KafkaGroupFamilies f = MakeFamilies();
  const std::string& cluster = obs.cluster;
  for (const auto& [name, g] : obs.groups) {
    const Labels gl{{"cluster", cluster}, {"group", name}};
    AddStateSets(cluster, name, g, budget, f);
    if (g.members) budget.Add(f.members, gl, *g.members);
    if (g.error) continue;
    budget.Add(f.lag_sum, gl, static_cast<double>(g.lag_sum));
    budget.Add(f.lag_max, gl, static_cast<double>(g.lag_max));
    if (g.lag_seconds_max) {
      budget.Add(f.lag_seconds_max, gl, *g.lag_seconds_max);
    }
    if (g.rates) AddRates(*g.rates, gl, budget, f);
    AddTopicLag(cluster, name, g, budget, f);
  }
  return f;
}

}  // namespace failwatch
