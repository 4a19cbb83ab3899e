// The collector against a real librdkafka mock cluster (the
// kafka_mock_cluster helper process; in-process when the helper is not
// built): lag, status, discovery surviving the mock's wedging
// DescribeConsumerGroups, an outage, and the cost of the watermark reads.
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <mutex>
#include <optional>

#include "expected_child_crash.h"
#include "kafka/kafka_collector.h"
#include "kafka/kafka_observation.h"
#include "kafka/kafka_reader.h"
#include "kafka/rdkafka_handle.h"
#include "kafka_test_cluster.h"

namespace failwatch {
namespace {

using std::chrono::milliseconds;
using testing::App;
using testing::ExpectAgeOfRecordAt;
using testing::ExpectedChildCrash;
using testing::MockCluster;
using testing::NowMs;
using testing::Sampled;
using testing::SampleOnce;

KafkaOptions TestOptions() {
  KafkaOptions o;
  o.status_window = milliseconds(1500);
  o.status_points = 5;
  o.topic_probe_interval = Millis(0);
  o.group_discovery = false;  // the wedge has its own test
  return o;
}

KafkaClusterConfig WithGroups(KafkaClusterConfig c,
                              const std::vector<std::string>& groups) {
  for (const auto& g : groups) c.groups.push_back({g, {}, "", {}});
  return c;
}

ConsumerStatus StatusOf(const Sampled& s, const std::string& group) {
  auto obs = s.obs();
  if (!obs || obs->FindGroup(group) == nullptr) return ConsumerStatus::kErr;
  return obs->FindGroup(group)->status;
}

TEST(KafkaIntegrationTest, LagAppearsThenClearsAfterCommit) {
  MockCluster mc({"orders:3"});
  App app(mc.bootstraps());
  app.Commit("billing", "orders", 0, 0);
  auto c =
      MakeKafkaCollector(WithGroups(mc.Config(), {"billing"}), TestOptions());
  EXPECT_EQ(c->kind(), "kafka");
  EXPECT_EQ(c->target(), "lab");
  for (int p = 0; p < 3; ++p) app.Produce("orders", p, 5);
  auto s = SampleOnce(*c);
  ASSERT_FALSE(s.out.error.has_value()) << s.out.error->ToString();
  const GroupState* g = s.obs()->FindGroup("billing");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->partitions.size(), 3u);
  EXPECT_EQ(g->lag_sum, 15);
  EXPECT_EQ(g->partitions[0].committed, 0);
  // Partitions 1 and 2 never committed: lag from the low watermark.
  EXPECT_FALSE(g->partitions[1].committed.has_value());
  EXPECT_EQ(s.Value("failwatch_kafka_group_partition_has_commit",
                    {{"group", "billing"}, {"partition", "1"}}),
            0);
  EXPECT_EQ(s.Value("failwatch_kafka_group_partition_lag",
                    {{"group", "billing"}, {"partition", "2"}}),
            5);
  EXPECT_EQ(s.Value("failwatch_kafka_partition_high_watermark",
                    {{"topic", "orders"}, {"partition", "1"}}),
            5);

