// Hostile input (issue 14): every case is a positioned error, never a
// crash, a hang or an unbounded allocation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "../temp_files.h"
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

// --- Files: bounded, regular files only (rows 3, 6, 7) ---------------------

class HostileFilesTest : public testing::TempFilesTest {
 protected:
  // Real files, real reader.
  ConfigLoadResult ParseReal(const std::string& yaml) {
    return ParseConfig(yaml, "test.yml", FakeEnv({}), RealFileReader());
  }
};

TEST_F(HostileFilesTest, ConfigOnDevZeroIsRefused) {
  auto r = LoadConfigFile("/dev/zero", FakeEnv({}), FakeFiles({}));
  EXPECT_THAT(Errors(r), ElementsAre("/dev/zero: cannot read config file: is "
                                     "not a regular file (a character "
                                     "device)"));
}

TEST_F(HostileFilesTest, ConfigSymlinkedToDevZeroIsRefused) {
  std::string link = (dir_ / "failwatch.yml").string();
  std::filesystem::create_symlink("/dev/zero", link);
  auto r = LoadConfigFile(link, FakeEnv({}), FakeFiles({}));
  EXPECT_THAT(Errors(r), ElementsAre(HasSubstr("is not a regular file")));
}

TEST_F(HostileFilesTest, ConfigDirectoryIsRefused) {
  auto r = LoadConfigFile(dir_.string(), FakeEnv({}), FakeFiles({}));
  EXPECT_THAT(Errors(r), ElementsAre(dir_.string() +
                                     ": cannot read config file: is a "
                                     "directory"));
}

TEST_F(HostileFilesTest, OversizedConfigIsRefused) {
  std::string p = Write("big.yml", "# " + std::string(16 << 20, 'x') + "\n");
  auto r = LoadConfigFile(p, FakeEnv({}), FakeFiles({}));
  EXPECT_THAT(Errors(r), ElementsAre(p + ": cannot read config file: exceeds "
                                         "16777216 bytes"));
}

const char kDb[] =
    "databases:\n  - name: orders\n    endpoint: db.lab.test\n"
    "    user: u\n";

TEST_F(HostileFilesTest, PasswordFileOnDevZeroIsRefused) {
  auto r = ParseReal(std::string(kDb) + "    password_file: /dev/zero\n");
  EXPECT_THAT(Errors(r),
              ElementsAre("test.yml:5:20: databases[0].password_file: cannot "
                          "read \"/dev/zero\": is not a regular file (a "
                          "character device)"));
}

TEST_F(HostileFilesTest, PasswordFileDirectoryIsRefused) {
  auto r = ParseReal(std::string(kDb) + "    password_file: " +
                     dir_.string() + "\n");
  EXPECT_THAT(Errors(r), ElementsAre(HasSubstr("databases[0].password_file: "
                                               "cannot read \"" +
                                               dir_.string() +
                                               "\": is a directory")));
}

TEST_F(HostileFilesTest, OversizedPasswordFileIsRefused) {
  std::string p = Write("pw", std::string((1 << 20) + 1, 'x'));
  auto r = ParseReal(std::string(kDb) + "    password_file: " + p + "\n");
  EXPECT_THAT(Errors(r), ElementsAre(HasSubstr("exceeds 1048576 bytes")));
}

TEST_F(HostileFilesTest, PropertiesFileOnDevZeroOrDirectoryIsRefused) {
  auto r = ParseReal(
      "kafka:\n  - name: k\n    brokers: [127.0.0.1]\n"
      "    properties_files:\n      sasl.password: /dev/zero\n"
      "      ssl.key.password: " +
      dir_.string() + "\n");
  EXPECT_THAT(
      Errors(r),
      ElementsAre("test.yml:5:22: kafka[0].properties_files.sasl.password: "
                  "cannot read \"/dev/zero\": is not a regular file (a "
                  "character device)",
                  HasSubstr("kafka[0].properties_files.ssl.key.password: "
                            "cannot read \"" +
                            dir_.string() + "\": is a directory")));
}

TEST_F(HostileFilesTest, SecretFileIsStillRead) {
  std::string p = Write("pw", "s3cret\n");
  auto r = ParseReal(std::string(kDb) + "    password_file: " + p + "\n");
  ASSERT_TRUE(r.config.has_value()) << Errors(r)[0];
  EXPECT_EQ(r.config->databases[0].password.Reveal(), "s3cret");
}

// --- Non-string keys (row 2) -------------------------------------------------

TEST(HostileKeysTest, MappingKeyIsAPositionedError) {
  auto r = Parse("? {a: 1}\n: 2\n");
  EXPECT_THAT(Errors(r),
              ::testing::Contains(HasSubstr("test.yml:1:3: keys must be "
                                            "strings, got a mapping")));
}

TEST(HostileKeysTest, ListKeyInPropertiesIsAPositionedError) {
  auto r = Parse(
      "kafka:\n  - name: k\n    brokers: [127.0.0.1]\n"
      "    properties:\n      ? [a, b]\n      : x\n");
  EXPECT_THAT(Errors(r), ElementsAre(HasSubstr("kafka[0].properties: keys "
                                               "must be strings, got a "
                                               "sequence")));
}

// --- Group names become label values (row 4) -------------------------------

