#include "app/app.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "app/instance_identity.h"
#include "app/sharding.h"
#include "app/targets.h"
#include "app/web_config_file.h"
#include "config/config_loader.h"
#include "core/version.h"
#include "health/verdict.h"
#include "http/http_server.h"
#include "http/metrics_renderer.h"
#include "http/systemd_socket.h"

namespace failwatch {
namespace {

void PrintConfigErrors(const std::vector<ConfigError>& errors) {
  for (const auto& e : errors) std::cerr << e.ToString() << "\n";
}

std::string JoinErrors(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.ToString();
  }
  return out;
}

// What this replica runs: its own heartbeat rows and its shard's targets.
void ForThisReplica(Config& config, const ShardSpec& shard) {
  AssignWriteProbeRows(config, ResolveInstanceId(config, HostName()));
  KeepOwnShard(config, shard);
}

}  // namespace

App::App(CliOptions opts)
    : opts_(std::move(opts)),
      start_time_(std::chrono::system_clock::now()),
      scheduler_(store_, SystemClock::Get()) {}

App::~App() { scheduler_.Stop(); }

std::shared_ptr<const Snapshot> App::CurrentSnapshot() const {
  return store_.Current();
}

SteadyTime App::SchedulerHeartbeat() const {
  return scheduler_.LastHeartbeat();
}

nlohmann::json App::ConfigSummary() const {
  std::lock_guard<std::mutex> lock(mu_);
  return summary_;
}

http::ReloadStatus App::Reload() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reload_;
}

int App::Run() {
  ConfigLoadResult loaded = LoadConfigFile(opts_.config_file);
  if (!loaded.config) {
    PrintConfigErrors(loaded.errors);
    return 2;
  }
  if (opts_.check_config) {
    std::cout << opts_.config_file << ": OK\n";
    return 0;
  }
  ForThisReplica(*loaded.config, opts_.shard_spec);
  spdlog::info("replica instance_id=\"{}\" shard={} total_shards={}",
               ResolveInstanceId(*loaded.config, HostName()),
               opts_.shard_spec.shard, opts_.shard_spec.total);
  {
    std::lock_guard<std::mutex> lock(mu_);
    config_ = std::move(*loaded.config);
    summary_ = failwatch::ConfigSummary(config_);
    reload_.last_reload_success = std::chrono::system_clock::now();
    targets_ = BuildTargets(config_, nullptr, {});
  }
  return opts_.once ? RunOnce() : Serve();
}

int App::RunOnce() {
  scheduler_.RunOnce(targets_);
  http::MetricsRenderer renderer(*this, SystemClock::Get());
  auto text = renderer.Render();
  if (!text.ok()) {
    spdlog::error("rendering metrics failed error=\"{}\"",
                  text.error().ToString());
    return 1;
  }
  std::cout << *text;
  std::cout.flush();
  return 0;
}

Result<http::HttpOptions> App::HttpServeOptions() {
  http::HttpOptions http_opts;
  if (opts_.systemd_socket) {
    auto fds = http::SystemdListenFds();
    if (!fds.ok()) return fds.error();
    http_opts.listen_fds = *fds;
  } else {
    http_opts.listen_addresses = opts_.listen_addresses;
  }
  http_opts.telemetry_path = opts_.telemetry_path;
  // Opt-in: users who want the verdict to gate traffic set
  // health.readiness_fails_on; liveness never depends on it.
  http_opts.readiness_check = [this]() -> std::optional<std::string> {
    HealthConfig::ReadinessFailsOn mode;
    {
      std::lock_guard<std::mutex> lock(mu_);
      mode = config_.health.readiness_fails_on;
    }
    auto snapshot = store_.Current();
    return ReadinessFailure(FindVerdict(*snapshot).get(), mode);
  };
  http_opts.status_decorator = [this](nlohmann::json& status) {
    auto verdict = FindVerdict(*store_.Current());
    status["verdict"] = verdict ? VerdictToJson(*verdict) : nlohmann::json();
  };
  if (!opts_.web_config_file.empty()) {
    auto web = LoadWebConfigFile(opts_.web_config_file);
    if (!web.ok()) return web.error();
    http_opts.web_config = *web;
  }
  return http_opts;
}

int App::Serve() {
  auto http_opts = HttpServeOptions();
  if (!http_opts.ok()) {
    std::cerr << "failwatch: " << http_opts.error().message << "\n";
    return 2;
  }
  // Signals are taken synchronously by this thread; every other thread
  // inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = http::HttpServer::Start(*http_opts, *this);
  if (!server.ok()) {
    spdlog::error("cannot start the HTTP server error=\"{}\"",
                  server.error().message);
    return 1;
  }
  spdlog::info(
      "failwatch started version={} listen={} port={} "
      "telemetry_path={} targets={}",
      kVersion, ListenSummary(), (*server)->port(), opts_.telemetry_path,
      targets_.size());
  scheduler_.Start(targets_);

  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      ReloadConfig();
      ReloadWebConfig(**server);
      continue;
    }
    spdlog::info("shutting down signal={}", sig);
    break;
  }
  // Collection first: nothing should be sampled (or logged) after SIGTERM.
  // The server then closes every connection at once.
  scheduler_.Stop();
  (*server)->Stop();
  return 0;
}

void App::ReloadConfig() {
  ConfigLoadResult loaded = LoadConfigFile(opts_.config_file);
  std::unique_lock<std::mutex> lock(mu_);
  reload_.reloads_total++;
  if (!loaded.config) {
    reload_.last_reload_successful = false;
    reload_.reload_failures_total++;
    reload_.last_error = JoinErrors(loaded.errors);
    for (const auto& e : loaded.errors) {
      spdlog::error(
          "config reload failed, keeping the running config "
          "error=\"{}\"",
          e.ToString());
    }
    return;
  }
  ForThisReplica(*loaded.config, opts_.shard_spec);
  auto next_targets = BuildTargets(*loaded.config, &config_, targets_);
  config_ = std::move(*loaded.config);
  summary_ = failwatch::ConfigSummary(config_);
  targets_ = std::move(next_targets);
  reload_.last_reload_successful = true;
  reload_.last_reload_success = std::chrono::system_clock::now();
  reload_.last_error.clear();
  std::vector<ScheduledTarget> targets = targets_;
  lock.unlock();
  // Restarting waits for in-flight samples; pages must not wait with it.
  scheduler_.Start(std::move(targets));
  spdlog::info("config reloaded targets={}", targets_.size());
}

std::string App::ListenSummary() const {
  if (opts_.systemd_socket) return "systemd";
  std::string out;
  for (const auto& a : opts_.listen_addresses) {
    out += (out.empty() ? "" : ",") + a;
  }
  return out;
}

void App::ReloadWebConfig(http::HttpServer& server) {
  if (opts_.web_config_file.empty()) return;
  // A web config that is gone, a directory or invalid keeps the running
  // one: never "auth off" by accident.
  auto web = LoadWebConfigFile(opts_.web_config_file);
  Status applied =
      web.ok() ? server.UpdateWebConfig(*web) : Status(web.error());
  if (applied.ok()) {
    spdlog::info("web config reloaded file={}", opts_.web_config_file);
    return;
  }
  spdlog::error(
      "web config reload failed, keeping the running web config "
      "error=\"{}\"",
      applied.error().message);
  std::lock_guard<std::mutex> lock(mu_);
  reload_.last_reload_successful = false;
  reload_.reload_failures_total++;
  reload_.last_error = applied.error().message;
}

int RunApp(const CliOptions& opts) {
  App app(opts);
  return app.Run();
}

}  // namespace failwatch
