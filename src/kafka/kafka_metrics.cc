#include "kafka/kafka_metrics.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "core/metric_builder.h"

namespace failwatch {
namespace {

constexpr std::string_view kGroupStates[] = {
    "Unknown", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead",
    "Empty"};

// Counts series against the cap as they are added.
class Budget {
 public:
  explicit Budget(std::size_t cap) : left_(cap) {}
  void Add(FamilyBuilder& f, const Labels& labels, double value) {
    if (left_ == 0) {
      ++dropped_;
      return;
    }
    --left_;
    f.Add(labels, value);
  }
  std::size_t dropped() const { return dropped_; }

 private:
  std::size_t left_;
  std::size_t dropped_ = 0;
};

struct TopicAggregate {
  std::int64_t lag_sum = 0;
  std::int64_t lag_max = 0;
  std::optional<double> lag_seconds_max;
};

// Rates only once the window is covered: a rate over the first seconds
// after a start or a reset says little.
void AddRates(const GroupRates& r, const Labels& gl, Budget& budget,
              FamilyBuilder& consumed, FamilyBuilder& produced,
              FamilyBuilder& drain, FamilyBuilder& last_progress) {
  if (r.window_covered) {
    budget.Add(consumed, gl, r.consume_rate);
    budget.Add(produced, gl, r.produce_rate);
    if (r.drain_seconds) budget.Add(drain, gl, *r.drain_seconds);
  }
  if (r.last_progress) {
    budget.Add(last_progress, gl, ToUnixSeconds(*r.last_progress));
  }
}

}  // namespace

std::vector<prometheus::MetricFamily> BuildKafkaFamilies(
    const KafkaObservation& obs, const KafkaOptions& options,
    KafkaCollectorStats& stats) {
  std::vector<prometheus::MetricFamily> out;
  Budget budget(options.max_series);
  const std::string& cluster = obs.cluster;
  const Labels cl{{"cluster", cluster}};

  // Group level first: these are what alerts use, so the cap drops
  // per-partition detail before them.
  auto status = FamilyBuilder::Gauge(
      "failwatch_kafka_group_status",
      "Consumer group status (state set: 1 for the current status): OK, "
      "WARN, STALL, STOP, REWIND, ERR.");
  auto state = FamilyBuilder::Gauge(
      "failwatch_kafka_group_state",
      "Consumer group state from DescribeConsumerGroups (state set); absent "
      "where the brokers cannot describe groups.");
  auto members = FamilyBuilder::Gauge(
      "failwatch_kafka_group_members",
      "Members of the consumer group; absent where unknown.");
  auto lag_sum = FamilyBuilder::Gauge(
      "failwatch_kafka_group_lag",
      "Messages behind, summed over the group's partitions.");
  auto lag_max = FamilyBuilder::Gauge(
      "failwatch_kafka_group_lag_max",
      "Messages behind on the group's most lagging partition.");
  auto lag_seconds_max = FamilyBuilder::Gauge(
      "failwatch_kafka_group_lag_seconds_max",
      "Age in seconds of the oldest unconsumed message over the group's "
      "partitions (interpolated; may be a lower bound).");
  auto consumed = FamilyBuilder::Gauge(
      "failwatch_kafka_group_consumed_messages_per_second",
      "Committed offsets per second, summed over the group's partitions, "
      "over the rate window; absent until the window is covered.");
  auto produced = FamilyBuilder::Gauge(
      "failwatch_kafka_group_produced_messages_per_second",
      "End offsets per second over the group's partitions (what it has to "
      "keep up with), over the rate window; absent until it is covered.");
  auto drain = FamilyBuilder::Gauge(
      "failwatch_kafka_group_drain_seconds",
      "Estimated seconds until the group's lag is consumed at the current "
      "rates; absent when lag is 0 or consumption is not ahead.");
  auto last_progress = FamilyBuilder::Gauge(
      "failwatch_kafka_group_last_progress_timestamp_seconds",
      "When failwatch last saw the group's committed offsets advance (Unix "
      "seconds); absent until it has.");
  auto readable = FamilyBuilder::Gauge(
      "failwatch_kafka_group_offsets_readable",
      "1 if the group's committed offsets were read in the last sample.");
  auto topic_lag_sum = FamilyBuilder::Gauge(
      "failwatch_kafka_group_topic_lag",
      "Messages behind, summed over the group's partitions of the topic.");
  auto topic_lag_max = FamilyBuilder::Gauge(
      "failwatch_kafka_group_topic_lag_max",
      "Messages behind on the group's most lagging partition of the topic.");
  auto topic_lag_seconds_max = FamilyBuilder::Gauge(
      "failwatch_kafka_group_topic_lag_seconds_max",
      "Age in seconds of the oldest unconsumed message of the topic for the "
      "group (interpolated; may be a lower bound).");

  for (const auto& [name, g] : obs.groups) {
    const Labels gl{{"cluster", cluster}, {"group", name}};
    for (ConsumerStatus s : kAllConsumerStatuses) {
      budget.Add(status,
                 {{"cluster", cluster},
                  {"group", name},
                  {"status", std::string(ConsumerStatusName(s))}},
                 s == g.status ? 1 : 0);
    }
    budget.Add(readable, gl, g.error ? 0 : 1);
    if (g.state) {
      for (std::string_view st : kGroupStates) {
        budget.Add(
            state,
            {{"cluster", cluster}, {"group", name}, {"state", std::string(st)}},
            *g.state == st ? 1 : 0);
      }
    }
    if (g.members) budget.Add(members, gl, *g.members);
    if (g.error) continue;
    budget.Add(lag_sum, gl, static_cast<double>(g.lag_sum));
    budget.Add(lag_max, gl, static_cast<double>(g.lag_max));
    if (g.lag_seconds_max) budget.Add(lag_seconds_max, gl, *g.lag_seconds_max);
    if (g.rates)
      AddRates(*g.rates, gl, budget, consumed, produced, drain, last_progress);

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
      budget.Add(topic_lag_sum, tl, static_cast<double>(a.lag_sum));
      budget.Add(topic_lag_max, tl, static_cast<double>(a.lag_max));
      if (a.lag_seconds_max) {
        budget.Add(topic_lag_seconds_max, tl, *a.lag_seconds_max);
      }
    }
  }

