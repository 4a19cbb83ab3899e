#include "config/env_expand.h"

#include <gtest/gtest.h>

#include "test_env.h"

namespace failwatch {
namespace {

struct ExpandCase {
  const char* text;
  const char* want;   // nullptr = must fail
  const char* error;  // expected message when failing
};

class ExpandEnvTest : public ::testing::TestWithParam<ExpandCase> {};

TEST_P(ExpandEnvTest, Expands) {
  const ExpandCase& c = GetParam();
  EnvLookup env = config_test::FakeEnv(
      {{"HOST", "db.test"}, {"EMPTY", ""}, {"DOLLAR", "${HOST}"}});
  Result<std::string> r = ExpandEnv(c.text, env);
  if (c.want == nullptr) {
    ASSERT_FALSE(r.ok()) << c.text << " gave " << *r;
    EXPECT_EQ(r.error().message, c.error) << c.text;
  } else {
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.error().ToString();
    EXPECT_EQ(*r, c.want) << c.text;
  }
}

constexpr const char* kUnterminated =
    "unterminated \"${\" (write \"$${\" for a literal \"${\")";
constexpr const char* kBadName =
    "invalid variable reference in \"${...}\" (names are "
    "[A-Za-z_][A-Za-z0-9_]*; write \"$${\" for a literal \"${\")";

INSTANTIATE_TEST_SUITE_P(
    Table, ExpandEnvTest,
    ::testing::Values(
        ExpandCase{"plain", "plain", nullptr}, ExpandCase{"", "", nullptr},
        ExpandCase{"${HOST}", "db.test", nullptr},
        ExpandCase{"${HOST}:5432", "db.test:5432", nullptr},
        ExpandCase{"a${HOST}b${HOST}", "adb.testbdb.test", nullptr},
        ExpandCase{"x${EMPTY}y", "xy", nullptr},
        // Values are not expanded again.
        ExpandCase{"${DOLLAR}", "${HOST}", nullptr},
        ExpandCase{"$${HOST}", "${HOST}", nullptr},
        // Scanned left to right: a lone "$", then the "$${" escape.
        ExpandCase{"$$${HOST}", "$${HOST}", nullptr},
        ExpandCase{"cost $5 and $HOST", "cost $5 and $HOST", nullptr},
        ExpandCase{"trailing $", "trailing $", nullptr},
        ExpandCase{"${MISSING}", nullptr,
                   "environment variable \"MISSING\" is not set"},
        ExpandCase{"${HOST", nullptr, kUnterminated},
        ExpandCase{"${}", nullptr, kBadName},
        ExpandCase{"${1X}", nullptr, kBadName},
        ExpandCase{"${A-B}", nullptr, kBadName}));

}  // namespace
}  // namespace failwatch