  for (int p = 0; p < 3; ++p) app.Commit("billing", "orders", p, 5);
  s = SampleOnce(*c);
  g = s.obs()->FindGroup("billing");
  EXPECT_EQ(g->lag_sum, 0);
  EXPECT_EQ(g->lag_seconds_max, 0.0);
  EXPECT_EQ(g->status, ConsumerStatus::kOk);
  EXPECT_EQ(s.Value("failwatch_kafka_group_lag", {{"group", "billing"}}), 0);
  EXPECT_EQ(s.Value("failwatch_kafka_group_status",
                    {{"group", "billing"}, {"status", "OK"}}),
            1);
}

TEST(KafkaIntegrationTest, SameCommitWhileProducingIsStall) {
  MockCluster mc({"stall:1"});
  App app(mc.bootstraps());
  auto c =
      MakeKafkaCollector(WithGroups(mc.Config(), {"stuck"}), TestOptions());
  app.Produce("stall", 0, 10);
  Sampled s;
  // Until the samples' own times cover the 1.5 s window (plus a spacing),
  // not for a fixed wall time: on a loaded machine fewer, slower samples
  // covered too little of it and the answer was a correct "too little
  // history" OK.
  std::optional<WallTime> first;
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < give_up) {
    app.Produce("stall", 0, 1);
    app.Commit("stuck", "stall", 0, 5);  // the consumer keeps committing 5
    s = SampleOnce(*c);
    ASSERT_FALSE(s.out.error.has_value());
    if (!first) first = s.obs()->at;
    if (s.obs()->at - *first >= milliseconds(2100)) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(StatusOf(s, "stuck"), ConsumerStatus::kStall);
  EXPECT_EQ(s.Value("failwatch_kafka_group_status",
                    {{"group", "stuck"}, {"status", "STALL"}}),
            1);
  EXPECT_EQ(s.Value("failwatch_kafka_group_partition_status_code",
                    {{"group", "stuck"}, {"partition", "0"}}),
            2);
}

TEST(KafkaIntegrationTest, IdleTopicStaysOk) {
  MockCluster mc({"idle:2"});
  App app(mc.bootstraps());
  app.Produce("idle", 0, 10);
  app.Commit("quiet", "idle", 0, 10);
  auto c =
      MakeKafkaCollector(WithGroups(mc.Config(), {"quiet"}), TestOptions());
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(2000);
  while (std::chrono::steady_clock::now() < until) {
    auto s = SampleOnce(*c);
    ASSERT_EQ(StatusOf(s, "quiet"), ConsumerStatus::kOk);
    std::this_thread::sleep_for(milliseconds(150));
  }
}

TEST(KafkaIntegrationTest, OlderCommitIsRewind) {
  MockCluster mc({"rw:1"});
  App app(mc.bootstraps());
  app.Produce("rw", 0, 20);
  app.Commit("replayer", "rw", 0, 15);
  auto c =
      MakeKafkaCollector(WithGroups(mc.Config(), {"replayer"}), TestOptions());
  EXPECT_EQ(StatusOf(SampleOnce(*c), "replayer"), ConsumerStatus::kOk);
  app.Commit("replayer", "rw", 0, 4);
  auto s = SampleOnce(*c);
  EXPECT_EQ(StatusOf(s, "replayer"), ConsumerStatus::kRewind);
  EXPECT_EQ(s.obs()->FindGroup("replayer")->lag_sum, 16);
}

TEST(KafkaIntegrationTest, GroupWithoutMembersKeepsItsLag) {
  MockCluster mc({"left:1"});
  App app(mc.bootstraps());
  app.Produce("left", 0, 30);
  // Committed by a consumer that is gone: the group has no members.
  app.Commit("gone", "left", 0, 12);
  auto c = MakeKafkaCollector(WithGroups(mc.Config(), {"gone"}), TestOptions());
  for (int i = 0; i < 5; ++i) {
    auto s = SampleOnce(*c);
    ASSERT_NE(s.obs()->FindGroup("gone"), nullptr);
    EXPECT_EQ(s.obs()->FindGroup("gone")->lag_sum, 18);
    EXPECT_EQ(s.Value("failwatch_kafka_group_partition_committed_offset",
                      {{"group", "gone"}}),
              12);
    std::this_thread::sleep_for(milliseconds(50));
  }
}

// A producer keeps writing 10 messages per partition per step while the
// group's commits advance by 3: the published rates show production ahead
// of consumption and the lag growing steadily. Then production stops and
// the commits catch up: consumption ahead, a drain estimate, not growing.
// The rates are compared with each other, never with a speed: no
// assertion depends on how long a step takes.
TEST(KafkaIntegrationTest, RatesShowAConsumerFallingBehindThenDraining) {
  MockCluster mc({"rates:2"});
  App app(mc.bootstraps());
  std::int64_t produced = 0, committed = 0;
  for (int p = 0; p < 2; ++p) app.Commit("slow", "rates", p, 0);
  KafkaOptions o = TestOptions();
  o.rate_window = milliseconds(1500);
  o.stopped_after = milliseconds(1000);
  auto c = MakeKafkaCollector(WithGroups(mc.Config(), {"slow"}), o);
  auto step = [&](int produce, int commit) {
    produced += produce;
    committed = std::min(produced, committed + commit);
    for (int p = 0; p < 2; ++p) {
      if (produce > 0) app.Produce("rates", p, produce);
      app.Commit("slow", "rates", p, committed);
    }
    auto s = SampleOnce(*c);
    EXPECT_FALSE(s.out.error.has_value());
    std::this_thread::sleep_for(milliseconds(100));
    return s;
  };
  Sampled s;
  const auto until = std::chrono::steady_clock::now() + milliseconds(3000);
  while (std::chrono::steady_clock::now() < until) s = step(10, 3);
  const GroupState* g = s.obs()->FindGroup("slow");
  ASSERT_TRUE(g && g->rates);
  const GroupRates& r = *g->rates;
  ASSERT_TRUE(r.window_covered);
  EXPECT_GT(r.produce_rate, r.consume_rate);
  EXPECT_GT(r.consume_rate, 0);
  EXPECT_TRUE(r.lag_growing);
  EXPECT_FALSE(r.stopped);
  EXPECT_FALSE(r.drain_seconds.has_value());
  EXPECT_GT(*s.Value("failwatch_kafka_group_produced_messages_per_second",
                     {{"group", "slow"}}),
            *s.Value("failwatch_kafka_group_consumed_messages_per_second",
                     {{"group", "slow"}}));
  EXPECT_FALSE(
      s.Value("failwatch_kafka_group_drain_seconds", {{"group", "slow"}}));
  EXPECT_TRUE(s.Value("failwatch_kafka_group_last_progress_timestamp_seconds",
                      {{"group", "slow"}}));

  // Production stops; the consumer reads 20 a step until caught up.
  bool drain_seen = false;
  for (int i = 0; i < 40 && committed < produced; ++i) {
    s = step(0, 20);
    const GroupRates& d = *s.obs()->FindGroup("slow")->rates;
    if (d.drain_seconds && s.obs()->FindGroup("slow")->lag_sum > 0) {
      drain_seen = true;
      EXPECT_TRUE(
          s.Value("failwatch_kafka_group_drain_seconds", {{"group", "slow"}}));
    }
  }
  EXPECT_TRUE(drain_seen);
  EXPECT_EQ(s.obs()->FindGroup("slow")->lag_sum, 0);
  EXPECT_FALSE(s.obs()->FindGroup("slow")->rates->lag_growing);
}

// librdkafka 2.0.2's use-after-free after the mock's unsupported
// DescribeConsumerGroups ends in the admin worker one of two ways, by the
// allocator: with glibc's default the freed mutex wedges the discovery
// handle (the worker reports it and is replaced: "wedged"); under ASan's
// allocator (and glibc with the tcache off) the refcount assertion aborts
// the worker on librdkafka's own thread right after it answered
// ("crashed"; the next request finds it dead). Either way exactly one
// worker is lost, and this process, the daemon's side, must stay up with
// every sample on time, no collector error and the lag back next sample.
TEST(KafkaIntegrationTest, WedgingDescribeIsSurvived) {
  ExpectedChildCrash child_crash_is_expected;
  MockCluster mc({"w:2"});
  App app(mc.bootstraps());
  app.Produce("w", 0, 7);
  app.Commit("wg", "w", 0, 2);
  KafkaOptions o = TestOptions();
  o.group_discovery = true;
  o.discovery_interval = Millis(0);
  o.discovery_budget_share = 0.4;
  auto c = MakeKafkaCollector(WithGroups(mc.Config(), {"wg"}), o);
  const Millis timeout(1500);
  // 1: listing answers "unsupported", Describe answers "unsupported" and
  // wedges the discovery handle (or aborts the worker just after).
  auto s1 = SampleOnce(*c, timeout);
  // 2: wedge: listing gets no answer at all: the handle is replaced and
  // the worker with it. Abort: the committed offsets find the worker dead.
  auto s2 = SampleOnce(*c, timeout);
  // 3: a fresh worker answers again (Describe is backed off).
  auto s3 = SampleOnce(*c, timeout);
  std::printf("[ measure ] wedge: sample seconds %.3f %.3f %.3f\n", s1.seconds,
              s2.seconds, s3.seconds);
  auto restarts = [&](const char* reason) {
    return s3
        .Value("failwatch_kafka_admin_worker_restarts_total",
               {{"reason", reason}})
        .value_or(0);
  };
  const bool wedged = restarts("wedged") == 1;
  const bool crashed = restarts("crashed") == 1;
  std::printf("[ measure ] wedge: worker lost as %s\n", wedged    ? "wedged"
                                                        : crashed ? "crashed"
                                                                  : "neither");
  ASSERT_NE(wedged, crashed) << "exactly one worker lost, one way";
  for (const char* other :
       {"timeout", "protocol", "spawn_failed", wedged ? "crashed" : "wedged"}) {
    EXPECT_EQ(restarts(other), 0) << other;
  }
  for (const Sampled* s : {&s1, &s2, &s3}) {
    EXPECT_LT(s->seconds, 1.5);
    ASSERT_FALSE(s->out.error.has_value()) << s->out.error->ToString();
    EXPECT_FALSE(s->obs()->group_listing_supported);
  }
  // The abort comes on librdkafka's thread just before or just after the
  // worker's discovery answer in sample 1. After: sample 2's committed
  // offsets find the worker dead and that request's groups get the error
  // as a value. Every other sample has the lag.
  for (const Sampled* s : {&s1, &s2, &s3}) {
    const GroupState* g = s->obs()->FindGroup("wg");
    ASSERT_NE(g, nullptr);
    if (crashed && s == &s2 && g->error.has_value()) {
      EXPECT_EQ(g->error->code, "admin_worker") << g->error->ToString();
      EXPECT_EQ(g->status, ConsumerStatus::kErr);
      continue;
    }
    EXPECT_FALSE(g->error.has_value()) << g->error->ToString();
    EXPECT_EQ(g->lag_sum, 5);
  }
  // Only the wedge replaces a discovery handle (the worker reports it and
  // goes); the abort leaves none behind.
  const double replaced = wedged ? 1 : 0;
  EXPECT_EQ(s1.Value("failwatch_kafka_discovery_handles_replaced_total", {}),
            0);
  EXPECT_EQ(s2.Value("failwatch_kafka_discovery_handles_replaced_total", {}),
            replaced);
  EXPECT_EQ(s3.Value("failwatch_kafka_discovery_handles_replaced_total", {}),
            replaced);
  EXPECT_LT(s3.seconds, 0.5);  // no timeout on the fresh worker
  // The wedged handle's worker was replaced, not left with the handle's
  // threads pinned (admin_worker_client.h).
  EXPECT_EQ(s3.Value("failwatch_kafka_discovery_handles_abandoned", {}), 0);
  // The state is unknown, so no state series rather than a guess.
  EXPECT_FALSE(s3.Value("failwatch_kafka_group_state", {{"group", "wg"}}));
}

TEST(KafkaIntegrationTest, DeadClusterFailsWithinDeadline) {
  MockCluster mc({"d:2"});
  App app(mc.bootstraps());
  app.Produce("d", 0, 3);
  app.Commit("dg", "d", 0, 1);
  auto c = MakeKafkaCollector(WithGroups(mc.Config(), {"dg"}), TestOptions());
  ASSERT_FALSE(SampleOnce(*c).out.error.has_value());
  mc.Kill(SIGKILL);
  for (int i = 0; i < 2; ++i) {
    auto s = SampleOnce(*c, milliseconds(800));
    ASSERT_TRUE(s.out.error.has_value());
    EXPECT_LT(s.seconds, 0.8);  // before the deadline, not at it
    EXPECT_EQ(StatusOf(s, "dg"), ConsumerStatus::kErr);
    EXPECT_EQ(s.Value("failwatch_kafka_group_status",
                      {{"group", "dg"}, {"status", "ERR"}}),
              1);
    std::printf("[ measure ] dead cluster: sample %.3f s, error %s\n",
                s.seconds, s.out.error->ToString().c_str());
  }
}

// A dead cluster: the data handle is reset after 3 failed samples, then
// not again before a backoff that doubles per reset (data_handle_reset.h),
// in ctx.clock's time: frozen here, so only the clock's advance allows the
// second reset.
TEST(KafkaIntegrationTest, DeadClusterResetsTheDataHandleWithBackoff) {
  MockCluster mc({"r:1"});
  App app(mc.bootstraps());
  app.Produce("r", 0, 3);
  app.Commit("rg", "r", 0, 1);
  auto c = MakeKafkaCollector(WithGroups(mc.Config(), {"rg"}), TestOptions());
  FakeClock clock;
  auto sample = [&](Millis timeout = Millis(300)) {
    SampleContext ctx;
    ctx.clock = &clock;
    ctx.now = clock.Wall();
    // The budget on the fake clock; the reads still wait in real time.
    ctx.deadline = clock.Steady() + timeout;
    Sampled s;
    s.out = c->Sample(ctx);
    return s;
  };
  auto resets = [](const Sampled& s) {
    return s.Value("failwatch_kafka_data_handle_resets_total", {}).value_or(-1);
  };
  auto backoff = [](const Sampled& s) {
    return s.Value("failwatch_kafka_data_handle_reset_backoff_seconds", {})
        .value_or(-1);
  };
  // Time for the first sample to start the admin worker (slow under ASan).
  Sampled s = sample(Millis(3000));
  ASSERT_FALSE(s.out.error.has_value()) << s.out.error->ToString();
  EXPECT_EQ(resets(s), 0);
  EXPECT_EQ(backoff(s), 0);
  mc.Kill(SIGKILL);
  for (int i = 1; i <= 2; ++i) {
    s = sample();
    ASSERT_TRUE(s.out.error.has_value());
    EXPECT_EQ(resets(s), 0) << "failure " << i;
  }
  s = sample();
  EXPECT_EQ(resets(s), 1);
  // 2 x the sample's budget (300 ms on the fake clock).
  EXPECT_GT(backoff(s), 0.5);
  EXPECT_LE(backoff(s), 0.6);
  for (int i = 4; i <= 8; ++i) {
    s = sample();
    ASSERT_TRUE(s.out.error.has_value());
    EXPECT_EQ(resets(s), 1) << "failure " << i << ": inside the backoff";
  }
  clock.Advance(std::chrono::seconds(1));
  s = sample();
  EXPECT_EQ(resets(s), 2);
  EXPECT_GT(backoff(s), 1.0);
  EXPECT_LE(backoff(s), 1.2);
}

// Lag in seconds against known produce times: one message every ~30 ms,
// the collector sampling every ~60 ms, then five groups committed at
// different offsets are compared with when those records were produced.
TEST(KafkaIntegrationTest, LagSecondsMatchesProduceTimes) {
  MockCluster mc({"lat:1"});
  App app(mc.bootstraps());
  std::vector<std::string> groups = {"lat0", "lat1", "lat2", "lat3", "lat4"};
  KafkaOptions o = TestOptions();
  auto c = MakeKafkaCollector(WithGroups(mc.Config(), groups), o);
  std::vector<WallTime> produced;  // by offset
  const Clock& clock = SystemClock::Get();
  for (int i = 0; i < 40; ++i) {
    const WallTime before = clock.Wall();
    app.Produce("lat", 0, 1);
    produced.push_back(before + (clock.Wall() - before) / 2);
    if (i % 2 == 1) SampleOnce(*c);
    std::this_thread::sleep_for(milliseconds(25));
  }
  const std::int64_t offsets[] = {5, 12, 20, 27, 33};
  for (std::size_t i = 0; i < groups.size(); ++i) {
    app.Commit(groups[i], "lat", 0, offsets[i]);
  }
  std::this_thread::sleep_for(milliseconds(200));
  auto s = SampleOnce(*c);
  const WallTime now = s.obs()->at;
  double max_err = 0, sum_err = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto* p = s.obs()->FindGroup(groups[i])->Find("lat", 0);
    ASSERT_NE(p, nullptr);
    ASSERT_TRUE(p->lag_seconds.has_value());
    EXPECT_FALSE(p->lag_seconds_lower_bound);
    const double truth = ToSeconds(now - produced[offsets[i]]);
    const double err = *p->lag_seconds - truth;
    max_err = std::max(max_err, std::abs(err));
    sum_err += std::abs(err);
    std::printf(
        "[ measure ] lag_seconds offset=%lld interpolated=%.3f true=%.3f "
        "error=%+.3f\n",
        static_cast<long long>(offsets[i]), *p->lag_seconds, truth, err);
  }
  std::printf("[ measure ] lag_seconds error: max %.3f s, mean %.3f s\n",
              max_err, sum_err / groups.size());
  // Resolution is one sampling interval (~60-80 ms here).
  EXPECT_LT(max_err, 0.15);
}

