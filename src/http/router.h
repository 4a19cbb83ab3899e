// Maps a request to a response: auth, method and path checks, and every
// page. Pure of sockets: the server only moves bytes, and a test or a fuzz
// target can drive Handle() directly.
#pragma once

#include <map>
#include <string>

#include "core/clock.h"
#include "http/basic_auth.h"
#include "http/http_types.h"
#include "http/metrics_renderer.h"
#include "http/probes.h"
#include "http/site_source.h"
#include "http/status_json.h"

namespace failwatch::http {

inline constexpr const char* kMetricsContentType =
    "text/plain; version=0.0.4; charset=utf-8";

struct RouterOptions {
  std::string telemetry_path = "/metrics";
  // /healthz fails when the scheduler's heartbeat is older than this.
  Millis max_heartbeat_age{10000};
  ReadinessCheck readiness_check;    // optional
  StatusDecorator status_decorator;  // optional
  // user -> bcrypt hash; empty = no authentication.
  std::map<std::string, std::string> basic_auth_users;
};

// Checks the telemetry path: absolute, and not one of the fixed pages.
Status ValidateTelemetryPath(const std::string& path);

// 401 with the WWW-Authenticate challenge.
Response UnauthorizedResponse();

class Router {
 public:
  Router(RouterOptions options, const SiteSource& app, const Clock& clock);

  // Auth (blocking bcrypt, cached) then Route(). Never throws: a failure
  // inside a page becomes a 500.
  Response Handle(const Request& request);

  // Everything after auth: method and path checks and the page. Never
  // throws.
  Response Route(const Request& request);

  // Whether Route() is cheap enough for the I/O thread (/healthz, /readyz,
  // 404, 405): no rendering of the metrics or the pages.
  bool IsCheap(const Request& request) const;

  const MetricsRenderer& renderer() const { return renderer_; }

 private:
  Response Dispatch(const Request& request);
  Response ServeMetrics(const Request& request);
  Response ServeHealthz();
  Response ServeReadyz();
  Response ServeStatus();
  Response ServeIndex();

  RouterOptions options_;
  const SiteSource& app_;
  const Clock& clock_;
  BasicAuthenticator auth_;  // for Handle(); the server brings its own
  MetricsRenderer renderer_;
};

}  // namespace failwatch::http
