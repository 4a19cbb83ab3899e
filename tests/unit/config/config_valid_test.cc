#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/config_loader.h"
#include "test_env.h"

namespace failwatch {
namespace {

using config_test::FakeEnv;
using config_test::FakeFiles;
using config_test::TestdataPath;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Fails the test with every error when the config did not load.
const Config& MustLoad(const ConfigLoadResult& r) {
  std::string all;
  for (const ConfigError& e : r.errors) all += e.ToString() + "\n";
  EXPECT_TRUE(r.errors.empty()) << all;
  static const Config empty;
  return r.config ? *r.config : empty;
}

ConfigLoadResult Parse(const std::string& yaml,
                       std::map<std::string, std::string> env = {},
                       std::map<std::string, std::string> files = {}) {
  return ParseConfig(yaml, "test.yml", FakeEnv(std::move(env)),
                     FakeFiles(std::move(files)));
}

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/failwatch_config_test_XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ValidConfigTest, ExampleLoadsWithEveryKey) {
  ConfigLoadResult r = LoadConfigFile(
      std::string(FAILWATCH_TESTDATA_DIR) + "/../../examples/failwatch.yml",
      FakeEnv({{"PGPASSWORD", "pg-pass"}, {"KAFKA_PASSWORD", "kafka-pass"}}),
      FakeFiles({{"/run/secrets/pgbouncer-admin", "pgb-pass\n"},
                 {"/run/secrets/billing-pg", "billing-pass\n"},
                 {"/run/secrets/kafka-key-password", "key-pass\n"}}));
  const Config& c = MustLoad(r);
  ASSERT_EQ(c.databases.size(), 2u);
  ASSERT_EQ(c.kafka.size(), 1u);

  EXPECT_EQ(c.defaults, (Schedule{milliseconds(1000), milliseconds(800)}));
  const DatabaseConfig& orders = c.databases[0];
  EXPECT_EQ(orders.name, "orders");
  EXPECT_EQ(orders.endpoint, (HostPort{"orders-rw.db.lab.test", 5432}));
  EXPECT_EQ(orders.reader_endpoint, (HostPort{"orders-ro.db.lab.test", 5432}));
  EXPECT_THAT(orders.dns_servers,
              ElementsAre("127.0.0.1:15353", "[::1]:15353"));
  EXPECT_THAT(orders.members, ElementsAre(HostPort{"127.0.0.2", 5432},
                                          HostPort{"127.0.0.3", 5432},
                                          HostPort{"127.0.0.4", 5432}));
  EXPECT_EQ(orders.password.Reveal(), "pg-pass");
  EXPECT_EQ(orders.schedule, (Schedule{milliseconds(500), milliseconds(400)}));
  EXPECT_THAT(
      orders.apps,
      ElementsAre(AppConfig{"orders-api", AppConfig::Expects::kPrimary},
                  AppConfig{"orders-report-*", AppConfig::Expects::kAny}));
  EXPECT_EQ(orders.write_probe,
            (WriteProbeConfig{true, "failwatch.heartbeat"}));
  ASSERT_EQ(orders.pgbouncers.size(), 2u);
  EXPECT_EQ(orders.pgbouncers[0].address, (HostPort{"127.0.0.1", 6432}));
  EXPECT_EQ(orders.pgbouncers[0].password.Reveal(), "pgb-pass");
  EXPECT_EQ(orders.pgbouncers[0].schedule, orders.schedule);
  EXPECT_EQ(orders.pgbouncers[1].schedule,
            (Schedule{milliseconds(2000), milliseconds(1000)}));
  EXPECT_TRUE(orders.pgbouncers[1].password.empty());

  const DatabaseConfig& billing = c.databases[1];
  EXPECT_EQ(billing.endpoint, (HostPort{"billing.db.lab.test", 5432}));
  EXPECT_EQ(billing.password.Reveal(), "billing-pass");
  EXPECT_EQ(billing.schedule, c.defaults);

  const KafkaClusterConfig& k = c.kafka[0];
  EXPECT_THAT(k.brokers, ElementsAre(HostPort{"127.0.0.1", 9092},
                                     HostPort{"127.0.0.1", 9093}));
  EXPECT_EQ(k.properties.at("sasl.password").Reveal(), "kafka-pass");
  EXPECT_EQ(k.properties.at("socket.timeout.ms").Reveal(), "3000");
  EXPECT_EQ(k.properties.at("ssl.key.password").Reveal(), "key-pass");
  EXPECT_EQ(k.properties.size(), 6u);
  ASSERT_EQ(k.groups.size(), 2u);
  EXPECT_EQ(k.groups[0],
            (KafkaGroupConfig{
                "orders-consumer", {"orders.DLT"}, "orders-dlt-replayer", {}}));
  EXPECT_EQ(k.groups[1], (KafkaGroupConfig{"billing-consumer", {}, "", {}}));
  EXPECT_EQ(PatternOf(k.discover_groups), "^(orders|billing)-.*");
  EXPECT_EQ(k.schedule, (Schedule{milliseconds(5000), milliseconds(4000)}));

  EXPECT_EQ(c.health.readiness_fails_on, HealthConfig::ReadinessFailsOn::kDown);
  ASSERT_EQ(c.health.checks.size(), 2u);
  EXPECT_EQ(c.health.checks.at("endpoint_not_primary"),
            (CheckOverride{milliseconds(30000), milliseconds(10000), {}}));
  EXPECT_EQ(c.health.checks.at("consumer_lag"),
            (CheckOverride{milliseconds(120000), std::nullopt, {}}));
}

TEST(ValidConfigTest, MinimalGetsDefaults) {
  ConfigLoadResult r = LoadConfigFile(TestdataPath("valid-minimal.yml"),
                                      FakeEnv({}), FakeFiles({}));
  const Config& c = MustLoad(r);
  EXPECT_EQ(c.source, TestdataPath("valid-minimal.yml"));
  EXPECT_EQ(c.defaults, (Schedule{kDefaultInterval, kDefaultTimeout}));
  ASSERT_EQ(c.databases.size(), 1u);
  const DatabaseConfig& db = c.databases[0];
  EXPECT_EQ(db.endpoint, (HostPort{"db.lab.test", 5432}));
  EXPECT_FALSE(db.reader_endpoint.has_value());
  EXPECT_THAT(db.dns_servers, IsEmpty());
  EXPECT_THAT(db.members, IsEmpty());
  EXPECT_EQ(db.user, "failwatch");
  EXPECT_TRUE(db.password.empty());
  EXPECT_EQ(db.dbname, "postgres");
  EXPECT_EQ(db.sslmode, "prefer");
  EXPECT_EQ(db.schedule, c.defaults);
  EXPECT_EQ(db.write_probe, WriteProbeConfig{});
  EXPECT_FALSE(db.write_probe.enabled);
  EXPECT_EQ(db.write_probe.table, "failwatch_heartbeat");
  EXPECT_THAT(c.kafka, IsEmpty());
  EXPECT_EQ(c.health.readiness_fails_on,
            HealthConfig::ReadinessFailsOn::kNever);
  EXPECT_THAT(c.health.checks, IsEmpty());
}

TEST(ValidConfigTest, ScheduleInheritsTopThenDatabaseThenPgBouncer) {
  ConfigLoadResult r = Parse(R"(
interval: 10s
timeout: 5s
databases:
  - name: a
    endpoint: a.test
    pgbouncers: [{address: 127.0.0.1}]
  - name: b
    endpoint: b.test
    timeout: 2s
    pgbouncers: [{address: 127.0.0.1, timeout: 1s}]
kafka:
  - name: k
    brokers: [127.0.0.1]
)");
  const Config& c = MustLoad(r);
  ASSERT_EQ(c.databases.size(), 2u);
  Schedule top{milliseconds(10000), milliseconds(5000)};
  EXPECT_EQ(c.databases[0].schedule, top);
  EXPECT_EQ(c.databases[0].pgbouncers.at(0).schedule, top);
  EXPECT_EQ(c.databases[1].schedule,
            (Schedule{milliseconds(10000), milliseconds(2000)}));
  EXPECT_EQ(c.databases[1].pgbouncers.at(0).schedule,
            (Schedule{milliseconds(10000), milliseconds(1000)}));
  EXPECT_EQ(c.kafka.at(0).schedule, top);
}

TEST(ValidConfigTest, DefaultPorts) {
  ConfigLoadResult r = Parse(R"(
databases:
  - name: a
    endpoint: "[::1]"
    dns_servers: [127.0.0.53, "[::1]"]
    members: [10.0.0.1]
    pgbouncers: [{address: pgb.test}]
kafka:
  - name: k
    brokers: [kafka.test, "kafka2.test:19092"]
)");
  const Config& c = MustLoad(r);
  ASSERT_EQ(c.databases.size(), 1u);
  EXPECT_EQ(c.databases[0].endpoint, (HostPort{"::1", 5432}));
  EXPECT_THAT(c.databases[0].dns_servers,
              ElementsAre("127.0.0.53:53", "[::1]:53"));
  EXPECT_THAT(c.databases[0].members, ElementsAre(HostPort{"10.0.0.1", 5432}));
  EXPECT_EQ(c.databases[0].pgbouncers.at(0).address,
            (HostPort{"pgb.test", 6432}));
  EXPECT_THAT(c.kafka.at(0).brokers,
              ElementsAre(HostPort{"kafka.test", 9092},
                          HostPort{"kafka2.test", 19092}));
}

TEST(ValidConfigTest, ExpandsEnvironmentInEveryString) {
  ConfigLoadResult r = Parse(R"(
interval: ${INTERVAL}
databases:
  - name: orders
    endpoint: ${DB_HOST}:${DB_PORT}
    user: "${PGUSER}"
    password: "${PGPASSWORD}"
    dbname: "$${not_a_var}"
    apps: [{application_name: "${APP}-*"}]
kafka:
  - name: k
    brokers: ["${BROKER}"]
    properties:
      sasl.password: "pre-${KAFKA_PASSWORD}-post"
      socket.timeout.ms: 3000
      enable.auto.commit: false
)",
                             {{"INTERVAL", "2s"},
                              {"DB_HOST", "db.test"},
                              {"DB_PORT", "6543"},
                              {"PGUSER", "monitor"},
                              {"PGPASSWORD", "pg$pass"},
                              {"APP", "orders"},
                              {"BROKER", "broker.test:9093"},
                              {"KAFKA_PASSWORD", "kp"}});
  const Config& c = MustLoad(r);
  ASSERT_EQ(c.databases.size(), 1u);
  EXPECT_EQ(c.defaults.interval, milliseconds(2000));
  const DatabaseConfig& db = c.databases[0];
  EXPECT_EQ(db.endpoint, (HostPort{"db.test", 6543}));
  EXPECT_EQ(db.user, "monitor");
  EXPECT_EQ(db.password.Reveal(), "pg$pass");
  EXPECT_EQ(db.dbname, "${not_a_var}");
  EXPECT_EQ(db.apps.at(0).application_name, "orders-*");
  const KafkaClusterConfig& k = c.kafka.at(0);
  EXPECT_THAT(k.brokers, ElementsAre(HostPort{"broker.test", 9093}));
  EXPECT_EQ(k.properties.at("sasl.password").Reveal(), "pre-kp-post");
  // Scalars keep their text, as librdkafka wants strings.
  EXPECT_EQ(k.properties.at("socket.timeout.ms").Reveal(), "3000");
  EXPECT_EQ(k.properties.at("enable.auto.commit").Reveal(), "false");
}

