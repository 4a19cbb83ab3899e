#include "health/failover_timeline.h"

#include <gtest/gtest.h>

#include "health_fixtures.h"

namespace failwatch {
namespace {

using namespace failwatch::testing;  // NOLINT
using Kind = FailoverTracker::Event::Kind;

const AddressSet kOld = {"127.0.0.2"};
const AddressSet kNew = {"127.0.0.3"};

// The scripted failover: 127.0.0.2 (primary) dies at 10 s, 127.0.0.3 is
// promoted at 14 s, 127.0.0.2 returns as a standby at 19 s with orders-api's
// pool still on it, DNS flaps 39-40 s and settles on 127.0.0.3 at 41 s, the
// pool lets go at 90 s.
struct Script {
  std::vector<DnsAnswerRecord> dns;

  std::shared_ptr<PgObservation> PgAt(double t) {
    auto pg = HealthyPg(t);
    pg->write_probes = {Probe("fresh", true, "127.0.0.2:5432", "", t)};
    if (t < 10) return pg;
    pg->nodes[0] = Node("127.0.0.2:5432", NodeRole::kUnreachable);
    pg->primaries = 0;
    pg->writer = "";
    pg->endpoint_targets = {Writer("127.0.0.2:5432", NodeRole::kUnreachable)};
    pg->write_probes = {Probe("fresh", false, "127.0.0.2:5432", "", t)};
    pg->write_probes[0].last_success = At(9);
    if (t < 15) return pg;
    pg->nodes[1] = Node("127.0.0.3:5432", NodeRole::kPrimary);
    pg->nodes[1].last_promotion = At(14);
    pg->last_promotion = At(14);
    pg->promotions_total = 1;
    pg->primaries = 1;
    pg->writer = "127.0.0.3:5432";
    if (t < 20) return pg;
    pg->nodes[0] = Node("127.0.0.2:5432", NodeRole::kStandby);
    pg->nodes[0].last_demotion = At(19);
    pg->endpoint_targets = {Writer("127.0.0.2:5432", NodeRole::kStandby)};
    pg->write_probes = {Probe("fresh", false, "127.0.0.2:5432", "25006", t)};
    pg->write_probes[0].last_success = At(9);
    StaleAppConnections s;
    s.app = "orders-api";
    s.node = "127.0.0.2:5432";
    s.node_role = NodeRole::kStandby;
    s.cause = StaleCause::kKeptFromBeforePromotion;
    s.count = 12;
    pg->stale_app_connections = {s};
    if (t < 42) return pg;
    pg->endpoint_targets = {Writer("127.0.0.3:5432", NodeRole::kPrimary)};
    pg->write_probes = {Probe("fresh", true, "127.0.0.3:5432", "", t)};
    if (t < 90) return pg;
    pg->stale_app_connections.clear();
    return pg;
  }

  std::shared_ptr<DnsObservation> DnsAt(double t) {
    std::vector<DnsAnswerRecord> h;
    for (int s = 0; s <= t; ++s) {
      const bool fresh = s == 39 || s >= 41;
      h.push_back(Rec(s, fresh ? kNew : kOld));
    }
    return Dns("orders", {Endpoint("writer", h)});
  }

  HealthInputs At_(double t) {
    return Inputs(t, {DbInputs(DnsAt(t), PgAt(t))});
  }
};

TEST(FailoverTrackerTest, BuildsTheTimelineFromAScriptedFailover) {
  Script s;
  FailoverTracker tracker(std::chrono::minutes(5));
  std::vector<FailoverTracker::Event> events;
  for (double t : {0.0, 5.0, 10.0, 15.0, 20.0, 30.0, 42.0, 60.0}) {
    auto e = tracker.Update(s.At_(t));
    events.insert(events.end(), e.begin(), e.end());
  }
  EXPECT_TRUE(events.empty());
  auto tl = tracker.Timelines();
  ASSERT_EQ(tl.size(), 1u);
  EXPECT_EQ(tl[0].state, FailoverTimeline::State::kInProgress);
  EXPECT_EQ(tl[0].old_primary, "127.0.0.2:5432");
  EXPECT_EQ(tl[0].new_primary, "127.0.0.3:5432");
  EXPECT_EQ(tl[0].promoted_at, At(14));
  // Settled at 41 s; the brief flip at 39 s does not count.
  ASSERT_NE(tl[0].Find(kStepDnsSwitched), nullptr);
  EXPECT_EQ(tl[0].Find(kStepDnsSwitched)->at, At(41));
  EXPECT_EQ(tl[0].Find(kStepAppsConverged), nullptr);
  ASSERT_EQ(tl[0].waiting_for.size(), 1u);
  EXPECT_EQ(tl[0].waiting_for[0],
            "orders-api holds 12 connections on 127.0.0.2:5432 "
            "(kept_from_before_promotion)");
  EXPECT_EQ(tracker.failovers_total().at("orders"), 1u);

  events = tracker.Update(s.At_(90));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kConverged);
  tl = tracker.Timelines();
  EXPECT_EQ(tl[0].state, FailoverTimeline::State::kConverged);
  ASSERT_NE(tl[0].Find(kStepAppsConverged), nullptr);
  EXPECT_EQ(tl[0].Find(kStepAppsConverged)->at, At(90));
  EXPECT_DOUBLE_EQ(*tl[0].ConvergenceSeconds(), 76.0);
  EXPECT_EQ(tracker.convergence().at("orders").count, 1u);
  EXPECT_DOUBLE_EQ(tracker.convergence().at("orders").sum, 76.0);

