#include "http/router.h"

#include <crypt.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_app_state.h"

namespace failwatch::http {
namespace {

using testing::FakeAppState;
using ::testing::HasSubstr;
using testing::MakeTarget;
using ::testing::Pair;

std::string Header(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : app_(clock_) {
    auto s = std::make_shared<Snapshot>();
    s->version = 1;
    auto t = MakeTarget("dns", "orders", true);
    s->targets.emplace(t.key, t);
    app_.SetSnapshot(s);
  }

  Response Get(const std::string& path, RouterOptions options = {}) {
    Router router(std::move(options), app_, clock_);
    return router.Handle({"GET", path, "", ""});
  }

  FakeClock clock_;
  FakeAppState app_;
};

TEST_F(RouterTest, ServesEveryPage) {
  Response m = Get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(m.body, HasSubstr("failwatch_dns_up{target=\"orders\"} 1\n"));
  EXPECT_EQ(Header(m, "Content-Encoding"), "");

  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/readyz").status, 200);
  Response status = Get("/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(status.content_type, "application/json");
  Response index = Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
}

TEST_F(RouterTest, CustomTelemetryPath) {
  RouterOptions options;
  options.telemetry_path = "/probe/metrics";
  EXPECT_EQ(Get("/probe/metrics", options).status, 200);
  EXPECT_EQ(Get("/metrics", options).status, 404);
  EXPECT_FALSE(ValidateTelemetryPath("metrics").ok());
  EXPECT_FALSE(ValidateTelemetryPath("/healthz").ok());
  EXPECT_TRUE(ValidateTelemetryPath("/metrics").ok());
}

TEST_F(RouterTest, UnknownPathIs404AndOtherMethodsAre405) {
  EXPECT_EQ(Get("/nope").status, 404);
  EXPECT_EQ(Get("/metrics/").status, 404);
  Router router({}, app_, clock_);
  Response post = router.Handle({"POST", "/metrics", "", ""});
  EXPECT_EQ(post.status, 405);
  EXPECT_THAT(post.headers, ::testing::Contains(Pair("Allow", "GET, HEAD")));
  EXPECT_EQ(router.Handle({"HEAD", "/metrics", "", ""}).status, 200);
}

TEST_F(RouterTest, GzipWhenAccepted) {
  Router router({}, app_, clock_);
  Response r = router.Handle({"GET", "/metrics", "gzip, deflate", ""});
  EXPECT_EQ(Header(r, "Content-Encoding"), "gzip");
  EXPECT_EQ(Header(r, "Vary"), "Accept-Encoding");
  ASSERT_GE(r.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(r.body[0]), 0x1f);
}

TEST_F(RouterTest, HealthzFollowsTheHeartbeatOnly) {
  RouterOptions options;
  options.max_heartbeat_age = Millis(10000);
  Router router(options, app_, clock_);
  // A failing target does not matter to liveness.
  auto s = std::make_shared<Snapshot>();
  auto t = MakeTarget("postgres", "orders", true,
                      MakeError(ErrorKind::kUnavailable, "conn", "down"));
  s->targets.emplace(t.key, t);
  app_.SetSnapshot(s);
  EXPECT_EQ(router.Handle({"GET", "/healthz", "", ""}).status, 200);
  clock_.Advance(Millis(10001));
  Response stale = router.Handle({"GET", "/healthz", "", ""});
  EXPECT_EQ(stale.status, 503);
  EXPECT_THAT(stale.body, HasSubstr("heartbeat"));
}

TEST_F(RouterTest, ReadyzListsUnsampledTargetsAndRunsTheExtraCheck) {
  auto s = std::make_shared<Snapshot>();
  auto t = MakeTarget("postgres", "orders", false);
  s->targets.emplace(t.key, t);
  app_.SetSnapshot(s);
  Response r = Get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body, HasSubstr("postgres/orders"));

  auto sampled = std::make_shared<Snapshot>(*s);
  sampled->targets.begin()->second.sampled = true;
  app_.SetSnapshot(sampled);
  EXPECT_EQ(Get("/readyz").status, 200);

  RouterOptions gated;
  gated.readiness_check = [] {
    return std::optional<std::string>("verdict: degraded");
  };
  Response g = Get("/readyz", gated);
  EXPECT_EQ(g.status, 503);
  EXPECT_THAT(g.body, HasSubstr("verdict: degraded"));
}

TEST_F(RouterTest, StatusDecoratorAddsFields) {
  RouterOptions options;
  options.status_decorator = [](nlohmann::json& j) {
    j["checks"] = nlohmann::json::array({"dns_role_match"});
  };
  auto j = nlohmann::json::parse(Get("/status", options).body);
  EXPECT_EQ(j["checks"][0], "dns_role_match");
  EXPECT_EQ(j["targets"][0]["target"], "orders");
}

TEST_F(RouterTest, ExceptionInAHookBecomes500) {
  RouterOptions options;
  options.status_decorator = [](nlohmann::json&) {
    throw std::runtime_error("boom");
  };
  EXPECT_EQ(Get("/status", options).status, 500);
}

TEST_F(RouterTest, AuthProtectsEveryPath) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  ASSERT_NE(crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt, sizeof(salt)),
            nullptr);
  crypt_data data{};
  RouterOptions options;
  options.basic_auth_users["alice"] = crypt_r("s3cret", salt, &data);
  Router router(options, app_, clock_);
  for (const char* path : {"/metrics", "/healthz", "/readyz", "/", "/nope"}) {
    Response r = router.Handle({"GET", path, "", ""});
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_EQ(Header(r, "WWW-Authenticate"), "Basic realm=\"failwatch\"");
  }
  // alice:s3cret
  EXPECT_EQ(
      router.Handle({"GET", "/healthz", "", "Basic YWxpY2U6czNjcmV0"}).status,
      200);
  EXPECT_EQ(
      router.Handle({"GET", "/healthz", "", "Basic YWxpY2U6d3Jvbmc="}).status,
      401);
}

}  // namespace
}  // namespace failwatch::http
