// The series cap of the Kafka metric builder (KafkaOptions::max_series),
// shared by its per-group builders: series are counted as they are added,
// in the order the builders run, so what comes last is dropped first.
#pragma once

#include <cstddef>

#include "core/metric_builder.h"

namespace failwatch {

class SeriesBudget {
 public:
  explicit SeriesBudget(std::size_t cap) : left_(cap) {}
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

}  // namespace failwatch
