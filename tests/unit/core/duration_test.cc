#include "core/duration.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

struct DurationCase {
  const char* text;
  long long ms;  // -1 = must fail
};

class DurationTest : public ::testing::TestWithParam<DurationCase> {};

TEST_P(DurationTest, Parses) {
  const auto& c = GetParam();
  auto r = ParseDuration(c.text);
  if (c.ms < 0) {
    EXPECT_FALSE(r.ok()) << c.text;
  } else {
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.error().ToString();
    EXPECT_EQ(r->count(), c.ms) << c.text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, DurationTest,
    ::testing::Values(DurationCase{"250ms", 250}, DurationCase{"1s", 1000},
                      DurationCase{"5s", 5000}, DurationCase{"2m", 120000},
                      DurationCase{"1m30s", 90000}, DurationCase{"1h", 3600000},
                      DurationCase{"1d", 86400000}, DurationCase{"1w", 604800000},
                      DurationCase{"1s500ms", 1500}, DurationCase{"0", 0},
                      DurationCase{"", -1}, DurationCase{"5", -1},
                      DurationCase{"s", -1}, DurationCase{"5x", -1},
                      DurationCase{"-5s", -1}, DurationCase{"1.5s", -1},
                      DurationCase{"5s1m", -1}, DurationCase{"1s1s", -1},
                      DurationCase{"99999999999999999999s", -1},
                      DurationCase{" 5s", -1}));

TEST(FormatDurationTest, RoundTrips) {
  EXPECT_EQ(FormatDuration(Millis(250)), "250ms");
  EXPECT_EQ(FormatDuration(Millis(90000)), "1m30s");
  EXPECT_EQ(FormatDuration(Millis(0)), "0s");
  EXPECT_EQ(*ParseDuration(FormatDuration(Millis(3723004))), Millis(3723004));
}

}  // namespace
}  // namespace failwatch
