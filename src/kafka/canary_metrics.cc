#include "kafka/canary_metrics.h"

#include "core/metric_builder.h"

namespace failwatch {

void AppendCanaryFamilies(const std::string& cluster, const CanaryState& s,
                          std::vector<prometheus::MetricFamily>& out) {
  const Labels cl{{"cluster", cluster}, {"topic", s.topic}};
  out.push_back(SingleSample(
      FamilyBuilder::Gauge("failwatch_kafka_canary_up",
                           "1 while the canary produces and consumes (topic "
                           "known, consumer assigned), 0 otherwise"),
      cl, s.running ? 1 : 0));
  out.push_back(SingleSample(
      FamilyBuilder::Gauge("failwatch_kafka_canary_sla_seconds",
                           "A canary record not consumed within this long "
                           "after it was produced is lost"),
      cl, s.sla_seconds));
  auto counter = [&](const char* name, const char* help, std::uint64_t v) {
    out.push_back(SingleSample(FamilyBuilder::Counter(name, help), cl,
                               static_cast<double>(v)));
  };
  counter("failwatch_kafka_canary_records_produced_total",
          "Canary records handed to the producer", s.produced_total);
  counter("failwatch_kafka_canary_records_acked_total",
          "Canary records the brokers acknowledged (acks=all)", s.acked_total);
  counter("failwatch_kafka_canary_produce_errors_total",
          "Canary records whose produce failed or was not acknowledged "
          "within the SLA",
          s.produce_errors_total);
  counter("failwatch_kafka_canary_records_received_total",
          "Canary records consumed back within the SLA", s.received_total);
  counter("failwatch_kafka_canary_records_lost_total",
          "Canary records not consumed back within the SLA", s.lost_total);
  counter("failwatch_kafka_canary_records_late_total",
          "Canary records consumed back after the SLA (already counted lost)",
          s.late_total);
  out.push_back(SingleSample(
      FamilyBuilder::Gauge("failwatch_kafka_canary_records_in_flight",
                           "Canary records produced and not yet decided "
                           "(received or lost)"),
      cl, static_cast<double>(s.in_flight)));
  auto lost = FamilyBuilder::Gauge(
      "failwatch_kafka_canary_partition_lost",
      "1 when the newest decided canary record of the partition was lost");
  for (const auto& p : s.partitions) {
    if (!p.last_lost) continue;
    lost.Add({{"cluster", cluster},
              {"topic", s.topic},
              {"partition", std::to_string(p.partition)}},
             *p.last_lost ? 1 : 0);
  }
  lost.MoveTo(out);
  out.push_back(HistogramFamily(
      "failwatch_kafka_canary_produce_latency_seconds",
      "Canary records: produce() to the brokers' acknowledgement", cl,
      s.produce_latency));
  out.push_back(HistogramFamily(
      "failwatch_kafka_canary_roundtrip_latency_seconds",
      "Canary records: produce() to consumed back by failwatch's group", cl,
      s.roundtrip_latency));
}

}  // namespace failwatch
