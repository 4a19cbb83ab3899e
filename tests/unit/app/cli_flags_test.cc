// Bad --web.* values are usage errors: exit 2 like every bad flag (issue 14
// row 9), with the flag named in the message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/cli.h"

namespace failwatch {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class BadListenAddressTest : public ::testing::TestWithParam<const char*> {};

TEST_P(BadListenAddressTest, IsABadFlag) {
  CliOptions o;
  o.listen_addresses = {GetParam()};
  Status s = ValidateServeFlags(o);
  ASSERT_FALSE(s.ok()) << GetParam();
  EXPECT_THAT(s.error().message, StartsWith("--web.listen-address: "));
}

INSTANTIATE_TEST_SUITE_P(Table, BadListenAddressTest,
                         ::testing::Values(":-1", "999999", "[::1",
                                           "host:port:extra", "127.0.0.1:",
                                           ":65536", ""));

TEST(CliFlagsTest, GoodAddressesPass) {
  for (const char* a : {":19921", "127.0.0.1:0", "0.0.0.0:9", "[::1]:9"}) {
    CliOptions o;
    o.listen_addresses = {a};
    EXPECT_TRUE(ValidateServeFlags(o).ok()) << a;
  }
}

TEST(CliFlagsTest, EveryListenAddressIsChecked) {
  CliOptions o;
  o.listen_addresses = {"127.0.0.1:0", "nonsense"};
  Status s = ValidateServeFlags(o);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("nonsense"));
}

TEST(CliFlagsTest, TelemetryPathWithoutSlashIsABadFlag) {
  CliOptions o;
  o.telemetry_path = "healthz";
  Status s = ValidateServeFlags(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "--web.telemetry-path: telemetry path \"healthz\" must start with "
            "'/'");
  o.telemetry_path = "/healthz";
  s = ValidateServeFlags(o);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("collides with a built-in page"));
}

// The exit code itself, through the real flag parser.
TEST(CliFlagsTest, RunCliExitsTwo) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"failwatch", "--config", "/nonexistent",
                                 "--web.listen-address", ":-1"},
        std::vector<std::string>{"failwatch", "--config", "/nonexistent",
                                 "--web.telemetry-path", "healthz"}}) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    EXPECT_EQ(RunCli(static_cast<int>(argv.size()), argv.data()), 2);
  }
}

}  // namespace
}  // namespace failwatch
