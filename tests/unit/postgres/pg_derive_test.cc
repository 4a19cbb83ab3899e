#include "postgres/pg_derive.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

using namespace std::chrono_literals;

const WallTime kT0 = WallTime(std::chrono::seconds(1'700'000'000));

NodeStatusRow PrimaryRow(const char* wal = "000000020000000000000005") {
  NodeStatusRow r;
  r.in_recovery = false;
  r.read_only = false;
  r.server_version_num = 150004;
  r.postmaster_start = 1'699'999'000;
  r.wal_file = wal;
  r.checkpoint_tli = 1;  // stale after a promotion: must not win
  return r;
}

NodeStatusRow StandbyRow(std::optional<std::uint32_t> received = 2) {
  NodeStatusRow r;
  r.in_recovery = true;
  r.read_only = true;
  r.server_version_num = 150004;
  r.received_tli = received;
  r.checkpoint_tli = 1;
  r.replay_lag_seconds = 0;
  r.replay_lag_bytes = 0;
  r.receiver_status = "streaming";
  r.sender_host = "127.0.0.2";
  r.sender_port = 55432;
  return r;
}

NodeState Node(const std::string& address, const NodeStatusRow& row) {
  NodeState n;
  n.address = address;
  ApplyNodeStatus(row, n);
  return n;
}

TEST(ApplyNodeStatus, PrimaryTimelineFromWalFileNotCheckpoint) {
  NodeState n = Node("a:1", PrimaryRow());
  EXPECT_TRUE(n.up);
  EXPECT_EQ(n.role, NodeRole::kPrimary);
  EXPECT_EQ(n.timeline, 2u);
  EXPECT_FALSE(n.standby);
  EXPECT_EQ(ToUnixSeconds(n.postmaster_start), 1'699'999'000);
}

TEST(ApplyNodeStatus, StandbyTimelineFromReceiverThenCheckpoint) {
  NodeState n = Node("b:1", StandbyRow());
  EXPECT_EQ(n.role, NodeRole::kStandby);
  EXPECT_TRUE(n.read_only);
  EXPECT_EQ(n.timeline, 2u);
  ASSERT_TRUE(n.standby);
  EXPECT_EQ(n.standby->upstream, "127.0.0.2:55432");
  EXPECT_EQ(n.standby->receiver_status, "streaming");
  NodeState no_receiver = Node("b:1", StandbyRow(std::nullopt));
  EXPECT_EQ(no_receiver.timeline, 1u);
}

TEST(PromotionLedger, TotalKeepsNodesThatLeftAndReturningNodesContinue) {
  PromotionLedger ledger;
  ledger.Record("10.0.0.1:5432", 1);
  ledger.Record("10.0.0.2:5432", 2);
  EXPECT_EQ(ledger.Total(), 3u);
  // 10.0.0.2 left the node set: only 10.0.0.1 reports, the total holds.
  ledger.Record("10.0.0.1:5432", 1);
  EXPECT_EQ(ledger.Total(), 3u);
  // It comes back with a fresh runtime seeded from the ledger.
  EXPECT_EQ(ledger.Of("10.0.0.2:5432"), 2u);
  EXPECT_EQ(ledger.Of("10.0.0.9:5432"), 0u);
  // A lower count (a runtime that lost its history) never lowers it.
  ledger.Record("10.0.0.2:5432", 0);
  EXPECT_EQ(ledger.Total(), 3u);
  ledger.Record("10.0.0.2:5432", 3);
  EXPECT_EQ(ledger.Total(), 4u);
}

TEST(DetectTransition, RecoveryToPrimaryIsAPromotion) {
  NodeState prev = Node("b:1", StandbyRow(1));
  NodeState cur = Node("b:1", PrimaryRow());
  EXPECT_TRUE(DetectTransition(prev, cur, kT0));
  EXPECT_EQ(cur.promotions_total, 1u);
  EXPECT_EQ(cur.last_promotion, kT0);
  // The counter carries on; no new event while nothing changes.
  NodeState again = Node("b:1", PrimaryRow());
  EXPECT_FALSE(DetectTransition(cur, again, kT0 + 1s));
  EXPECT_EQ(again.promotions_total, 1u);
  EXPECT_EQ(again.last_promotion, kT0);
}

TEST(DetectTransition, PrimaryTimelineIncreaseIsAPromotion) {
  NodeState prev = Node("a:1", PrimaryRow("000000010000000000000005"));
  NodeState cur = Node("a:1", PrimaryRow("000000030000000000000001"));
  EXPECT_TRUE(DetectTransition(prev, cur, kT0));
  EXPECT_EQ(cur.promotions_total, 1u);
}

TEST(DetectTransition, StandbyFollowingANewTimelineIsNotAPromotion) {
  NodeState prev = Node("c:1", StandbyRow(1));
  NodeState cur = Node("c:1", StandbyRow(2));
  EXPECT_FALSE(DetectTransition(prev, cur, kT0));
  EXPECT_EQ(cur.promotions_total, 0u);
}

TEST(DetectTransition, PrimaryToRecoveryIsADemotion) {
  NodeState prev = Node("a:1", PrimaryRow("000000010000000000000005"));
  NodeState cur = Node("a:1", StandbyRow(2));
  EXPECT_FALSE(DetectTransition(prev, cur, kT0));
  EXPECT_EQ(cur.last_demotion, kT0);
  EXPECT_EQ(cur.promotions_total, 0u);
}

TEST(MarkSuperseded, SplitBrainOldTimelineLoses) {
  std::vector<NodeState> nodes = {
      Node("a:1", PrimaryRow("000000010000000000000009")),
      Node("b:1", PrimaryRow("000000020000000000000001")),
      Node("c:1", StandbyRow(2)),
  };
  EXPECT_EQ(MarkSupersededAndFindWriter(nodes), "b:1");
  EXPECT_TRUE(nodes[0].superseded);
  EXPECT_FALSE(nodes[1].superseded);
  EXPECT_FALSE(nodes[2].superseded);
}

TEST(MarkSuperseded, TiedPrimariesHaveNoWriter) {
  std::vector<NodeState> nodes = {Node("a:1", PrimaryRow()),
                                  Node("b:1", PrimaryRow())};
  EXPECT_EQ(MarkSupersededAndFindWriter(nodes), "");
  std::vector<NodeState> none = {Node("c:1", StandbyRow())};
  EXPECT_EQ(MarkSupersededAndFindWriter(none), "");
}

TEST(GlobMatch, Table) {
  EXPECT_TRUE(GlobMatch("orders-api", "orders-api"));
  EXPECT_FALSE(GlobMatch("orders-api", "orders-api2"));
  EXPECT_TRUE(GlobMatch("orders-*", "orders-api"));
  EXPECT_TRUE(GlobMatch("orders-*", "orders-"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*-api", "billing-api"));
  EXPECT_TRUE(GlobMatch("o?ders*api", "orders-x-api"));
  EXPECT_FALSE(GlobMatch("o?ders", "oders"));
  EXPECT_TRUE(GlobMatch("a*b*c", "a-b-b-c"));
  EXPECT_FALSE(GlobMatch("a*b*c", "a-b-b-d"));
  EXPECT_FALSE(GlobMatch("", "x"));
}

ActivityGroupRow Group(const std::string& app, std::vector<double> starts) {
  ActivityGroupRow g;
  g.application_name = app;
  g.usename = "app";
  g.client_addr = "10.0.0.5";
  g.state = "idle";
  g.datname = "postgres";
  g.count = static_cast<std::int64_t>(starts.size());
  g.backend_starts = std::move(starts);
  return g;
}

TEST(ClassifyStale, CausesRelativeToPromotion) {
  const double promo = 1'700'000'000;
  std::vector<NodeState> nodes = {
      Node("old:1", StandbyRow(2)),
      Node("new:1", PrimaryRow()),
  };
  std::vector<NodeActivity> activity = {
      {"old:1",
       {Group("orders-api", {promo - 60, promo - 1, promo + 5}),
        Group("reporting", {promo - 100})}},
      {"new:1", {Group("orders-api", {promo + 1, promo + 2})}},
  };
  std::vector<AppConfig> apps = {{"orders-*", AppConfig::Expects::kPrimary},
                                 {"reporting", AppConfig::Expects::kAny}};
  auto stale = ClassifyStaleConnections(
      apps, nodes, activity, WallTime(std::chrono::seconds(1'700'000'000)));
  ASSERT_EQ(stale.size(), 2u);
  // Ordered by (app, node, cause).
  EXPECT_EQ(stale[0].app, "orders-*");
  EXPECT_EQ(stale[0].node, "old:1");
  EXPECT_EQ(stale[0].cause, StaleCause::kKeptFromBeforePromotion);
  EXPECT_EQ(stale[0].count, 2);
  EXPECT_EQ(ToUnixSeconds(stale[0].oldest_backend_start), promo - 60);
  EXPECT_EQ(stale[0].node_role, NodeRole::kStandby);
  EXPECT_EQ(stale[1].cause, StaleCause::kConnectedAfterPromotion);
  EXPECT_EQ(stale[1].count, 1);
}

TEST(ClassifyStale, SupersededPrimaryIsStaleAndUnknownWithoutPromotion) {
  std::vector<NodeState> nodes = {
      Node("old:1", PrimaryRow("000000010000000000000009")),
      Node("new:1", PrimaryRow("000000020000000000000001")),
  };
  MarkSupersededAndFindWriter(nodes);
  std::vector<NodeActivity> activity = {
      {"old:1", {Group("orders-api", {1, 2})}},
      {"new:1", {Group("orders-api", {3})}},
  };
  auto stale =
      ClassifyStaleConnections({{"orders-api", AppConfig::Expects::kPrimary}},
                               nodes, activity, WallTime{});
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].node, "old:1");
  EXPECT_EQ(stale[0].cause, StaleCause::kUnknown);
  EXPECT_EQ(stale[0].count, 2);
}

TEST(ClassifyStale, CountBeyondStartsIsUnknown) {
  std::vector<NodeState> nodes = {Node("s:1", StandbyRow())};
  ActivityGroupRow g = Group("orders-api", {10});
  g.count = 3;
  auto stale = ClassifyStaleConnections(
      {{"orders-api", AppConfig::Expects::kPrimary}}, nodes, {{"s:1", {g}}},
      WallTime(std::chrono::seconds(100)));
  ASSERT_EQ(stale.size(), 2u);
  EXPECT_EQ(stale[0].cause, StaleCause::kKeptFromBeforePromotion);
  EXPECT_EQ(stale[0].count, 1);
  EXPECT_EQ(stale[1].cause, StaleCause::kUnknown);
  EXPECT_EQ(stale[1].count, 2);
}

// A group on a node in recovery: per backend its last verb and when it
// ended (state_change), as the parser leaves them.
ActivityGroupRow StandbyGroup(const std::string& app,
                              std::vector<double> starts,
                              std::vector<StatementVerb> verbs,
                              std::vector<double> changes) {
  ActivityGroupRow g = Group(app, std::move(starts));
  g.last_verbs = std::move(verbs);
  g.state_changes = std::move(changes);
  return g;
}

TEST(ClassifyStale, WritesOnARecoveringNodeAreCountedWithTheLatestVerb) {
  using V = StatementVerb;
  const double promo = 1'700'000'000;
  std::vector<NodeState> nodes = {Node("old:1", StandbyRow(2))};
  ActivityGroupRow idle = StandbyGroup(
      "orders-api", {promo - 60, promo - 50, promo - 40},
      {V::kInsert, V::kNone, V::kUpdate}, {promo + 10, promo + 11, promo + 12});
  ActivityGroupRow other =
      StandbyGroup("orders-api", {promo - 30}, {V::kNone}, {promo + 1});
  other.client_addr = "10.0.0.6";
  auto stale =
      ClassifyStaleConnections({{"orders-api", AppConfig::Expects::kPrimary}},
                               nodes, {{"old:1", {idle, other}}},
                               WallTime(std::chrono::seconds(1'700'000'000)));
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].count, 4);
  EXPECT_EQ(stale[0].writes, 2);
  EXPECT_EQ(stale[0].write_verb, "UPDATE");  // the latest write
  EXPECT_EQ(ToUnixSeconds(stale[0].last_write_at), promo + 12);
  EXPECT_EQ(stale[0].client_addrs,
            (std::vector<std::string>{"10.0.0.5", "10.0.0.6"}));
}

TEST(ClassifyStale, NoWriteEvidenceOnASupersededPrimary) {
  // A superseded primary accepts writes (split brain): a write verb there
  // proves nothing about 25006, even if verbs were somehow present.
  std::vector<NodeState> nodes = {
      Node("old:1", PrimaryRow("000000010000000000000009")),
      Node("new:1", PrimaryRow("000000020000000000000001")),
  };
  MarkSupersededAndFindWriter(nodes);
  auto g = StandbyGroup("orders-api", {1}, {StatementVerb::kInsert}, {2});
  auto stale =
      ClassifyStaleConnections({{"orders-api", AppConfig::Expects::kPrimary}},
                               nodes, {{"old:1", {g}}}, WallTime{});
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].writes, 0);
  EXPECT_EQ(stale[0].write_verb, "");
}

struct RollbackCase {
  const char* name;
  RollbackBaseline prev;
  std::optional<std::int64_t> current;
  std::int64_t own;
  std::int64_t excess;
  RollbackBaseline next;
};

class RollbackStepTest : public ::testing::TestWithParam<RollbackCase> {};

TEST_P(RollbackStepTest, Table) {
  const auto& c = GetParam();
  auto r = RollbackStep(c.prev, c.current, c.own);
  EXPECT_EQ(r.excess, c.excess) << c.name;
  EXPECT_EQ(r.next.valid, c.next.valid) << c.name;
  EXPECT_EQ(r.next.rollbacks, c.next.rollbacks) << c.name;
  EXPECT_EQ(r.next.carry, c.next.carry) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, RollbackStepTest,
    ::testing::Values(
        // {valid, rollbacks, carry}
        RollbackCase{
            "first_value_sets_baseline", {}, 100, 1, 0, {true, 100, 1}},
        RollbackCase{"not_read_drops_baseline",
                     {true, 100, 0},
                     std::nullopt,
                     0,
                     0,
                     {false, 0, 0}},
        RollbackCase{
            "nothing_rising", {true, 100, 0}, 100, 0, 0, {true, 100, 0}},
        RollbackCase{
            "only_the_probe", {true, 100, 0}, 101, 1, 0, {true, 101, 0}},
        RollbackCase{"probe_not_flushed_yet_carries",
                     {true, 100, 0},
                     100,
                     1,
                     0,
                     {true, 100, 1}},
        RollbackCase{"late_probe_flush_is_matched",
                     {true, 100, 1},
                     102,
                     1,
                     0,
                     {true, 102, 0}},
        // Only the last sample's unmatched failures carry over: a probe
        // whose rollbacks never show hides at most one sample's worth.
        RollbackCase{"carry_is_at_most_one_sample",
                     {true, 100, 1},
                     100,
                     1,
                     0,
                     {true, 100, 1}},
        RollbackCase{"no_carry_without_own_failures",
                     {true, 100, 1},
                     100,
                     0,
                     0,
                     {true, 100, 0}},
        // Both probes failed last sample; both flushed now.
        RollbackCase{"two_late_flushes_are_matched",
                     {true, 100, 2},
                     103,
                     1,
                     0,
                     {true, 103, 0}},
        RollbackCase{"app_rollbacks_beyond_the_probe",
                     {true, 100, 0},
                     113,
                     1,
                     12,
                     {true, 113, 0}},
        RollbackCase{
            "rising_without_probe", {true, 100, 0}, 103, 0, 3, {true, 103, 0}},
        RollbackCase{
            "counter_reset_restarts", {true, 500, 0}, 7, 1, 0, {true, 7, 1}},
        RollbackCase{"negative_own_is_zero",
                     {true, 100, 0},
                     102,
                     -5,
                     2,
                     {true, 102, 0}}),
    [](const auto& p) { return std::string(p.param.name); });

NodeState RollbackNode(std::optional<std::int64_t> total,
                       bool in_recovery = true) {
  NodeState n = Node("s:1", in_recovery ? StandbyRow() : PrimaryRow());
  n.xact_rollback_total = total;
  return n;
}

TEST(TrackRollbacks, WindowOfFiveSamplesProbeSubtractedAndResets) {
  RollbackHistory h;
  auto at = [](int s) { return kT0 + std::chrono::seconds(s); };
  // The sticky probe fails once per sample; the counter shows it (some
  // samples late). Nothing else rolls back: never rising.
  const std::int64_t totals[] = {50, 50, 51, 53, 54, 55, 56};
  for (int i = 0; i < 7; ++i) {
    NodeState n = RollbackNode(totals[i]);
    TrackRollbacks(h, n, 1, at(i));
    EXPECT_EQ(n.rollbacks_recent, 0) << i;
    EXPECT_FALSE(n.rollbacks_rising) << i;
  }
  // An app starts BEGIN; INSERT; ROLLBACK twice a second.
  NodeState n = RollbackNode(59);
  TrackRollbacks(h, n, 1, at(7));
  EXPECT_EQ(n.rollbacks_recent, 2);
  EXPECT_TRUE(n.rollbacks_rising);
  EXPECT_EQ(n.rollbacks_window_start, at(2));  // 5 samples: from at(2)
  n = RollbackNode(62);
  TrackRollbacks(h, n, 1, at(8));
  EXPECT_EQ(n.rollbacks_recent, 4);
  // The app stops: the excess leaves the window after 5 samples.
  std::int64_t total = 62;
  for (int i = 9; i < 13; ++i) {
    n = RollbackNode(++total);
    TrackRollbacks(h, n, 1, at(i));
    EXPECT_TRUE(n.rollbacks_rising) << i;
  }
  EXPECT_EQ(n.rollbacks_recent, 2);  // at(12): only at(8)'s 2 left
  n = RollbackNode(++total);
  TrackRollbacks(h, n, 1, at(13));
  EXPECT_EQ(n.rollbacks_recent, 0);
  EXPECT_FALSE(n.rollbacks_rising);

  // Counter reset (pg_stat_reset): restarts, not a negative excess.
  n = RollbackNode(3);
  TrackRollbacks(h, n, 0, at(15));
  EXPECT_EQ(n.rollbacks_recent, 0);
  EXPECT_EQ(n.rollbacks_window_start, WallTime{});
  n = RollbackNode(10);
  TrackRollbacks(h, n, 0, at(16));
  EXPECT_EQ(n.rollbacks_recent, 7);
  EXPECT_EQ(n.rollbacks_window_start, at(15));

  // Down, or the value not read: everything restarts.
  NodeState down;
  down.address = "s:1";
  TrackRollbacks(h, down, 0, at(17));
  EXPECT_FALSE(h.baseline.valid);
  EXPECT_TRUE(h.window.empty());
  n = RollbackNode(100);
  TrackRollbacks(h, n, 0, at(18));
  EXPECT_EQ(n.rollbacks_recent, 0);
}

TEST(TrackRollbacks, PrimaryRollbacksDoNotFollowTheNodeIntoRecovery) {
  RollbackHistory h;
  auto at = [](int s) { return kT0 + std::chrono::seconds(s); };
  NodeState n = RollbackNode(10, /*in_recovery=*/false);
  TrackRollbacks(h, n, 0, at(0));
  n = RollbackNode(40, false);  // apps roll back on a primary: normal
  TrackRollbacks(h, n, 0, at(1));
  EXPECT_EQ(n.rollbacks_recent, 30);
  n = RollbackNode(40, true);  // now in recovery (no restart seen)
  TrackRollbacks(h, n, 0, at(2));
  EXPECT_EQ(n.rollbacks_recent, 0);
  EXPECT_FALSE(n.rollbacks_rising);
}

TEST(ClassifyStale, CarriesTheRecoveringNodesRollbacksOnly) {
  std::vector<NodeState> nodes = {
      Node("old:1", StandbyRow(2)),
      Node("split:1", PrimaryRow("000000010000000000000009")),
      Node("new:1", PrimaryRow("000000020000000000000001")),
  };
  MarkSupersededAndFindWriter(nodes);
  for (auto& n : nodes) {
    n.rollbacks_recent = 12;
    n.rollbacks_rising = true;
    n.rollbacks_window_start = kT0;
  }
  std::vector<NodeActivity> activity = {
      {"old:1", {Group("orders-api", {1})}},
      {"split:1", {Group("orders-api", {1})}},
  };
  auto stale =
      ClassifyStaleConnections({{"orders-api", AppConfig::Expects::kPrimary}},
                               nodes, activity, WallTime{});
  ASSERT_EQ(stale.size(), 2u);
  EXPECT_EQ(stale[0].node, "old:1");
  EXPECT_EQ(stale[0].rollbacks_recent, 12);
  EXPECT_TRUE(stale[0].rollbacks_rising);
  EXPECT_EQ(stale[0].rollbacks_window_start, kT0);
  // A superseded primary accepts writes: its rollbacks prove nothing.
  EXPECT_EQ(stale[1].node, "split:1");
  EXPECT_EQ(stale[1].rollbacks_recent, 0);
  EXPECT_FALSE(stale[1].rollbacks_rising);
  // Unconfigured clients never carry them.
  auto clients = FindUnconfiguredClients(
      {}, nodes, {{"old:1", {Group("reports", {1})}}}, WallTime{});
  ASSERT_EQ(clients.size(), 1u);
  EXPECT_FALSE(clients[0].rollbacks_rising);
}

TEST(FindUnconfiguredClients, OnlyRecoveringNodesAndOnlyUnmatchedClients) {
  using V = StatementVerb;
  std::vector<NodeState> nodes = {Node("s:1", StandbyRow()),
                                  Node("p:1", PrimaryRow())};
  ActivityGroupRow billing =
      StandbyGroup("billing", {5, 6}, {V::kCopyFrom, V::kNone}, {7, 8});
  ActivityGroupRow anon = StandbyGroup("", {5}, {V::kDelete}, {9});
  anon.client_addr = "10.0.0.9";
  ActivityGroupRow reporting =
      StandbyGroup("reporting", {5}, {V::kInsert}, {9});
  ActivityGroupRow orders = StandbyGroup("orders-api", {5}, {V::kInsert}, {9});
  std::vector<NodeActivity> activity = {
      {"s:1", {billing, anon, reporting, orders}},
      {"p:1", {Group("etl", {1})}},  // on the primary: not judged
  };
  // Configured apps keep their own semantics, of any `expects`.
  std::vector<AppConfig> apps = {{"orders-*", AppConfig::Expects::kPrimary},
                                 {"reporting", AppConfig::Expects::kAny}};
  auto found = FindUnconfiguredClients(apps, nodes, activity, WallTime{});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].app, "10.0.0.9");  // no application_name: the address
  EXPECT_EQ(found[0].write_verb, "DELETE");
  EXPECT_EQ(found[1].app, "billing");
  EXPECT_EQ(found[1].count, 2);
  EXPECT_EQ(found[1].writes, 1);
  EXPECT_EQ(found[1].write_verb, "COPY FROM");
  EXPECT_EQ(found[1].node_role, NodeRole::kStandby);
}

TEST(TrackUnconfiguredWriters, ListedFromFirstWriteUntilGoneForLinger) {
  auto client = [](std::int64_t count, std::int64_t writes) {
    StaleAppConnections c;
    c.app = "billing";
    c.node = "s:1";
    c.node_role = NodeRole::kStandby;
    c.count = count;
    c.writes = writes;
    if (writes > 0) c.write_verb = "INSERT";
    return c;
  };
  StaleAppConnections reader = client(1, 0);
  reader.app = "reports";
  WriterMemory memory;
  auto at = [](int s) { return kT0 + std::chrono::seconds(s); };
  const Millis linger = std::chrono::seconds(60);
  // A reader that never wrote is never listed.
  EXPECT_TRUE(
      TrackUnconfiguredWriters({client(2, 0), reader}, at(0), linger, memory)
          .empty());
  auto out =
      TrackUnconfiguredWriters({client(2, 1), reader}, at(5), linger, memory);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].writes, 1);
  // Stopped writing, connections remain: still listed, writes 0.
  out = TrackUnconfiguredWriters({client(2, 0)}, at(10), linger, memory);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].count, 2);
  EXPECT_EQ(out[0].writes, 0);
  // Connections gone: listed with count 0 until the linger has passed.
  out = TrackUnconfiguredWriters({}, at(69), linger, memory);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].count, 0);
  EXPECT_EQ(out[0].node_role, NodeRole::kStandby);
  EXPECT_TRUE(TrackUnconfiguredWriters({}, at(70), linger, memory).empty());
  EXPECT_TRUE(memory.empty());
  // Back without writing: a reader again.
  EXPECT_TRUE(
      TrackUnconfiguredWriters({client(1, 0)}, at(80), linger, memory).empty());
}

