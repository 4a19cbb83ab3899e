#include "app/instance_identity.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

TEST(InstanceIdentityTest, ConfigWinsThenHostNameThenAFixedName) {
  Config c;
  EXPECT_EQ(ResolveInstanceId(c, "failwatch-7d9f-abcde"), "failwatch-7d9f-abcde");
  EXPECT_EQ(ResolveInstanceId(c, ""), "failwatch");
  c.instance_id = "replica-a";
  EXPECT_EQ(ResolveInstanceId(c, "host"), "replica-a");
}

TEST(InstanceIdentityTest, EveryDatabaseGetsARowOfThisInstance) {
  Config c;
  c.databases.resize(2);
  c.databases[0].name = "orders";
  c.databases[1].name = "billing";
  AssignWriteProbeRows(c, "pod-a");
  EXPECT_EQ(c.databases[0].write_probe.row_id, "failwatch/pod-a/orders");
  EXPECT_EQ(c.databases[1].write_probe.row_id, "failwatch/pod-a/billing");
}

}  // namespace
}  // namespace failwatch
