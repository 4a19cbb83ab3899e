#include "health/dns_checks.h"

#include <gtest/gtest.h>

#include "health_fixtures.h"

namespace failwatch {
namespace {

using namespace failwatch::testing;  // NOLINT

const AddressSet kA = {"127.0.0.2"};
const AddressSet kB = {"127.0.0.3"};
const AddressSet kC = {"127.0.0.4"};

std::vector<Condition> RunCheck(void (*fn)(const HealthInputs&,
                                           const HealthTuning&,
                                           std::vector<Condition>&),
                                double now, std::vector<EndpointDnsState> eps) {
  std::vector<Condition> out;
  fn(Inputs(now, {DbInputs(Dns("orders", std::move(eps)), nullptr)}),
     HealthTuning{}, out);
  return out;
}

TEST(DnsResolutionTest, WriterResolvingIsOk) {
  auto out = RunCheck(&CheckDnsResolution, 2,
                      {Endpoint("writer", {Rec(1, kA), Rec(2, kA)})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].target, "orders/writer");
  EXPECT_EQ(out[0].status, CheckStatus::kOk);
  EXPECT_FALSE(out[0].unknown);
  EXPECT_EQ(out[0].reason, "writer endpoint db.lab.test resolves to 127.0.0.2");
}

TEST(DnsResolutionTest, WriterFailingIsDownReaderFailingIsDegraded) {
  auto out = RunCheck(&CheckDnsResolution, 4,
                      {Endpoint("writer", {Rec(1, kA), Rec(2, std::nullopt),
                                           Rec(3, std::nullopt)}),
                       Endpoint("reader", {Rec(3, std::nullopt)})});
  const Condition* w = FindCheck(out, "dns_resolution", "orders/writer");
  const Condition* r = FindCheck(out, "dns_resolution", "orders/reader");
  ASSERT_NE(w, nullptr);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(w->status, CheckStatus::kDown);
  EXPECT_EQ(r->status, CheckStatus::kDegraded);
  EXPECT_EQ(w->evidence["error_code"], "ENOTFOUND");
  // Failing since the first failure after the last answer.
  EXPECT_EQ(w->onset, At(2));
  EXPECT_NE(w->reason.find("cannot be resolved (ENOTFOUND)"), std::string::npos)
      << w->reason;
  EXPECT_NE(w->reason.find("last answer 127.0.0.2"), std::string::npos)
      << w->reason;
  EXPECT_NE(r->reason.find("last answer never"), std::string::npos)
      << r->reason;
}

TEST(DnsResolutionTest, NotLookedUpYetIsUnknown) {
  auto out = RunCheck(&CheckDnsResolution, 1, {Endpoint("writer", {})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].unknown);
}

TEST(DnsResolutionTest, NoObservationNoCondition) {
  std::vector<Condition> out;
  CheckDnsResolution(Inputs(1, {DbInputs(nullptr, nullptr)}), HealthTuning{},
                     out);
  EXPECT_TRUE(out.empty());
}

struct FlapCase {
  const char* name;
  std::vector<DnsAnswerRecord> history;
  double now;
  CheckStatus want;
};

class DnsFlappingTest : public ::testing::TestWithParam<FlapCase> {};

TEST_P(DnsFlappingTest, Judges) {
  const auto& c = GetParam();
  auto out =
      RunCheck(&CheckDnsFlapping, c.now, {Endpoint("writer", c.history)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, c.want) << c.name << ": " << out[0].reason;
  EXPECT_FALSE(out[0].unknown);
}

INSTANTIATE_TEST_SUITE_P(
    Table, DnsFlappingTest,
    ::testing::Values(
        FlapCase{"stable",
                 {Rec(1, kA), Rec(2, kA), Rec(3, kA)},
                 3,
                 CheckStatus::kOk},
        // The failover we want: one clean move is not a flap.
        FlapCase{"clean_move",
                 {Rec(1, kA), Rec(2, kA), Rec(3, kB), Rec(4, kB)},
                 4,
                 CheckStatus::kOk},
        FlapCase{"rollout_a_b_c",
                 {Rec(1, kA), Rec(2, kB), Rec(3, kC)},
                 3,
                 CheckStatus::kOk},
        FlapCase{"a_b_a",
                 {Rec(1, kA), Rec(2, kB), Rec(3, kA)},
                 3,
                 CheckStatus::kDegraded},
        // Failed lookups in between neither break nor make a flap.
        FlapCase{"a_fail_b_fail_a",
                 {Rec(1, kA), Rec(2, std::nullopt), Rec(3, kB),
                  Rec(4, std::nullopt), Rec(5, kA)},
                 5,
                 CheckStatus::kDegraded},
        FlapCase{"a_fail_a",
                 {Rec(1, kA), Rec(2, std::nullopt), Rec(3, kA)},
                 3,
                 CheckStatus::kOk},
        // A -> B -> A at 1, 2, 3 s: a flap while the window (30 s) still
        // holds the B answer's predecessor change, not once B left it.
        FlapCase{"flap_inside_window",
                 {Rec(1, kA), Rec(2, kB), Rec(3, kA), Rec(31, kA)},
                 31.5,
                 CheckStatus::kDegraded},
        FlapCase{"flap_outside_window",
                 {Rec(1, kA), Rec(2, kB), Rec(3, kA), Rec(32, kA)},
                 32.5,
                 CheckStatus::kOk}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(DnsFlappingTest2, EvidenceNamesTheAnswers) {
  auto out = RunCheck(&CheckDnsFlapping, 5,
                      {Endpoint("writer", {Rec(1, kA), Rec(2, kB), Rec(3, kA),
                                           Rec(4, kB), Rec(5, kA)})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["changes"], 4);
  EXPECT_EQ(out[0].evidence["distinct_answers"], 2);
  EXPECT_EQ(out[0].evidence["addresses_seen"],
            nlohmann::json({"127.0.0.2", "127.0.0.3"}));
  EXPECT_EQ(out[0].onset, At(2));
  EXPECT_EQ(out[0].reason,
            "writer endpoint db.lab.test answers flap: 4 changes between 2 "
            "answers in 30 s (127.0.0.2, 127.0.0.3)");
}

DnsAnswerRecord TtlRec(double t, std::uint32_t ttl) {
  DnsAnswerRecord r = Rec(t, kA);
  r.ttl_seconds = ttl;
  return r;
}

struct TtlCase {
  const char* name;
  std::vector<DnsAnswerRecord> history;
  CheckStatus want;
  bool unknown;
  const char* reason_has;
};

class DnsTtlTest : public ::testing::TestWithParam<TtlCase> {};

TEST_P(DnsTtlTest, Judges) {
  const auto& c = GetParam();
  auto out = RunCheck(&CheckDnsTtl, 10,
                      {Endpoint("writer", c.history),
                       Endpoint("reader", {TtlRec(1, 3600)})});
  ASSERT_EQ(out.size(), 1u) << "the reader endpoint is not judged";
  EXPECT_EQ(out[0].target, "orders/writer");
  EXPECT_EQ(out[0].status, c.want) << c.name << ": " << out[0].reason;
  EXPECT_EQ(out[0].unknown, c.unknown) << c.name;
  EXPECT_NE(out[0].reason.find(c.reason_has), std::string::npos)
      << c.name << ": " << out[0].reason;
}

INSTANTIATE_TEST_SUITE_P(
    Table, DnsTtlTest,
    ::testing::Values(
        TtlCase{"short_ttl_ok", {TtlRec(1, 5), TtlRec(2, 5)}, CheckStatus::kOk,
                false, "TTL 5 s"},
        TtlCase{"at_threshold_ok", {TtlRec(1, 60)}, CheckStatus::kOk, false,
                "TTL 60 s"},
        TtlCase{"long_ttl_degraded", {TtlRec(1, 300)}, CheckStatus::kDegraded,
                false,
                "has a TTL of 300 s (over 60 s): clients cache the old "
                "address longer than a failover takes"},
        // A caching resolver counts down: the largest value seen counts.
        TtlCase{"counting_down_uses_the_max",
                {TtlRec(1, 300), TtlRec(2, 12), TtlRec(3, 11)},
                CheckStatus::kDegraded, false, "TTL of 300 s"},
        TtlCase{"failed_lookups_are_ignored",
                {Rec(1, std::nullopt), TtlRec(2, 5)}, CheckStatus::kOk, false,
                "TTL 5 s"},
        TtlCase{"no_answer_is_unknown", {Rec(1, std::nullopt)},
                CheckStatus::kOk, true, "no answer yet"}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace failwatch
