// --web.config.file parsing: hostile shapes are positioned errors, never an
// uncaught yaml-cpp exception (issue 14 row 2).
#include "app/web_config_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace failwatch {
namespace {

using ::testing::HasSubstr;

const char kHash[] =
    "$2y$10$X8Vn6uKBAuGZ1F7QPqS6Eu0B3ZkHnFHoFqZzC7pWmP0kQ5O4x6CxW";

TEST(WebConfigFileTest, ValidConfig) {
  auto r = ParseWebConfig(
      std::string("basic_auth_users:\n  alice: '") + kHash + "'\n", "web.yml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->basic_auth_users.at("alice"), kHash);
}

TEST(WebConfigFileTest, NonStringTopLevelKeyIsAnError) {
  auto r = ParseWebConfig("? {a: 1}\n: 2\n", "web.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "web.yml:1:3: keys must be strings");
}

TEST(WebConfigFileTest, ListKeyUnderBasicAuthUsersIsAnError) {
  auto r = ParseWebConfig("basic_auth_users:\n  ? [alice, bob]\n  : x\n",
                          "web.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "web.yml:2:5: basic_auth_users: keys must be strings");
}

TEST(WebConfigFileTest, MapKeyUnderTlsServerConfigIsAnError) {
  auto r = ParseWebConfig("tls_server_config:\n  ? {cert_file: x}\n  : y\n",
                          "web.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message,
              HasSubstr("tls_server_config: keys must be strings"));
}

TEST(WebConfigFileTest, InvalidYamlIsPositioned) {
  auto r = ParseWebConfig("basic_auth_users: [\n", "web.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("web.yml:"));
}

TEST(WebConfigFileTest, DeepNestingIsAnError) {
  auto r = ParseWebConfig(std::string(100000, '['), "web.yml");
  ASSERT_FALSE(r.ok());
}

TEST(WebConfigFileTest, DevZeroIsRefused) {
  auto r = LoadWebConfigFile("/dev/zero");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "/dev/zero: cannot read the web config file: is not a regular "
            "file (a character device)");
}

TEST(WebConfigFileTest, DirectoryIsRefused) {
  auto r = LoadWebConfigFile("/tmp");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "/tmp: cannot read the web config file: is a directory");
}

TEST(WebConfigFileTest, OversizedFileIsRefused) {
  std::string path = ::testing::TempDir() + "/web-big-" +
                     std::to_string(::getpid()) + ".yml";
  {
    std::ofstream out(path);
    out << "# " << std::string(17 << 20, 'x') << "\n";
  }
  auto r = LoadWebConfigFile(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("exceeds 16777216 bytes"));
}

}  // namespace
}  // namespace failwatch