TEST(ValidConfigTest, ReadsSecretFilesStrippingOneNewline) {
  TempFile pg("pg-secret\n");
  TempFile pgb("pgb-secret\n\n");
  TempFile kafka("kafka-secret\r\n");
  std::string yaml =
      "databases:\n  - name: orders\n    endpoint: db.test\n"
      "    password_file: " +
      pg.path() +
      "\n    pgbouncers:\n      - address: 127.0.0.1\n"
      "        password_file: " +
      pgb.path() +
      "\nkafka:\n  - name: k\n    brokers: [127.0.0.1]\n"
      "    properties_files:\n      sasl.password: " +
      kafka.path() + "\n";
  ConfigLoadResult r =
      ParseConfig(yaml, "test.yml", FakeEnv({}), RealFileReader());
  const Config& c = MustLoad(r);
  ASSERT_EQ(c.databases.size(), 1u);
  EXPECT_EQ(c.databases[0].password.Reveal(), "pg-secret");
  EXPECT_EQ(c.databases[0].pgbouncers.at(0).password.Reveal(), "pgb-secret\n");
  EXPECT_EQ(c.kafka.at(0).properties.at("sasl.password").Reveal(),
            "kafka-secret");
}

TEST(ValidConfigTest, RealFileReaderReportsMissingFile) {
  std::string why;
  EXPECT_FALSE(RealFileReader()("/nonexistent/failwatch-secret", &why));
  EXPECT_EQ(why, "No such file or directory");
}

