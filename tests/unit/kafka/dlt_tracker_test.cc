#include "kafka/dlt_tracker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace failwatch {
namespace {

using std::chrono::seconds;
using ::testing::IsEmpty;

const WallTime kT0 = WallTime(seconds(1'700'000'000));

KafkaClusterConfig Cluster(std::string reprocess = "") {
  KafkaClusterConfig c;
  c.name = "lab";
  c.groups.push_back({"billing", {}, std::move(reprocess), {}});
  return c;
}

ClusterMetadata Meta(const std::map<std::string, int>& topics) {
  ClusterMetadata md;
  for (const auto& [t, n] : topics) {
    for (int p = 0; p < n; ++p) md.partitions.push_back({{t, p}, 1});
  }
  return md;
}

// An observation where "billing" consumes orders and, optionally, a
// reprocessing group committed `committed` on orders.DLT partition 0.
KafkaObservation Obs(WallTime at, std::optional<std::int64_t> committed = {},
                     bool reprocess_error = false) {
  KafkaObservation obs;
  obs.cluster = "lab";
  obs.at = at;
  GroupState g;
  g.name = "billing";
  g.configured = true;
  g.topics = {"orders"};
  obs.groups["billing"] = g;
  GroupState r;
  r.name = "replay";
  r.configured = true;
  r.reprocess_only = true;
  if (reprocess_error) {
    r.error = MakeError(ErrorKind::kTimeout, "timeout", "t");
  } else if (committed) {
    r.topics = {"orders.DLT"};
    GroupPartitionState p;
    p.topic = "orders.DLT";
    p.partition = 0;
    p.committed = committed;
    r.partitions.push_back(p);
  }
  obs.groups["replay"] = r;
  return obs;
}

WatermarkMap Marks(std::int64_t low, std::int64_t high) {
  WatermarkMap w;
  w[{"orders", 0}] = {0, 100, ""};
  w[{"orders.DLT", 0}] = {low, high, ""};
  return w;
}

std::vector<RecordInfo> Records(std::int64_t from, std::int64_t to,
                                WallTime t_from) {
  std::vector<RecordInfo> out;
  for (std::int64_t o = from; o < to; ++o) {
    RecordInfo r;
    r.offset = o;
    r.timestamp = t_from + seconds(o - from);
    out.push_back(r);
  }
  return out;
}

TEST(DltTrackerTest, MissingWhenNoDltExists) {
  DltTracker t(Cluster(), KafkaOptions{});
  KafkaObservation obs = Obs(kT0);
  auto reads = t.Plan(obs, Meta({{"orders", 1}}), Marks(0, 0), true);
  EXPECT_THAT(reads, IsEmpty());
  EXPECT_TRUE(obs.dlts_evaluated);
  ASSERT_EQ(obs.dlt_missing.size(), 1u);
  EXPECT_EQ(obs.dlt_missing[0].expected_dlt, "orders.DLT");
  EXPECT_EQ(obs.dlt_missing[0].reason, "absent");
  EXPECT_THAT(obs.dlts, IsEmpty());
}

TEST(DltTrackerTest, DepthArrivalsTimestampsAndAges) {
  DltTracker t(Cluster("replay"), KafkaOptions{});
  const auto md = Meta({{"orders", 1}, {"orders.DLT", 1}});

  // Sample 1: 10 records already there, nobody reprocessed: depth 10, no
  // arrivals yet (the counter starts now); reads: newest (8..9) and the
  // oldest unhandled (0).
  KafkaObservation o1 = Obs(kT0);
  auto reads = t.Plan(o1, md, Marks(0, 10), true);
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].offset, 8);
  EXPECT_EQ(reads[0].max_records, 2);
  EXPECT_EQ(reads[1].offset, 0);
  EXPECT_EQ(reads[1].max_records, 1);
  const WallTime produced = kT0 - seconds(100);  // offset o at produced + o s
  t.Apply(o1, {Records(8, 10, produced + seconds(8)), Records(0, 1, produced)});
  const DltState& d1 = o1.dlts.at("orders.DLT");
  EXPECT_EQ(d1.unhandled, 10);
  EXPECT_EQ(d1.retained, 10);
  EXPECT_EQ(d1.records_total, 0u);
  EXPECT_FALSE(d1.last_arrival_seen.has_value());
  EXPECT_EQ(d1.newest_timestamp, produced + seconds(9));
  EXPECT_EQ(d1.oldest_unhandled_age_seconds, 100.0);
  EXPECT_EQ(d1.reprocess_group, "replay");
  ASSERT_EQ(d1.sources.size(), 1u);
  EXPECT_EQ(d1.sources[0].convention, "spring_dlt");

  // Sample 2: nothing moved: no reads, values kept.
  KafkaObservation o2 = Obs(kT0 + seconds(1));
  EXPECT_THAT(t.Plan(o2, md, Marks(0, 10), true), IsEmpty());
  t.Apply(o2, {});
  EXPECT_EQ(o2.dlts.at("orders.DLT").oldest_unhandled_age_seconds, 101.0);

  // Sample 3: 5 arrivals, the reprocessor committed 4: depth 11, oldest
  // jumps to offset 4, newest re-read.
  KafkaObservation o3 = Obs(kT0 + seconds(2), 4);
  reads = t.Plan(o3, md, Marks(0, 15), true);
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].offset, 13);
  EXPECT_EQ(reads[1].offset, 4);
  t.Apply(o3, {Records(13, 15, produced + seconds(13)),
               Records(4, 5, produced + seconds(4))});
  const DltState& d3 = o3.dlts.at("orders.DLT");
  EXPECT_EQ(d3.unhandled, 11);
  EXPECT_EQ(d3.records_total, 5u);
  EXPECT_EQ(d3.last_arrival_seen, kT0 + seconds(2));
  EXPECT_EQ(d3.newest_timestamp, produced + seconds(14));
  EXPECT_EQ(d3.oldest_unhandled_age_seconds, 98.0);  // 102 s - 4 s
  EXPECT_EQ(d3.partitions[0].reprocess_committed, 4);

  // Sample 4: all reprocessed: nothing unhandled, no age.
  KafkaObservation o4 = Obs(kT0 + seconds(3), 15);
  EXPECT_THAT(t.Plan(o4, md, Marks(0, 15), true), IsEmpty());
  t.Apply(o4, {});
  EXPECT_EQ(o4.dlts.at("orders.DLT").unhandled, 0);
  EXPECT_FALSE(o4.dlts.at("orders.DLT").oldest_unhandled_age_seconds);
}