// Right after a start there is no end-offset history to interpolate from:
// only reading the record at the committed offset gives the backlog's age.
TEST(KafkaIntegrationTest, LagSecondsFromTheRecordAtTheCommittedOffset) {
  MockCluster mc({"aged:1"});
  App app(mc.bootstraps());
  const std::int64_t now_ms = NowMs();
  // Offsets 0..4 produced 50, 40, 30, 20, 10 s ago.
  for (int i = 0; i < 5; ++i) {
    app.ProduceRecord("aged", 0, now_ms - (50 - 10 * i) * 1000);
  }
  app.Commit("old", "aged", 0, 1);    // waits on the record from 40 s ago
  app.Commit("newer", "aged", 0, 3);  // 20 s ago
  KafkaOptions o = TestOptions();
  o.lag_timestamp_reads = 10;
  auto c = MakeKafkaCollector(WithGroups(mc.Config(), {"old", "newer"}), o);
  auto s = SampleOnce(*c);
  const std::int64_t after_ms = NowMs();
  ASSERT_FALSE(s.out.error.has_value()) << s.out.error->ToString();
  const WallTime now = s.obs()->at;
  for (const auto& [group, offset, age] :
       {std::tuple<const char*, int, double>{"old", 1, 40}, {"newer", 3, 20}}) {
    const auto* p = s.obs()->FindGroup(group)->Find("aged", 0);
    ASSERT_NE(p, nullptr) << group;
    ASSERT_TRUE(p->lag_seconds.has_value()) << group;
    EXPECT_FALSE(p->lag_seconds_lower_bound) << group;
    const double truth = ToSeconds(
        now - WallTime(milliseconds(now_ms - (50 - 10 * offset) * 1000)));
    std::printf(
        "[ measure ] lag_seconds from record: group=%s %.3f s, "
        "true %.3f s\n",
        group, *p->lag_seconds, truth);
    EXPECT_NEAR(*p->lag_seconds, truth, 0.01) << group;
    SCOPED_TRACE(group);
    ExpectAgeOfRecordAt(*p->lag_seconds,
                        now_ms - static_cast<std::int64_t>(age * 1000), now_ms,
                        after_ms);
  }
  // Off (the default): the first sample has no basis for an exact value.
  auto off =
      MakeKafkaCollector(WithGroups(mc.Config(), {"old"}), TestOptions());
  auto s2 = SampleOnce(*off);
  const auto* p = s2.obs()->FindGroup("old")->Find("aged", 0);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(!p->lag_seconds || p->lag_seconds_lower_bound ||
              *p->lag_seconds < 1.0);
}