  // Converged is final: no second event, no second failover.
  EXPECT_TRUE(tracker.Update(s.At_(100)).empty());
  EXPECT_EQ(tracker.failovers_total().at("orders"), 1u);

  EXPECT_EQ(
      FormatTimelineLog(tl[0], At(90)),
      "database=orders state=converged old_primary=127.0.0.2:5432 "
      "new_primary=127.0.0.3:5432 "
      "promoted_at=2023-11-14T22:13:34.000Z "
      "dns_switched_at=2023-11-14T22:14:01.000Z dns_switched_after_s=27.0 "
      "pgbouncer_moved_at=none pgbouncer_moved_after_s=none "
      "apps_converged_at=2023-11-14T22:14:50.000Z convergence_s=76.0 "
      "elapsed_s=76.0 waiting_for=\"\"");
}

// An unconfigured client failing writes on the demoted node blocks
// convergence; once it only stays connected, it does not.
TEST(FailoverTrackerTest, UnconfiguredWriterBlocksConvergenceWhileWriting) {
  Script s;
  FailoverTracker tracker(std::chrono::minutes(5));
  for (double t : {0.0, 5.0, 15.0, 20.0, 42.0}) tracker.Update(s.At_(t));
  StaleAppConnections w;
  w.app = "billing";
  w.node = "127.0.0.2:5432";
  w.node_role = NodeRole::kStandby;
  w.count = 1;
  w.writes = 1;
  w.write_verb = "INSERT";
  auto in = s.At_(90);
  auto pg = std::make_shared<PgObservation>(*s.PgAt(90));
  pg->unconfigured_writers = {w};
  in.databases[0].pg = pg;
  EXPECT_TRUE(tracker.Update(in).empty());
  auto tl = tracker.Timelines();
  ASSERT_EQ(tl[0].waiting_for.size(), 1u);
  EXPECT_EQ(tl[0].waiting_for[0],
            "billing (not configured) writes to 127.0.0.2:5432 (INSERT fails)");
  pg->unconfigured_writers[0].writes = 0;
  auto events = tracker.Update(in);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kConverged);
}

// A PgBouncer keeps its writer pool's servers on the old node until it
// re-resolves (dns_max_ttl) and the servers are recycled: that is its own
// step, and it blocks convergence.
std::shared_ptr<PgBouncerObservation> PgbAt(double t, bool moved) {
  auto pgb = std::make_shared<PgBouncerObservation>();
  pgb->database = "orders";
  pgb->address = "127.0.0.5:6432";
  pgb->sampled_at = At(t);
  pgb->roles_known = true;
  PgBouncerServerGroup g;
  g.pool_db = "orders";
  g.pool_user = "app";
  g.state = "idle";
  g.pool_target = PoolTarget::kWriter;
  g.count = 3;
  if (!moved) {
    pgb->stale_servers = {
        {"orders", "app", "127.0.0.2:5432", ServerRole::kStandby, 3}};
    g.address = "127.0.0.2:5432";
    g.role = ServerRole::kStandby;
  } else {
    g.address = "127.0.0.3:5432";
    g.role = ServerRole::kPrimary;
  }
  pgb->servers = {g};
  return pgb;
}

