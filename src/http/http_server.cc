// Why Boost.Beast on Asio (+ OpenSSL 3), not libmicrohttpd 0.9.75:
// - TLS: every exporter-toolkit client_auth_type maps to one
//   SSL_CTX_set_verify call (RequestClientCert and RequireAnyClientCert
//   need "ask, accept anything", which MHD's GnuTLS options do not offer
//   without reaching into the GnuTLS session); certificate rotation is a new
//   SSL_CTX for new connections, min/max_version and cipher_suites are
//   plain OpenSSL calls. MHD would also put GnuTLS next to the OpenSSL that
//   libpq and librdkafka already load.
// - Timeouts: MHD has one per-connection inactivity timeout, which a
//   slowloris client sending one byte every 2 s keeps resetting; here the
//   header deadline runs from the first byte to the end of the header, and
//   the keep-alive idle deadline is separate.
// - Cost: Beast is header-only and heavy to compile (this one file took
//   3-7 min on the shared 2-core machine, under load 12); MHD is a small C
//   library. Both are epoll event loops, so idle and slowloris connections
//   cost a file descriptor, not a thread. MHD was not built side by side
//   (no time in issue 15): the choice rests on the TLS and timeout control
//   above, which MHD cannot give without hand-written GnuTLS code.
// Threads: one I/O thread runs every socket; bcrypt and the expensive pages
// run on two small bounded pools (WorkQueue), so neither a cost-16 hash
// nor a 200k-series render ever delays /healthz.
#include "http/http_server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "http/basic_auth.h"
#include "http/listen_address.h"
#include "http/tls_context.h"
#include "http/work_queue.h"

namespace failwatch::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using beast::error_code;

constexpr int kPageThreads = 2;
constexpr std::size_t kMaxQueuedPages = 256;
// bcrypt concurrency: at most two cores' worth, and a short queue, so a
// flood of wrong passwords costs 2 cores and then 503s, never the server.
constexpr int kAuthThreads = 2;
constexpr std::size_t kMaxQueuedAuth = 32;
// Bytes per write call. Unbounded, one sendmsg moved up to 14 MB of a
// 200k-series body (27 ms) and 200 scrapers held the single I/O thread for
// seconds per round, so /healthz waited (bench/http_load.sh); in 64 KiB
// steps every connection's next step queues behind the others' and behind
// the reactor, which keeps accepting and answering probes between them.
constexpr std::size_t kWriteChunk = 64 * 1024;

Error StartError(const std::string& address, const std::string& why) {
  return MakeError(ErrorKind::kUnavailable, "listen",
                   "listen " + address + ": " + why);
}

// Posts to the I/O thread until Close(); pool jobs finishing after Stop()
// post nothing.
class Poster {
 public:
  explicit Poster(asio::io_context& io) : io_(&io) {}
  void Post(std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(mu_);
    if (io_ != nullptr) asio::post(*io_, std::move(fn));
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    io_ = nullptr;
  }

 private:
  std::mutex mu_;
  asio::io_context* io_;
};

// Each listening socket may take thousands of connections; the default
// soft limit (1024) would refuse them long before max_connections.
void RaiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

std::string PathOf(std::string_view target) {
  auto q = target.find_first_of("?#");
  return std::string(target.substr(0, q));
}

}  // namespace

struct HttpServer::Impl {
  HttpOptions options;
  std::optional<asio::io_context> io;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::shared_ptr<Router> router;
  std::shared_ptr<Poster> poster;
  WorkQueue pages{kPageThreads, kMaxQueuedPages};
  WorkQueue auth_work{kAuthThreads, kMaxQueuedAuth};
  std::atomic<std::size_t> connections{0};
  // Sessions waiting for a pool job (I/O thread only): the jobs hold only
  // weak pointers, so a job outliving Stop() touches no socket.
  std::set<std::shared_ptr<void>> parked;
  std::thread io_thread;
  bool stopped = false;

  std::mutex mu;  // guards auth and tls
  std::shared_ptr<const BasicAuthenticator> auth;
  std::shared_ptr<TlsContextSource> tls;  // null: plain HTTP

