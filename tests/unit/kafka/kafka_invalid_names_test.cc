// Group names listed by a broker can hold any bytes: the ones that are not
// printable UTF-8 are skipped and counted, never exported (issue 14 row 4).
#include <gtest/gtest.h>

#include <algorithm>

#include "kafka/kafka_metrics.h"
#include "kafka/kafka_tracker.h"

namespace failwatch {
namespace {

using std::chrono::seconds;

TEST(KafkaInvalidNamesTest, ListedNamesThatAreNotUtf8AreSkippedAndCounted) {
  KafkaClusterConfig c;
  c.name = "lab";
  c.discover_groups = Regex::Compile(".*").value();
  auto t = KafkaTracker::Create(c, KafkaOptions{});
  KafkaTracker& tracker = *t;
  ClusterMetadata md;
  md.brokers = {1};
  md.partitions.push_back({{"orders", 0}, 1});
  DiscoveryView view;
  view.listing_supported = true;
  view.listed = std::set<std::string>{"app-a", "bad\xff\xfe",
                                      std::string("nul\0x", 5), "nl\nx"};
  const WallTime now = WallTime(seconds(1'700'000'000));
  auto plan = tracker.PlanFetch(md, view, now);
  std::vector<std::string> planned;
  for (const auto& r : plan) planned.push_back(r.group);
  EXPECT_EQ(planned, std::vector<std::string>{"app-a"});

  SampleReadings in;
  in.now = now;
  in.metadata = md;
  in.discovery = view;
  in.watermarks[{"orders", 0}] = {0, 0, ""};
  for (const auto& r : plan) in.committed.emplace(r.group, CommittedOffsets{});
  auto obs = tracker.Update(in);
  EXPECT_EQ(obs->groups.size(), 1u);
  EXPECT_EQ(obs->groups_invalid_name_total, 3u);
}

}  // namespace
}  // namespace failwatch
