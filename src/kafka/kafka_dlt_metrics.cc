#include "kafka/kafka_dlt_metrics.h"

#include <string>

namespace failwatch {
namespace {

KafkaDltFamilies MakeFamilies() {
  return {
      .missing = FamilyBuilder::Gauge(
          "failwatch_kafka_dlt_missing",
          "1 per configured group/topic whose expected dead-letter topic "
          "does not exist (reason=absent) or has fewer partitions than the "
          "source for a same-partition convention "
          "(reason=too_few_partitions)."),
      .source = FamilyBuilder::Gauge(
          "failwatch_kafka_dlt_source",
          "1 per dead-letter topic and the group/topic it serves (topic "
          "empty for explicit DLTs); convention: spring_dlt, retryable_dlt, "
          "scs_error, explicit."),
      .unhandled = FamilyBuilder::Gauge(
          "failwatch_kafka_dlt_unhandled",
          "Records in the DLT nobody reprocessed: end offset - max(start "
          "offset, the reprocessing group's committed offset), summed over "
          "partitions; absent when unknown."),
      .retained = FamilyBuilder::Gauge(
          "failwatch_kafka_dlt_retained",
          "Records retained in the DLT (end - start offset, summed)."),
      .records = FamilyBuilder::Counter(
          "failwatch_kafka_dlt_records_total",
          "Records that entered the DLT since failwatch started watching it "
          "(end-offset growth)."),
      .last_arrival = FamilyBuilder::Gauge(
          "failwatch_kafka_dlt_last_arrival_seen_timestamp_seconds",
          "When failwatch last saw the DLT's end offset grow (Unix "
          "seconds)."),
      .newest = FamilyBuilder::Gauge(
          "failwatch_kafka_dlt_newest_record_timestamp_seconds",
          "Timestamp of the newest record in the DLT (Unix seconds)."),
      .oldest_age = FamilyBuilder::Gauge(
          "failwatch_kafka_dlt_oldest_unhandled_age_seconds",
          "Age of the oldest unhandled record (from its timestamp); absent "
          "when nothing is unhandled."),
      .headers = FamilyBuilder::Gauge(
          "failwatch_kafka_dlt_header_records",
          "Recent DLT records by original topic and exception class "
          "(headers); only with dlt_read_headers; pairs beyond the cap are "
          "'other'."),
      .partition_unhandled =
          FamilyBuilder::Gauge("failwatch_kafka_dlt_partition_unhandled",
                               "Unhandled records per DLT partition."),
  };
}

void AddDlt(const std::string& cluster, const std::string& name,
            const DltState& d, SeriesBudget& budget, KafkaDltFamilies& f) {
  const Labels dl{{"cluster", cluster}, {"dlt", name}};
  for (const auto& src : d.sources) {
    budget.Add(f.source,
               {{"cluster", cluster},
                {"dlt", name},
                {"group", src.group},
                {"topic", src.topic},
                {"convention", src.convention}},
               1);
  }
  if (d.unhandled) {
    budget.Add(f.unhandled, dl, static_cast<double>(*d.unhandled));
  }
  budget.Add(f.retained, dl, static_cast<double>(d.retained));
  budget.Add(f.records, dl, static_cast<double>(d.records_total));
  if (d.last_arrival_seen) {
    budget.Add(f.last_arrival, dl, ToUnixSeconds(*d.last_arrival_seen));
  }
  if (d.newest_timestamp) {
    budget.Add(f.newest, dl, ToUnixSeconds(*d.newest_timestamp));
  }
  if (d.oldest_unhandled_age_seconds) {
    budget.Add(f.oldest_age, dl, *d.oldest_unhandled_age_seconds);
  }
  for (const auto& h : d.headers) {
    budget.Add(f.headers,
               {{"cluster", cluster},
                {"dlt", name},
                {"original_topic", h.original_topic},
                {"exception", h.exception}},
               static_cast<double>(h.records));
  }
}

}  // namespace

void KafkaDltFamilies::MoveTo(std::vector<prometheus::MetricFamily>& out) {
  for (FamilyBuilder* f :
       {&missing, &source, &unhandled, &retained, &records, &last_arrival,
        &newest, &oldest_age, &headers, &partition_unhandled}) {
    f->MoveTo(out);
  }
}

KafkaDltFamilies BuildKafkaDltFamilies(const KafkaObservation& obs,
                                       SeriesBudget& budget) {
  KafkaDltFamilies f = MakeFamilies();
  for (const auto& m : obs.dlt_missing) {
    budget.Add(f.missing,
               {{"cluster", obs.cluster},
                {"group", m.group},
                {"topic", m.topic},
                {"expected_dlt", m.expected_dlt},
                {"reason", m.reason}},
               1);
  }
  for (const auto& [name, d] : obs.dlts) {
    AddDlt(obs.cluster, name, d, budget, f);
  }
  return f;
}

}  // namespace failwatch