TEST(HostileNamesTest, GroupNameWithNulOrBadBytesIsAPositionedError) {
  const std::string head = "kafka:\n  - name: k\n    brokers: [127.0.0.1]\n";
  auto r = Parse(head + "    groups:\n      - name: \"a\\0b\"\n");
  EXPECT_THAT(Errors(r),
              ElementsAre("test.yml:5:15: kafka[0].groups[0].name: group name "
                          "must be valid UTF-8 without control characters "
                          "(NUL, newline, ...)"));
  r = Parse(head + "    groups:\n      - name: a\xff\xfe" "b\n");
  EXPECT_THAT(Errors(r), ElementsAre(HasSubstr("groups[0].name: group name "
                                               "must be valid UTF-8")));
  r = Parse(head +
            "    groups:\n      - name: a\n        dlt_reprocess_group: "
            "\"x\\ny\"\n");
  EXPECT_THAT(Errors(r), ElementsAre(HasSubstr("groups[0].dlt_reprocess_group: "
                                               "group name must be valid")));
  // Non-ASCII names are fine.
  r = Parse(head + "    groups:\n      - name: gr\xC3\xBCn\n");
  EXPECT_TRUE(r.config.has_value());
}

}  // namespace
}  // namespace failwatch

namespace failwatch {
namespace {

// --- Alias expansion is bounded (row 5) --------------------------------------

TEST(HostileAliasesTest, AliasBombIsRefused) {
  std::string yaml = "x: &g\n";
  for (int i = 0; i < 2000; ++i) yaml += "  - name: g" + std::to_string(i) + "\n";
  yaml += "kafka:\n";
  for (int i = 0; i < 20000; ++i) {
    yaml += "  - {name: k" + std::to_string(i) + ", brokers: [h], groups: *g}\n";
  }
  auto r = ParseConfig(yaml, "test.yml", config_test::FakeEnv({}),
                       config_test::FakeFiles({}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].ToString(),
              ::testing::HasSubstr("the config expands to more than 2000000 "
                                   "YAML nodes"));
  EXPECT_GT(r.errors[0].line, 0);
}

TEST(HostileAliasesTest, ModestAliasesStillWork) {
  auto r = ParseConfig(
      "kafka:\n  - name: a\n    brokers: [h]\n    groups: &g [{name: x}, "
      "{name: y}]\n  - name: b\n    brokers: [h]\n    groups: *g\n",
      "test.yml", config_test::FakeEnv({}), config_test::FakeFiles({}));
  ASSERT_TRUE(r.config.has_value());
  EXPECT_EQ(r.config->kafka[1].groups.size(), 2u);
}

}  // namespace
}  // namespace failwatch

namespace failwatch {
namespace {

// --- Errors and expanded bytes are bounded (row 5, found by fuzzing) ---------

// kafka[L1] x groups[L2] x topics[L3], every topic name invalid: the nested
// aliases turn a few hundred bytes into L1*L2*L3 errors.
std::string TopicErrorFlood(int l1, int l2, int l3) {
  std::string y =
      "kafka:\n  - &c\n    name: k\n    brokers: [b]\n    groups:\n"
      "      - &g\n        name: g\n        topics: [&s '!!'";
  for (int i = 1; i < l3; ++i) y += ", *s";
  y += "]\n";
  for (int i = 1; i < l2; ++i) y += "      - *g\n";
  for (int i = 1; i < l1; ++i) y += "  - *c\n";
  return y;
}

TEST(HostileErrorsTest, ErrorFloodKeepsTheFirstHundredInFileOrder) {
  // `health` is validated after `kafka` but comes first in the file: its
  // error arrives last and must still be kept, first.
  auto r = Parse("health: {bogus: 1}\n" + TopicErrorFlood(10, 10, 10));
  ASSERT_FALSE(r.config.has_value());
  ASSERT_EQ(r.errors.size(), kMaxConfigErrors + 1);
  EXPECT_THAT(r.errors[0].ToString(),
              HasSubstr("test.yml:1:10: health.bogus: unknown key"));
  for (std::size_t i = 1; i < kMaxConfigErrors; ++i) {
    EXPECT_LE(r.errors[i - 1].line, r.errors[i].line) << i;
  }
  // 1000 topic errors, 9 + 90 duplicate names, the health error; 100 shown.
  EXPECT_EQ(r.errors.back().line, 0);
  EXPECT_THAT(r.errors.back().message,
              HasSubstr("1000 more errors not shown (100 shown"));
}

TEST(HostileErrorsTest, CheckingStopsAfterTenThousandErrors) {
  // 27 000 topic errors from 300 bytes: the loader stops at 10 000.
  auto r = Parse(TopicErrorFlood(30, 30, 30));
  ASSERT_EQ(r.errors.size(), kMaxConfigErrors + 1);
  EXPECT_THAT(r.errors.back().message,
              HasSubstr("more than 10000 errors: checking stopped (100 shown, "
                        "the first in file order)"));
}

TEST(HostileErrorsTest, FewErrorsAreAllReportedWithoutANote) {
  auto r = Parse(TopicErrorFlood(1, 1, 3));
  EXPECT_EQ(r.errors.size(), 3u);
  for (const ConfigError& e : r.errors) {
    EXPECT_THAT(e.message, HasSubstr("invalid topic name"));
  }
}

TEST(HostileAliasesTest, LongScalarAliasedManyTimesIsRefused) {
  // 1 MiB, 70 times: 70 MiB of values from a 1 MiB file.
  std::string y = "x: &s '" + std::string(1 << 20, 'a') + "'\nkafka: [";
  for (int i = 0; i < 70; ++i) y += "*s, ";
  y += "*s]\n";
  auto r = Parse(y);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].ToString(),
              HasSubstr("the config expands to more than 67108864 bytes of "
                        "keys and values"));
}

}  // namespace
}  // namespace failwatch

namespace failwatch {
namespace {

TEST(HostileAliasesTest, AliasInsideItsOwnAnchorIsRefused) {
  // yaml-cpp resolves it to a cycle: an endless expansion.
  auto r = Parse("x: &a [1, *a]\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].ToString(),
              HasSubstr("test.yml:1:11: the config expands to more than "
                        "2000000 YAML nodes"));
}

}  // namespace
}  // namespace failwatch