  std::shared_ptr<const BasicAuthenticator> CurrentAuth() {
    std::lock_guard<std::mutex> lock(mu);
    return auth;
  }
  std::shared_ptr<asio::ssl::context> CurrentTls() {
    std::shared_ptr<TlsContextSource> source;
    {
      std::lock_guard<std::mutex> lock(mu);
      source = tls;
    }
    return source ? source->Current() : nullptr;
  }

  void Accept(tcp::acceptor& acceptor);
  void OnAccept(tcp::acceptor& acceptor, tcp::socket socket);
  void Stop();
};

namespace {

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... Args>
  Session(HttpServer::Impl& impl, std::shared_ptr<asio::ssl::context> ctx,
          Args&&... args)
      : impl_(impl), ctx_(std::move(ctx)), stream_(std::forward<Args>(args)...) {
    impl_.connections++;
  }
  ~Session() { impl_.connections--; }

  void Start() {
    Tcp().expires_after(impl_.options.read_header_timeout);
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      ReadHeader();
    } else {
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          [self = this->shared_from_this()](error_code ec) {
            if (ec) {
              spdlog::debug("tls handshake failed error=\"{}\"",
                            ec.message());
              return self->Close();
            }
            self->ReadHeader();
          });
    }
  }

 private:
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // Keep-alive: the idle deadline until the next request's first byte,
  // then the header deadline for the rest of it.
  void WaitForNextRequest() {
    if (buffer_.size() > 0) {  // pipelined
      Tcp().expires_after(impl_.options.read_header_timeout);
      return ReadHeader();
    }
    Tcp().expires_after(impl_.options.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(4096),
        [self = this->shared_from_this()](error_code ec, std::size_t n) {
          if (ec) return self->Close();
          self->buffer_.commit(n);
          self->Tcp().expires_after(self->impl_.options.read_header_timeout);
          self->ReadHeader();
        });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(
        static_cast<std::uint32_t>(impl_.options.max_header_bytes));
    parser_->body_limit(impl_.options.max_body_bytes);
    // The whole request (a GET has no body; others are bounded by
    // body_limit) under the header deadline.
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, std::size_t) {
          self->OnRequest(ec);
        });
  }

  void OnRequest(error_code ec) {
    if (ec == bhttp::error::header_limit) {
      return SendFinal(Response::Text(431, "Request Header Fields Too Large\n"));
    }
    if (ec == bhttp::error::body_limit) {
      return SendFinal(Response::Text(413, "Payload Too Large\n"));
    }
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::header_limit).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return SendFinal(Response::Text(400, "Bad Request\n"));
    }
    if (ec) {  // timeout, reset, EOF, TLS alert: nobody to answer
      spdlog::debug("http request not read error=\"{}\"", ec.message());
      return Close();
    }
    Dispatch();
  }

  void Dispatch() {
    const auto& msg = parser_->get();
    request_ = Request{};
    request_.method = std::string(msg.method_string());
    request_.path = PathOf(std::string_view(msg.target().data(), msg.target().size()));
    if (auto it = msg.find(bhttp::field::accept_encoding); it != msg.end()) {
      request_.accept_encoding = std::string(it->value());
    }
    if (auto it = msg.find(bhttp::field::authorization); it != msg.end()) {
      request_.authorization = std::string(it->value());
    }
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_ = msg.method() == bhttp::verb::head;
    auto auth = impl_.CurrentAuth();
    switch (auth->Precheck(request_.authorization)) {
      case AuthDecision::kAllowed:
        return AfterAuth(true);
      case AuthDecision::kDenied:
        return AfterAuth(false);
      case AuthDecision::kNeedsBcrypt:
        break;
    }
    std::weak_ptr<Session> weak = this->shared_from_this();
    auto poster = impl_.poster;
    std::string header = request_.authorization;
    Park();
    bool queued = impl_.auth_work.TryPost([auth, header, weak, poster] {
      bool ok = auth->Verify(header);
      poster->Post([weak, ok] {
        if (auto self = weak.lock()) self->Unpark(), self->AfterAuth(ok);
      });
    });
    if (!queued) {
      Unpark();
      SendBusy();
    }
  }

  void AfterAuth(bool ok) {
    if (!ok) return Send(UnauthorizedResponse());
    if (impl_.router->IsCheap(request_)) return Send(impl_.router->Route(request_));
    std::weak_ptr<Session> weak = this->shared_from_this();
    auto poster = impl_.poster;
    auto router = impl_.router;
    Park();
    bool queued = impl_.pages.TryPost([router, request = request_, weak, poster] {
      auto response = std::make_shared<Response>(router->Route(request));
      poster->Post([weak, response] {
        if (auto self = weak.lock()) self->Unpark(), self->Send(std::move(*response));
      });
    });
    if (!queued) {
      Unpark();
      SendBusy();
    }
  }

  void Park() { impl_.parked.insert(this->shared_from_this()); }
  void Unpark() { impl_.parked.erase(this->shared_from_this()); }

  void SendBusy() {
    Response r = Response::Text(503, "Service Unavailable: too busy\n");
    r.headers.emplace_back("Retry-After", "1");
    Send(std::move(r));
  }

  // An error response after which the connection closes.
  void SendFinal(Response r) {
    keep_alive_ = false;
    version_ = 11;
    head_ = false;
    Send(std::move(r));
  }

  void Send(Response r) {
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(r.status));
    res_.set(bhttp::field::content_type, r.content_type);
    res_.set(bhttp::field::cache_control, "no-store");
    for (const auto& [name, value] : r.headers) res_.insert(name, value);
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    res_.keep_alive(keep_alive_);
    Tcp().expires_after(impl_.options.write_timeout);
    serializer_.emplace(res_);
    serializer_->limit(kWriteChunk);
    auto done = [self = this->shared_from_this()](error_code ec, std::size_t) {
      self->serializer_.reset();
      if (ec) {
        spdlog::debug("http response not written error=\"{}\"",
                      ec.message());
      }
      if (ec || !self->keep_alive_) return self->Close();
      self->WaitForNextRequest();
    };
    if (head_) {
      bhttp::async_write_header(stream_, *serializer_, std::move(done));
    } else {
      bhttp::async_write(stream_, *serializer_, std::move(done));
    }
  }

  void Close() {
    error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Tcp().close();
  }

  HttpServer::Impl& impl_;
  std::shared_ptr<asio::ssl::context> ctx_;  // outlives stream_'s SSL*
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request request_;
  bool keep_alive_ = true;
  bool head_ = false;
  unsigned version_ = 11;
  bhttp::response<bhttp::string_body> res_;
  std::optional<bhttp::response_serializer<bhttp::string_body>> serializer_;
};