// Right after the promotion the old primary is still writable: PgBouncer's
// servers there are not stale yet, but they have not moved either.
TEST(FailoverTrackerTest, PgBouncerOnTheOldPrimaryHasNotMoved) {
  Script s;
  FailoverTracker tracker(std::chrono::minutes(5));
  DatabaseInputs db = DbInputs(s.DnsAt(15), s.PgAt(15));
  auto pgb = PgbAt(15, false);
  pgb->stale_servers.clear();
  pgb->servers[0].role = ServerRole::kPrimary;  // 127.0.0.2 still primary
  db.pgbouncers = {pgb};
  (void)tracker.Update(Inputs(15, {db}));
  EXPECT_EQ(tracker.Timelines()[0].Find(kStepPgBouncerMoved), nullptr);
  // A sample from before the promotion proves nothing either.
  db.pgbouncers = {PgbAt(10, true)};
  (void)tracker.Update(Inputs(16, {db}));
  EXPECT_EQ(tracker.Timelines()[0].Find(kStepPgBouncerMoved), nullptr);
  db.pgbouncers = {PgbAt(16, true)};
  (void)tracker.Update(Inputs(16, {db}));
  EXPECT_NE(tracker.Timelines()[0].Find(kStepPgBouncerMoved), nullptr);
}

TEST(FailoverTrackerTest, PgBouncerMovedIsAStepThatBlocksConvergence) {
  Script s;
  FailoverTracker tracker(std::chrono::minutes(5));
  auto at = [&](double t, bool moved) {
    DatabaseInputs db = DbInputs(s.DnsAt(t), s.PgAt(t));
    db.pgbouncers = {PgbAt(t, moved)};
    return tracker.Update(Inputs(t, {db}));
  };
  for (double t : {0.0, 15.0, 42.0}) EXPECT_TRUE(at(t, false).empty());
  // The apps let go at 90 s but PgBouncer still holds the old node.
  EXPECT_TRUE(at(90, false).empty());
  auto tl = tracker.Timelines();
  EXPECT_EQ(tl[0].Find(kStepPgBouncerMoved), nullptr);
  ASSERT_EQ(tl[0].waiting_for.size(), 1u);
  EXPECT_EQ(tl[0].waiting_for[0],
            "PgBouncer 127.0.0.5:6432 holds 3 writer-pool servers on "
            "127.0.0.2:5432 (standby)");
  auto events = at(95, true);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kConverged);
  tl = tracker.Timelines();
  ASSERT_NE(tl[0].Find(kStepPgBouncerMoved), nullptr);
  EXPECT_EQ(tl[0].Find(kStepPgBouncerMoved)->at, At(95));
  EXPECT_EQ(tl[0].steps[2].step, kStepPgBouncerMoved);
  EXPECT_EQ(tl[0].steps[3].step, kStepAppsConverged);
  EXPECT_DOUBLE_EQ(*tl[0].ConvergenceSeconds(), 81.0);
}

TEST(FailoverTrackerTest, PgBouncerWithUnknownRolesNeverCountsAsMoved) {
  Script s;
  FailoverTracker tracker(std::chrono::minutes(5));
  DatabaseInputs db = DbInputs(s.DnsAt(95), s.PgAt(95));
  auto pgb = PgbAt(95, true);
  pgb->roles_known = false;
  db.pgbouncers = {pgb};
  (void)tracker.Update(Inputs(15, {DbInputs(s.DnsAt(15), s.PgAt(15))}));
  EXPECT_TRUE(tracker.Update(Inputs(95, {db})).empty());
  auto tl = tracker.Timelines();
  EXPECT_EQ(tl[0].Find(kStepPgBouncerMoved), nullptr);
  EXPECT_EQ(tl[0].waiting_for.back(),
            "PgBouncer 127.0.0.5:6432: server roles unknown");
}

// The old primary restarting for a rewind is unreachable for a moment: its
// app connections are unknown then, so the failover must not count as
// converged; a node that stays gone stops blocking after the settle time.
TEST(FailoverTrackerTest, AnUnreachableNodeBlocksConvergenceUntilSettled) {
  Script s;
  FailoverTracker tracker(std::chrono::minutes(5));
  for (double t : {0.0, 15.0, 42.0, 60.0}) (void)tracker.Update(s.At_(t));
  auto down = [&](double t) {
    auto pg = s.PgAt(t);  // no stale connections from 90 s on
    pg->nodes[0] = Node("127.0.0.2:5432", NodeRole::kUnreachable);
    return tracker.Update(Inputs(t, {DbInputs(s.DnsAt(t), pg)}));
  };
  EXPECT_TRUE(down(90).empty());
  auto tl = tracker.Timelines();
  ASSERT_EQ(tl[0].waiting_for.size(), 1u);
  EXPECT_EQ(tl[0].waiting_for[0],
            "127.0.0.2:5432 unreachable for 0 s: its app connections are "
            "unknown");
  EXPECT_TRUE(down(119).empty());
  auto events = down(120);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kConverged);
  EXPECT_EQ(tracker.Timelines()[0].Find(kStepAppsConverged)->at, At(120));
}

