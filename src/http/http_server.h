// The one HTTP port: /metrics (or the configured telemetry path), /healthz,
// /readyz, /status and a small HTML page. Pages read only the SiteSource;
// no backend is touched while serving.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "http/router.h"
#include "http/site_source.h"
#include "http/web_config.h"

namespace failwatch::http {

struct HttpOptions {
  // "host:port", ":port" or "[addr]:port", each bound; port 0 binds an
  // ephemeral port (see ports()).
  std::vector<std::string> listen_addresses;
  // Already-listening sockets handed over by systemd socket activation.
  std::vector<int> listen_fds;
  std::string telemetry_path = "/metrics";
  // From accepting a connection (or the first byte of a kept-alive
  // connection's next request) to the end of the request header, TLS
  // handshake included. Slowloris clients are closed after this.
  Millis read_header_timeout{10000};
  // How long a kept-alive connection may wait for its next request.
  Millis idle_timeout{60000};
  // Writing one response (a slow reader of /metrics).
  Millis write_timeout{30000};
  // Open connections; more are accepted and closed at once.
  std::size_t max_connections = 2048;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  // /healthz answers 503 once the scheduler heartbeat is older than this.
  Millis max_heartbeat_age{10000};
  WebConfig web_config;
  ReadinessCheck readiness_check;    // optional extra /readyz condition
  StatusDecorator status_decorator;  // optional extra /status fields
  const Clock* clock = nullptr;      // nullptr = the system clock
};

class HttpServer {
 public:
  // Binds and starts serving. Errors (bad options, address in use, a TLS
  // file that does not load) come back as values naming the address/key.
  // `site` must outlive the server.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpOptions& options,
                                                   const SiteSource& site);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port of the first listener (the real one when 0 was asked).
  int port() const { return ports_.empty() ? 0 : ports_.front(); }
  const std::vector<int>& ports() const { return ports_; }

  // Swaps auth and TLS for new connections and requests; on an error the
  // running web config stays in force.
  Status UpdateWebConfig(const WebConfig& web_config);

  // Closes every listener and connection at once (a bcrypt in progress is
  // abandoned, a page render in progress finishes). Idempotent.
  void Stop();

  struct Impl;

 private:
  HttpServer() = default;
  std::shared_ptr<Impl> impl_;
  std::vector<int> ports_;
};

}  // namespace failwatch::http
