// The published state of every target: what /metrics, /status and the
// evaluators read. A Snapshot is immutable; the store swaps in a new one on
// each publish (copy-on-write of a map of shared pointers, so cheap).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/collector.h"
#include "core/rendered_families.h"
#include "core/schedule.h"

namespace failwatch {

struct TargetKey {
  std::string kind;    // collector label
  std::string target;  // target label
  auto operator<=>(const TargetKey&) const = default;
  bool operator==(const TargetKey&) const = default;
};

struct TargetState {
  TargetKey key;
  Schedule schedule;
  // From the last completed sample (null after an abandoned one), rendered
  // at publish: what /metrics serves.
  std::shared_ptr<const RenderedFamilies> rendered;
  std::shared_ptr<const Observation> observation;
  std::optional<Error> error;  // of the last sample; nullopt = success
  bool sampled = false;        // at least one sample completed or abandoned
  WallTime last_sample_time{};
  WallTime last_success_time{};  // epoch = never
  double last_duration_seconds = 0;
  std::uint64_t samples_total = 0;
  std::uint64_t failures_total = 0;
  std::uint64_t deadline_exceeded_total = 0;
  std::uint64_t skipped_total = 0;  // ticks missed because a sample ran long

  bool success() const { return sampled && !error.has_value(); }
};

class Snapshot {
 public:
  std::uint64_t version = 0;
  WallTime published_at{};
  std::map<TargetKey, TargetState> targets;

  const TargetState* Find(const std::string& kind,
                          const std::string& target) const;

  template <typename T>
  std::shared_ptr<const T> ObservationAs(const std::string& kind,
                                         const std::string& target) const {
    const TargetState* s = Find(kind, target);
    if (s == nullptr) return nullptr;
    return std::dynamic_pointer_cast<const T>(s->observation);
  }

  template <typename T>
  std::shared_ptr<const T> Get(ObservationKey<T> key,
                               const std::string& target) const {
    return ObservationAs<T>(key.kind, target);
  }
};

class SnapshotStore {
 public:
  SnapshotStore();
  std::shared_ptr<const Snapshot> Current() const;
  // Applies `mutate` to a copy of the current snapshot and publishes it.
  void Update(const std::function<void(Snapshot&)>& mutate);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;
};

}  // namespace failwatch
