// kafka[].canary: off by default, on when present, every key read, bad
// values reported at their position.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "test_env.h"

namespace failwatch {
namespace {

using ::testing::ElementsAre;

ConfigLoadResult Parse(const std::string& extra) {
  return ParseConfig("kafka:\n  - name: k\n    brokers: [127.0.0.1]\n" + extra,
                     "test.yml", config_test::FakeEnv({}),
                     config_test::FakeFiles({}));
}

std::vector<std::string> Errors(const ConfigLoadResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.ToString());
  return out;
}

TEST(CanaryConfigTest, OffByDefaultOnWhenPresent) {
  auto off = Parse("");
  ASSERT_TRUE(off.config.has_value());
  EXPECT_FALSE(off.config->kafka[0].canary.enabled);
  auto on = Parse("    canary: {}\n");
  ASSERT_TRUE(on.config.has_value()) << Errors(on).front();
  const KafkaCanaryConfig& c = on.config->kafka[0].canary;
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.topic, "failwatch-canary");
  EXPECT_EQ(c.sla, std::chrono::seconds(10));
  EXPECT_FALSE(c.create);
}

TEST(CanaryConfigTest, EveryKeyIsRead) {
  auto r = Parse(
      "    canary: {topic: probe.e2e, sla: 2500ms, create: true, enabled: "
      "true}\n");
  ASSERT_TRUE(r.config.has_value()) << Errors(r).front();
  const KafkaCanaryConfig& c = r.config->kafka[0].canary;
  EXPECT_EQ(c.topic, "probe.e2e");
  EXPECT_EQ(c.sla, std::chrono::milliseconds(2500));
  EXPECT_TRUE(c.create);
  auto disabled = Parse("    canary: {enabled: false}\n");
  ASSERT_TRUE(disabled.config.has_value());
  EXPECT_FALSE(disabled.config->kafka[0].canary.enabled);
}

TEST(CanaryConfigTest, BadValuesAreReportedAtTheirPosition) {
  auto r = Parse("    canary: {topic: 'a b', sla: 0s, creat: true}\n");
  EXPECT_FALSE(r.config.has_value());
  EXPECT_THAT(
      Errors(r),
      ElementsAre(
          "test.yml:4:21: kafka[0].canary.topic: invalid topic name \"a b\" "
          "(allowed: letters, digits, '.', '_', '-')",
          "test.yml:4:33: kafka[0].canary.sla: must be positive",
          "test.yml:4:37: kafka[0].canary.creat: unknown key"));
}

}  // namespace
}  // namespace failwatch
