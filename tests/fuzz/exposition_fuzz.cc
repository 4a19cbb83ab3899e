// The exposition writer with arbitrary label values and HELP bytes (what a
// broker or server can hand us as a group, topic or database name): the
// text must pass a strict 0.0.4 checker (text_format_checker.h), and the
// rendered, pre-compressed form /metrics serves must be the same bytes,
// plain and gunzipped. Names and label names come from fixed lists, as in
// the collectors; label values, HELP, types, values and timestamps from the
// input.
#include <prometheus/metric_family.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/gzip_segments.h"
#include "core/rendered_families.h"
#include "core/text_format.h"
#include "fuzz_bytes.h"
#include "fuzz_check.h"
#include "gunzip.h"
#include "text_format_checker.h"

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr const char* kFamilyNames[] = {"failwatch_kafka_group_lag",
                                        "failwatch_dns_answer",
                                        "x",
                                        "a:b_c",
                                        "failwatch_postgres_up",
                                        "_under",
                                        "failwatch_pgbouncer_pool_waiting",
                                        "n9"};
// Distinct per sample, and never "le"/"quantile" (the writer adds those).
constexpr const char* kLabelNames[] = {"group",    "topic", "target", "_x",
                                       "database", "user",  "state",  "l9"};

void FillMetric(failwatch::fuzz::FuzzBytes& in, MetricType type,
                ClientMetric& m) {
  const unsigned label_bits = in.Byte();
  for (unsigned k = 0; k < 8; ++k) {
    if (label_bits & (1u << k))
      m.label.push_back({kLabelNames[k], in.String()});
  }
  const double v = in.Raw<double>();
  m.counter.value = m.gauge.value = m.untyped.value = v;
  if (in.Byte() & 1) m.timestamp_ms = in.Raw<std::int64_t>();
  if (type == MetricType::Histogram) {
    m.histogram.sample_count = in.Raw<std::uint64_t>();
    m.histogram.sample_sum = in.Raw<double>();
    for (int b = in.Byte() % 5; b > 0; --b) {
      m.histogram.bucket.push_back({in.Raw<std::uint64_t>(), in.Raw<double>()});
    }
  } else if (type == MetricType::Summary) {
    m.summary.sample_count = in.Raw<std::uint64_t>();
    m.summary.sample_sum = in.Raw<double>();
    for (int q = in.Byte() % 4; q > 0; --q) {
      m.summary.quantile.push_back({in.Raw<double>(), in.Raw<double>()});
    }
  }
}

std::vector<MetricFamily> Families(failwatch::fuzz::FuzzBytes& in) {
  std::vector<MetricFamily> families;
  const unsigned family_bits = in.Byte();
  for (unsigned k = 0; k < 8 && !in.empty(); ++k) {
    if (!(family_bits & (1u << k))) continue;
    MetricFamily f;
    f.name = kFamilyNames[k];
    f.help = in.String();
    f.type = static_cast<MetricType>(in.Byte() % 5);
    for (int n = in.Byte() % 4; n > 0; --n) {
      f.metric.emplace_back();
      FillMetric(in, f.type, f.metric.back());
    }
    families.push_back(std::move(f));
  }
  return families;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  failwatch::fuzz::FuzzBytes in(data, size);
  const std::vector<MetricFamily> families = Families(in);
  const std::string text = failwatch::FamiliesText(families);
  const std::string why = failwatch::fuzz::TextFormatChecker().Check(text);
  if (!why.empty()) {
    std::fprintf(stderr, "invalid exposition: %s\n", why.c_str());
    FUZZ_CHECK(why.empty());
  }

  const auto rendered = failwatch::RenderFamilies(families);
  FUZZ_CHECK(rendered->families.size() == families.size());
  failwatch::SegmentRun run;
  for (const auto& f : rendered->families) {
    run.Append(f.header);
    run.Append(f.samples);
  }
  const auto plain = run.Plain("");
  FUZZ_CHECK(plain.ok() && *plain == text);
  if (rendered->compressed) {
    const auto gz = run.Gzip("");
    FUZZ_CHECK(gz.ok());
    FUZZ_CHECK(failwatch::test_support::Gunzip(*gz) == text);
  }
  return 0;
}
