// Hostile input (issue 14): every case is a positioned error, never a
// crash, a hang or an unbounded allocation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "test_env.h"

namespace failwatch {
namespace {

using config_test::FakeEnv;
using config_test::FakeFiles;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ConfigLoadResult Parse(const std::string& yaml) {
  return ParseConfig(yaml, "test.yml", FakeEnv({}), FakeFiles({}));
}

std::vector<std::string> Errors(const ConfigLoadResult& r) {
  std::vector<std::string> out;
  for (const ConfigError& e : r.errors) out.push_back(e.ToString());
  return out;
}

std::string KafkaWith(const std::string& key, const std::string& value) {
  return "kafka:\n  - name: k\n    brokers: [127.0.0.1]\n    " + key +
         ": '" + value + "'\n";
}

class RegexKeyTest : public ::testing::TestWithParam<const char*> {};

TEST_P(RegexKeyTest, DeepNestingIsAPositionedError) {
  auto r = Parse(KafkaWith(GetParam(), std::string(20000, '(') +
                                           std::string(20000, ')')));
  EXPECT_THAT(Errors(r),
              ElementsAre("test.yml:4:" + std::to_string(7 + std::strlen(GetParam())) +
                          ": kafka[0]." + GetParam() +
                          ": invalid regex: regex too long (40000 bytes, at "
                          "most 4096)"));
}

TEST_P(RegexKeyTest, LongLiteralIsAPositionedError) {
  auto r = Parse(KafkaWith(GetParam(), std::string(100000, 'a')));
  EXPECT_THAT(Errors(r),
              ElementsAre(HasSubstr(std::string("kafka[0].") + GetParam() +
                                    ": invalid regex: regex too long (100000 "
                                    "bytes, at most 4096)")));
}

TEST_P(RegexKeyTest, ExpensiveProgramIsAPositionedError) {
  auto r = Parse(KafkaWith(GetParam(), "((a{100}){100}){100}"));
  EXPECT_THAT(Errors(r), ElementsAre(HasSubstr("invalid regex")));
}

INSTANTIATE_TEST_SUITE_P(AllKeys, RegexKeyTest,
                         ::testing::Values("discover_groups", "group_allow",
                                           "group_deny", "topic_allow",
                                           "topic_deny"));

}  // namespace
}  // namespace failwatch
