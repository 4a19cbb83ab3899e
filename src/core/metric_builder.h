// Terse construction of prometheus::MetricFamily values. Collectors build
// plain data; nothing here touches a registry.
#pragma once

#include <prometheus/metric_family.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace failwatch {

using Labels = std::vector<std::pair<std::string, std::string>>;

class FamilyBuilder {
 public:
  static FamilyBuilder Gauge(std::string name, std::string help);
  static FamilyBuilder Counter(std::string name, std::string help);

  FamilyBuilder& Add(const Labels& labels, double value);
  bool empty() const { return family_.metric.empty(); }
  prometheus::MetricFamily Build() && { return std::move(family_); }
  // Appends to `out` even when empty: an empty family still documents the
  // metric in the exposition (HELP/TYPE without samples is valid).
  // Callable on an lvalue too, so `Gauge(..).Add(..).MoveTo(out)` chains.
  void MoveTo(std::vector<prometheus::MetricFamily>& out) {
    out.push_back(std::move(family_));
  }

 private:
  FamilyBuilder(std::string name, std::string help, prometheus::MetricType t);
  prometheus::MetricFamily family_;
};

// A family holding one sample (build info, process metrics, ...).
prometheus::MetricFamily SingleSample(FamilyBuilder builder,
                                      const Labels& labels, double value);

// A histogram sample with cumulative buckets.
struct HistogramData {
  std::vector<double> bounds;  // upper bounds, ascending, no +Inf
  std::vector<std::uint64_t>
      counts;  // per bucket (not cumulative), size bounds+1
  double sum = 0;
  std::uint64_t count = 0;
  void Observe(double v);
};
prometheus::MetricFamily HistogramFamily(std::string name, std::string help,
                                         const Labels& labels,
                                         const HistogramData& data);

}  // namespace failwatch