TEST(DltTrackerTest, UnreadableReprocessorMakesDepthUnknown) {
  DltTracker t(Cluster("replay"), KafkaOptions{});
  KafkaObservation obs = Obs(kT0, {}, /*reprocess_error=*/true);
  t.Plan(obs, Meta({{"orders", 1}, {"orders.DLT", 1}}), Marks(0, 10), true);
  t.Apply(obs, {});
  const DltState& d = obs.dlts.at("orders.DLT");
  EXPECT_FALSE(d.unhandled.has_value());
  EXPECT_TRUE(d.reprocess_error.has_value());
  EXPECT_FALSE(d.oldest_unhandled_age_seconds.has_value());
}

TEST(DltTrackerTest, FailedReadLeavesAgeUnknownAndRetries) {
  DltTracker t(Cluster(), KafkaOptions{});
  const auto md = Meta({{"orders", 1}, {"orders.DLT", 1}});
  KafkaObservation o1 = Obs(kT0);
  auto reads = t.Plan(o1, md, Marks(0, 3), true);
  ASSERT_EQ(reads.size(), 2u);
  const Error e = MakeError(ErrorKind::kTimeout, "timeout", "t");
  t.Apply(o1, {e, e});
  EXPECT_FALSE(o1.dlts.at("orders.DLT").oldest_unhandled_age_seconds);
  EXPECT_TRUE(o1.dlts.at("orders.DLT").oldest_unhandled_age_partial);
  KafkaObservation o2 = Obs(kT0 + seconds(1));
  EXPECT_EQ(t.Plan(o2, md, Marks(0, 3), true).size(), 2u);
}

TEST(DltTrackerTest, HeaderCountsCoverNewRecordsOnce) {
  KafkaOptions o;
  o.dlt_read_headers = true;
  o.dlt_header_cardinality = 2;
  DltTracker t(Cluster(), o);
  const auto md = Meta({{"orders", 1}, {"orders.DLT", 1}});
  auto rec = [](std::int64_t off, const char* topic, const char* exc) {
    RecordInfo r;
    r.offset = off;
    r.timestamp = kT0;
    if (topic) r.original_topic = topic;
    if (exc) r.exception = exc;
    return r;
  };
  KafkaObservation o1 = Obs(kT0);
  auto reads = t.Plan(o1, md, Marks(0, 3), true);
  ASSERT_EQ(reads.size(), 1u);  // one read serves headers, newest, oldest
  EXPECT_EQ(reads[0].offset, 0);
  EXPECT_EQ(reads[0].max_records, 3);
  t.Apply(o1, {std::vector<RecordInfo>{rec(0, "orders", "a.Boom"),
                                       rec(1, "orders", "a.Boom"),
                                       rec(2, nullptr, nullptr)}});
  const DltState& d1 = o1.dlts.at("orders.DLT");
  ASSERT_EQ(d1.headers.size(), 2u);
  EXPECT_EQ(d1.headers[0].original_topic, "orders");
  EXPECT_EQ(d1.headers[0].records, 2);
  EXPECT_EQ(d1.headers[1].exception, "unknown");
  EXPECT_TRUE(d1.oldest_unhandled_age_seconds.has_value());

  // Two more: only offsets 3.. are read; a third pair exceeds the cap.
  KafkaObservation o2 = Obs(kT0 + seconds(1));
  reads = t.Plan(o2, md, Marks(0, 5), true);
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].offset, 3);
  t.Apply(o2, {std::vector<RecordInfo>{rec(3, "payments", "b.Bad"),
                                       rec(4, "orders", "a.Boom")}});
  const DltState& d2 = o2.dlts.at("orders.DLT");
  EXPECT_EQ(d2.header_records, 5);
  ASSERT_EQ(d2.headers.size(), 2u);
  EXPECT_EQ(d2.headers[0].records, 3);
  EXPECT_EQ(d2.headers[1].original_topic, "other");
  EXPECT_EQ(d2.headers[1].records, 2);
}

TEST(DltTrackerTest, CountHeadersIsOrderedAndCapped) {
  std::deque<std::pair<std::string, std::string>> r = {
      {"a", "x"}, {"b", "y"}, {"a", "x"}, {"c", "z"}};
  auto all = CountHeaders(r, 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].original_topic, "a");
  EXPECT_EQ(all[1].original_topic, "b");  // tie broken by name
  auto one = CountHeaders(r, 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].original_topic, "other");
  EXPECT_EQ(one[0].records, 4);
}

}  // namespace
}  // namespace failwatch
