// Table-driven tests of the Kafka checks over hand-built observations.
#include "health/kafka_checks.h"

#include <gtest/gtest.h>

#include <functional>

#include "health_fixtures.h"

namespace failwatch {
namespace {

using failwatch::testing::At;

using Mutate = std::function<void(KafkaObservation&)>;

// Cluster "lab": configured group "billing" consuming orders (OK, caught
// up), DLT orders.DLT reprocessed by "replay", nothing unhandled.
std::shared_ptr<const KafkaObservation> Obs(const Mutate& mutate) {
  auto obs = std::make_shared<KafkaObservation>();
  obs->cluster = "lab";
  obs->at = At(100);
  obs->dlts_evaluated = true;
  GroupState g;
  g.name = "billing";
  g.configured = true;
  g.topics = {"orders"};
  GroupPartitionState p;
  p.topic = "orders";
  p.committed = 10;
  p.high = 10;
  g.partitions.push_back(p);
  g.lag_seconds_max = 0;
  obs->groups["billing"] = g;
  GroupState r;
  r.name = "replay";
  r.configured = true;
  r.reprocess_only = true;
  r.status = ConsumerStatus::kStall;  // never judged
  obs->groups["replay"] = r;
  GroupState d;
  d.name = "discovered";
  d.status = ConsumerStatus::kStall;  // never judged
  obs->groups["discovered"] = d;
  DltState dlt;
  dlt.topic = "orders.DLT";
  dlt.sources = {{"billing", "orders", "spring_dlt", true}};
  dlt.reprocess_group = "replay";
  dlt.unhandled = 0;
  obs->dlts["orders.DLT"] = dlt;
  if (mutate) mutate(*obs);
  return obs;
}

struct Case {
  const char* name;
  Mutate mutate;
  // Expected (target, status, unknown) of the check's conditions.
  std::vector<std::tuple<std::string, CheckStatus, bool>> want;
  std::string reason_contains;
};

void RunCases(void (*check)(const HealthInputs&, const HealthTuning&,
                            std::vector<Condition>&),
              const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    HealthInputs in;
    in.now = At(100);
    in.kafka.push_back(Obs(c.mutate));
    std::vector<Condition> out;
    check(in, HealthTuning{}, out);
    ASSERT_EQ(out.size(), c.want.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(out[i].target, std::get<0>(c.want[i]));
      EXPECT_EQ(out[i].status, std::get<1>(c.want[i])) << out[i].reason;
      EXPECT_EQ(out[i].unknown, std::get<2>(c.want[i])) << out[i].reason;
    }
    if (!c.reason_contains.empty() && !out.empty()) {
      EXPECT_NE(out[0].reason.find(c.reason_contains), std::string::npos)
          << out[0].reason;
    }
  }
}

constexpr auto kOk = CheckStatus::kOk;
constexpr auto kDegraded = CheckStatus::kDegraded;

TEST(KafkaChecksTest, ConsumerLag) {
  auto status = [](ConsumerStatus s) {
    return [s](KafkaObservation& o) {
      o.groups["billing"].status = s;
      o.groups["billing"].partitions[0].status = s;
      o.groups["billing"].lag_sum = 7;
    };
  };
  RunCases(&CheckConsumerLag,
           {
               // No rates yet: judged by the old rules, and says so.
               {"ok",
                nullptr,
                {{"lab/billing", kOk, false}},
                "group billing on lab: lag 0 messages, 0 s behind; rates not "
                "known yet (0 s of 60 s sampled), judged by status and lag "
                "age only"},
               {"warn",
                status(ConsumerStatus::kWarn),
                {{"lab/billing", kDegraded, false}},
                "is WARN (lag 7"},
               {"stall",
                status(ConsumerStatus::kStall),
                {{"lab/billing", kDegraded, false}},
                "STALL"},
               {"stop",
                status(ConsumerStatus::kStop),
                {{"lab/billing", kDegraded, false}},
                "STOP"},
               {"rewind",
                status(ConsumerStatus::kRewind),
                {{"lab/billing", kDegraded, false}},
                "REWIND"},
               {"err is unknown",
                status(ConsumerStatus::kErr),
                {{"lab/billing", kOk, true}},
                "unreadable"},
               {"lag seconds over threshold",
                [](KafkaObservation& o) {
                  o.groups["billing"].lag_seconds_max = 301;
                },
                {{"lab/billing", kDegraded, false}},
                "301 s behind"},
               {"lag seconds name what they cannot date",
                [](KafkaObservation& o) {
                  o.groups["billing"].lag_seconds_max = 400;
                  o.groups["billing"].partitions[0].lag_seconds_caveat =
                      "expired";
                },
                {{"lab/billing", kDegraded, false}},
                "is 400 s behind (over 300 s); unconsumed records deleted by "
                "retention on 1 partition"},
               {"compacted: a lower bound",
                [](KafkaObservation& o) {
                  o.groups["billing"].partitions[0].lag_seconds_caveat =
                      "compacted";
                },
                {{"lab/billing", kOk, false}},
                "lag seconds a lower bound on 1 partition (no record at the "
                "committed offset: compacted or deleted)"},
               {"lag seconds at threshold",
                [](KafkaObservation& o) {
                  o.groups["billing"].lag_seconds_max = 300;
                },
                {{"lab/billing", kOk, false}},
                ""},
           });
}

// A group with covered rates over a 60 s window; each case edits them.
Mutate WithRates(std::int64_t lag, std::optional<double> lag_seconds,
                 const std::function<void(GroupRates&)>& edit) {
  return [=](KafkaObservation& o) {
    GroupState& g = o.groups["billing"];
    g.lag_sum = lag;
    g.lag_seconds_max = lag_seconds;
    GroupRates r;
    r.window_seconds = 60;
    r.covered_seconds = 60;
    r.window_covered = true;
    r.consume_rate = 20;
    r.produce_rate = 20;
    r.last_progress = At(100);
    edit(r);
    g.rates = r;
  };
}

TEST(KafkaChecksTest, ConsumerLagRates) {
  RunCases(
      &CheckConsumerLag,
      {
          // The lab drill: 1722 messages behind and growing by 12/s.
          {"falling behind",
           WithRates(1869, 94,
                     [](GroupRates& r) {
                       r.consume_rate = 8;
                       r.lag_growth = 720;
                       r.lag_slope = 12;
                       r.lag_growing = true;
                     }),
           {{"lab/billing", kDegraded, false}},
           "group billing on lab is falling behind by 12 msg/s (consuming "
           "8/s of 20/s), lag 1869 messages, 94 s behind"},
          {"stopped while producing",
           WithRates(1869, 94,
                     [](GroupRates& r) {
                       r.consume_rate = 0;
                       r.lag_growth = 1200;
                       r.lag_growing = true;
                       r.no_progress_seconds = 45;
                       r.last_progress = At(55);
                     }),
           {{"lab/billing", kDegraded, false}},
           "group billing on lab stopped: no progress for 45 s, 1869 "
           "messages behind"},
          {"stopped with a backlog on an idle topic",
           WithRates(500, std::nullopt,
                     [](GroupRates& r) {
                       r.consume_rate = r.produce_rate = 0;
                       r.no_progress_seconds = 600;
                       r.last_progress.reset();
                     }),
           {{"lab/billing", kDegraded, false}},
           "group billing on lab stopped: no progress for 600 s, 500 "
           "messages behind"},
          {"no progress, but not for stopped_after yet",
           WithRates(500, std::nullopt,
                     [](GroupRates& r) { r.no_progress_seconds = 29; }),
           {{"lab/billing", kOk, false}},
           "group billing on lab keeps up (lag 500 messages, flat)"},
          {"idle topic, caught up",
           WithRates(0, 0,
                     [](GroupRates& r) {
                       r.consume_rate = r.produce_rate = 0;
                       r.no_progress_seconds = 600;
                     }),
           {{"lab/billing", kOk, false}},
           "group billing on lab keeps up (lag 0 messages, 0 s behind, "
           "flat)"},
          {"burst drained within the window",
           WithRates(3, 1, [](GroupRates& r) { r.lag_growth = -2; }),
           {{"lab/billing", kOk, false}},
           "group billing on lab keeps up (lag 3 messages, 1 s behind, "
           "falling)"},
          {"burst still draining",
           WithRates(270, 12,
                     [](GroupRates& r) {
                       r.consume_rate = 31;
                       r.produce_rate = 40;
                       r.lag_growth = 270;
                       r.drain_seconds = 9;
                     }),
           {{"lab/billing", kOk, false}},
           "group billing on lab is draining (lag 270 messages, 12 s behind, "
           "consuming 31/s of 40/s), done in ~9 s"},
          {"rising, not steadily",
           WithRates(60, std::nullopt,
                     [](GroupRates& r) {
                       r.consume_rate = 19.5;
                       r.lag_growth = 30;
                     }),
           {{"lab/billing", kOk, false}},
           "group billing on lab: lag 60 messages, up 30 in 60 s but not "
           "steadily (consuming 19.5/s of 20/s)"},
          // After an offset reset the rates restart: not covered yet.
          {"offset reset restarts the window",
           WithRates(2000, std::nullopt,
                     [](GroupRates& r) {
                       r.window_covered = false;
                       r.covered_seconds = 20;
                       r.consume_rate = 0;
                     }),
           {{"lab/billing", kOk, false}},
           "group billing on lab: lag 2000 messages; rates not known yet (20 "
           "s of 60 s sampled), judged by status and lag age only"},
          {"status still triggers",
           [](KafkaObservation& o) {
             WithRates(7, std::nullopt, [](GroupRates&) {})(o);
             o.groups["billing"].status = ConsumerStatus::kStall;
           },
           {{"lab/billing", kDegraded, false}},
           "group billing on lab is STALL (lag 7 messages)"},
          {"lag age still triggers",
           WithRates(7, 301, [](GroupRates&) {}),
           {{"lab/billing", kDegraded, false}},
           "group billing on lab is 301 s behind (over 300 s)"},
      });
}

TEST(KafkaChecksTest, ConsumerLagEvidenceHasTheRates) {
  HealthInputs in;
  in.now = At(100);
  in.kafka.push_back(
      Obs(WithRates(270, 12, [](GroupRates& r) { r.drain_seconds = 9; })));
  std::vector<Condition> out;
  CheckConsumerLag(in, HealthTuning{}, out);
  ASSERT_EQ(out.size(), 1u);
  const auto& e = out[0].evidence;
  EXPECT_EQ(e.at("consume_rate"), 20);
  EXPECT_EQ(e.at("produce_rate"), 20);
  EXPECT_EQ(e.at("drain_seconds"), 9);
  EXPECT_EQ(e.at("window_seconds"), 60);
  EXPECT_EQ(e.at("window_covered"), true);
}

// The stopped threshold is the check's, not the collector's.
TEST(KafkaChecksTest, ConsumerLagStoppedAfterFromTuning) {
  HealthInputs in;
  in.now = At(100);
  in.kafka.push_back(Obs(WithRates(
      500, std::nullopt, [](GroupRates& r) { r.no_progress_seconds = 45; })));
  HealthTuning t;
  t.consumer_lag_stopped_after = std::chrono::seconds(60);
  std::vector<Condition> out;
  CheckConsumerLag(in, t, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, kOk) << out[0].reason;
  t.consumer_lag_stopped_after = std::chrono::seconds(40);
  out.clear();
  CheckConsumerLag(in, t, out);
  EXPECT_EQ(out[0].status, kDegraded) << out[0].reason;
  EXPECT_EQ(out[0].onset, At(55));
}

TEST(KafkaChecksTest, DltMissing) {
  RunCases(
      &CheckDltMissing,
      {
          {"dlt exists",
           nullptr,
           {{"lab/billing/orders", kOk, false}},
           "exists"},
          {"absent",
           [](KafkaObservation& o) {
             o.dlts.clear();
             o.dlt_missing.push_back({"billing",
                                      "orders",
                                      "orders.DLT",
                                      "absent",
                                      {"orders.DLT", "orders-dlt"},
                                      3,
                                      0});
           },
           {{"lab/billing/orders", kDegraded, false}},
           "expected orders.DLT or orders-dlt"},
          {"too few partitions: one condition for the target",
           [](KafkaObservation& o) {
             o.dlt_missing.push_back({"billing",
                                      "orders",
                                      "orders.DLT",
                                      "too_few_partitions",
                                      {"orders.DLT"},
                                      3,
                                      1});
           },
           {{"lab/billing/orders", kDegraded, false}},
           "has 1 partitions"},
          {"explicit dlt absent",
           [](KafkaObservation& o) {
             o.dlt_missing.push_back(
                 {"sink", "", "connect-dlq", "absent", {"connect-dlq"}, 0, 0});
           },
           {{"lab/sink/connect-dlq", kDegraded, false},
            {"lab/billing/orders", kOk, false}},
           "does not exist"},
          {"discovered source is not judged",
           [](KafkaObservation& o) {
             o.dlts["orders.DLT"].sources[0].required = false;
           },
           {},
           ""},
          {"not evaluated (metadata failed)",
           [](KafkaObservation& o) { o.dlts_evaluated = false; },
           {},
           ""},
      });
}

TEST(KafkaChecksTest, DltReceiving) {
  RunCases(&CheckDltReceiving,
           {
               {"quiet", nullptr, {{"lab/orders.DLT", kOk, false}}, "no new"},
               {"arrival seen 30 s ago",
                [](KafkaObservation& o) {
                  o.dlts["orders.DLT"].last_arrival_seen = At(70);
                  o.dlts["orders.DLT"].records_total = 4;
                },
                {{"lab/orders.DLT", kDegraded, false}},
                "newest 30 s ago, 4 since"},
               {"arrival seen 61 s ago",
                [](KafkaObservation& o) {
                  o.dlts["orders.DLT"].last_arrival_seen = At(39);
                },
                {{"lab/orders.DLT", kOk, false}},
                ""},
               {"newest record from before watching began",
                [](KafkaObservation& o) {
                  o.dlts["orders.DLT"].newest_timestamp = At(90);
                },
                {{"lab/orders.DLT", kDegraded, false}},
                ""},
           });
}

TEST(KafkaChecksTest, DltUnhandledAge) {
  auto dlt = [](std::optional<std::int64_t> n, std::optional<double> age) {
    return [n, age](KafkaObservation& o) {
      o.dlts["orders.DLT"].unhandled = n;
      o.dlts["orders.DLT"].oldest_unhandled_age_seconds = age;
    };
  };
  RunCases(
      &CheckDltUnhandledAge,
      {
          {"nothing unhandled",
           nullptr,
           {{"lab/orders.DLT", kOk, false}},
           "nothing unhandled"},
          {"young", dlt(3, 20), {{"lab/orders.DLT", kOk, false}}, "20 s old"},
          {"old",
           dlt(3, 601),
           {{"lab/orders.DLT", kDegraded, false}},
           "3 unhandled records in orders.DLT, the oldest 601 s old "
           "(reprocessed by replay)"},
          {"depth unknown",
           dlt(std::nullopt, std::nullopt),
           {{"lab/orders.DLT", kOk, true}},
           "unknown"},
          {"age unread",
           dlt(3, std::nullopt),
           {{"lab/orders.DLT", kOk, true}},
           "unread"},
      });
}

}  // namespace
}  // namespace failwatch
