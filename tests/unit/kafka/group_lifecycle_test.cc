// Group lifecycle over canned DescribeGroups answers (the 2.0.2 mock
// cluster answers DescribeGroups as unsupported, so this is where a second
// consumer joining is tested).
#include "kafka/group_lifecycle.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

struct Describe {
  std::optional<std::string> state;
  std::optional<int> members;
};

struct Case {
  std::string name;
  std::vector<Describe> describes;  // successive samples of group "g"
  std::uint64_t rebalances;
  std::size_t changes;  // log lines over the run
};

TEST(GroupLifecycleTest, Table) {
  const std::vector<Case> cases = {
      {"steady group: nothing", {{"Stable", 1}, {"Stable", 1}}, 0, 0},
      {"a second consumer joins (seen mid-rebalance)",
       {{"Stable", 1}, {"PreparingRebalance", 1}, {"CompletingRebalance", 2},
        {"Stable", 2}},
       1, 3},
      {"a second consumer joins between two describes",
       {{"Stable", 1}, {"Stable", 2}}, 1, 1},
      {"first consumer joins an empty group", {{"Empty", 0}, {"Stable", 1}},
       1, 1},
      {"last consumer leaves", {{"Stable", 1}, {"Empty", 0}}, 1, 1},
      {"two rebalances", {{"Stable", 1}, {"Stable", 2}, {"Stable", 3}}, 2, 2},
      {"not described: no count, no change",
       {{std::nullopt, std::nullopt}, {std::nullopt, std::nullopt}}, 0, 0},
      {"described after being unknown: first sight is no change",
       {{std::nullopt, std::nullopt}, {"Stable", 2}, {"Stable", 2}}, 0, 0},
      {"dead group", {{"Empty", 0}, {"Dead", 0}}, 0, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    GroupLifecycle lc;
    std::size_t changes = 0;
    for (const Describe& d : c.describes) {
      KafkaObservation obs;
      obs.groups["g"].name = "g";
      obs.groups["g"].state = d.state;
      obs.groups["g"].members = d.members;
      changes += lc.Observe(obs).size();
    }
    EXPECT_EQ(changes, c.changes);
    auto it = lc.rebalances().find("g");
    EXPECT_EQ(it == lc.rebalances().end() ? 0 : it->second, c.rebalances);
  }
}

TEST(GroupLifecycleTest, GroupsThatLeaveAreForgotten) {
  GroupLifecycle lc;
  KafkaObservation a;
  a.groups["g"].state = "Stable";
  a.groups["g"].members = 1;
  lc.Observe(a);
  a.groups["g"].members = 2;
  lc.Observe(a);
  EXPECT_EQ(lc.rebalances().at("g"), 1u);
  lc.Observe(KafkaObservation{});
  EXPECT_TRUE(lc.rebalances().empty());
}

TEST(GroupLifecycleTest, ChangeCarriesBothSides) {
  GroupLifecycle lc;
  KafkaObservation a;
  a.groups["g"].state = "Stable";
  a.groups["g"].members = 1;
  lc.Observe(a);
  a.groups["g"].state = "PreparingRebalance";
  auto changes = lc.Observe(a);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].from_state, "Stable");
  EXPECT_EQ(changes[0].to_state, "PreparingRebalance");
  EXPECT_EQ(changes[0].from_members, 1);
  EXPECT_TRUE(changes[0].rebalance);
}

}  // namespace
}  // namespace failwatch