TEST(BoundedGroups, CarriesWriteEvidenceIntoGroupsAndOther) {
  using V = StatementVerb;
  NodeActivity a{"s:1",
                 {StandbyGroup("a", {1, 2}, {V::kInsert, V::kInsert}, {3, 4}),
                  StandbyGroup("b", {1}, {V::kLock}, {5}),
                  StandbyGroup("c", {1}, {V::kNone}, {6})}};
  auto groups = BoundedGroups(a, 1);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].write_backends, 2);
  EXPECT_EQ(groups[0].last_write_verb, "INSERT");
  EXPECT_EQ(ToUnixSeconds(groups[0].last_write_at), 4);
  EXPECT_EQ(groups[1].application_name, "other");
  EXPECT_EQ(groups[1].write_backends, 1);
  EXPECT_EQ(groups[1].last_write_verb, "LOCK");
}

TEST(BoundedGroups, FoldsTheTailIntoOther) {
  NodeActivity a{"n:1",
                 {Group("a", {5, 6, 7}), Group("b", {1}), Group("c", {3, 4}),
                  Group("d", {2})}};
  auto groups = BoundedGroups(a, 2);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].application_name, "a");
  EXPECT_EQ(groups[0].count, 3);
  EXPECT_EQ(groups[1].application_name, "c");
  EXPECT_EQ(groups[2].application_name, "other");
  EXPECT_EQ(groups[2].usename, "other");
  EXPECT_EQ(groups[2].count, 2);
  EXPECT_EQ(ToUnixSeconds(groups[2].oldest_backend_start), 1);
  EXPECT_EQ(BoundedGroups(a, 10).size(), 4u);
}

TEST(Backoff, DoublesUpToMax) {
  EXPECT_EQ(BackoffDelay(0, 500ms, 30s), 0ms);
  EXPECT_EQ(BackoffDelay(1, 500ms, 30s), 500ms);
  EXPECT_EQ(BackoffDelay(2, 500ms, 30s), 1000ms);
  EXPECT_EQ(BackoffDelay(4, 500ms, 30s), 4000ms);
  EXPECT_EQ(BackoffDelay(50, 500ms, 30s), 30s);
}

TEST(ShouldDropSession, ConnectionOperatorAndReadOnly) {
  EXPECT_TRUE(ShouldDropSession("08006"));
  EXPECT_TRUE(ShouldDropSession("57P01"));
  EXPECT_TRUE(ShouldDropSession("25006"));
  EXPECT_FALSE(ShouldDropSession("42501"));
  EXPECT_FALSE(ShouldDropSession("28P01"));
  EXPECT_FALSE(ShouldDropSession("57014"));  // query_canceled: session fine
}

}  // namespace
}  // namespace failwatch