  // Dead-letter topics: alert material, so before the per-partition
  // detail in the cap order.
  auto dlt_missing = FamilyBuilder::Gauge(
      "failwatch_kafka_dlt_missing",
      "1 per configured group/topic whose expected dead-letter topic does "
      "not exist (reason=absent) or has fewer partitions than the source "
      "for a same-partition convention (reason=too_few_partitions).");
  auto dlt_source = FamilyBuilder::Gauge(
      "failwatch_kafka_dlt_source",
      "1 per dead-letter topic and the group/topic it serves (topic empty "
      "for explicit DLTs); convention: spring_dlt, retryable_dlt, "
      "scs_error, explicit.");
  auto dlt_unhandled = FamilyBuilder::Gauge(
      "failwatch_kafka_dlt_unhandled",
      "Records in the DLT nobody reprocessed: end offset - max(start "
      "offset, the reprocessing group's committed offset), summed over "
      "partitions; absent when unknown.");
  auto dlt_retained = FamilyBuilder::Gauge(
      "failwatch_kafka_dlt_retained",
      "Records retained in the DLT (end - start offset, summed).");
  auto dlt_records = FamilyBuilder::Counter(
      "failwatch_kafka_dlt_records_total",
      "Records that entered the DLT since failwatch started watching it "
      "(end-offset growth).");
  auto dlt_last_arrival = FamilyBuilder::Gauge(
      "failwatch_kafka_dlt_last_arrival_seen_timestamp_seconds",
      "When failwatch last saw the DLT's end offset grow (Unix seconds).");
  auto dlt_newest = FamilyBuilder::Gauge(
      "failwatch_kafka_dlt_newest_record_timestamp_seconds",
      "Timestamp of the newest record in the DLT (Unix seconds).");
  auto dlt_oldest_age = FamilyBuilder::Gauge(
      "failwatch_kafka_dlt_oldest_unhandled_age_seconds",
      "Age of the oldest unhandled record (from its timestamp); absent "
      "when nothing is unhandled.");
  auto dlt_headers = FamilyBuilder::Gauge(
      "failwatch_kafka_dlt_header_records",
      "Recent DLT records by original topic and exception class (headers); "
      "only with dlt_read_headers; pairs beyond the cap are 'other'.");
  auto dlt_partition_unhandled =
      FamilyBuilder::Gauge("failwatch_kafka_dlt_partition_unhandled",
                           "Unhandled records per DLT partition.");
  for (const auto& m : obs.dlt_missing) {
    budget.Add(dlt_missing,
               {{"cluster", cluster},
                {"group", m.group},
                {"topic", m.topic},
                {"expected_dlt", m.expected_dlt},
                {"reason", m.reason}},
               1);
  }
  for (const auto& [name, d] : obs.dlts) {
    const Labels dl{{"cluster", cluster}, {"dlt", name}};
    for (const auto& src : d.sources) {
      budget.Add(dlt_source,
                 {{"cluster", cluster},
                  {"dlt", name},
                  {"group", src.group},
                  {"topic", src.topic},
                  {"convention", src.convention}},
                 1);
    }
    if (d.unhandled) {
      budget.Add(dlt_unhandled, dl, static_cast<double>(*d.unhandled));
    }
    budget.Add(dlt_retained, dl, static_cast<double>(d.retained));
    budget.Add(dlt_records, dl, static_cast<double>(d.records_total));
    if (d.last_arrival_seen) {
      budget.Add(dlt_last_arrival, dl, ToUnixSeconds(*d.last_arrival_seen));
    }
    if (d.newest_timestamp) {
      budget.Add(dlt_newest, dl, ToUnixSeconds(*d.newest_timestamp));
    }
    if (d.oldest_unhandled_age_seconds) {
      budget.Add(dlt_oldest_age, dl, *d.oldest_unhandled_age_seconds);
    }
    for (const auto& h : d.headers) {
      budget.Add(dlt_headers,
                 {{"cluster", cluster},
                  {"dlt", name},
                  {"original_topic", h.original_topic},
                  {"exception", h.exception}},
                 static_cast<double>(h.records));
    }
  }

