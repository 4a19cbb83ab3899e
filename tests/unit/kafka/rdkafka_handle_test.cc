#include "kafka/rdkafka_handle.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

KafkaClusterConfig Cluster() {
  KafkaClusterConfig c;
  c.name = "lab";
  c.brokers.push_back({"127.0.0.1", 9092});
  return c;
}

TEST(RdKafkaHandleTest, BadPropertyIsNamedButItsValueIsNot) {
  KafkaClusterConfig c = Cluster();
  c.properties["security.protocol"] = Secret("hunter2-not-a-protocol");
  Status s = ValidateKafkaProperties(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "bad_property");
  EXPECT_NE(s.error().message.find("security.protocol"), std::string::npos);
  EXPECT_EQ(s.error().message.find("hunter2"), std::string::npos)
      << s.error().message;
  auto h = CreateHandle(c, HandleRole::kData);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().message.find("hunter2"), std::string::npos);
}

TEST(RdKafkaHandleTest, UnknownPropertyIsRejected) {
  KafkaClusterConfig c = Cluster();
  c.properties["no.such.property"] = Secret("s3cret");
  Status s = ValidateKafkaProperties(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("unknown property"), std::string::npos);
  EXPECT_EQ(s.error().message.find("s3cret"), std::string::npos);
}

TEST(RdKafkaHandleTest, GroupIdIsRefused) {
  KafkaClusterConfig c = Cluster();
  c.properties["group.id"] = Secret("x");
  EXPECT_FALSE(ValidateKafkaProperties(c).ok());
}

TEST(RdKafkaHandleTest, NeedsBrokers) {
  KafkaClusterConfig c = Cluster();
  c.brokers.clear();
  EXPECT_FALSE(ValidateKafkaProperties(c).ok());
  c.properties["bootstrap.servers"] = Secret("127.0.0.1:9092");
  EXPECT_TRUE(ValidateKafkaProperties(c).ok());
}

TEST(RdKafkaHandleTest, GoodPropertiesCreateBothHandles) {
  KafkaClusterConfig c = Cluster();
  c.properties["socket.timeout.ms"] = Secret("5000");
  c.properties["sasl.password"] = Secret("pw");
  for (HandleRole role : {HandleRole::kData, HandleRole::kDiscovery}) {
    auto h = CreateHandle(c, role);
    ASSERT_TRUE(h.ok()) << h.error().ToString();
  }
}

}  // namespace
}  // namespace failwatch
