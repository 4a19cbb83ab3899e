// What the HTTP layer reads from the running daemon. The App implements it;
// tests can implement it with fixed data.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/snapshot.h"
#include "core/clock.h"

namespace failwatch {

struct ReloadStatus {
  bool last_reload_successful = true;
  WallTime last_reload_success{};  // config load time at start
  std::uint64_t reloads_total = 0;
  std::uint64_t reload_failures_total = 0;
  std::string last_error;  // no secrets: config errors name keys, not values
};

class AppState {
 public:
  virtual ~AppState() = default;
  virtual std::shared_ptr<const Snapshot> CurrentSnapshot() const = 0;
  virtual SteadyTime SchedulerHeartbeat() const = 0;
  // Config summary for /status, secrets removed.
  virtual nlohmann::json ConfigSummary() const = 0;
  virtual ReloadStatus Reload() const = 0;
  virtual WallTime StartTime() const = 0;
};

}  // namespace failwatch
