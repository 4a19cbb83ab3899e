#include "http/http_server.h"

#include <crypt.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <thread>

#include "fake_app_state.h"
#include "http_test_client.h"

namespace failwatch::http {
namespace {

using testing::ClientResponse;
using testing::FakeAppState;
using testing::Gunzip;
using ::testing::HasSubstr;
using testing::HttpTestClient;
using testing::MakeTarget;
using ::testing::Not;

// Drops the lines that change between two scrapes of the same snapshot.
std::string WithoutVolatileLines(const std::string& text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    if (line.rfind("process_", 0) == 0 || line.rfind("failwatch_heap_", 0) == 0 ||
        line.rfind("failwatch_scheduler_heartbeat_age_seconds", 0) == 0) {
      continue;
    }
    out += line + "\n";
  }
  return out;
}

// One server for the tests that need only the defaults.
class HttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    clock_ = new FakeClock();
    app_ = new FakeAppState(*clock_);
    shared_ = StartServer().release();
  }
  static void TearDownTestSuite() {
    delete shared_;
    delete app_;
    delete clock_;
  }

  void SetUp() override {
    ASSERT_NE(shared_, nullptr);
    auto s = std::make_shared<Snapshot>();
    s->version = ++version_;
    s->published_at = WallTime(std::chrono::seconds(version_));
    for (auto t : {MakeTarget("dns", "orders", true),
                   MakeTarget("postgres", "orders", false)}) {
      s->targets.emplace(t.key, t);
    }
    app_->SetSnapshot(s);
    app_->SetHeartbeat(clock_->Steady());
  }

  static std::unique_ptr<HttpServer> StartServer(HttpOptions options = {}) {
    options.listen_addresses = {"127.0.0.1:0"};
    options.clock = clock_;
    auto server = HttpServer::Start(options, *app_);
    EXPECT_TRUE(server.ok()) << server.error().ToString();
    if (!server.ok()) return nullptr;
    EXPECT_GT((*server)->port(), 0);
    return std::move(server).value();
  }

  static int port() { return shared_->port(); }

  static FakeClock* clock_;
  static FakeAppState* app_;
  static HttpServer* shared_;
  static std::uint64_t version_;
};

FakeClock* HttpServerTest::clock_ = nullptr;
FakeAppState* HttpServerTest::app_ = nullptr;
HttpServer* HttpServerTest::shared_ = nullptr;
std::uint64_t HttpServerTest::version_ = 0;

TEST_F(HttpServerTest, MetricsPlainAndGzipCarryTheSameExposition) {
  auto* server = shared_;
  ClientResponse plain =
      HttpTestClient::Fetch(server->port(), "GET", "/metrics?debug=1");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.header("content-type"),
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(plain.header("cache-control"), "no-store");
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_EQ(plain.header("content-length"), std::to_string(plain.body.size()));
  EXPECT_THAT(plain.body, HasSubstr("failwatch_dns_up{target=\"orders\"} 1\n"));
  EXPECT_THAT(plain.body, HasSubstr("process_resident_memory_bytes "));

  ClientResponse gz = HttpTestClient::Fetch(server->port(), "GET", "/metrics",
                                            "Accept-Encoding: gzip\r\n");
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.header("content-encoding"), "gzip");
  EXPECT_EQ(gz.header("content-length"), std::to_string(gz.body.size()));
  EXPECT_EQ(WithoutVolatileLines(Gunzip(gz.body)),
            WithoutVolatileLines(plain.body));
}

TEST_F(HttpServerTest, HeadSendsHeadersOnly) {
  auto* server = shared_;
  // On a kept-alive connection: a body after HEAD would corrupt the next
  // response.
  HttpTestClient client(server->port());
  ClientResponse head = client.Send("HEAD", "/healthz");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "3");
  ClientResponse get = client.Send("GET", "/healthz");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "ok\n");
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto* server = shared_;
  HttpTestClient client(server->port());
  for (int i = 0; i < 3; ++i) {
    ClientResponse r = client.Send("GET", "/metrics");
    ASSERT_EQ(r.status, 200) << "request " << i;
    EXPECT_THAT(r.body, HasSubstr("failwatch_build_info"));
  }
}

