#include "core/metric_builder.h"

#include <algorithm>
#include <limits>

namespace failwatch {

FamilyBuilder::FamilyBuilder(std::string name, std::string help,
                             prometheus::MetricType t) {
  family_.name = std::move(name);
  family_.help = std::move(help);
  family_.type = t;
}

FamilyBuilder FamilyBuilder::Gauge(std::string name, std::string help) {
  return FamilyBuilder(std::move(name), std::move(help),
                       prometheus::MetricType::Gauge);
}

FamilyBuilder FamilyBuilder::Counter(std::string name, std::string help) {
  return FamilyBuilder(std::move(name), std::move(help),
                       prometheus::MetricType::Counter);
}

FamilyBuilder& FamilyBuilder::Add(const Labels& labels, double value) {
  prometheus::ClientMetric m;
  m.label.reserve(labels.size());
  for (const auto& [k, v] : labels) m.label.push_back({k, v});
  if (family_.type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  family_.metric.push_back(std::move(m));
  return *this;
}

prometheus::MetricFamily SingleSample(FamilyBuilder builder,
                                      const Labels& labels, double value) {
  builder.Add(labels, value);
  return std::move(builder).Build();
}

void HistogramData::Observe(double v) {
  if (counts.size() != bounds.size() + 1) counts.assign(bounds.size() + 1, 0);
  auto it = std::lower_bound(bounds.begin(), bounds.end(), v);
  counts[static_cast<std::size_t>(it - bounds.begin())]++;
  sum += v;
  count++;
}

prometheus::MetricFamily HistogramFamily(std::string name, std::string help,
                                         const Labels& labels,
                                         const HistogramData& data) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = prometheus::MetricType::Histogram;
  prometheus::ClientMetric m;
  for (const auto& [k, v] : labels) m.label.push_back({k, v});
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < data.bounds.size(); ++i) {
    cumulative += i < data.counts.size() ? data.counts[i] : 0;
    m.histogram.bucket.push_back({cumulative, data.bounds[i]});
  }
  m.histogram.bucket.push_back(
      {data.count, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = data.count;
  m.histogram.sample_sum = data.sum;
  f.metric.push_back(std::move(m));
  return f;
}

}  // namespace failwatch