  auto topic_partitions = FamilyBuilder::Gauge(
      "failwatch_kafka_topic_partitions", "Partitions of the topic.");
  {
    std::map<std::string, int> counts;
    for (const auto& p : obs.partitions) counts[p.topic]++;
    for (const auto& [topic, n] : counts) {
      budget.Add(topic_partitions, {{"cluster", cluster}, {"topic", topic}}, n);
    }
  }

  auto low = FamilyBuilder::Gauge("failwatch_kafka_partition_low_watermark",
                                  "Start offset (oldest retained message).");
  auto high = FamilyBuilder::Gauge("failwatch_kafka_partition_high_watermark",
                                   "End offset (next message to be written).");
  auto leader = FamilyBuilder::Gauge(
      "failwatch_kafka_partition_leader",
      "Broker id of the partition leader; -1 when there is none.");
  auto committed = FamilyBuilder::Gauge(
      "failwatch_kafka_group_partition_committed_offset",
      "Committed offset of the group; absent when the group never committed "
      "on the partition.");
  auto has_commit = FamilyBuilder::Gauge(
      "failwatch_kafka_group_partition_has_commit",
      "1 if the group has a committed offset on the partition; 0 means lag "
      "is counted from the low watermark.");
  auto lag = FamilyBuilder::Gauge(
      "failwatch_kafka_group_partition_lag",
      "Messages behind: high watermark minus committed offset (minus low "
      "watermark without a commit).");
  auto lag_seconds = FamilyBuilder::Gauge(
      "failwatch_kafka_group_partition_lag_seconds",
      "Age in seconds of the next message the group will read, interpolated "
      "from failwatch's own end-offset history; 0 when caught up.");
  auto lower_bound = FamilyBuilder::Gauge(
      "failwatch_kafka_group_partition_lag_seconds_is_lower_bound",
      "1 when the committed offset predates the history and lag_seconds is "
      "only a lower bound.");
  auto status_code = FamilyBuilder::Gauge(
      "failwatch_kafka_group_partition_status_code",
      "Partition status: 0 OK, 1 WARN, 2 STALL, 3 STOP, 4 REWIND, 5 ERR.");

