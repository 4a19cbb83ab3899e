#include "health/collector_checks.h"

#include <gtest/gtest.h>

#include "health_fixtures.h"

namespace failwatch {
namespace {

using namespace failwatch::testing;  // NOLINT

CollectorHealth Target(bool sampled, std::optional<Error> error,
                       double last_sample, double last_success) {
  CollectorHealth c;
  c.kind = "postgres";
  c.target = "orders";
  c.sampled = sampled;
  c.error = std::move(error);
  c.last_sample_time = At(last_sample);
  c.last_success_time = At(last_success);
  c.interval = Millis(1000);
  return c;
}

struct CollectorCase {
  const char* name;
  CollectorHealth target;
  double now;
  CheckStatus want;
  bool unknown;
};

class CollectorFailingTest : public ::testing::TestWithParam<CollectorCase> {};

TEST_P(CollectorFailingTest, Judges) {
  const auto& c = GetParam();
  HealthInputs in = Inputs(c.now, {});
  in.collectors = {c.target};
  std::vector<Condition> out;
  CheckCollectorFailing(in, HealthTuning{}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].target, "postgres/orders");
  EXPECT_EQ(out[0].status, c.want) << c.name << ": " << out[0].reason;
  EXPECT_EQ(out[0].unknown, c.unknown) << c.name;
}

const Error kTimeout{ErrorKind::kTimeout, "timeout", "deadline exceeded"};

INSTANTIATE_TEST_SUITE_P(
    Table, CollectorFailingTest,
    ::testing::Values(CollectorCase{"ok", Target(true, std::nullopt, 10, 10),
                                    10.5, CheckStatus::kOk, false},
                      CollectorCase{"failing", Target(true, kTimeout, 10, 4),
                                    10.5, CheckStatus::kDegraded, false},
                      CollectorCase{"not_sampled",
                                    Target(false, std::nullopt, 0, 0), 10,
                                    CheckStatus::kOk, true},
                      // 5 intervals of 1 s: exactly 5 s old is still fresh.
                      CollectorCase{"stale_edge",
                                    Target(true, std::nullopt, 10, 10), 15,
                                    CheckStatus::kOk, false},
                      CollectorCase{"stale", Target(true, std::nullopt, 10, 10),
                                    15.1, CheckStatus::kDegraded, false}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(CollectorFailingEvidenceTest, CarriesErrorAndLastSuccess) {
  HealthInputs in = Inputs(11, {});
  in.collectors = {Target(true, kTimeout, 10, 4)};
  std::vector<Condition> out;
  CheckCollectorFailing(in, HealthTuning{}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["collector"], "postgres");
  EXPECT_EQ(out[0].evidence["target"], "orders");
  EXPECT_EQ(out[0].evidence["error_code"], "timeout");
  EXPECT_EQ(out[0].evidence["error_kind"], ErrorKindName(ErrorKind::kTimeout));
  EXPECT_EQ(out[0].evidence["last_success"], "2023-11-14T22:13:24.000Z");
  EXPECT_EQ(out[0].reason,
            "postgres/orders samples fail: timeout deadline exceeded (last "
            "success 22:13:24Z)");
}

}  // namespace
}  // namespace failwatch
