#include "kafka/dlt_naming.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kafka/kafka_cluster_config.h"

namespace failwatch {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::vector<DltConvention> kAll = {DltConvention::kSpringDlt,
                                         DltConvention::kRetryableDlt,
                                         DltConvention::kScsError};

TEST(DltNamingTest, ConventionNames) {
  struct Case {
    DltConvention c;
    const char* name;
    const char* expected;
  } cases[] = {
      {DltConvention::kSpringDlt, "spring_dlt", "orders.DLT"},
      {DltConvention::kRetryableDlt, "retryable_dlt", "orders-dlt"},
      {DltConvention::kScsError, "scs_error", "error.orders.billing"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(DltConventionName(c.c), c.name);
    EXPECT_EQ(ParseDltConvention(c.name), c.c);
    EXPECT_EQ(ExpectedDltName(c.c, "orders", "billing"), c.expected);
  }
  EXPECT_FALSE(ParseDltConvention("connect").has_value());
}

// The config loader parses names with ParseDltConvention and the summary
// shows them with DltConventionName: the two must round-trip.
TEST(DltNamingTest, NamesRoundTrip) {
  for (DltConvention c : KafkaTuning{}.dlt_conventions) {
    EXPECT_EQ(ParseDltConvention(DltConventionName(c)), c);
  }
}

struct MatchCase {
  const char* name;
  std::vector<DltGroupInput> groups;
  std::map<std::string, int> topics;
  std::vector<std::string> dlts;  // matched DLT names
  std::vector<DltMissingRef> missing;
};

TEST(DltNamingTest, MatchTable) {
  const std::vector<MatchCase> cases = {
      {"spring dlt found",
       {{"billing", true, {}, "", {"orders"}}},
       {{"orders", 3}, {"orders.DLT", 3}},
       {"orders.DLT"},
       {}},
      {"no dlt at all: missing, named after the first convention",
       {{"billing", true, {}, "", {"orders"}}},
       {{"orders", 3}},
       {},
       {{"billing",
         "orders",
         "orders.DLT",
         "absent",
         {"orders.DLT", "orders-dlt", "error.orders.billing"},
         3,
         0}}},
      {"discovered group without dlt: not reported",
       {{"other", false, {}, "", {"orders"}}},
       {{"orders", 3}},
       {},
       {}},
      {"discovered group's existing dlt is watched",
       {{"other", false, {}, "", {"orders"}}},
       {{"orders", 3}, {"error.orders.other", 1}},
       {"error.orders.other"},
       {}},
      {"too few partitions for a same-partition convention",
       {{"billing", true, {}, "", {"orders"}}},
       {{"orders", 3}, {"orders.DLT", 1}},
       {"orders.DLT"},
       {{"billing",
         "orders",
         "orders.DLT",
         "too_few_partitions",
         {"orders.DLT"},
         3,
         1}}},
      {"retryable dlt may have fewer partitions",
       {{"billing", true, {}, "", {"orders"}}},
       {{"orders", 3}, {"orders-dlt", 1}},
       {"orders-dlt"},
       {}},
      {"explicit dlt replaces conventions",
       {{"sink", true, {"connect-dlq"}, "", {"orders"}}},
       {{"orders", 3}, {"orders.DLT", 3}, {"connect-dlq", 1}},
       {"connect-dlq"},
       {}},
      {"explicit dlt absent",
       {{"sink", true, {"connect-dlq"}, "", {}}},
       {{"orders", 3}},
       {},
       {{"sink", "", "connect-dlq", "absent", {"connect-dlq"}, 0, 0}}},
      {"the reprocessor's input is not a source",
       {{"billing", true, {}, "replay", {"orders"}},
        {"replay", true, {}, "", {"orders.DLT"}}},
       {{"orders", 2}, {"orders.DLT", 2}},
       {"orders.DLT"},
       {}},
      {"no conventions: only explicit count",
       {{"billing", true, {}, "", {"orders"}}},
       {{"orders", 3}},
       {},
       {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const bool no_conv = std::string(c.name).starts_with("no conventions");
    DltMatch m = MatchDlts(c.groups, c.topics,
                           no_conv ? std::vector<DltConvention>{} : kAll);
    std::vector<std::string> names;
    for (const auto& [n, b] : m.dlts) names.push_back(n);
    EXPECT_EQ(names, c.dlts);
    EXPECT_EQ(m.missing, c.missing);
  }
}

TEST(DltNamingTest, SharedDltListsEverySourceAndFirstReprocessor) {
  DltMatch m = MatchDlts({{"a", true, {}, "", {"orders"}},
                          {"b", true, {}, "replay-b", {"orders"}},
                          {"c", true, {}, "replay-c", {"orders"}}},
                         {{"orders", 1}, {"orders.DLT", 1}}, kAll);
  ASSERT_TRUE(m.dlts.contains("orders.DLT"));
  const DltBinding& b = m.dlts.at("orders.DLT");
  ASSERT_EQ(b.sources.size(), 3u);
  EXPECT_EQ(b.sources[1], (DltSourceRef{"b", "orders", "spring_dlt", true}));
  EXPECT_EQ(b.reprocess_group, "replay-b");
  EXPECT_THAT(m.missing, IsEmpty());
}

TEST(DltNamingTest, SeveralConventionsMayAllExist) {
  DltMatch m = MatchDlts({{"g", true, {}, "", {"t"}}},
                         {{"t", 1}, {"t.DLT", 1}, {"t-dlt", 1}}, kAll);
  std::vector<std::string> names;
  for (const auto& [n, b] : m.dlts) names.push_back(n);
  EXPECT_THAT(names, ElementsAre("t-dlt", "t.DLT"));
}

}  // namespace
}  // namespace failwatch