  if (options.per_partition_series) {
    for (const auto& p : obs.partitions) {
      const Labels pl{{"cluster", cluster},
                      {"topic", p.topic},
                      {"partition", std::to_string(p.partition)}};
      budget.Add(leader, pl, p.leader);
      if (p.low) budget.Add(low, pl, static_cast<double>(*p.low));
      if (p.high) budget.Add(high, pl, static_cast<double>(*p.high));
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
      for (const auto& p : g.partitions) {
        const Labels l{{"cluster", cluster},
                       {"group", name},
                       {"topic", p.topic},
                       {"partition", std::to_string(p.partition)}};
        budget.Add(status_code, l, static_cast<int>(p.status));
        if (p.status == ConsumerStatus::kErr) continue;
        budget.Add(has_commit, l, p.committed ? 1 : 0);
        if (p.committed) {
          budget.Add(committed, l, static_cast<double>(*p.committed));
        }
        budget.Add(lag, l, static_cast<double>(p.lag));
        if (p.lag_seconds) {
          budget.Add(lag_seconds, l, *p.lag_seconds);
          budget.Add(lower_bound, l, p.lag_seconds_lower_bound ? 1 : 0);
        }
      }
    }
  }

  for (FamilyBuilder* f : {&status,
                           &state,
                           &members,
                           &lag_sum,
                           &lag_max,
                           &lag_seconds_max,
                           &consumed,
                           &produced,
                           &drain,
                           &last_progress,
                           &readable,
                           &topic_lag_sum,
                           &topic_lag_max,
                           &topic_lag_seconds_max,
                           &dlt_missing,
                           &dlt_source,
                           &dlt_unhandled,
                           &dlt_retained,
                           &dlt_records,
                           &dlt_last_arrival,
                           &dlt_newest,
                           &dlt_oldest_age,
                           &dlt_headers,
                           &dlt_partition_unhandled,
                           &topic_partitions,
                           &low,
                           &high,
                           &leader,
                           &committed,
                           &has_commit,
                           &lag,
                           &lag_seconds,
                           &lower_bound,
                           &status_code}) {
    std::move(*f).MoveTo(out);
  }

