// The one interface the HTTP layer serves from: what a page may read of the
// running daemon. The app implements it (and owns it); tests and benchmarks
// implement it with fixed data. http never includes app/.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.h"
#include "core/snapshot.h"

namespace failwatch::http {

struct ReloadStatus {
  bool last_reload_successful = true;
  WallTime last_reload_success{};  // config load time at start
  std::uint64_t reloads_total = 0;
  std::uint64_t reload_failures_total = 0;
  std::string last_error;  // no secrets: config errors name keys, not values
};

class SiteSource {
 public:
  virtual ~SiteSource() = default;
  virtual std::shared_ptr<const Snapshot> CurrentSnapshot() const = 0;
  virtual SteadyTime SchedulerHeartbeat() const = 0;
  // Config summary for /status, secrets removed.
  virtual nlohmann::json ConfigSummary() const = 0;
  virtual ReloadStatus Reload() const = 0;
  virtual WallTime StartTime() const = 0;
};

}  // namespace failwatch::http
