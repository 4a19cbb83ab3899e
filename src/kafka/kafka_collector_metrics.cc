#include "kafka/kafka_collector_metrics.h"

#include <string>

#include "core/metric_builder.h"

namespace failwatch {
namespace {

using Families = std::vector<prometheus::MetricFamily>;

// A family with the one cluster-labelled sample.
void AddOne(Families& out, FamilyBuilder f, const Labels& cl, double value) {
  f.Add(cl, value);
  f.MoveTo(out);
}

void AddHandleFamilies(const KafkaObservation& obs,
                       const KafkaCollectorStats& stats, const Labels& cl,
                       Families& out) {
  AddOne(
      out,
      FamilyBuilder::Counter("failwatch_kafka_series_dropped_total",
                             "Series not exported because of the series cap."),
      cl, static_cast<double>(stats.series_dropped_total));
  AddOne(out,
         FamilyBuilder::Counter(
             "failwatch_kafka_groups_invalid_name_total",
             "Listed group names skipped (not printable UTF-8), per sample."),
         cl, static_cast<double>(obs.groups_invalid_name_total));
  AddOne(out,
         FamilyBuilder::Gauge("failwatch_kafka_groups_tracked",
                              "Consumer groups tracked."),
         cl, static_cast<double>(obs.groups.size()));
  AddOne(out,
         FamilyBuilder::Gauge("failwatch_kafka_group_listing_supported",
                              "1 if the brokers answered ListGroups."),
         cl, obs.group_listing_supported ? 1 : 0);
  AddOne(out,
         FamilyBuilder::Gauge("failwatch_kafka_group_describe_supported",
                              "1 if the brokers answered DescribeGroups."),
         cl, obs.group_describe_supported ? 1 : 0);
  AddOne(out,
         FamilyBuilder::Counter(
             "failwatch_kafka_discovery_handles_replaced_total",
             "Group-discovery client handles found wedged and replaced."),
         cl, static_cast<double>(stats.discovery_handles_replaced_total));
  AddOne(out,
         FamilyBuilder::Gauge("failwatch_kafka_discovery_handles_abandoned",
                              "Replaced handles whose destroy has not "
                              "returned (their threads are still alive)."),
         cl, stats.discovery_handles_abandoned);
  AddOne(out,
         FamilyBuilder::Gauge("failwatch_kafka_discovery_disabled",
                              "1 when discovery stopped because too many "
                              "abandoned handles are pending."),
         cl, stats.discovery_disabled ? 1 : 0);
  AddOne(out,
         FamilyBuilder::Counter(
             "failwatch_kafka_data_handle_resets_total",
             "Data client handles recreated after repeated failures."),
         cl, static_cast<double>(stats.data_handle_resets_total));
  AddOne(out,
         FamilyBuilder::Gauge(
             "failwatch_kafka_data_handle_reset_backoff_seconds",
             "Wait before the data handle may be reset again; doubles per "
             "reset while samples fail, 0 after a good sample."),
         cl, stats.data_handle_reset_backoff_seconds);
}

void AddReadFamilies(const KafkaCollectorStats& stats, const Labels& cl,
                     Families& out) {
  AddOne(
      out,
      FamilyBuilder::Counter("failwatch_kafka_dlt_reads_total",
                             "Dead-letter record reads (timestamps, headers)."),
      cl, static_cast<double>(stats.dlt_reads_total));
  AddOne(out,
         FamilyBuilder::Counter(
             "failwatch_kafka_dlt_read_failures_total",
             "Dead-letter record reads that failed or ran out of time."),
         cl, static_cast<double>(stats.dlt_read_failures_total));
  AddOne(out,
         FamilyBuilder::Gauge("failwatch_kafka_topic_probes_pending",
                              "Groups due for a topic probe that did not fit "
                              "this sample's topic_probe_max_partitions "
                              "budget."),
         cl, static_cast<double>(stats.topic_probes_pending));
  AddOne(out,
         FamilyBuilder::Counter(
             "failwatch_kafka_topic_probe_partitions_total",
             "Group-partitions asked about by explicit topic probes."),
         cl, static_cast<double>(stats.topic_probe_partitions_total));
  AddOne(out,
         FamilyBuilder::Counter(
             "failwatch_kafka_lag_timestamp_reads_total",
             "Records read at a committed offset for lag in seconds "
             "(lag_timestamp_reads)."),
         cl, static_cast<double>(stats.lag_timestamp_reads_total));
  AddOne(out,
         FamilyBuilder::Counter(
             "failwatch_kafka_lag_timestamp_read_failures_total",
             "Record reads for lag in seconds that failed or ran out of "
             "time."),
         cl, static_cast<double>(stats.lag_timestamp_read_failures_total));
  AddOne(out,
         FamilyBuilder::Gauge("failwatch_kafka_lag_seconds_from_records",
                              "Group partitions whose lag in seconds came "
                              "from the record at the committed offset in "
                              "the last sample."),
         cl, static_cast<double>(stats.lag_seconds_from_records));
}

void AddStateFamilies(const std::string& cluster,
                      const KafkaCollectorStats& stats, Families& out) {
  auto all_fetch = FamilyBuilder::Gauge(
      "failwatch_kafka_offset_fetch_all_topics",
      "Whether the brokers answer an OffsetFetch for all of a group's topics "
      "(1 for the current state: works, unsupported, unknown).");
  for (const char* fetch_state : {"works", "unsupported", "unknown"}) {
    all_fetch.Add({{"cluster", cluster}, {"state", fetch_state}},
                  stats.offset_fetch_all == fetch_state ? 1 : 0);
  }
  all_fetch.MoveTo(out);
  auto phases =
      FamilyBuilder::Gauge("failwatch_kafka_read_seconds",
                           "Seconds spent per read phase in the last sample.");
  for (const auto& [phase, secs] : stats.phase_seconds) {
    phases.Add({{"cluster", cluster}, {"phase", phase}}, secs);
  }
  phases.MoveTo(out);
  if (!stats.admin_worker_enabled) return;
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
  restarts.MoveTo(out);
}

}  // namespace

void AppendKafkaCollectorFamilies(const KafkaObservation& obs,
                                  const KafkaCollectorStats& stats,
                                  Families& out) {
  const Labels cl{{"cluster", obs.cluster}};
  AddHandleFamilies(obs, stats, cl, out);
  AddReadFamilies(stats, cl, out);
  AddStateFamilies(obs.cluster, stats, out);
}

}  // namespace failwatch