// Counts ListOffsets requests in librdkafka's protocol debug log.
class CountingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  int list_offsets = 0;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    if (text.find("Sent ListOffsetsRequest") != std::string_view::npos) {
      ++list_offsets;
    }
  }
  void flush_() override {}
};

// A data handle whose ListOffsets requests are counted (librdkafka's
// protocol debug log into a CountingSink) and the cluster's partitions.
class CountedHandle {
 public:
  explicit CountedHandle(const MockCluster& mc) {
    KafkaClusterConfig cfg = mc.Config();
    cfg.properties["debug"] = Secret("protocol");
    logger_ = spdlog::default_logger();
    old_level_ = logger_->level();
    logger_->sinks().push_back(sink);
    logger_->set_level(spdlog::level::debug);
    auto h = CreateHandle(cfg, HandleRole::kData);
    EXPECT_TRUE(h.ok());
    if (!h.ok()) return;
    rk = std::move(h).value();
    auto md = ReadMetadata(rk.get(), deadline);
    EXPECT_TRUE(md.ok());
    if (!md.ok()) return;
    brokers = md->brokers.size();
    for (const auto& p : md->partitions) parts.push_back(p.tp);
  }
  ~CountedHandle() { StopCounting(); }
  void StopCounting() {
    if (!logger_) return;
    logger_->sinks().pop_back();
    logger_->set_level(old_level_);
    logger_.reset();
  }

