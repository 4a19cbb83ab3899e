// health.checks.<name> is validated against the check registry
// (health/check_table.cc): every row's name and threshold keys load, others
// are refused at their position.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "config/config_loader.h"
#include "health/check_table.h"
#include "test_env.h"

namespace failwatch {
namespace {

using config_test::FakeEnv;
using config_test::FakeFiles;

ConfigLoadResult ParseHealth(const std::string& checks_yaml) {
  return ParseConfig(
      "databases:\n  - name: orders\n    endpoint: db.test\n"
      "health:\n  checks:\n" +
          checks_yaml,
      "test.yml", FakeEnv({}), FakeFiles({}));
}

std::string Errors(const ConfigLoadResult& r) {
  std::string all;
  for (const ConfigError& e : r.errors) all += e.ToString() + "\n";
  return all;
}

// Every check in the registry goes through the loader and lands in the
// config.
TEST(CheckNamesTest, LoaderAcceptsEveryRegisteredName) {
  for (const CheckSpec& spec : CheckTable()) {
    const std::string name(spec.name);
    ConfigLoadResult r = ParseHealth("    " + name + ": {for: 7s}\n");
    ASSERT_TRUE(r.config) << name << ": " << Errors(r);
    ASSERT_EQ(r.config->health.checks.count(name), 1u) << name;
    EXPECT_EQ(r.config->health.checks.at(name).for_duration,
              std::chrono::milliseconds(7000))
        << name;
  }
}

TEST(CheckNamesTest, LoaderRejectsAnUnlistedNameAtItsPosition) {
  ConfigLoadResult r = ParseHealth("    endpoint_is_primary: {for: 7s}\n");
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 1u) << Errors(r);
  EXPECT_EQ(r.errors[0].line, 6);
  EXPECT_NE(r.errors[0].message.find("endpoint_is_primary"), std::string::npos)
      << r.errors[0].message;
}

// Each threshold key is accepted for its check only, and stored in the unit
// its kind says (durations in seconds).
TEST(CheckNamesTest, ThresholdKeysLoadForTheirCheckOnly) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const CheckSpec& spec : CheckTable()) {
    for (const ThresholdKey& k : spec.thresholds) {
      const std::string what =
          std::string(spec.name) + "." + std::string(k.key);
      EXPECT_TRUE(seen.insert({spec.name, k.key}).second) << what;
      const bool duration = k.kind == ThresholdKind::kDuration;
      ConfigLoadResult r = ParseHealth("    " + std::string(spec.name) + ": {" +
                                       std::string(k.key) + ": " +
                                       (duration ? "90s" : "12") + "}\n");
      ASSERT_TRUE(r.config) << what << ": " << Errors(r);
      const CheckOverride& o =
          r.config->health.checks.at(std::string(spec.name));
      EXPECT_EQ(o.thresholds.at(std::string(k.key)), duration ? 90.0 : 12.0)
          << what;
    }
  }
  EXPECT_FALSE(ParseHealth("    no_primary: {window: 90s}\n").config);
  EXPECT_FALSE(ParseHealth("    consumer_lag: {max_ttl: 90s}\n").config);
}

}  // namespace
}  // namespace failwatch
