#include "kafka/kafka_tracker.h"

#include <gtest/gtest.h>

#include "kafka/fetch_chunks.h"

namespace failwatch {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const WallTime kT0 = WallTime(seconds(1'700'000'000));

ClusterMetadata Meta(std::vector<std::pair<std::string, int>> topics) {
  ClusterMetadata md;
  md.brokers = {1, 2, 3};
  for (const auto& [t, n] : topics) {
    for (int p = 0; p < n; ++p) md.partitions.push_back({{t, p}, 1 + p % 3});
  }
  return md;
}

KafkaClusterConfig Cluster(std::vector<std::string> groups,
                           std::string discover = "") {
  KafkaClusterConfig c;
  c.name = "lab";
  for (auto& g : groups) c.groups.push_back({g, {}, "", {}});
  if (!discover.empty()) c.discover_groups = Regex::Compile(discover).value();
  return c;
}

struct Fixture {
  explicit Fixture(KafkaClusterConfig c, KafkaOptions o = {}) {
    tracker = KafkaTracker::Create(c, o);
  }
  // One sample: every partition of `md` at (low 0, high), and the commits
  // in `commits` for each planned group.
  std::shared_ptr<const KafkaObservation> Sample(
      WallTime now, const ClusterMetadata& md,
      const std::map<TopicPartition, std::int64_t>& high,
      const std::map<std::string, std::map<TopicPartition, std::int64_t>>&
          commits,
      const DiscoveryView& view = {}) {
    SampleReadings in;
    in.now = now;
    in.metadata = md;
    in.discovery = view;
    for (const auto& p : md.partitions) {
      auto h = high.find(p.tp);
      in.watermarks[p.tp] = {0, h == high.end() ? 0 : h->second, ""};
    }
    plan = tracker->PlanFetch(md, view, now);
    for (const auto& req : plan) {
      in.committed.emplace(req.group, Answer(req, commits));
    }
    follow_up = tracker->PlanProbeFollowUp(in.committed);
    for (const auto& req : follow_up) {
      in.committed.insert_or_assign(req.group, Answer(req, commits));
    }
    return tracker->Update(in);
  }
  // What a broker answers: explicit lists row by row; a NULL list (kAll)
  // with the committed partitions, or nothing like the librdkafka mock
  // when !all_fetch_works; probes keep only topics with a commit, as the
  // reader does.
  CommittedOffsets Answer(
      const CommittedRequest& req,
      const std::map<std::string, std::map<TopicPartition, std::int64_t>>&
          commits) const {
    CommittedOffsets offs;
    auto g = commits.find(req.group);
    if (req.kind == FetchKind::kAll) {
      if (all_fetch_works && g != commits.end()) {
        for (const auto& [tp, off] : g->second) offs[tp].offset = off;
      }
      return offs;
    }
    for (const auto& tp : req.partitions) {
      CommittedOffset c;
      if (g != commits.end() && g->second.contains(tp)) {
        c.offset = g->second.at(tp);
      }
      offs[tp] = c;
    }
    if (req.kind == FetchKind::kProbe) KeepCommittedTopics(offs);
    return offs;
  }
  std::unique_ptr<KafkaTracker> tracker;
  std::vector<CommittedRequest> plan;
  std::vector<CommittedRequest> follow_up;
  bool all_fetch_works = true;
};

TEST(KafkaTrackerTest, LagWithAndWithoutCommit) {
  Fixture f(Cluster({"billing"}));
  auto md = Meta({{"orders", 2}});
  auto obs = f.Sample(kT0, md, {{{"orders", 0}, 100}, {{"orders", 1}, 40}},
                      {{"billing", {{{"orders", 0}, 70}}}});
  const GroupState* g = obs->FindGroup("billing");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->partitions.size(), 2u);
  EXPECT_EQ(g->partitions[0].committed, 70);
  EXPECT_EQ(g->partitions[0].lag, 30);
  // Partition 1 never committed: lag from the low watermark, and the
  // absence is explicit.
  EXPECT_FALSE(g->partitions[1].committed.has_value());
  EXPECT_EQ(g->partitions[1].lag, 40);
  EXPECT_EQ(g->lag_sum, 70);
  EXPECT_EQ(g->lag_max, 40);
  EXPECT_EQ(g->topics, std::vector<std::string>{"orders"});
}

// A broker that answers NULL lists with nothing (the librdkafka mock): a
// NULL-list fetch, then explicit probes, then the consumed topics only.
TEST(KafkaTrackerTest, ProbesAllTopicsThenOnlyConsumedOnes) {
  KafkaOptions o;
  o.topic_probe_interval = minutes(5);
  Fixture f(Cluster({"billing"}), o);
  f.all_fetch_works = false;
  const std::map<std::string, std::map<TopicPartition, std::int64_t>> commits =
      {{"billing", {{{"orders", 1}, 0}}}};
  auto md = Meta({{"orders", 2}, {"audit", 1}, {"__consumer_offsets", 3}});
  auto obs = f.Sample(kT0, md, {}, commits);
  ASSERT_EQ(f.plan.size(), 1u);
  EXPECT_EQ(f.plan[0].kind, FetchKind::kAll);
  // Empty, so an explicit probe follows in the same sample.
  ASSERT_EQ(f.follow_up.size(), 1u);
  EXPECT_EQ(f.follow_up[0].kind, FetchKind::kProbe);
  EXPECT_EQ(f.follow_up[0].partitions.size(), 3u);  // internal topic filtered
  // The probe found a commit the NULL list did not return.
  EXPECT_EQ(f.tracker->all_fetch_state(), std::string("unsupported"));
  // Every partition of the consumed topic, the uncommitted one included.
  EXPECT_EQ(obs->FindGroup("billing")->partitions.size(), 2u);
  f.Sample(kT0 + seconds(2), md, {}, commits);
  EXPECT_EQ(f.plan[0].kind, FetchKind::kKnown);
  EXPECT_EQ(f.plan[0].partitions.size(), 2u);  // orders only
  EXPECT_TRUE(f.follow_up.empty());
  // A new topic triggers a probe before the interval is up, explicit at
  // once now that NULL lists are known not to work.
  auto md2 = Meta({{"orders", 2}, {"audit", 1}, {"payments", 1}});
  f.Sample(kT0 + seconds(3), md2, {}, commits);
  EXPECT_EQ(f.plan[0].kind, FetchKind::kProbe);
  EXPECT_EQ(f.plan[0].partitions.size(), 4u);
  f.Sample(kT0 + seconds(4), md2, {}, commits);
  EXPECT_EQ(f.plan[0].kind, FetchKind::kKnown);
  f.Sample(kT0 + minutes(6), md2, {}, commits);
  EXPECT_EQ(f.plan[0].kind, FetchKind::kProbe);
  EXPECT_EQ(f.plan[0].partitions.size(), 4u);
}

// A broker that answers NULL lists: one cheap request per probe, never an
// explicit one, and partitions without a commit still get rows.
TEST(KafkaTrackerTest, NullListFetchReplacesExplicitProbes) {
  Fixture f(Cluster({"billing", "idle"}));
  const std::map<std::string, std::map<TopicPartition, std::int64_t>> commits =
      {{"billing", {{{"orders", 0}, 5}}}};
  auto md = Meta({{"orders", 3}, {"audit", 2}});
  auto obs = f.Sample(kT0, md, {{{"orders", 0}, 9}}, commits);
  for (const auto& req : f.plan) {
    EXPECT_EQ(req.kind, FetchKind::kAll) << req.group;
    EXPECT_TRUE(req.partitions.empty());
  }
  EXPECT_EQ(f.tracker->all_fetch_state(), std::string("works"));
  ASSERT_EQ(obs->FindGroup("billing")->partitions.size(), 3u);
  EXPECT_EQ(obs->FindGroup("billing")->partitions[0].lag, 4);
  EXPECT_FALSE(obs->FindGroup("billing")->partitions[1].committed);
  // "idle" has no commit: with NULL lists known to work that is an answer,
  // not a reason for an explicit probe.
  f.Sample(kT0 + seconds(1), md, {}, commits);
  for (const auto& req : f.plan) EXPECT_NE(req.kind, FetchKind::kProbe);
  EXPECT_EQ(f.tracker->probe_partitions_total(), 0u);
}

// Explicit probes cost groups × partitions: a budget per sample spreads them
// over samples, the oldest (never probed first) at the front.
TEST(KafkaTrackerTest, ExplicitProbesStayWithinTheBudget) {
  KafkaOptions o;
  o.topic_probe_max_partitions = 10;  // two probes of 5 partitions
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) names.push_back("g" + std::to_string(i));
  Fixture f(Cluster(names), o);
  f.all_fetch_works = false;
  std::map<std::string, std::map<TopicPartition, std::int64_t>> commits;
  for (const auto& n : names) commits[n] = {{{"orders", 0}, 1}};
  auto md = Meta({{"orders", 3}, {"audit", 2}});
  std::set<std::string> probed;
  const int want_probes[] = {2, 2, 1};
  for (int s = 0; s < 3; ++s) {
    f.Sample(kT0 + seconds(s), md, {}, commits);
    int probes = 0;
    for (const auto* reqs : {&f.plan, &f.follow_up}) {
      for (const auto& req : *reqs) {
        if (req.kind != FetchKind::kProbe) continue;
        ++probes;
        EXPECT_TRUE(probed.insert(req.group).second) << req.group;
      }
    }
    EXPECT_EQ(probes, want_probes[s]) << "sample " << s;
    EXPECT_EQ(f.tracker->probes_pending(), 5u - probed.size())
        << "sample " << s;
  }
  // Every group then reads its consumed topic only.
  auto obs = f.Sample(kT0 + seconds(4), md, {}, commits);
  for (const auto& req : f.plan) {
    EXPECT_EQ(req.kind, FetchKind::kKnown);
    EXPECT_EQ(req.partitions.size(), 3u);
  }
  // A single probe bigger than the budget still runs (one per sample).
  o.topic_probe_max_partitions = 1;
  Fixture g(Cluster({"solo"}), o);
  g.all_fetch_works = false;
  g.Sample(kT0, md, {}, {});
  ASSERT_EQ(g.follow_up.size(), 1u);
  EXPECT_EQ(g.follow_up[0].kind, FetchKind::kProbe);
  EXPECT_EQ(g.follow_up[0].partitions.size(), 5u);
}

TEST(KafkaTrackerTest, ConfiguredTopicsAreNeverProbed) {
  auto c = Cluster({"billing"});
  c.groups[0].topics = {"orders"};
  Fixture f(c);
  f.all_fetch_works = false;
  auto md = Meta({{"orders", 2}, {"audit", 1}});
  for (int s = 0; s < 3; ++s) {
    auto obs = f.Sample(kT0 + minutes(6 * s), md, {{{"orders", 1}, 3}}, {});
    ASSERT_EQ(f.plan.size(), 1u);
    EXPECT_EQ(f.plan[0].kind, FetchKind::kKnown);
    EXPECT_EQ(f.plan[0].partitions.size(), 2u);
    // No commit yet: rows all the same, lag from the low watermark.
    ASSERT_EQ(obs->FindGroup("billing")->partitions.size(), 2u);
    EXPECT_EQ(obs->FindGroup("billing")->lag_sum, 3);
  }
}

TEST(KafkaTrackerTest, DeletedPartitionsAndTopicsDisappear) {
  Fixture f(Cluster({"billing"}));
  auto md = Meta({{"orders", 3}});
  auto obs = f.Sample(kT0, md, {}, {{"billing", {{{"orders", 0}, 0}}}});
  EXPECT_EQ(obs->FindGroup("billing")->partitions.size(), 3u);
  EXPECT_EQ(obs->partitions.size(), 3u);
  obs = f.Sample(kT0 + seconds(1), Meta({{"orders", 2}}), {},
                 {{"billing", {{{"orders", 0}, 0}}}});
  EXPECT_EQ(obs->FindGroup("billing")->partitions.size(), 2u);
  EXPECT_EQ(obs->FindPartition("orders", 2), nullptr);
  obs = f.Sample(kT0 + seconds(2), Meta({{"other", 1}}), {}, {});
  EXPECT_TRUE(obs->FindGroup("billing")->partitions.empty());
  EXPECT_TRUE(obs->FindGroup("billing")->topics.empty());
}

TEST(KafkaTrackerTest, DiscoveredEmptyGroupExpiresAfterTtl) {
  KafkaOptions o;
  o.empty_group_ttl = minutes(30);
  Fixture f(Cluster({"billing"}, "app-.*"), o);
  auto md = Meta({{"orders", 1}});
  DiscoveryView view;
  view.listing_supported = true;
  view.listed = std::set<std::string>{"billing", "app-a", "other"};
  view.described["app-a"] = {"Empty", 0, {}};
  view.described["billing"] = {"Empty", 0, {}};
  const std::map<std::string, std::map<TopicPartition, std::int64_t>> commits =
      {{"app-a", {{{"orders", 0}, 5}}}, {"billing", {{{"orders", 0}, 5}}}};
  auto obs = f.Sample(kT0, md, {{{"orders", 0}, 9}}, commits, view);
  ASSERT_NE(obs->FindGroup("app-a"), nullptr);
  EXPECT_EQ(obs->FindGroup("other"), nullptr);  // regex
  EXPECT_EQ(obs->FindGroup("app-a")->state, "Empty");
  EXPECT_EQ(obs->FindGroup("app-a")->members, 0);
  // No members: lag keeps being reported within the TTL...
  obs = f.Sample(kT0 + minutes(29), md, {{{"orders", 0}, 9}}, commits, view);
  ASSERT_NE(obs->FindGroup("app-a"), nullptr);
  EXPECT_EQ(obs->FindGroup("app-a")->lag_sum, 4);
  // ...and stops after it; configured groups stay.
  obs = f.Sample(kT0 + minutes(31), md, {{{"orders", 0}, 9}}, commits, view);
  EXPECT_EQ(obs->FindGroup("app-a"), nullptr);
  EXPECT_NE(obs->FindGroup("billing"), nullptr);
  // A deleted (no longer listed) discovered group disappears at once.
  view.listed = std::set<std::string>{"billing", "app-b"};
  obs = f.Sample(kT0 + minutes(32), md, {}, {}, view);
  EXPECT_NE(obs->FindGroup("app-b"), nullptr);
  view.listed = std::set<std::string>{"billing"};
  obs = f.Sample(kT0 + minutes(33), md, {}, {}, view);
  EXPECT_EQ(obs->FindGroup("app-b"), nullptr);
}

TEST(KafkaTrackerTest, StatusFromOwnSamples) {
  KafkaOptions o;
  o.status_window = minutes(10);
  o.status_points = 10;
  Fixture f(Cluster({"billing"}), o);
  auto md = Meta({{"orders", 1}});
  std::shared_ptr<const KafkaObservation> obs;
  for (int i = 0; i <= 11; ++i) {
    obs = f.Sample(kT0 + minutes(i), md, {{{"orders", 0}, 100 + 10 * i}},
                   {{"billing", {{{"orders", 0}, 50}}}});
  }
  EXPECT_EQ(obs->FindGroup("billing")->status, ConsumerStatus::kStall);
  obs = f.Sample(kT0 + minutes(12), md, {{{"orders", 0}, 300}},
                 {{"billing", {{{"orders", 0}, 40}}}});
  EXPECT_EQ(obs->FindGroup("billing")->status, ConsumerStatus::kRewind);
  // The lag in seconds comes from the end-offset history: offset 40 is
  // older than anything seen (100 at t0), so it is a flagged lower bound.
  const auto* p = obs->FindGroup("billing")->Find("orders", 0);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->lag_seconds_lower_bound);
  EXPECT_NEAR(*p->lag_seconds, 12 * 60, 1e-6);
}

