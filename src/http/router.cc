#include "http/router.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "http/gzip.h"
#include "http/status_page.h"
#include "http/verdict_page.h"

namespace failwatch::http {
namespace {

constexpr const char* kFixedPaths[] = {"/", "/healthz", "/readyz", "/status",
                                       "/verdict"};

}  // namespace

Status ValidateTelemetryPath(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return MakeError(ErrorKind::kInvalid, "bad_telemetry_path",
                     "telemetry path \"" + path + "\" must start with '/'");
  }
  for (const char* fixed : kFixedPaths) {
    if (path == fixed) {
      return MakeError(
          ErrorKind::kInvalid, "bad_telemetry_path",
          "telemetry path \"" + path + "\" collides with a built-in page");
    }
  }
  return Status::Ok();
}

Router::Router(RouterOptions options, const SiteSource& app, const Clock& clock)
    : options_(std::move(options)),
      app_(app),
      clock_(clock),
      auth_(options_.basic_auth_users),
      renderer_(app, clock) {}

Response UnauthorizedResponse() {
  Response r = Response::Text(401, "Unauthorized\n");
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"failwatch\"");
  return r;
}

Response Router::Handle(const Request& request) {
  // Like the exporter-toolkit: every path is protected, probes included.
  if (!auth_.Check(request.authorization)) return UnauthorizedResponse();
  return Route(request);
}

bool Router::IsCheap(const Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") return true;
  const std::string& path = request.path;
  if (path == options_.telemetry_path) return false;
  return path != "/" && path != "/status" && path != kVerdictPath;
}

Response Router::Route(const Request& request) {
  try {
    return Dispatch(request);
  } catch (const std::exception& e) {
    spdlog::error("page failed path={} error=\"{}\"", request.path, e.what());
  } catch (...) {
    spdlog::error("page failed path={} error=unknown", request.path);
  }
  return Response::Text(500, "internal error\n");
}

Response Router::Dispatch(const Request& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    Response r = Response::Text(405, "Method Not Allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const std::string& path = request.path;
  if (path == options_.telemetry_path) return ServeMetrics(request);
  if (path == "/healthz") return ServeHealthz();
  if (path == "/readyz") return ServeReadyz();
  if (path == "/status") return ServeStatus();
  if (path == "/") return ServeIndex();
  if (path == kVerdictPath) {
    auto snapshot = app_.CurrentSnapshot();
    return RenderVerdictResponse(snapshot ? *snapshot : Snapshot{});
  }
  return Response::Text(404, "Not Found\n");
}

Response Router::ServeMetrics(const Request& request) {
  Response r;
  r.content_type = kMetricsContentType;
  bool gzipped = false;
  if (AcceptsGzip(request.accept_encoding)) {
    auto gz = renderer_.RenderGzip();
    if (gz.ok()) {
      r.body = std::move(gz).value();
      r.headers.emplace_back("Content-Encoding", "gzip");
      gzipped = true;
    } else {
      spdlog::warn("gzip failed, serving plain error=\"{}\"",
                   gz.error().ToString());
    }
  }
  if (!gzipped) {
    auto plain = renderer_.Render();
    if (!plain.ok()) {
      spdlog::error("rendering /metrics failed error=\"{}\"",
                    plain.error().ToString());
      return Response::Text(500, "metrics rendering failed\n");
    }
    r.body = std::move(plain).value();
  }
  r.headers.emplace_back("Vary", "Accept-Encoding");
  return r;
}

Response Router::ServeHealthz() {
  ProbeResult p = CheckLiveness(app_.SchedulerHeartbeat(), clock_.Steady(),
                                options_.max_heartbeat_age);
  return Response::Text(p.ok ? 200 : 503, p.reason + "\n");
}

Response Router::ServeReadyz() {
  auto snapshot = app_.CurrentSnapshot();
  if (snapshot == nullptr) return Response::Text(503, "no snapshot yet\n");
  ProbeResult p = CheckReadiness(*snapshot, options_.readiness_check);
  return Response::Text(p.ok ? 200 : 503, p.reason + "\n");
}

Response Router::ServeStatus() {
  auto snapshot = app_.CurrentSnapshot();
  nlohmann::json json =
      BuildStatusJson(app_, snapshot ? *snapshot : Snapshot{});
  if (options_.status_decorator) options_.status_decorator(json);
  Response r;
  r.content_type = "application/json";
  r.body = DumpJson(json) + "\n";
  return r;
}

Response Router::ServeIndex() {
  auto snapshot = app_.CurrentSnapshot();
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = RenderStatusPage(snapshot ? *snapshot : Snapshot{},
                            options_.telemetry_path);
  return r;
}

}  // namespace failwatch::http