TEST_F(HttpServerTest, HealthzTurns503WhenTheHeartbeatIsStale) {
  auto* server = shared_;  // max_heartbeat_age defaults to 10 s
  EXPECT_EQ(HttpTestClient::Fetch(server->port(), "GET", "/healthz").status,
            200);
  clock_->Advance(Millis(15000));
  ClientResponse stale =
      HttpTestClient::Fetch(server->port(), "GET", "/healthz");
  EXPECT_EQ(stale.status, 503);
  EXPECT_THAT(stale.body, HasSubstr("heartbeat is 15.0s old"));
  app_->SetHeartbeat(clock_->Steady());
  EXPECT_EQ(HttpTestClient::Fetch(server->port(), "GET", "/healthz").status,
            200);
}

TEST_F(HttpServerTest, ReadyzTurns200OnceEverythingSampled) {
  auto* server = shared_;
  ClientResponse not_ready =
      HttpTestClient::Fetch(server->port(), "GET", "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_THAT(not_ready.body, HasSubstr("postgres/orders"));

  auto s = std::make_shared<Snapshot>(*app_->CurrentSnapshot());
  s->version = 2;
  s->targets.at(TargetKey{"postgres", "orders"}).sampled = true;
  app_->SetSnapshot(s);
  EXPECT_EQ(HttpTestClient::Fetch(server->port(), "GET", "/readyz").status,
            200);
}

TEST_F(HttpServerTest, StatusIsJsonWithoutSecrets) {
  auto* server = shared_;
  ClientResponse r = HttpTestClient::Fetch(server->port(), "GET", "/status");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["targets"].size(), 2u);
  EXPECT_THAT(r.body, Not(HasSubstr("password")));
  EXPECT_EQ(j["config"]["databases"][0]["user"], "monitor");
}

TEST_F(HttpServerTest, IndexUnknownPathsAndMethods) {
  auto* server = shared_;
  ClientResponse index = HttpTestClient::Fetch(server->port(), "GET", "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_THAT(index.body, HasSubstr("<!DOCTYPE html>"));

  ClientResponse missing =
      HttpTestClient::Fetch(server->port(), "GET", "/favicon.ico");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("cache-control"), "no-store");

  ClientResponse post = HttpTestClient::Fetch(
      server->port(), "POST", "/metrics", "Content-Length: 0\r\n");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.header("allow"), "GET, HEAD");
}

TEST_F(HttpServerTest, BasicAuth) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  ASSERT_NE(crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt, sizeof(salt)),
            nullptr);
  crypt_data data{};
  const std::string hash = crypt_r("s3cret", salt, &data);
  ASSERT_EQ(hash.substr(0, 7), "$2b$05$");
  HttpOptions options;
  options.web_config.basic_auth_users["alice"] = hash;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);

  ClientResponse anonymous =
      HttpTestClient::Fetch(server->port(), "GET", "/metrics");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.header("www-authenticate"), "Basic realm=\"failwatch\"");
  EXPECT_EQ(HttpTestClient::Fetch(server->port(), "GET", "/healthz").status,
            401);
  EXPECT_EQ(HttpTestClient::Fetch(server->port(), "GET", "/metrics",
                                  "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n")
                .status,
            401);  // alice:wrong
  EXPECT_EQ(HttpTestClient::Fetch(server->port(), "GET", "/metrics",
                                  "Authorization: Basic YWxpY2U6czNjcmV0\r\n")
                .status,
            200);  // alice:s3cret
  ClientResponse status =
      HttpTestClient::Fetch(server->port(), "GET", "/status",
                            "Authorization: Basic YWxpY2U6czNjcmV0\r\n");
  EXPECT_EQ(status.status, 200);
  EXPECT_THAT(status.body, Not(HasSubstr(hash)));
  EXPECT_THAT(status.body, Not(HasSubstr("$2b$")));
}

