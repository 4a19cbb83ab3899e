#include "kafka/kafka_tracker.h"

#include <gtest/gtest.h>

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
  for (auto& g : groups) c.groups.push_back({g, {}, ""});
  c.discover_groups = std::move(discover);
  return c;
}

struct Fixture {
  explicit Fixture(KafkaClusterConfig c, KafkaOptions o = {}) {
    auto t = KafkaTracker::Create(c, o);
    EXPECT_TRUE(t.ok());
    tracker = std::move(t).value();
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
      CommittedOffsets offs;
      auto g = commits.find(req.group);
      for (const auto& tp : req.partitions) {
        CommittedOffset c;
        if (g != commits.end() && g->second.contains(tp)) {
          c.offset = g->second.at(tp);
        }
        offs[tp] = c;
      }
      in.committed.emplace(req.group, std::move(offs));
    }
    return tracker->Update(in);
  }
  std::unique_ptr<KafkaTracker> tracker;
  std::vector<CommittedRequest> plan;
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

TEST(KafkaTrackerTest, ProbesAllTopicsThenOnlyConsumedOnes) {
  KafkaOptions o;
  o.topic_probe_interval = minutes(5);
  Fixture f(Cluster({"billing"}), o);
  auto md = Meta({{"orders", 2}, {"audit", 1}, {"__consumer_offsets", 3}});
  f.Sample(kT0, md, {}, {{"billing", {{{"orders", 1}, 0}}}});
  ASSERT_EQ(f.plan.size(), 1u);
  EXPECT_EQ(f.plan[0].partitions.size(), 3u);  // internal topic filtered
  f.Sample(kT0 + seconds(1), md, {}, {{"billing", {{{"orders", 1}, 0}}}});
  EXPECT_EQ(f.plan[0].partitions.size(), 2u);  // orders only
  // A new topic triggers a probe before the interval is up.
  auto md2 = Meta({{"orders", 2}, {"audit", 1}, {"payments", 1}});
  f.Sample(kT0 + seconds(2), md2, {}, {{"billing", {{{"orders", 1}, 0}}}});
  EXPECT_EQ(f.plan[0].partitions.size(), 4u);
  f.Sample(kT0 + minutes(6), md2, {}, {{"billing", {{{"orders", 1}, 0}}}});
  EXPECT_EQ(f.plan[0].partitions.size(), 4u);
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

TEST(KafkaTrackerTest, BadRegexIsAnError) {
  auto t = KafkaTracker::Create(Cluster({}, "(["), KafkaOptions{});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, "bad_regex");
}

TEST(KafkaTrackerTest, DltReprocessGroupIsTracked) {
  KafkaClusterConfig c = Cluster({});
  c.groups.push_back({"billing", {"orders.DLT"}, "billing-dlt"});
  Fixture f(c);
  auto obs = f.Sample(kT0, Meta({{"orders.DLT", 1}}), {{{"orders.DLT", 0}, 7}},
                      {{"billing-dlt", {{{"orders.DLT", 0}, 3}}}});
  ASSERT_NE(obs->FindGroup("billing-dlt"), nullptr);
  EXPECT_EQ(obs->FindGroup("billing-dlt")->lag_sum, 4);
}

}  // namespace
}  // namespace failwatch