using PlainSession = Session<beast::tcp_stream>;
using TlsSession = Session<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace

void HttpServer::Impl::Accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([this, &acceptor](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // EMFILE and the like: back off briefly instead of spinning.
      spdlog::warn("accept failed error=\"{}\"", ec.message());
      auto timer = std::make_shared<asio::steady_timer>(*io);
      timer->expires_after(std::chrono::milliseconds(100));
      timer->async_wait([this, &acceptor, timer](error_code e) {
        if (!e) Accept(acceptor);
      });
      return;
    }
    OnAccept(acceptor, std::move(socket));
    Accept(acceptor);
  });
}

void HttpServer::Impl::OnAccept(tcp::acceptor&, tcp::socket socket) {
  if (connections.load() >= options.max_connections) {
    error_code ignored;
    socket.close(ignored);
    return;
  }
  error_code ignored;
  // Headers and body go out in one write each; Nagle plus the client's
  // delayed ACK would add ~40 ms to every keep-alive scrape.
  socket.set_option(tcp::no_delay(true), ignored);
  if (auto ctx = CurrentTls()) {
    auto s = std::make_shared<TlsSession>(*this, ctx, std::move(socket), *ctx);
    s->Start();
  } else {
    auto s = std::make_shared<PlainSession>(*this, nullptr, std::move(socket));
    s->Start();
  }
}

void HttpServer::Impl::Stop() {
  if (stopped) return;
  stopped = true;
  io->stop();
  if (io_thread.joinable()) io_thread.join();
  poster->Close();
  pages.Shutdown(/*wait=*/true);
  auth_work.Shutdown(/*wait=*/false);
  parked.clear();
  acceptors.clear();
  io.reset();  // destroys every pending handler and with it every session
}

