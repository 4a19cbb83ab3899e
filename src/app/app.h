// The running daemon: loads the config, builds the collectors, runs the
// scheduler and the HTTP server, reloads on SIGHUP and stops on
// SIGTERM/SIGINT.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "app/cli.h"
#include "config/config.h"
#include "core/result.h"
#include "core/scheduler.h"
#include "core/snapshot.h"
#include "http/http_server.h"
#include "http/site_source.h"

namespace failwatch {

class App final : public http::SiteSource {
 public:
  explicit App(CliOptions opts);
  ~App() override;

  // Exit codes: 0 ok, 1 runtime failure (e.g. cannot listen), 2 bad config.
  int Run();

  // SiteSource
  std::shared_ptr<const Snapshot> CurrentSnapshot() const override;
  SteadyTime SchedulerHeartbeat() const override;
  nlohmann::json ConfigSummary() const override;
  http::ReloadStatus Reload() const override;
  WallTime StartTime() const override { return start_time_; }

 private:
  int RunOnce();
  int Serve();
  // Listeners, TLS/auth (web config file) and the verdict hooks; an error
  // is a startup error (exit code 2).
  Result<http::HttpOptions> HttpServeOptions();
  // Loads the config file again; keeps the running config when it is bad.
  void ReloadConfig();
  // --web.config.file again, applied to the running server.
  void ReloadWebConfig(http::HttpServer& server);
  std::string ListenSummary() const;

  CliOptions opts_;
  WallTime start_time_;
  SnapshotStore store_;
  Scheduler scheduler_;

  mutable std::mutex mu_;  // guards the fields below
  Config config_;
  nlohmann::json summary_;
  http::ReloadStatus reload_;
  std::vector<ScheduledTarget> targets_;
};

int RunApp(const CliOptions& opts);

}  // namespace failwatch
