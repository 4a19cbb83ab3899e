// Each tests/testdata/config/invalid-*.yml and the exact errors it must
// produce, in the spirit of blackbox_exporter's config_test.go.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "test_env.h"

namespace failwatch {
namespace {

using ::testing::ElementsAreArray;

struct InvalidCase {
  std::string file;
  std::vector<std::string> errors;
};

const std::vector<InvalidCase>& Cases() {
  static const std::vector<InvalidCase> cases = {
      {"invalid-unknown-top-key.yml",
       {"invalid-unknown-top-key.yml:2:1: intervall: unknown key"}},
      {"invalid-unknown-nested-key.yml",
       {"invalid-unknown-nested-key.yml:4:5: databases[0].colour: unknown key",
        "invalid-unknown-nested-key.yml:7:7: "
        "databases[0].write_probe.tabel: unknown key"}},
      {"invalid-wrong-type.yml",
       {"invalid-wrong-type.yml:1:12: databases: expected a sequence, got a "
        "scalar",
        "invalid-wrong-type.yml:2:9: health: expected a mapping, got a "
        "scalar"}},
      {"invalid-wrong-type-nested.yml",
       {"invalid-wrong-type-nested.yml:3:15: databases[0].endpoint: expected "
        "an address (host:port), got a sequence",
        "invalid-wrong-type-nested.yml:4:14: databases[0].members: expected a "
        "sequence, got a scalar",
        "invalid-wrong-type-nested.yml:6:9: databases[0].apps[0]: expected a "
        "mapping, got a scalar",
        "invalid-wrong-type-nested.yml:7:18: databases[0].write_probe: "
        "expected a mapping, got a scalar"}},
      {"invalid-top-level-sequence.yml",
       {"invalid-top-level-sequence.yml:1:1: the top level must be a "
        "mapping, got a sequence"}},
      {"invalid-bad-duration.yml",
       {"invalid-bad-duration.yml:1:11: interval: invalid duration \"5x\": "
        "missing or unknown unit (use ms, s, m, h, d, w)"}},
      {"invalid-timeout-top.yml",
       {"invalid-timeout-top.yml:2:10: timeout: must be less than interval "
        "(1s)"}},
      {"invalid-timeout-target.yml",
       {"invalid-timeout-target.yml:5:14: databases[0].timeout: must be less "
        "than interval (500ms)",
        "invalid-timeout-target.yml:9:14: kafka[0].timeout: must be less "
        "than interval (1s)"}},
      {"invalid-interval-inherited.yml",
       {"invalid-interval-inherited.yml:5:15: databases[0].interval: must be "
        "greater than timeout (800ms, inherited); set databases[0].timeout "
        "too"}},
      {"invalid-pgbouncer-schedule.yml",
       {"invalid-pgbouncer-schedule.yml:8:19: "
        "databases[0].pgbouncers[0].interval: must be greater than timeout "
        "(4s, inherited); set databases[0].pgbouncers[0].timeout too"}},
      {"invalid-duplicate-name.yml",
       {"invalid-duplicate-name.yml:4:11: databases[1].name: duplicate name "
        "\"orders\" (first at line 2)",
        "invalid-duplicate-name.yml:11:15: kafka[0].groups[1].name: "
        "duplicate group \"orders-consumer\" (first at line 10)"}},
      {"invalid-bad-name.yml",
       {"invalid-bad-name.yml:2:11: databases[0].name: invalid name "
        "\"1orders\" (must match [a-zA-Z_][a-zA-Z0-9_.-]*)"}},
      {"invalid-duplicate-key.yml",
       {"invalid-duplicate-key.yml:4:5: databases[0].endpoint: duplicate key "
        "(first at line 3)"}},
      {"invalid-missing-endpoint.yml",
       {"invalid-missing-endpoint.yml:2:5: databases[0].endpoint: missing "
        "required key"}},
      {"invalid-bad-port.yml",
       {"invalid-bad-port.yml:3:15: databases[0].endpoint: invalid address "
        "\"db.lab.test:99999\": port must be 1-65535",
        "invalid-bad-port.yml:4:33: databases[0].members[1]: invalid address "
        "\"127.0.0.3:x\": port must be 1-65535"}},
      {"invalid-dns-server.yml",
       {"invalid-dns-server.yml:4:19: databases[0].dns_servers[0]: "
        "\"dns.lab.test\" is not an IP address",
        "invalid-dns-server.yml:4:35: databases[0].dns_servers[1]: invalid "
        "address \"::1\": IPv6 addresses need brackets: [addr]:port"}},
      {"invalid-bad-sslmode.yml",
       {"invalid-bad-sslmode.yml:4:14: databases[0].sslmode: invalid value "
        "\"required\" (expected disable, allow, prefer, require, verify-ca or "
        "verify-full)"}},
      {"invalid-bad-expects.yml",
       {"invalid-bad-expects.yml:6:18: databases[0].apps[0].expects: invalid "
        "value \"replica\" (expected primary or any)"}},
      {"invalid-write-probe-table.yml",
       {"invalid-write-probe-table.yml:5:16: "
        "databases[0].write_probe.enabled: expected true or false, got "
        "\"yes\"",
        "invalid-write-probe-table.yml:6:14: databases[0].write_probe.table: "
        "invalid table \"heartbeat; DROP TABLE orders\" (expected an unquoted "
        "SQL identifier, optionally schema.table)"}},
      {"invalid-password-both.yml",
       {"invalid-password-both.yml:5:5: databases[0].password_file: cannot "
        "be set together with password"}},
      {"invalid-unset-var.yml",
       {"invalid-unset-var.yml:4:15: databases[0].password: environment "
        "variable \"FAILWATCH_TEST_UNSET\" is not set"}},
      {"invalid-missing-password-file.yml",
       {"invalid-missing-password-file.yml:6:24: "
        "databases[0].pgbouncers[0].password_file: cannot read "
        "\"/nonexistent/pgbouncer-password\": No such file or directory"}},
      {"invalid-bad-regex.yml",
       {"invalid-bad-regex.yml:4:22: kafka[0].discover_groups: invalid regex "
        "\"orders-(.*\": missing ): orders-(.*"}},
      {"invalid-kafka-options.yml",
       {"invalid-kafka-options.yml:4:20: kafka[0].status_window: must be "
        "positive",
        "invalid-kafka-options.yml:5:17: kafka[0].topic_deny: invalid regex "
        "\"__(.*\": missing ): __(.*",
        "invalid-kafka-options.yml:6:17: kafka[0].max_series: expected an "
        "integer, got \"lots\"",
        "invalid-kafka-options.yml:7:35: "
        "kafka[0].max_concurrent_group_fetches: must be between 1 and 1024, "
        "got 0",
        "invalid-kafka-options.yml:8:35: kafka[0].dlt_conventions[1]: unknown "
        "convention \"connect\" (expected spring_dlt, retryable_dlt or "
        "scs_error)",
        "invalid-kafka-options.yml:8:44: kafka[0].dlt_conventions[2]: "
        "duplicate convention \"spring_dlt\"",
        "invalid-kafka-options.yml:9:23: kafka[0].dlt_read_headers: expected "
        "true or false, got \"yes\""}},
      {"invalid-bootstrap-servers.yml",
       {"invalid-bootstrap-servers.yml:5:7: "
        "kafka[0].properties.bootstrap.servers: not allowed in properties; "
        "use brokers"}},
      // librdkafka's checks, without connecting; values never shown.
      {"invalid-kafka-properties.yml",
       {"invalid-kafka-properties.yml:5:7: "
        "kafka[0].properties.socket.timeout.msec: unknown librdkafka "
        "property",
        "invalid-kafka-properties.yml:6:26: "
        "kafka[0].properties.security.protocol: librdkafka rejects the value "
        "(not shown): Invalid value for configuration property "
        "\"security.protocol\"",
        "invalid-kafka-properties.yml:7:26: "
        "kafka[0].properties.socket.timeout.ms: librdkafka rejects the value "
        "(not shown): Configuration property \"socket.timeout.ms\" value is "
        "outside allowed range 10..300000",
        "invalid-kafka-properties.yml:8:27: "
        "kafka[0].properties.enable.auto.commit: librdkafka rejects the value "
        "(not shown): Expected bool value for \"enable.auto.commit\": true "
        "or false",
        "invalid-kafka-properties.yml:9:7: kafka[0].properties.group.id: not "
        "allowed in properties (failwatch joins no group; the canary names "
        "its own)",
        "invalid-kafka-properties.yml:12:26: "
        "kafka[0].properties_files.compression.codec: librdkafka rejects the "
        "value (not shown): Invalid value for configuration property "
        "\"compression.codec\""}},
      {"invalid-kafka-brokers.yml",
       {"invalid-kafka-brokers.yml:2:5: kafka[0].brokers: missing required "
        "key",
        "invalid-kafka-brokers.yml:4:14: kafka[1].brokers: must not be "
        "empty"}},
      {"invalid-unknown-check.yml",
       {"invalid-unknown-check.yml:6:5: health.checks.endpoint_is_primary: "
        "unknown check name",
        "invalid-unknown-check.yml:7:28: health.checks.no_primary.after: "
        "unknown key (expected one of: for, clear_after)"}},
      {"invalid-check-thresholds.yml",
       {"invalid-check-thresholds.yml:6:33: "
        "health.checks.consumer_lag.windoww: unknown key (expected one of: "
        "for, clear_after, max_lag, window, stopped_after)",
        "invalid-check-thresholds.yml:7:38: "
        "health.checks.replication_lag.max_lag_bytes: invalid value \"-1\" "
        "(expected a non-negative integer up to 2^53)",
        "invalid-check-thresholds.yml:8:24: health.checks.dns_ttl.max_ttl: "
        "must be greater than 0",
        "invalid-check-thresholds.yml:9:21: health.failover_timeout: invalid "
        "duration \"soon\": expected a number (e.g. 250ms, 5s, 1m30s)"}},
      {"invalid-readiness.yml",
       {"invalid-readiness.yml:5:23: health.readiness_fails_on: invalid "
        "value \"critical\" (expected never, degraded or down)"}},
      {"invalid-yaml-syntax.yml",
       {"invalid-yaml-syntax.yml:4:1: invalid YAML: end of sequence flow not "
        "found"}},
      {"invalid-empty.yml",
       {"invalid-empty.yml: nothing to monitor: configure databases or "
        "kafka"}},
      {"invalid-multiple.yml",
       {"invalid-multiple.yml:2:10: timeout: must be less than interval (1s)",
        "invalid-multiple.yml:5:15: databases[0].endpoint: invalid address "
        "\"db.lab.test:0\": port must be 1-65535",
        "invalid-multiple.yml:6:14: databases[0].sslmode: invalid value "
        "\"on\" (expected disable, allow, prefer, require, verify-ca or "
        "verify-full)",
        "invalid-multiple.yml:7:5: databases[0].colour: unknown key",
        "invalid-multiple.yml:8:5: databases[1].endpoint: missing required "
        "key",
        "invalid-multiple.yml:8:11: databases[1].name: duplicate name "
        "\"orders\" (first at line 4)",
        "invalid-multiple.yml:12:22: kafka[0].discover_groups: invalid regex "
        "\"[\": missing ]: [",
        "invalid-multiple.yml:14:23: health.readiness_fails_on: invalid value "
        "\"sometimes\" (expected never, degraded or down)"}},
  };
  return cases;
}

std::string ReadFixture(const std::string& name) {
  std::ifstream in(config_test::TestdataPath(name));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class InvalidConfigTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidConfigTest, ReportsExactErrors) {
  const InvalidCase& c = GetParam();
  std::string text = ReadFixture(c.file);
  ASSERT_FALSE(text.empty()) << "missing fixture " << c.file;
  ConfigLoadResult r =
      ParseConfig(text, c.file, config_test::FakeEnv({{"PGPASSWORD", "pw"}}),
                  config_test::FakeFiles({{"/run/secrets/pg", "pw\n"},
                              {"/run/secrets/codec", "hunter2-zip\n"}}));
  EXPECT_FALSE(r.config.has_value());
  std::vector<std::string> got;
  for (const ConfigError& e : r.errors) got.push_back(e.ToString());
  EXPECT_THAT(got, ElementsAreArray(c.errors));
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, InvalidConfigTest, ::testing::ValuesIn(Cases()),
    [](const ::testing::TestParamInfo<InvalidCase>& param_info) {
      std::string name;
      for (char ch :
           param_info.param.file.substr(0, param_info.param.file.find('.'))) {
        name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      }
      return name;
    });

// A fixture added without an expectation would otherwise never run.
TEST(InvalidConfigFixturesTest, EveryFixtureHasExpectedErrors) {
  std::set<std::string> listed;
  for (const InvalidCase& c : Cases()) listed.insert(c.file);
  std::set<std::string> on_disk;
  for (const auto& entry :
       std::filesystem::directory_iterator(config_test::TestdataPath(""))) {
    std::string name = entry.path().filename().string();
    if (name.rfind("invalid-", 0) == 0) on_disk.insert(name);
  }
  EXPECT_EQ(listed, on_disk);
}

}  // namespace
}  // namespace failwatch