TEST_F(HttpServerTest, AddressInUseIsAnErrorValue) {
  auto* first = shared_;
  HttpOptions options;
  options.listen_addresses = {"127.0.0.1:" + std::to_string(first->port())};
  auto second = HttpServer::Start(options, *app_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "listen");
  EXPECT_THAT(second.error().message,
              HasSubstr("listen 127.0.0.1:" + std::to_string(first->port())));
  EXPECT_THAT(second.error().message, HasSubstr("in use"));
}

TEST_F(HttpServerTest, BadOptionsAreErrorValues) {
  HttpOptions options;
  options.listen_addresses = {"nonsense"};
  EXPECT_FALSE(HttpServer::Start(options, *app_).ok());
  options.listen_addresses = {};
  EXPECT_FALSE(HttpServer::Start(options, *app_).ok());
  options.listen_addresses = {"127.0.0.1:0"};
  options.telemetry_path = "/status";
  EXPECT_FALSE(HttpServer::Start(options, *app_).ok());
  options.telemetry_path = "/metrics";
  options.web_config.basic_auth_users["bob"] = "hunter2";
  EXPECT_FALSE(HttpServer::Start(options, *app_).ok());
}

TEST_F(HttpServerTest, MissingTlsFilesAreAnErrorValue) {
  HttpOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.web_config.tls.cert_file = "/nonexistent/cert.pem";
  options.web_config.tls.key_file = "/nonexistent/key.pem";
  auto server = HttpServer::Start(options, *app_);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().code, "tls");
  EXPECT_THAT(server.error().message, HasSubstr("/nonexistent/cert.pem"));
}

TEST_F(HttpServerTest, SeveralListenAddressesAreAllServed) {
  HttpOptions options;
  options.listen_addresses = {"127.0.0.1:0", "127.0.0.1:0"};
  options.clock = clock_;
  auto server = HttpServer::Start(options, *app_);
  ASSERT_TRUE(server.ok()) << server.error().ToString();
  ASSERT_EQ((*server)->ports().size(), 2u);
  for (int p : (*server)->ports()) {
    EXPECT_EQ(HttpTestClient::Fetch(p, "GET", "/healthz").status, 200);
  }
}

TEST_F(HttpServerTest, OtherMethodsGet405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "TRACE", "OPTIONS",
                             "PATCH"}) {
    ClientResponse r = HttpTestClient::Fetch(port(), method, "/healthz",
                                             "Content-Length: 0\r\n");
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.header("allow"), "GET, HEAD") << method;
  }
  ClientResponse connect =
      HttpTestClient::Fetch(port(), "CONNECT", "example.com:443");
  EXPECT_EQ(connect.status, 405);
  EXPECT_EQ(connect.header("allow"), "GET, HEAD");
}

TEST_F(HttpServerTest, UpgradeIsIgnored) {
  ClientResponse r = HttpTestClient::Fetch(
      port(), "GET", "/healthz",
      "Connection: Upgrade\r\nUpgrade: websocket\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
}

TEST_F(HttpServerTest, WildcardWithGzipRefusedServesIdentity) {
  ClientResponse r = HttpTestClient::Fetch(port(), "GET", "/metrics",
                                           "Accept-Encoding: *, gzip;q=0\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-encoding"), "");
  EXPECT_THAT(r.body, HasSubstr("failwatch_build_info"));
}

TEST_F(HttpServerTest, OversizedHeaderIsRefused) {
  ClientResponse r = HttpTestClient::Fetch(
      port(), "GET", "/healthz",
      "X-Big: " + std::string(32 * 1024, 'a') + "\r\n");
  EXPECT_EQ(r.status, 431);
}

TEST_F(HttpServerTest, StopIsPromptWithAnIdleKeepAliveConnection) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  HttpTestClient client(server->port());
  ASSERT_EQ(client.Send("GET", "/healthz").status, 200);
  auto start = std::chrono::steady_clock::now();
  server->Stop();
  server->Stop();  // idempotent
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(2));  // generous: a bound, not a benchmark
  // Nothing listens any more.
  EXPECT_EQ(HttpTestClient::Fetch(server->port(), "GET", "/healthz").status, 0);
}

}  // namespace
}  // namespace failwatch::http
