#include "dns/dns_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "../metric_families.h"

namespace failwatch {
namespace {

using failwatch::testing::Label;
using failwatch::testing::Find;

using std::chrono::milliseconds;
using std::chrono::seconds;

const WallTime kT0 = WallTime(seconds(1'700'000'000));

// Value of the one series of `name` for `role` (and `extra` label if set).
std::optional<double> Value(const std::vector<prometheus::MetricFamily>& fs,
                            const std::string& name, const std::string& role,
                            std::pair<std::string, std::string> extra = {}) {
  const auto* f = Find(fs, name);
  if (f == nullptr) return std::nullopt;
  for (const auto& m : f->metric) {
    if (Label(m, "role") != role) continue;
    if (!extra.first.empty() && Label(m, extra.first) != extra.second) continue;
    return f->type == prometheus::MetricType::Counter ? m.counter.value
                                                      : m.gauge.value;
  }
  return std::nullopt;
}

const std::vector<std::string> kFamilies = {
    "failwatch_dns_answer",
    "failwatch_dns_answer_addresses",
    "failwatch_dns_ttl_seconds",
    "failwatch_dns_lookup_duration_seconds",
    "failwatch_dns_lookup_success",
    "failwatch_dns_lookup_errors_total",
    "failwatch_dns_lookups_total",
    "failwatch_dns_answer_changes_total",
    "failwatch_dns_last_change_timestamp_seconds",
};

TEST(DnsMetricsTest, EveryFamilyEvenWithoutSamples) {
  EndpointTracker w(HostPort{"db.lab.test", 5432}, "writer");
  auto fs = BuildDnsFamilies("orders", {&w});
  std::vector<std::string> names;
  for (const auto& f : fs) {
    names.push_back(f.name);
    EXPECT_TRUE(f.metric.empty()) << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
  }
  EXPECT_EQ(names, kFamilies);
  EXPECT_EQ(Find(fs, "failwatch_dns_lookups_total")->type,
            prometheus::MetricType::Counter);
  EXPECT_EQ(Find(fs, "failwatch_dns_answer")->type,
            prometheus::MetricType::Gauge);
}

TEST(DnsMetricsTest, SuccessfulAnswer) {
  EndpointTracker w(HostPort{"db.lab.test", 5432}, "writer");
  (void)w.Record(DnsAnswer{{"10.0.0.1"}, 5}, kT0, milliseconds(2));
  (void)w.Record(DnsAnswer{{"10.0.0.2", "fd00::2"}, 4}, kT0 + seconds(1),
                 milliseconds(4));
  auto fs = BuildDnsFamilies("orders", {&w});

  const auto* answer = Find(fs, "failwatch_dns_answer");
  ASSERT_EQ(answer->metric.size(), 2u);
  const auto& m = answer->metric[0];
  EXPECT_EQ(Label(m, "database"), "orders");
  EXPECT_EQ(Label(m, "endpoint"), "db.lab.test:5432");
  EXPECT_EQ(Label(m, "role"), "writer");
  EXPECT_EQ(Label(m, "address"), "10.0.0.2");
  EXPECT_EQ(Label(answer->metric[1], "address"), "fd00::2");
  EXPECT_EQ(m.gauge.value, 1);

  EXPECT_EQ(Value(fs, "failwatch_dns_answer_addresses", "writer"), 2);
  EXPECT_EQ(Value(fs, "failwatch_dns_ttl_seconds", "writer"), 4);
  EXPECT_EQ(Value(fs, "failwatch_dns_lookup_duration_seconds", "writer"),
            0.004);
  EXPECT_EQ(Value(fs, "failwatch_dns_lookup_success", "writer"), 1);
  EXPECT_EQ(Value(fs, "failwatch_dns_lookups_total", "writer"), 2);
  EXPECT_EQ(Value(fs, "failwatch_dns_answer_changes_total", "writer"), 1);
  EXPECT_EQ(Value(fs, "failwatch_dns_last_change_timestamp_seconds", "writer"),
            1'700'000'001.0);
  EXPECT_TRUE(
      Find(fs, "failwatch_dns_lookup_errors_total")->metric.empty());
}

TEST(DnsMetricsTest, FailedLookupHasNoAnswerSeriesButKeepsCounters) {
  EndpointTracker w(HostPort{"db.lab.test", 5432}, "writer");
  EndpointTracker r(HostPort{"ro.lab.test", 5432}, "reader");
  (void)w.Record(DnsAnswer{{"10.0.0.1"}, 5}, kT0, milliseconds(2));
  (void)w.Record(DnsAnswer{{"10.0.0.2"}, 5}, kT0 + seconds(1), milliseconds(2));
  (void)w.Record(MakeError(ErrorKind::kNotFound, "ENOTFOUND", "nxdomain"),
                 kT0 + seconds(2), milliseconds(2));
  (void)r.Record(DnsAnswer{{"10.0.0.3"}, 5}, kT0, milliseconds(2));
  auto fs = BuildDnsFamilies("orders", {&w, &r});

  const auto* answer = Find(fs, "failwatch_dns_answer");
  ASSERT_EQ(answer->metric.size(), 1u);  // only the reader's
  EXPECT_EQ(Label(answer->metric[0], "role"), "reader");
  EXPECT_EQ(Value(fs, "failwatch_dns_ttl_seconds", "writer"), std::nullopt);
  EXPECT_EQ(Value(fs, "failwatch_dns_answer_addresses", "writer"), 0);
  EXPECT_EQ(Value(fs, "failwatch_dns_lookup_success", "writer"), 0);
  EXPECT_EQ(Value(fs, "failwatch_dns_lookup_errors_total", "writer",
                  {"code", "ENOTFOUND"}),
            1);
  EXPECT_EQ(Value(fs, "failwatch_dns_lookups_total", "writer"), 3);
  EXPECT_EQ(Value(fs, "failwatch_dns_answer_changes_total", "writer"), 1);
  EXPECT_EQ(Value(fs, "failwatch_dns_last_change_timestamp_seconds", "writer"),
            1'700'000'001.0);
  EXPECT_EQ(Value(fs, "failwatch_dns_lookup_success", "reader"), 1);
  EXPECT_EQ(Value(fs, "failwatch_dns_last_change_timestamp_seconds", "reader"),
            0);
}

// The exposition must pass the linter Prometheus users run on it.
TEST(DnsMetricsTest, PassesPromtoolCheckMetrics) {
  if (access("/usr/bin/promtool", X_OK) != 0) {
    GTEST_SKIP() << "promtool not installed";
  }
  EndpointTracker w(HostPort{"db.lab.test", 5432}, "writer");
  (void)w.Record(DnsAnswer{{"10.0.0.1"}, 5}, kT0, milliseconds(2));
  (void)w.Record(MakeError(ErrorKind::kTimeout, "ETIMEOUT", "t"),
                 kT0 + seconds(1), milliseconds(2));
  EndpointTracker r(HostPort{"ro.lab.test", 5432}, "reader");
  (void)r.Record(DnsAnswer{{"10.0.0.3", "fd00::3"}, 5}, kT0, milliseconds(2));
  auto fs = BuildDnsFamilies("orders", {&w, &r});
  const std::string text = prometheus::TextSerializer().Serialize(fs);

  char path[] = "/tmp/failwatch_dns_metrics_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  { std::ofstream(path) << text; }
  const std::string cmd =
      std::string("/usr/bin/promtool check metrics < ") + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[512];
  while (fgets(buf, sizeof(buf), p) != nullptr) output += buf;
  const int status = pclose(p);
  unlink(path);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << output << "\n--- exposition ---\n"
      << text;
  EXPECT_EQ(output, "") << text;
}

}  // namespace
}  // namespace failwatch
