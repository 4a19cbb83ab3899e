// DnsCollector::Sample end to end against an in-process DNS server.
#include "dns/dns_collector.h"

#include <gtest/gtest.h>

#include "../metric_families.h"
#include "dns/dns_observation.h"
#include "fake_dns_server.h"

namespace failwatch {
namespace {

using failwatch::testing::Label;

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeDnsServer;

const prometheus::MetricFamily& Family(const SampleOutput& out,
                                       const std::string& name) {
  if (const auto* f = failwatch::testing::Find(out.families, name)) return *f;
  static const prometheus::MetricFamily kNone;
  ADD_FAILURE() << "no family " << name;
  return kNone;
}

std::optional<double> Value(const SampleOutput& out, const std::string& name,
                            const std::string& role,
                            const std::string& code = "") {
  const auto& f = Family(out, name);
  for (const auto& m : f.metric) {
    if (Label(m, "role") != role) continue;
    if (!code.empty() && Label(m, "code") != code) continue;
    return f.type == prometheus::MetricType::Counter ? m.counter.value
                                                     : m.gauge.value;
  }
  return std::nullopt;
}

std::set<std::string> Answer(const SampleOutput& out, const std::string& role) {
  std::set<std::string> s;
  for (const auto& m : Family(out, "failwatch_dns_answer").metric) {
    if (Label(m, "role") == role) s.insert(Label(m, "address"));
  }
  return s;
}

class DnsCollectorTest : public ::testing::Test {
 protected:
  DnsCollectorTest() {
    config_.name = "orders";
    config_.endpoint = HostPort{"db.lab.test", 5432};
    config_.reader_endpoint = HostPort{"ro.lab.test", 5433};
    config_.dns_servers = {server_.address()};
    config_.schedule.timeout = Millis(400);
    server_.Set("db.lab.test", {.v4 = {"10.0.0.1"}, .ttl = 5});
    server_.Set("ro.lab.test", {.v4 = {"10.0.0.3"}, .ttl = 5});
  }

  SampleOutput Sample(Collector& c) {
    SampleContext ctx;
    ctx.clock = &SystemClock::Get();
    ctx.deadline = ctx.clock->Steady() + config_.schedule.timeout;
    ctx.now = now_;
    now_ += seconds(1);
    return c.Sample(ctx);
  }

  const DnsObservation& Obs(const SampleOutput& out) {
    auto obs = std::dynamic_pointer_cast<const DnsObservation>(out.observation);
    EXPECT_NE(obs, nullptr);
    static const DnsObservation kEmpty;
    return obs ? *obs : kEmpty;
  }