TEST(ValidConfigTest, ProcessEnvReadsTheEnvironment) {
  ASSERT_EQ(setenv("FAILWATCH_CONFIG_TEST_VAR", "value-1", 1), 0);
  EXPECT_EQ(ProcessEnv()("FAILWATCH_CONFIG_TEST_VAR"), "value-1");
  unsetenv("FAILWATCH_CONFIG_TEST_VAR");
  EXPECT_EQ(ProcessEnv()("FAILWATCH_CONFIG_TEST_VAR"), std::nullopt);
}

TEST(ValidConfigTest, NullValuesKeepDefaults) {
  ConfigLoadResult r = Parse(R"(
interval:
databases:
  - name: orders
    endpoint: db.test
    user:
health:
  checks:
    no_primary:
)");
  const Config& c = MustLoad(r);
  EXPECT_EQ(c.defaults.interval, kDefaultInterval);
  ASSERT_EQ(c.databases.size(), 1u);
  EXPECT_EQ(c.databases[0].user, "failwatch");
  EXPECT_EQ(c.health.checks.at("no_primary"), CheckOverride{});
}

TEST(ValidConfigTest, CheckThresholdsAndFailoverTimeout) {
  ConfigLoadResult r = Parse(R"(
databases:
  - name: orders
    endpoint: db.test
health:
  failover_timeout: 2m
  checks:
    consumer_lag: {for: 30s, clear_after: 60s, max_lag: 5m, window: 90s}
    replication_lag: {max_lag: 30s, max_lag_bytes: 536870912}
    dns_ttl: {max_ttl: 1m}
    pgbouncer_waiting: {max_waiting: 0, max_wait: 500ms}
    collector_failing: {stale_intervals: 3}
)");
  const Config& c = MustLoad(r);
  EXPECT_EQ(c.health.failover_timeout, milliseconds(120000));
  const CheckOverride& lag = c.health.checks.at("consumer_lag");
  EXPECT_EQ(lag.for_duration, milliseconds(30000));
  EXPECT_EQ(lag.thresholds,
            (std::map<std::string, double>{{"max_lag", 300}, {"window", 90}}));
  EXPECT_EQ(c.health.checks.at("replication_lag").thresholds.at("max_lag_bytes"),
            536870912.0);
  EXPECT_EQ(c.health.checks.at("dns_ttl").thresholds.at("max_ttl"), 60.0);
  EXPECT_EQ(c.health.checks.at("pgbouncer_waiting").thresholds,
            (std::map<std::string, double>{{"max_wait", 0.5},
                                           {"max_waiting", 0}}));
  EXPECT_EQ(c.health.checks.at("collector_failing").thresholds.at(
                "stale_intervals"),
            3.0);
}

TEST(LoadConfigFileTest, MissingFileIsOneErrorWithoutPosition) {
  ConfigLoadResult r = LoadConfigFile("/nonexistent/failwatch.yml");
  EXPECT_FALSE(r.config.has_value());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 0);
  EXPECT_EQ(r.errors[0].ToString(),
            "/nonexistent/failwatch.yml: cannot read config file: No such "
            "file or directory");
}

TEST(ConfigErrorTest, ToStringIncludesPositionOnlyWhenKnown) {
  EXPECT_EQ((ConfigError{"f.yml", 3, 7, "interval: bad"}).ToString(),
            "f.yml:3:7: interval: bad");
  EXPECT_EQ((ConfigError{"f.yml", 0, 0, "nothing"}).ToString(),
            "f.yml: nothing");
}

}  // namespace
}  // namespace failwatch