TEST(KafkaTrackerTest, FailedClusterMakesGroupsErr) {
  Fixture f(Cluster({"billing"}));
  auto obs = f.tracker->UpdateFailed(
      MakeError(ErrorKind::kTimeout, "timeout", "metadata"), kT0, {});
  ASSERT_NE(obs->FindGroup("billing"), nullptr);
  EXPECT_EQ(obs->FindGroup("billing")->status, ConsumerStatus::kErr);
  EXPECT_TRUE(obs->error.has_value());
}

TEST(KafkaTrackerTest, GroupReadErrorIsErr) {
  Fixture f(Cluster({"billing"}));
  auto md = Meta({{"orders", 1}});
  f.Sample(kT0, md, {}, {{"billing", {{{"orders", 0}, 0}}}});
  SampleReadings in;
  in.now = kT0 + seconds(1);
  in.metadata = md;
  in.watermarks[{"orders", 0}] = {0, 5, ""};
  f.tracker->PlanFetch(md, {}, in.now);
  in.committed.emplace("billing",
                       MakeError(ErrorKind::kTimeout, "timeout", "x"));
  auto obs = f.tracker->Update(in);
  const GroupState* g = obs->FindGroup("billing");
  EXPECT_EQ(g->status, ConsumerStatus::kErr);
  ASSERT_EQ(g->partitions.size(), 1u);
  EXPECT_EQ(g->partitions[0].status, ConsumerStatus::kErr);
}

