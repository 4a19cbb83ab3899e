// Lookups into built metric families, shared by the collectors' metric tests.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace failwatch::testing {

inline const prometheus::MetricFamily* Find(
    const std::vector<prometheus::MetricFamily>& fams, const std::string& n) {
  for (const auto& f : fams) {
    if (f.name == n) return &f;
  }
  return nullptr;
}

inline std::string Label(const prometheus::ClientMetric& m,
                         const std::string& k) {
  for (const auto& l : m.label) {
    if (l.name == k) return l.value;
  }
  return "<none>";
}

}  // namespace failwatch::testing
