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

// Overflow (issue 14 row 8): every term and every sum past the maximum is
// "duration out of range", never a wrapped-around value.
class DurationRangeTest : public ::testing::TestWithParam<const char*> {};

TEST_P(DurationRangeTest, IsOutOfRange) {
  auto r = ParseDuration(GetParam());
  ASSERT_FALSE(r.ok()) << GetParam() << " parsed as " << r->count() << "ms";
  EXPECT_EQ(r.error().message, std::string("invalid duration \"") +
                                   GetParam() +
                                   "\": duration out of range (at most "
                                   "3650d)");
}

INSTANTIATE_TEST_SUITE_P(
    Table, DurationRangeTest,
    ::testing::Values("15250284452w106751991167d86h25m52s616ms",
                      "9223372036854775807ms", "9223372036854775808ms",
                      "99999999999999999999s", "106751991167d", "3651d",
                      "3650d1ms", "522w", "521w4d",
                      "87600h1ms", "315360000001ms",
                      "1000000000000000000000000000000000000w"));

TEST(DurationRangeTest, TheMaximumItselfParses) {
  auto r = ParseDuration("3650d");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->count(), kMaxDurationMs);
  r = ParseDuration("521w3d");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->count(), kMaxDurationMs);
}

TEST(FormatDurationTest, RoundTrips) {
  EXPECT_EQ(FormatDuration(Millis(250)), "250ms");
  EXPECT_EQ(FormatDuration(Millis(90000)), "1m30s");
  EXPECT_EQ(FormatDuration(Millis(0)), "0s");
  EXPECT_EQ(*ParseDuration(FormatDuration(Millis(3723004))), Millis(3723004));
}

}  // namespace
}  // namespace failwatch