  // Collector health: never capped.
  stats.series_dropped_total += budget.dropped();
  auto add = [&](FamilyBuilder f) { std::move(f).MoveTo(out); };
  add(std::move(
      FamilyBuilder::Counter("failwatch_kafka_series_dropped_total",
                             "Series not exported because of the series cap.")
          .Add(cl, static_cast<double>(stats.series_dropped_total))));
  add(std::move(
      FamilyBuilder::Counter(
          "failwatch_kafka_groups_invalid_name_total",
          "Listed group names skipped (not printable UTF-8), per "
          "sample.")
          .Add(cl, static_cast<double>(obs.groups_invalid_name_total))));
  add(std::move(FamilyBuilder::Gauge("failwatch_kafka_groups_tracked",
                                     "Consumer groups tracked.")
                    .Add(cl, static_cast<double>(obs.groups.size()))));
  add(std::move(FamilyBuilder::Gauge("failwatch_kafka_group_listing_supported",
                                     "1 if the brokers answered ListGroups.")
                    .Add(cl, obs.group_listing_supported ? 1 : 0)));
  add(std::move(
      FamilyBuilder::Gauge("failwatch_kafka_group_describe_supported",
                           "1 if the brokers answered DescribeGroups.")
          .Add(cl, obs.group_describe_supported ? 1 : 0)));
  add(std::move(FamilyBuilder::Counter(
                    "failwatch_kafka_discovery_handles_replaced_total",
                    "Group-discovery client handles found wedged and replaced.")
                    .Add(cl, static_cast<double>(
                                 stats.discovery_handles_replaced_total))));
  add(std::move(FamilyBuilder::Gauge(
                    "failwatch_kafka_discovery_handles_abandoned",
                    "Replaced handles whose destroy has not returned (their "
                    "threads are still alive).")
                    .Add(cl, stats.discovery_handles_abandoned)));
  add(std::move(FamilyBuilder::Gauge(
                    "failwatch_kafka_discovery_disabled",
                    "1 when discovery stopped because too many abandoned "
                    "handles are pending.")
                    .Add(cl, stats.discovery_disabled ? 1 : 0)));
  add(std::move(
      FamilyBuilder::Counter(
          "failwatch_kafka_data_handle_resets_total",
          "Data client handles recreated after repeated failures.")
          .Add(cl, static_cast<double>(stats.data_handle_resets_total))));
  add(std::move(FamilyBuilder::Gauge(
                    "failwatch_kafka_data_handle_reset_backoff_seconds",
                    "Wait before the data handle may be reset again; doubles "
                    "per reset while samples fail, 0 after a good sample.")
                    .Add(cl, stats.data_handle_reset_backoff_seconds)));
  add(std::move(
      FamilyBuilder::Counter("failwatch_kafka_dlt_reads_total",
                             "Dead-letter record reads (timestamps, headers).")
          .Add(cl, static_cast<double>(stats.dlt_reads_total))));
  add(std::move(
      FamilyBuilder::Counter(
          "failwatch_kafka_dlt_read_failures_total",
          "Dead-letter record reads that failed or ran out of time.")
          .Add(cl, static_cast<double>(stats.dlt_read_failures_total))));
  add(std::move(
      FamilyBuilder::Gauge("failwatch_kafka_topic_probes_pending",
                           "Groups due for a topic probe that did not fit this "
                           "sample's topic_probe_max_partitions budget.")
          .Add(cl, static_cast<double>(stats.topic_probes_pending))));
  add(std::move(
      FamilyBuilder::Counter(
          "failwatch_kafka_topic_probe_partitions_total",
          "Group-partitions asked about by explicit topic probes.")
          .Add(cl, static_cast<double>(stats.topic_probe_partitions_total))));
  add(std::move(
      FamilyBuilder::Counter(
          "failwatch_kafka_lag_timestamp_reads_total",
          "Records read at a committed offset for lag in seconds "
          "(lag_timestamp_reads).")
          .Add(cl, static_cast<double>(stats.lag_timestamp_reads_total))));
  add(std::move(FamilyBuilder::Counter(
                    "failwatch_kafka_lag_timestamp_read_failures_total",
                    "Record reads for lag in seconds that failed or ran out "
                    "of time.")
                    .Add(cl, static_cast<double>(
                                 stats.lag_timestamp_read_failures_total))));
  add(std::move(
      FamilyBuilder::Gauge(
          "failwatch_kafka_lag_seconds_from_records",
          "Group partitions whose lag in seconds came from the "
          "record at the committed offset in the last sample.")
          .Add(cl, static_cast<double>(stats.lag_seconds_from_records))));
  auto all_fetch = FamilyBuilder::Gauge(
      "failwatch_kafka_offset_fetch_all_topics",
      "Whether the brokers answer an OffsetFetch for all of a group's topics "
      "(1 for the current state: works, unsupported, unknown).");
  for (const char* fetch_state : {"works", "unsupported", "unknown"}) {
    all_fetch.Add({{"cluster", cluster}, {"state", fetch_state}},
                  stats.offset_fetch_all == fetch_state ? 1 : 0);
  }
  add(std::move(all_fetch));
  auto phases =
      FamilyBuilder::Gauge("failwatch_kafka_read_seconds",
                           "Seconds spent per read phase in the last sample.");
  for (const auto& [phase, secs] : stats.phase_seconds) {
    phases.Add({{"cluster", cluster}, {"phase", phase}}, secs);
  }
  add(std::move(phases));
  if (stats.admin_worker_enabled) {
    auto restarts = FamilyBuilder::Counter(
        "failwatch_kafka_admin_worker_restarts_total",
        "Kafka admin worker processes lost and restarted, by reason "
        "(crashed, timeout, protocol, wedged, spawn_failed).");
    for (const char* reason :
         {"crashed", "timeout", "protocol", "wedged", "spawn_failed"}) {
      auto it = stats.admin_worker_restarts.find(reason);
      restarts.Add({{"cluster", cluster}, {"reason", reason}},
                   it == stats.admin_worker_restarts.end()
                       ? 0
                       : static_cast<double>(it->second));
    }
    add(std::move(restarts));
  }
  return out;
}

}  // namespace failwatch