  FakeDnsServer server_;
  DnsTargetOptions config_;
  WallTime now_ = WallTime(seconds(1'700'000'000));
};

TEST_F(DnsCollectorTest, KindAndTarget) {
  auto c = MakeDnsCollector(config_);
  EXPECT_EQ(c->kind(), "dns");
  EXPECT_EQ(c->target(), "orders");
}

TEST_F(DnsCollectorTest, ResolvesWriterAndReader) {
  auto c = MakeDnsCollector(config_);
  auto out = Sample(*c);
  EXPECT_FALSE(out.error.has_value()) << out.error->ToString();
  EXPECT_EQ(out.families.size(), 9u);
  EXPECT_EQ(Answer(out, "writer"), (std::set<std::string>{"10.0.0.1"}));
  EXPECT_EQ(Answer(out, "reader"), (std::set<std::string>{"10.0.0.3"}));
  EXPECT_EQ(Value(out, "failwatch_dns_ttl_seconds", "writer"), 5);
  EXPECT_EQ(Value(out, "failwatch_dns_lookup_success", "reader"), 1);
  EXPECT_EQ(Value(out, "failwatch_dns_answer_changes_total", "writer"), 0);
  EXPECT_EQ(Value(out, "failwatch_dns_last_change_timestamp_seconds", "writer"),
            0);
  for (const auto& m : Family(out, "failwatch_dns_answer").metric) {
    EXPECT_EQ(Label(m, "database"), "orders");
    const std::string want =
        Label(m, "role") == "writer" ? "db.lab.test:5432" : "ro.lab.test:5433";
    EXPECT_EQ(Label(m, "endpoint"), want);
  }

  const auto& obs = Obs(out);
  EXPECT_EQ(obs.database, "orders");
  ASSERT_EQ(obs.endpoints.size(), 2u);
  const auto* w = obs.Find("writer");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->endpoint, "db.lab.test:5432");
  EXPECT_EQ(w->host, "db.lab.test");
  EXPECT_EQ(w->port, 5432);
  EXPECT_TRUE(w->last_ok);
  EXPECT_EQ(w->addresses, (AddressSet{"10.0.0.1"}));
  EXPECT_EQ(w->ttl_seconds, 5u);
  EXPECT_EQ(w->history.size(), 1u);
  ASSERT_NE(obs.Find("reader"), nullptr);
  EXPECT_EQ(obs.Find("reader")->port, 5433);
}

TEST_F(DnsCollectorTest, AnswerChangeIsCountedAcrossSamples) {
  auto c = MakeDnsCollector(config_);
  (void)Sample(*c);
  server_.Set("db.lab.test", {.v4 = {"10.0.0.2"}, .ttl = 5});
  const WallTime change_at = now_;
  auto out = Sample(*c);
  EXPECT_FALSE(out.error.has_value());
  EXPECT_EQ(Answer(out, "writer"), (std::set<std::string>{"10.0.0.2"}));
  EXPECT_EQ(Value(out, "failwatch_dns_answer_changes_total", "writer"), 1);
  EXPECT_EQ(Value(out, "failwatch_dns_answer_changes_total", "reader"), 0);
  EXPECT_EQ(Value(out, "failwatch_dns_last_change_timestamp_seconds", "writer"),
            ToUnixSeconds(change_at));
  EXPECT_EQ(Value(out, "failwatch_dns_lookups_total", "writer"), 2);
  const auto* w = Obs(out).Find("writer");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->changes_total, 1u);
  EXPECT_EQ(w->last_change, change_at);
  EXPECT_EQ(w->AddressesSince(WallTime{}),
            (AddressSet{"10.0.0.1", "10.0.0.2"}));
}

TEST_F(DnsCollectorTest, FailedLookupFailsSampleButKeepsFamilies) {
  auto c = MakeDnsCollector(config_);
  (void)Sample(*c);
  server_.Set("db.lab.test", {.mode = FakeDnsServer::Mode::kNxDomain});
  auto out = Sample(*c);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, "ENOTFOUND");
  EXPECT_EQ(out.families.size(), 9u);
  EXPECT_TRUE(Answer(out, "writer").empty());  // stale answers not exported
  EXPECT_EQ(Answer(out, "reader"), (std::set<std::string>{"10.0.0.3"}));
  EXPECT_EQ(Value(out, "failwatch_dns_answer_addresses", "writer"), 0);
  EXPECT_EQ(Value(out, "failwatch_dns_lookup_success", "writer"), 0);
  EXPECT_EQ(
      Value(out, "failwatch_dns_lookup_errors_total", "writer", "ENOTFOUND"),
      1);
  const auto* w = Obs(out).Find("writer");
  ASSERT_NE(w, nullptr);
  EXPECT_FALSE(w->last_ok);
  ASSERT_TRUE(w->last_error.has_value());
  EXPECT_EQ(w->last_error->code, "ENOTFOUND");
  ASSERT_EQ(w->history.size(), 2u);
  EXPECT_EQ(w->history[1].error_code, "ENOTFOUND");

  // The same answer coming back after the failure is not a change.
  server_.Set("db.lab.test", {.v4 = {"10.0.0.1"}, .ttl = 5});
  auto back = Sample(*c);
  EXPECT_FALSE(back.error.has_value());
  EXPECT_EQ(Value(back, "failwatch_dns_answer_changes_total", "writer"), 0);
  EXPECT_EQ(Value(back, "failwatch_dns_lookups_total", "writer"), 3);
}

TEST_F(DnsCollectorTest, SilentServerReturnsWithinDeadline) {
  server_.Set("db.lab.test", {.mode = FakeDnsServer::Mode::kDrop});
  auto c = MakeDnsCollector(config_);
  const auto start = std::chrono::steady_clock::now();
  auto out = Sample(*c);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, "ETIMEOUT");
  EXPECT_LT(elapsed, config_.schedule.timeout + milliseconds(500));
  // The reader, in flight on the same channel, still answered.
  EXPECT_EQ(Value(out, "failwatch_dns_lookup_success", "reader"), 1);
}

TEST_F(DnsCollectorTest, IpLiteralEndpointIsNotQueried) {
  config_.endpoint = HostPort{"127.0.0.2", 5432};
  config_.reader_endpoint.reset();
  auto c = MakeDnsCollector(config_);
  auto out = Sample(*c);
  EXPECT_FALSE(out.error.has_value());
  EXPECT_EQ(Answer(out, "writer"), (std::set<std::string>{"127.0.0.2"}));
  EXPECT_EQ(Value(out, "failwatch_dns_ttl_seconds", "writer"), 0);
  EXPECT_EQ(Value(out, "failwatch_dns_lookup_success", "reader"), std::nullopt);
  EXPECT_EQ(server_.queries(), 0);
  EXPECT_EQ(Obs(out).endpoints.size(), 1u);
}

TEST_F(DnsCollectorTest, BadServerConfigFailsEveryEndpoint) {
  config_.dns_servers = {"not an address"};
  auto c = MakeDnsCollector(config_);
  auto out = Sample(*c);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(Value(out, "failwatch_dns_lookup_success", "writer"), 0);
  EXPECT_EQ(Value(out, "failwatch_dns_lookup_success", "reader"), 0);
  EXPECT_EQ(out.families.size(), 9u);
}

}  // namespace
}  // namespace failwatch