TEST(FailoverTrackerTest, AStillWritableOldPrimaryBlocksConvergence) {
  Script s;
  FailoverTracker tracker(std::chrono::minutes(5));
  for (double t : {0.0, 15.0, 42.0}) (void)tracker.Update(s.At_(t));
  auto pg = s.PgAt(90);
  pg->nodes[0] = Node("127.0.0.2:5432", NodeRole::kPrimary);
  pg->nodes[0].superseded = true;
  EXPECT_TRUE(tracker.Update(Inputs(90, {DbInputs(s.DnsAt(90), pg)})).empty());
  auto tl = tracker.Timelines();
  ASSERT_EQ(tl[0].waiting_for.size(), 1u);
  EXPECT_EQ(tl[0].waiting_for[0], "127.0.0.2:5432 still answers as primary");
  auto events = tracker.Update(s.At_(91));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kConverged);
}

TEST(FailoverTrackerTest, NoDnsSwitchBeforeTheEndpointMoves) {
  Script s;
  FailoverTracker tracker(std::chrono::minutes(5));
  for (double t : {0.0, 15.0, 30.0, 40.0}) (void)tracker.Update(s.At_(t));
  auto tl = tracker.Timelines();
  ASSERT_EQ(tl.size(), 1u);
  EXPECT_EQ(tl[0].Find(kStepDnsSwitched), nullptr);
  ASSERT_FALSE(tl[0].waiting_for.empty());
  EXPECT_EQ(tl[0].waiting_for[0],
            "writer endpoint resolves to 127.0.0.2:5432 (standby)");
}

TEST(FailoverTrackerTest, LogsNotConvergedOnceAfterTheTimeoutThenConverged) {
  Script s;
  FailoverTracker tracker(std::chrono::seconds(60));
  std::vector<Kind> kinds;
  for (double t : {0.0, 15.0, 42.0, 73.9, 74.0, 80.0, 90.0}) {
    for (const auto& e : tracker.Update(s.At_(t))) {
      kinds.push_back(e.kind);
      if (e.kind == Kind::kNotConverged) {
        EXPECT_EQ(t, 74.0);  // 60 s after the promotion at 14 s
        EXPECT_EQ(e.timeline.state, FailoverTimeline::State::kNotConverged);
        EXPECT_NE(FormatTimelineLog(e.timeline, At(t))
                      .find("waiting_for=\"orders-api holds 12 connections"),
                  std::string::npos);
      }
    }
  }
  EXPECT_EQ(kinds, (std::vector<Kind>{Kind::kNotConverged, Kind::kConverged}));
}

TEST(FailoverTrackerTest, ASecondPromotionSupersedesAnOpenTimeline) {
  Script s;
  FailoverTracker tracker(std::chrono::minutes(5));
  (void)tracker.Update(s.At_(0));
  (void)tracker.Update(s.At_(30));
  auto pg = s.PgAt(50);
  pg->last_promotion = At(45);
  pg->nodes[1].last_promotion = At(45);
  auto events = tracker.Update(Inputs(50, {DbInputs(s.DnsAt(50), pg)}));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kSuperseded);
  EXPECT_EQ(events[0].timeline.promoted_at, At(14));
  EXPECT_EQ(tracker.failovers_total().at("orders"), 2u);
  EXPECT_EQ(tracker.Timelines()[0].promoted_at, At(45));
}

TEST(FailoverTrackerTest, NoPromotionNoTimelineAndVanishedDatabaseDropped) {
  FailoverTracker tracker(std::chrono::minutes(5));
  (void)tracker.Update(Inputs(0, {DbInputs(nullptr, HealthyPg())}));
  EXPECT_TRUE(tracker.Timelines().empty());
  EXPECT_EQ(tracker.failovers_total().at("orders"), 0u);
  (void)tracker.Update(Inputs(1, {}));
  EXPECT_TRUE(tracker.failovers_total().empty());
  EXPECT_TRUE(tracker.convergence().empty());
}

}  // namespace
}  // namespace failwatch