  std::shared_ptr<CountingSink> sink = std::make_shared<CountingSink>();
  const SteadyTime deadline =
      std::chrono::steady_clock::now() + milliseconds(5000);
  RdKafkaPtr rk;
  std::size_t brokers = 0;
  std::vector<TopicPartition> parts;

 private:
  std::shared_ptr<spdlog::logger> logger_;
  spdlog::level::level_enum old_level_{};
};

TEST(KafkaIntegrationTest, BatchedWatermarksUseOneRequestPerLeader) {
  MockCluster mc({"wide:24"});
  CountedHandle h(mc);
  ASSERT_TRUE(h.rk);
  auto& sink = h.sink;
  auto& parts = h.parts;
  const auto deadline = h.deadline;
  rd_kafka_t* rk = h.rk.get();
  ASSERT_EQ(parts.size(), 24u);

  auto timed = [&](auto read) {
    sink->list_offsets = 0;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = read();
    const double secs = ToSeconds(std::chrono::steady_clock::now() - t0);
    EXPECT_TRUE(r.ok());
    return std::make_pair(sink->list_offsets, secs);
  };
  auto [batched, batched_s] =
      timed([&] { return ReadWatermarksBatched(rk, parts, {}, deadline); });
  auto [single, single_s] =
      timed([&] { return ReadWatermarksPerPartition(rk, parts, deadline); });
  h.StopCounting();
  std::printf(
      "[ measure ] watermarks of %zu partitions on %zu brokers: batched %d "
      "ListOffsets requests (%.4f s), per-partition %d (%.4f s)\n",
      parts.size(), h.brokers, batched, batched_s, single, single_s);
  EXPECT_LE(batched, 2 * static_cast<int>(h.brokers));
  EXPECT_GT(batched, 0);
  EXPECT_GE(single, 2 * static_cast<int>(parts.size()));
}

