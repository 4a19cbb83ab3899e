// Secrets must not leak through error messages or the /status summary, even
// when the value holding them is itself invalid.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config_loader.h"
#include "test_env.h"

namespace failwatch {
namespace {

using config_test::FakeEnv;
using config_test::FakeFiles;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSecret = "hunter2-TOPSECRET";

struct LeakCase {
  const char* name;
  std::string yaml;
  std::size_t min_errors;  // proves the case really fails
};

std::vector<LeakCase> LeakCases() {
  const std::string db =
      "databases:\n  - name: orders\n    endpoint: db.test\n";
  const std::string kafka = "kafka:\n  - name: k\n    brokers: [127.0.0.1]\n";
  return {
      {"UnterminatedVariable", db + "    password: \"hunter2-TOPSECRET${\"\n",
       1},
      {"BadVariableName", db + "    password: \"${hunter2-TOPSECRET}\"\n", 1},
      {"UnsetVariableInPassword",
       db + "    password: \"hunter2-TOPSECRET${UNSET_VAR}\"\n", 1},
      {"PasswordFromEnvWithOtherErrors",
       db + "    password: \"${PGPASSWORD}\"\n    timeout: 5s\n"
            "    sslmode: nope\n",
       2},
      {"BothPasswordAndFile",
       db + "    password: hunter2-TOPSECRET\n"
            "    password_file: /run/secrets/pg\n",
       1},
      {"PropertyUnsetVariable",
       kafka + "    properties:\n"
               "      sasl.password: \"hunter2-TOPSECRET${UNSET_VAR}\"\n",
       1},
      {"PropertyUnterminatedVariable",
       kafka + "    properties:\n"
               "      sasl.password: \"hunter2-TOPSECRET${\"\n",
       1},
      {"PropertyWrongType",
       kafka + "    properties:\n"
               "      sasl.password: [hunter2-TOPSECRET]\n",
       1},
      {"PropertyBesideBootstrapServers",
       kafka + "    properties:\n"
               "      sasl.password: hunter2-TOPSECRET\n"
               "      bootstrap.servers: hunter2-TOPSECRET\n",
       1},
      {"PropertyInBothMaps",
       kafka + "    properties:\n"
               "      sasl.password: hunter2-TOPSECRET\n"
               "    properties_files:\n"
               "      sasl.password: /run/secrets/kafka\n",
       1},
      {"PasswordFileContentWithOtherErrors",
       db + "    password_file: /run/secrets/pg\n    colour: red\n", 1},
  };
}

class SecretLeakTest : public ::testing::TestWithParam<LeakCase> {};

TEST_P(SecretLeakTest, ErrorsNeverContainTheSecret) {
  const LeakCase& c = GetParam();
  ConfigLoadResult r =
      ParseConfig(c.yaml, "test.yml", FakeEnv({{"PGPASSWORD", kSecret}}),
                  FakeFiles({{"/run/secrets/pg", kSecret},
                             {"/run/secrets/kafka", kSecret}}));
  EXPECT_FALSE(r.config.has_value());
  EXPECT_GE(r.errors.size(), c.min_errors);
  for (const ConfigError& e : r.errors) {
    EXPECT_THAT(e.ToString(), Not(HasSubstr("hunter2"))) << c.name;
    EXPECT_THAT(e.ToString(), Not(HasSubstr("TOPSECRET"))) << c.name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SecretLeakTest, ::testing::ValuesIn(LeakCases()),
    [](const ::testing::TestParamInfo<LeakCase>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(ConfigSummaryTest, HidesEverySecretButKeepsShape) {
  ConfigLoadResult r =
      ParseConfig(R"(
interval: 2s
timeout: 1s
databases:
  - name: orders
    endpoint: db.test
    password: "${PGPASSWORD}"
    interval: 500ms
    timeout: 400ms
    pgbouncers:
      - address: 127.0.0.1
        password_file: /run/secrets/pg
      - address: 127.0.0.2
  - name: nopass
    endpoint: db2.test
kafka:
  - name: k
    brokers: [127.0.0.1]
    properties:
      sasl.password: "hunter2-TOPSECRET-kafka"
      security.protocol: SASL_SSL
    properties_files:
      ssl.key.password: /run/secrets/kafka
health:
  readiness_fails_on: degraded
  checks:
    no_primary: {for: 1m30s}
)",
                  "test.yml", FakeEnv({{"PGPASSWORD", kSecret}}),
                  FakeFiles({{"/run/secrets/pg", kSecret},
                             {"/run/secrets/kafka", kSecret}}));
  ASSERT_TRUE(r.config.has_value()) << r.errors.at(0).ToString();
  nlohmann::json s = ConfigSummary(*r.config);
  std::string dumped = s.dump();
  EXPECT_THAT(dumped, Not(HasSubstr("hunter2")));
  EXPECT_THAT(dumped, Not(HasSubstr("TOPSECRET")));
  EXPECT_THAT(dumped, Not(HasSubstr("SASL_SSL")));

  EXPECT_EQ(s["interval"], "2s");
  EXPECT_EQ(s["timeout"], "1s");
  const nlohmann::json& db = s["databases"][0];
  EXPECT_EQ(db["name"], "orders");
  EXPECT_EQ(db["endpoint"], "db.test:5432");
  EXPECT_EQ(db["interval"], "500ms");
  EXPECT_EQ(db["timeout"], "400ms");
  EXPECT_EQ(db["password"], "<secret>");
  EXPECT_EQ(db["password_set"], true);
  EXPECT_EQ(db["pgbouncers"][0]["password"], "<secret>");
  EXPECT_EQ(db["pgbouncers"][0]["password_set"], true);
  EXPECT_EQ(db["pgbouncers"][0]["interval"], "500ms");
  EXPECT_EQ(db["pgbouncers"][1]["password_set"], false);
  EXPECT_FALSE(db["pgbouncers"][1].contains("password"));
  EXPECT_EQ(s["databases"][1]["password_set"], false);
  const nlohmann::json& k = s["kafka"][0];
  EXPECT_EQ(k["brokers"], nlohmann::json::array({"127.0.0.1:9092"}));
  EXPECT_EQ(k["properties"],
            (nlohmann::json{{"sasl.password", "<secret>"},
                            {"security.protocol", "<secret>"},
                            {"ssl.key.password", "<secret>"}}));
  EXPECT_EQ(k["interval"], "2s");
  EXPECT_EQ(s["health"]["readiness_fails_on"], "degraded");
  EXPECT_EQ(s["health"]["checks"]["no_primary"]["for"], "1m30s");
  EXPECT_FALSE(s["health"]["checks"]["no_primary"].contains("clear_after"));
}

}  // namespace
}  // namespace failwatch
