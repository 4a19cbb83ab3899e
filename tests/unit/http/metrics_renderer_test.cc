#include "http/metrics_renderer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "fake_app_state.h"
#include "http_test_client.h"

namespace failwatch::http {
namespace {

using testing::FakeAppState;
using testing::Gunzip;
using ::testing::HasSubstr;
using testing::MakeTarget;

std::string WithoutProcessLines(const std::string& text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    end = end == std::string::npos ? text.size() : end + 1;
    std::string_view line(text.data() + pos, end - pos);
    if (!line.starts_with("process_") && !line.starts_with("failwatch_heap_")) {
      out += line;
    }
    pos = end;
  }
  return out;
}

std::shared_ptr<Snapshot> SnapshotWith(std::uint64_t version,
                                       std::vector<TargetState> targets) {
  auto s = std::make_shared<Snapshot>();
  s->version = version;
  s->published_at = WallTime(std::chrono::seconds(1'700'000'000 + version));
  for (auto& t : targets) s->targets.emplace(t.key, t);
  return s;
}

TEST(MetricsRendererTest, SerializesEachSnapshotVersionOnce) {
  FakeClock clock;
  FakeAppState app(clock);
  app.SetSnapshot(SnapshotWith(1, {MakeTarget("dns", "orders", true)}));
  MetricsRenderer renderer(app, clock);

  std::string first = renderer.Render().value();
  std::string second = renderer.Render().value();
  EXPECT_EQ(renderer.serializations(), 1u);
  EXPECT_THAT(second, HasSubstr("failwatch_dns_up{target=\"orders\"} 1\n"));

  app.SetSnapshot(SnapshotWith(
      2,
      {MakeTarget("dns", "orders", true,
                  MakeError(ErrorKind::kUnavailable, "ECONNREFUSED", "x"))}));
  std::string third = renderer.Render().value();
  EXPECT_EQ(renderer.serializations(), 2u);
  EXPECT_THAT(third, HasSubstr("failwatch_dns_up{target=\"orders\"} 0\n"));
}

TEST(MetricsRendererTest, DaemonAndProcessPartsAreFreshOnEveryScrape) {
  FakeClock clock;
  FakeAppState app(clock);
  app.SetSnapshot(SnapshotWith(1, {MakeTarget("dns", "orders", true)}));
  MetricsRenderer renderer(app, clock);

  EXPECT_THAT(renderer.Render().value(),
              HasSubstr("failwatch_scheduler_heartbeat_age_seconds 0\n"));
  clock.Advance(Millis(3000));
  std::string text = renderer.Render().value();
  EXPECT_EQ(renderer.serializations(), 1u);
  EXPECT_THAT(text, HasSubstr("failwatch_scheduler_heartbeat_age_seconds 3\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
  EXPECT_THAT(text, HasSubstr("process_open_fds "));
  EXPECT_THAT(text, HasSubstr("failwatch_build_info{"));
  // The collector part, then the fresh part, each sorted by name.
  EXPECT_LT(text.find("# HELP failwatch_dns_up"),
            text.find("# HELP failwatch_build_info"));
  EXPECT_LT(text.find("# HELP failwatch_build_info"),
            text.find("# HELP failwatch_scheduler_heartbeat_age_seconds"));
  EXPECT_LT(text.find("# HELP failwatch_start_time_seconds"),
            text.find("# HELP process_cpu_seconds_total"));
}

TEST(MetricsRendererTest, GzipDecodesToThePlainBody) {
  FakeClock clock;
  FakeAppState app(clock);
  MetricsRenderer renderer(app, clock);
  for (std::uint64_t version : {1, 2}) {
    app.SetSnapshot(
        SnapshotWith(version, {MakeTarget("dns", "orders", true),
                               MakeTarget("dns", "billing", true)}));
    auto gz = renderer.RenderGzip();
    ASSERT_TRUE(gz.ok()) << gz.error().ToString();
    // process_* values move between two reads; the rest must be identical.
    EXPECT_EQ(WithoutProcessLines(Gunzip(*gz)),
              WithoutProcessLines(renderer.Render().value()));
  }
  EXPECT_EQ(renderer.serializations(), 2u);
}

TEST(MetricsRendererTest, ACollectorCannotShadowADaemonFamily) {
  FakeClock clock;
  FakeAppState app(clock);
  TargetState rogue = MakeTarget("dns", "orders", true);
  rogue.rendered = RenderFamilies(
      {testing::OneSample(FamilyBuilder::Gauge("failwatch_build_info", "Fake."),
                          {{"version", "rogue"}}, 1),
       testing::OneSample(FamilyBuilder::Gauge("process_open_fds", "Fake."), {},
                          -1)});
  app.SetSnapshot(SnapshotWith(1, {rogue}));
  MetricsRenderer renderer(app, clock);
  const std::string text = renderer.Render().value();
  EXPECT_EQ(text.find("rogue"), std::string::npos);
  EXPECT_EQ(text.find("Fake."), std::string::npos);
  EXPECT_THAT(text, HasSubstr("# HELP failwatch_build_info Always 1"));
}

TEST(MetricsRendererTest, ARecreatedStoreWithTheSameVersionIsNotStale) {
  FakeClock clock;
  FakeAppState app(clock);
  app.SetSnapshot(SnapshotWith(1, {MakeTarget("dns", "orders", true)}));
  MetricsRenderer renderer(app, clock);
  renderer.Render().value();
  auto other = SnapshotWith(1, {MakeTarget("dns", "billing", true)});
  other->published_at += std::chrono::seconds(30);
  app.SetSnapshot(other);
  EXPECT_THAT(renderer.Render().value(),
              HasSubstr("failwatch_dns_up{target=\"billing\"} 1\n"));
  EXPECT_EQ(renderer.serializations(), 2u);
}

// The exposition must pass Prometheus' own linter, as prometheus-cpp's
// integration test does it.
TEST(MetricsRendererTest, PassesPromtoolCheckMetrics) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not installed";
  }
  FakeClock clock;
  FakeAppState app(clock);
  app.SetSnapshot(SnapshotWith(
      1, {MakeTarget("dns", "orders", true),
          MakeTarget("dns", "billing", true,
                     MakeError(ErrorKind::kTimeout, "timeout", "slow")),
          MakeTarget("postgres", "orders", false)}));
  MetricsRenderer renderer(app, clock);
  std::string path = ::testing::TempDir() + "/failwatch_metrics.txt";
  {
    std::ofstream out(path);
    out << renderer.Render().value();
  }
  std::string cmd = "promtool check metrics < " + path + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[512];
  while (std::fgets(buf, sizeof(buf), pipe) != nullptr) output += buf;
  int rc = pclose(pipe);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_EQ(output, "") << output;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace failwatch::http