// Slices read from several threads give the per-partition answer, with two
// ListOffsets per leader and slice.
TEST(KafkaIntegrationTest, SlicedParallelWatermarksMatchPerPartitionReads) {
  MockCluster mc({"wide:24"});
  App app(mc.bootstraps());
  for (int p = 0; p < 24; ++p) app.Produce("wide", p, p % 4);
  CountedHandle h(mc);
  ASSERT_TRUE(h.rk);
  auto& sink = h.sink;
  auto& parts = h.parts;
  const auto deadline = h.deadline;
  rd_kafka_t* rk = h.rk.get();
  sink->list_offsets = 0;
  auto sliced = ReadWatermarksBatched(rk, parts, {5, 3}, deadline);
  const int sliced_requests = sink->list_offsets;
  h.StopCounting();
  auto single = ReadWatermarksPerPartition(rk, parts, deadline);
  ASSERT_TRUE(sliced.ok()) << sliced.error().ToString();
  ASSERT_TRUE(single.ok());
  ASSERT_EQ(sliced->size(), 24u);
  for (const auto& [tp, w] : *single) {
    const Watermark& s = sliced->at(tp);
    EXPECT_EQ(s.low, w.low) << tp.partition;
    EXPECT_EQ(s.high, w.high) << tp.partition;
    EXPECT_EQ(*s.high, tp.partition % 4) << tp.partition;
  }
  // 5 slices, each two calls, each call one request per leader (≤ 3).
  EXPECT_GE(sliced_requests, 10);
  EXPECT_LE(sliced_requests, 30);
}

}  // namespace
}  // namespace failwatch
