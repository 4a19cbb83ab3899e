// librdkafka's log lines never carry a configured property value (issue 14
// row 10): CONFWARN quotes what it was given.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "kafka/rdkafka_handle.h"

namespace failwatch {
namespace {

KafkaClusterConfig Cluster(const std::string& name) {
  KafkaClusterConfig c;
  c.name = name;
  c.brokers.push_back({"127.0.0.1", 1});
  return c;
}

TEST(RdKafkaLogRedactionTest, ConfiguredValuesAreRedacted) {
  KafkaClusterConfig c = Cluster("redact");
  c.properties["sasl.password"] = Secret("hunter2");
  c.properties["sasl.username"] = Secret("hunter2-user");
  ASSERT_TRUE(ValidateKafkaProperties(c).ok());
  EXPECT_EQ(RedactKafkaLog("failwatch-data-redact#consumer-1",
                           "user hunter2-user with hunter2, hunter2"),
            "user <redacted> with <redacted>, <redacted>");
  // Another client's values are not its business; unknown clients pass.
  EXPECT_EQ(RedactKafkaLog("other#consumer-2", "hunter2"), "hunter2");
}

// A real CONFWARN that happens to contain the value: sasl.username is only
// used with PLAIN/SCRAM, and librdkafka's warning says "only applies".
TEST(RdKafkaLogRedactionTest, RealConfWarnLineIsRedacted) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("t", sink));
  KafkaClusterConfig c = Cluster("confwarn");
  c.properties["sasl.username"] = Secret("applies");
  {
    auto h = CreateHandle(c, HandleRole::kData);
    ASSERT_TRUE(h.ok()) << h.error().ToString();
  }
  spdlog::set_default_logger(previous);
  const std::string out = captured.str();
  ASSERT_NE(out.find("CONFWARN"), std::string::npos) << out;
  EXPECT_NE(out.find("sasl.username"), std::string::npos) << out;
  EXPECT_EQ(out.find("applies"), std::string::npos) << out;
  EXPECT_NE(out.find("<redacted>"), std::string::npos) << out;
}

}  // namespace
}  // namespace failwatch
