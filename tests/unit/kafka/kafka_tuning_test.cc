#include "kafka/kafka_tuning.h"

#include <gtest/gtest.h>

#include "kafka/kafka_options.h"

namespace failwatch {
namespace {

// The default topic_deny is compiled once and hides Kafka's internal
// topics only.
TEST(KafkaTuningTest, DefaultTopicDenyHidesInternalTopics) {
  const KafkaTuning t;
  ASSERT_TRUE(t.topic_deny.has_value());
  EXPECT_EQ(t.topic_deny->pattern(), "__.*");
  EXPECT_TRUE(t.topic_deny->FullMatch("__consumer_offsets"));
  EXPECT_FALSE(t.topic_deny->FullMatch("orders"));
  EXPECT_FALSE(t.group_allow.has_value());
}

// The options are the cluster's tuning, not a copy with its own defaults.
TEST(KafkaTuningTest, OptionsCarryTheClustersTuning) {
  KafkaClusterConfig c;
  c.tuning.max_series = 7;
  c.tuning.topic_allow = Regex::Compile("orders.*").value();
  c.tuning.dlt_conventions = {DltConvention::kScsError};
  const KafkaOptions o = KafkaOptionsFromConfig(c);
  EXPECT_EQ(static_cast<const KafkaTuning&>(o), c.tuning);
  EXPECT_EQ(o.max_series, 7u);
  EXPECT_EQ(KafkaTuning(KafkaOptions{}), KafkaTuning{});
}

}  // namespace
}  // namespace failwatch
