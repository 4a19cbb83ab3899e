#include "http/http_server.h"

#include <civetweb.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "http/listen_address.h"

namespace failwatch::http {
namespace {

constexpr unsigned kIpv6Feature = 8;
constexpr unsigned kTlsFeature = 2;

Error StartError(const std::string& address, const std::string& why) {
  return MakeError(ErrorKind::kUnavailable, "listen",
                   "listen " + address + ": " + why);
}

// civetweb 1.15 wants key and certificate in one PEM file; the
// exporter-toolkit format has two. Writes both to a private temporary file
// that is removed once civetweb has loaded it.
Result<std::string> WriteCombinedPem(const WebConfig& web) {
  std::string pem;
  for (const std::string* path : {&web.key_file, &web.cert_file}) {
    std::ifstream in(*path);
    if (!in) {
      return MakeError(ErrorKind::kInvalid, "web_config",
                       "tls_server_config: cannot read " + *path);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    pem += ss.str();
    if (!pem.empty() && pem.back() != '\n') pem += '\n';
  }
  const char* tmpdir = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") +
                     "/failwatch-tls-XXXXXX";
  int fd = mkstemp(tmpl.data());  // mode 0600
  if (fd < 0) {
    return MakeError(ErrorKind::kInternal, "tls_tmp",
                     std::string("cannot create a temporary PEM file: ") +
                         std::strerror(errno));
  }
  bool ok =
      write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
  close(fd);
  if (!ok) {
    unlink(tmpl.c_str());
    return MakeError(ErrorKind::kInternal, "tls_tmp",
                     "cannot write the temporary PEM file");
  }
  return tmpl;
}

}  // namespace

HttpServer::HttpServer(const HttpOptions& options, const AppState& app)
    : router_(RouterOptions{options.telemetry_path, options.max_heartbeat_age,
                            options.readiness_check, options.status_decorator,
                            options.web_config.basic_auth_users},
              app,
              options.clock != nullptr ? *options.clock : SystemClock::Get()) {}

HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(
    const HttpOptions& options, const AppState& app) {
  const std::string& address = options.listen_address;
  if (Status s = ValidateTelemetryPath(options.telemetry_path); !s.ok()) {
    return s.error();
  }
  if (Status s = ValidateWebConfig(options.web_config); !s.ok()) {
    return s.error();
  }
  if (options.num_threads < 1) {
    return StartError(address, "num_threads must be at least 1");
  }
  const bool tls = options.web_config.tls_enabled();
  auto ports =
      ToCivetwebPorts(address, mg_check_feature(kIpv6Feature) != 0, tls);
  if (!ports.ok()) return ports.error();

  std::string pem_file;
  if (tls) {
    mg_init_library(kTlsFeature);
    auto pem = WriteCombinedPem(options.web_config);
    if (!pem.ok()) return pem.error();
    pem_file = *pem;
  }

  const std::string threads = std::to_string(options.num_threads);
  const std::string timeout = std::to_string(options.request_timeout.count());
  // clang-format off
  std::vector<const char*> civet_options = {
      "listening_ports", ports->c_str(),
      "num_threads", threads.c_str(),
      "request_timeout_ms", timeout.c_str(),
      "enable_keep_alive", options.enable_keep_alive ? "yes" : "no",
      // Headers and body go out in two writes; without TCP_NODELAY, Nagle
      // plus the client's delayed ACK add ~40 ms to every keep-alive scrape.
      "tcp_nodelay", "1",
      // No document_root: civetweb never serves files.
  };
  // clang-format on
  if (tls) {
    civet_options.push_back("ssl_certificate");
    civet_options.push_back(pem_file.c_str());
  }
  civet_options.push_back(nullptr);

  std::unique_ptr<HttpServer> server(new HttpServer(options, app));
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof(callbacks));
  callbacks.begin_request = &HttpServer::OnBeginRequest;
  callbacks.log_message = &HttpServer::OnLogMessage;
  mg_init_data init{&callbacks, server.get(), civet_options.data()};
  char error_text[256] = {0};
  unsigned error_code = 0;
  mg_error_data error{&error_code, error_text, sizeof(error_text)};

  mg_context* ctx = mg_start2(&init, &error);
  if (!pem_file.empty()) unlink(pem_file.c_str());
  {
    std::lock_guard<std::mutex> lock(server->start_log_mu_);
    server->starting_ = false;
  }
  if (ctx == nullptr) {
    // The first logged line says why ("cannot bind to ...: 98 (Address
    // already in use)"); mg_start2's own text is generic.
    std::string why = server->start_log_.empty() ? std::string(error_text)
                                                 : server->start_log_.front();
    if (why.empty()) why = "civetweb failed to start";
    return StartError(address, why);
  }
  mg_server_port bound[4];
  int n = mg_get_server_ports(ctx, 4, bound);
  server->ctx_ = ctx;
  server->port_ = n > 0 ? bound[0].port : 0;
  spdlog::info(
      "msg=\"http server listening\" address={} port={} tls={} auth={} "
      "telemetry_path={}",
      address, server->port_, tls, !options.web_config.basic_auth_users.empty(),
      options.telemetry_path);
  return server;
}

void HttpServer::Stop() {
  mg_context* ctx = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ctx = ctx_;
    ctx_ = nullptr;
  }
  if (ctx != nullptr) mg_stop(ctx);
}

int HttpServer::OnLogMessage(const struct mg_connection* conn,
                             const char* message) {
  auto* self = static_cast<HttpServer*>(mg_get_user_data(mg_get_context(conn)));
  if (self != nullptr) {
    std::lock_guard<std::mutex> lock(self->start_log_mu_);
    if (self->starting_) {
      self->start_log_.emplace_back(message);
      return 1;
    }
  }
  spdlog::warn("msg=\"civetweb\" detail=\"{}\"", message);
  return 1;  // handled: civetweb writes nothing itself
}

int HttpServer::OnBeginRequest(struct mg_connection* conn) {
  auto* self = static_cast<HttpServer*>(mg_get_user_data(mg_get_context(conn)));
  const mg_request_info* info = mg_get_request_info(conn);
  if (self == nullptr || info == nullptr) return 0;

  Request request;
  request.method = info->request_method ? info->request_method : "";
  // local_uri is decoded and has no query string (ignored by design).
  request.path = info->local_uri ? info->local_uri : "";
  if (const char* v = mg_get_header(conn, "Accept-Encoding")) {
    request.accept_encoding = v;
  }
  if (const char* v = mg_get_header(conn, "Authorization")) {
    request.authorization = v;
  }

  Response response = self->router_.Handle(request);

  // The response_header API (not raw mg_printf) lets civetweb track the
  // status and add its Connection header, which keep-alive depends on.
  const std::string length = std::to_string(response.body.size());
  mg_response_header_start(conn, response.status);
  mg_response_header_add(conn, "Content-Type", response.content_type.c_str(),
                         -1);
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  for (const auto& [name, value] : response.headers) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(conn);
  if (request.method != "HEAD") {
    mg_write(conn, response.body.data(), response.body.size());
  }
  return response.status;  // non-zero: handled, civetweb does nothing more
}

}  // namespace failwatch::http