namespace {

Result<std::unique_ptr<tcp::acceptor>> Bind(asio::io_context& io,
                                            const std::string& address) {
  auto ep = ParseListenAddress(address);
  if (!ep.ok()) return ep.error();
  error_code ec;
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  auto try_bind = [&](const asio::ip::address& addr, bool dual) {
    ec = {};
    acceptor = std::make_unique<tcp::acceptor>(io);
    tcp::endpoint endpoint(addr, ep->port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && dual) acceptor->set_option(asio::ip::v6_only(false), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  };
  if (ep->host.empty()) {
    try_bind(asio::ip::address_v6::any(), true);  // like Go's ":port"
    if (ec == asio::error::address_family_not_supported) {
      try_bind(asio::ip::address_v4::any(), false);
    }
  } else {
    try_bind(asio::ip::make_address(ep->host), false);
  }
  if (ec) return StartError(address, ec.message());
  return acceptor;
}

Result<std::unique_ptr<tcp::acceptor>> Adopt(asio::io_context& io, int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return StartError("fd " + std::to_string(fd), "not a socket");
  }
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  error_code ec;
  acceptor->assign(ss.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
  if (ec) return StartError("fd " + std::to_string(fd), ec.message());
  return acceptor;
}

}  // namespace

HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(
    const HttpOptions& options, const SiteSource& site) {
  if (Status s = ValidateTelemetryPath(options.telemetry_path); !s.ok()) {
    return s.error();
  }
  if (options.listen_addresses.empty() && options.listen_fds.empty()) {
    return StartError("", "no listen address");
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  auto impl = std::make_shared<Impl>();
  server->impl_ = impl;
  impl->options = options;
  impl->io.emplace(1);
  impl->poster = std::make_shared<Poster>(*impl->io);
  const Clock& clock =
      options.clock != nullptr ? *options.clock : SystemClock::Get();
  // The server authenticates before routing (Precheck, then bcrypt on a
  // pool): the router gets no users.
  impl->router = std::make_shared<Router>(
      RouterOptions{options.telemetry_path, options.max_heartbeat_age,
                    options.readiness_check, options.status_decorator, {}},
      site, clock);
  if (Status s = server->UpdateWebConfig(options.web_config); !s.ok()) {
    return s.error();
  }
  RaiseFileLimit();
  for (const std::string& address : options.listen_addresses) {
    auto acceptor = Bind(*impl->io, address);
    if (!acceptor.ok()) return acceptor.error();
    server->ports_.push_back((*acceptor)->local_endpoint().port());
    impl->acceptors.push_back(std::move(acceptor).value());
  }
  for (int fd : options.listen_fds) {
    auto acceptor = Adopt(*impl->io, fd);
    if (!acceptor.ok()) return acceptor.error();
    server->ports_.push_back((*acceptor)->local_endpoint().port());
    impl->acceptors.push_back(std::move(acceptor).value());
  }
  for (auto& acceptor : impl->acceptors) impl->Accept(*acceptor);
  impl->io_thread = std::thread([impl = impl.get()] { impl->io->run(); });
  std::string addresses;
  for (const auto& a : options.listen_addresses) addresses += (addresses.empty() ? "" : ",") + a;
  spdlog::info(
      "http server listening address={} systemd_fds={} port={} tls={} "
      "auth={} telemetry_path={}",
      addresses, options.listen_fds.size(), server->port(),
      options.web_config.tls_enabled(),
      !options.web_config.basic_auth_users.empty(), options.telemetry_path);
  return server;
}

Status HttpServer::UpdateWebConfig(const WebConfig& web_config) {
  if (Status s = ValidateWebConfig(web_config); !s.ok()) return s;
  std::shared_ptr<TlsContextSource> tls;
  if (web_config.tls_enabled()) {
    auto source = TlsContextSource::Create(web_config.tls);
    if (!source.ok()) return source.error();
    tls = std::move(source).value();
  }
  auto auth = std::make_shared<const BasicAuthenticator>(
      web_config.basic_auth_users);
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->auth = std::move(auth);
  impl_->tls = std::move(tls);
  return Status::Ok();
}

void HttpServer::Stop() {
  if (impl_) impl_->Stop();
}

}  // namespace failwatch::http
