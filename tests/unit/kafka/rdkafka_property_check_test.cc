// librdkafka's own property checks, with the value never in the message.
#include "kafka/rdkafka_property_check.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

struct Case {
  std::string key, value;
  bool ok, unknown_key;
  std::string message;  // exact; "" when ok
};

TEST(KafkaPropertyCheckTest, Table) {
  const std::vector<Case> cases = {
      {"socket.timeout.ms", "3000", true, false, ""},
      {"sasl.password", "anything at all", true, false, ""},
      {"message.timeout.ms", "5000", true, false, ""},  // topic level
      {"acks", "all", true, false, ""},                 // alias
      {"plugin.library.paths", "/nonexistent.so", true, false, ""},
      {"socket.timeout.msec", "3000", false, true,
       "unknown librdkafka property"},
      {"security.protocol", "s3cr3t", false, false,
       "librdkafka rejects the value (not shown): Invalid value for "
       "configuration property \"security.protocol\""},
      {"socket.timeout.ms", "-5", false, false,
       "librdkafka rejects the value (not shown): Configuration property "
       "\"socket.timeout.ms\" value is outside allowed range 10..300000"},
      {"socket.timeout.ms", "s3cr3t", false, false,
       "librdkafka rejects the value (not shown): Invalid value for "
       "configuration property \"socket.timeout.ms\""},
      {"enable.auto.commit", "s3cr3t", false, false,
       "librdkafka rejects the value (not shown): Expected bool value for "
       "\"enable.auto.commit\": true or false"},
      // A value that is also part of librdkafka's text is still taken out.
      {"debug", "property", false, false,
       "librdkafka rejects the value (not shown): Invalid value for "
       "configuration <redacted> \"debug\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key + "=" + c.value);
    auto problem = CheckKafkaProperty(c.key, c.value);
    ASSERT_EQ(!problem.has_value(), c.ok);
    if (c.ok) continue;
    EXPECT_EQ(problem->unknown_key, c.unknown_key);
    EXPECT_EQ(problem->message, c.message);
    EXPECT_EQ(problem->message.find(c.value), std::string::npos);
  }
}

}  // namespace
}  // namespace failwatch
