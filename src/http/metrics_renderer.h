// Renders /metrics. The collector part (every target's families and the
// framework families) only changes when a new snapshot is published, so it
// is serialized once per snapshot version; the daemon and process metrics
// are cheap and always fresh.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/app_state.h"
#include "core/clock.h"
#include "http/exposition.h"

namespace failwatch::http {

class MetricsRenderer {
 public:
  MetricsRenderer(const AppState& app, const Clock& clock)
      : app_(app), clock_(clock) {}

  // Thread-safe; concurrent scrapes of a new snapshot serialize it once.
  std::string Render();

  // How many times the collector part was serialized (for tests).
  std::uint64_t serializations() const;

 private:
  const AppState& app_;
  const Clock& clock_;

  mutable std::mutex mu_;
  bool cached_ = false;
  std::uint64_t cached_version_ = 0;
  WallTime cached_published_at_{};
  std::shared_ptr<const std::vector<FamilyText>> cached_text_;
  std::uint64_t serializations_ = 0;
};

}  // namespace failwatch::http