TEST(KafkaTrackerTest, DltReprocessGroupIsTracked) {
  KafkaClusterConfig c = Cluster({});
  c.groups.push_back({"billing", {"orders.DLT"}, "billing-dlt", {}});
  Fixture f(c);
  auto obs = f.Sample(kT0, Meta({{"orders.DLT", 1}}), {{{"orders.DLT", 0}, 7}},
                      {{"billing-dlt", {{{"orders.DLT", 0}, 3}}}});
  ASSERT_NE(obs->FindGroup("billing-dlt"), nullptr);
  EXPECT_EQ(obs->FindGroup("billing-dlt")->lag_sum, 4);
}

}  // namespace
}  // namespace failwatch

namespace failwatch {
namespace {

// Rates from the tracker's own samples: every 5 s, 20/s produced and 8/s
// committed on each of two partitions.
TEST(KafkaTrackerTest, RatesFromOwnSamples) {
  Fixture f(Cluster({"billing"}));
  auto md = Meta({{"orders", 2}});
  std::shared_ptr<const KafkaObservation> obs;
  for (int t = 0; t <= 90; t += 5) {
    obs = f.Sample(
        kT0 + seconds(t), md,
        {{{"orders", 0}, 20 * t}, {{"orders", 1}, 20 * t}},
        {{"billing", {{{"orders", 0}, 8 * t}, {{"orders", 1}, 8 * t}}}});
    const GroupState* g = obs->FindGroup("billing");
    ASSERT_TRUE(g && g->rates);
    EXPECT_EQ(g->rates->window_covered, t >= 60) << t;
  }
  const GroupRates& r = *obs->FindGroup("billing")->rates;
  EXPECT_NEAR(r.consume_rate, 16, 1e-9);
  EXPECT_NEAR(r.produce_rate, 40, 1e-9);
  EXPECT_TRUE(r.lag_growing);
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(r.last_progress, kT0 + seconds(90));
  EXPECT_EQ(r.lag_history.back().lag, 2 * 12 * 90);
}

// A partition appearing, and a commit going backwards on one partition
// while another moves forward by more (the sum still grows): both restart
// the rates instead of counting the jump.
TEST(KafkaTrackerTest, RatesRestartOnPartitionChangesAndRewinds) {
  Fixture f(Cluster({"billing"}));
  std::shared_ptr<const KafkaObservation> obs;
  auto sample = [&](int t, const ClusterMetadata& md,
                    std::map<TopicPartition, std::int64_t> commits) {
    std::map<TopicPartition, std::int64_t> high;
    for (const auto& p : md.partitions) high[p.tp] = 100'000 + 10 * t;
    obs = f.Sample(kT0 + seconds(t), md, high, {{"billing", commits}});
    return *obs->FindGroup("billing")->rates;
  };
  auto one = Meta({{"orders", 1}});
  auto two = Meta({{"orders", 2}});
  for (int t = 0; t <= 60; t += 5) sample(t, one, {{{"orders", 0}, 10 * t}});
  EXPECT_TRUE(sample(65, one, {{{"orders", 0}, 650}}).window_covered);
  GroupRates r = sample(70, two, {{{"orders", 0}, 700}, {{"orders", 1}, 0}});
  EXPECT_FALSE(r.window_covered);
  EXPECT_DOUBLE_EQ(r.covered_seconds, 0);
  for (int t = 75; t <= 130; t += 5) {
    r = sample(t, two,
               {{{"orders", 0}, 10 * t}, {{"orders", 1}, 10 * (t - 70)}});
  }
  EXPECT_TRUE(r.window_covered);
  EXPECT_NEAR(r.consume_rate, 20, 1e-9);
  // Partition 0 rewound by 100, partition 1 jumps 5000 ahead.
  r = sample(135, two, {{{"orders", 0}, 1200}, {{"orders", 1}, 6350}});
  EXPECT_FALSE(r.window_covered);
  EXPECT_EQ(r.consume_rate, 0);
}

}  // namespace
}  // namespace failwatch
