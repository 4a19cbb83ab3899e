// The one HTTP port: /metrics (or the configured telemetry path), /healthz,
// /readyz, /status and a small HTML page, on civetweb. Pages read only the
// published snapshot and AppState; no backend is touched while serving.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/app_state.h"
#include "core/clock.h"
#include "core/result.h"
#include "http/router.h"
#include "http/web_config.h"

struct mg_context;
struct mg_connection;

namespace failwatch::http {

struct HttpOptions {
  // "host:port", ":port" (all IPv4 interfaces) or "[addr]:port" (needs a
  // civetweb with IPv6). Port 0 binds an ephemeral port; see port().
  std::string listen_address;
  std::string telemetry_path = "/metrics";
  int num_threads = 4;
  Millis request_timeout{10000};
  bool enable_keep_alive = true;
  // /healthz answers 503 once the scheduler heartbeat is older than this.
  Millis max_heartbeat_age{10000};
  WebConfig web_config;
  ReadinessCheck readiness_check;    // optional extra /readyz condition
  StatusDecorator status_decorator;  // optional extra /status fields
  const Clock* clock = nullptr;      // nullptr = the system clock
};

class HttpServer {
 public:
  // Binds and starts serving. Errors (bad options, address in use, TLS not
  // available) come back as values with a message naming the address.
  // `app` must outlive the server.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpOptions& options,
                                                   const AppState& app);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the real one when 0 was asked for).
  int port() const { return port_; }
  // Stops accepting and joins civetweb's threads. Idempotent. Requests in
  // flight finish first; idle keep-alive connections do not delay it
  // beyond civetweb's poll quantum.
  void Stop();

 private:
  HttpServer(const HttpOptions& options, const AppState& app);

  static int OnBeginRequest(struct mg_connection* conn);
  static int OnLogMessage(const struct mg_connection* conn,
                          const char* message);

  Router router_;
  std::mutex mu_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
  // civetweb's messages while starting, for a useful error.
  std::mutex start_log_mu_;
  std::vector<std::string> start_log_;
  bool starting_ = true;
};

}  // namespace failwatch::http
