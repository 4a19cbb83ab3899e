#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_app_state.h"
#include "http/status_json.h"
#include "http/status_page.h"
#include "http/time_format.h"

namespace failwatch::http {
namespace {

using testing::FakeAppState;
using ::testing::HasSubstr;
using testing::MakeTarget;
using ::testing::Not;

TEST(TimeFormatTest, Rfc3339Utc) {
  EXPECT_EQ(
      FormatRfc3339(WallTime(std::chrono::milliseconds(1'700'000'100'250))),
      "2023-11-14T22:15:00.250Z");
  EXPECT_EQ(FormatRfc3339(WallTime{}), "1970-01-01T00:00:00.000Z");
}

TEST(StatusJsonTest, DescribesEveryTarget) {
  FakeClock clock;
  FakeAppState app(clock);
  Snapshot s;
  s.version = 3;
  for (auto t : {MakeTarget("dns", "orders", true),
                 MakeTarget("postgres", "orders", true,
                            MakeError(ErrorKind::kRejected, "25006",
                                      "read-only transaction")),
                 MakeTarget("kafka", "main", false)}) {
    s.targets.emplace(t.key, t);
  }
  nlohmann::json j = BuildStatusJson(app, s);
  EXPECT_EQ(j["start_time"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(j["config"]["databases"][0]["name"], "orders");
  EXPECT_EQ(j["reload"]["last_reload_successful"], true);
  ASSERT_EQ(j["targets"].size(), 3u);

  // std::map order: dns, kafka, postgres.
  const auto& dns = j["targets"][0];
  EXPECT_EQ(dns["collector"], "dns");
  EXPECT_EQ(dns["interval"], 15.0);
  EXPECT_EQ(dns["timeout"], 5.0);
  EXPECT_EQ(dns["success"], true);
  EXPECT_EQ(dns["last_sample_time"], "2023-11-14T22:15:00.250Z");
  EXPECT_EQ(dns["samples_total"], 3);
  EXPECT_TRUE(dns["error"].is_null());

  const auto& kafka = j["targets"][1];
  EXPECT_EQ(kafka["sampled"], false);
  EXPECT_TRUE(kafka["last_sample_time"].is_null());
  EXPECT_TRUE(kafka["last_success_time"].is_null());

  const auto& pg = j["targets"][2];
  EXPECT_EQ(pg["success"], false);
  EXPECT_EQ(pg["error"]["kind"], "rejected");
  EXPECT_EQ(pg["error"]["code"], "25006");
  EXPECT_EQ(pg["error"]["message"], "read-only transaction");
}

TEST(StatusJsonTest, DumpSurvivesInvalidUtf8) {
  nlohmann::json j = {{"message", std::string("bad \xff byte")}};
  std::string out = DumpJson(j);
  EXPECT_THAT(out, HasSubstr("bad "));
  EXPECT_NO_THROW(nlohmann::json::parse(out));
}

TEST(StatusPageTest, EscapesTargetNamesAndErrors) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  Snapshot s;
  auto t = MakeTarget("dns", "<script>alert(1)</script>", true,
                      MakeError(ErrorKind::kInvalid, "x", "<b>boom</b>"));
  s.targets.emplace(t.key, t);
  std::string html = RenderStatusPage(s, "/metrics");
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, Not(HasSubstr("<b>boom")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("class=\"fail\""));
  EXPECT_THAT(html, HasSubstr("http-equiv=\"refresh\" content=\"5\""));
  for (const char* link : {"href=\"/metrics\"", "href=\"/status\"",
                           "href=\"/healthz\"", "href=\"/readyz\""}) {
    EXPECT_THAT(html, HasSubstr(link));
  }
  // Self-contained: no external scripts, styles or images.
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
}

TEST(StatusPageTest, MarksStates) {
  Snapshot s;
  for (auto t :
       {MakeTarget("dns", "ok", true), MakeTarget("dns", "pending", false)}) {
    s.targets.emplace(t.key, t);
  }
  std::string html = RenderStatusPage(s, "/custom");
  EXPECT_THAT(html, HasSubstr("class=\"ok\""));
  EXPECT_THAT(html, HasSubstr("class=\"pending\""));
  EXPECT_THAT(html, HasSubstr("href=\"/custom\""));
}

}  // namespace
}  // namespace failwatch::http
