#include "postgres/node_set.h"

#include <gtest/gtest.h>

#include "postgres/pg_observation.h"
#include "postgres/pg_session.h"
#include "postgres/write_probe_sql.h"

namespace failwatch {
namespace {

using namespace std::chrono_literals;

const WallTime kT0 = WallTime(std::chrono::seconds(1'700'000'000));

std::vector<std::string> Addresses(const NodeSet& set) {
  std::vector<std::string> out;
  for (const auto& e : set.Entries()) out.push_back(e.address.ToString());
  return out;
}

TEST(NodeSet, MergesSourcesAndAgesOutNonMembers) {
  NodeSet set(10min);
  set.SetMembers({{"10.0.0.1", 5432}});
  set.SeenFromDns({"10.0.0.1", "10.0.0.2"}, 5432, kT0);
  set.SeenDiscovered({"10.0.0.3", 5432}, kT0);
  set.SeenDiscovered({"replica.example", 5432}, kT0);  // names ignored
  set.Expire(kT0);
  EXPECT_EQ(Addresses(set),
            (std::vector<std::string>{"10.0.0.1:5432", "10.0.0.2:5432",
                                      "10.0.0.3:5432"}));
  auto entries = set.Entries();
  EXPECT_EQ(entries[0].sources, kSourceMember | kSourceDns);
  EXPECT_EQ(NodeSourceName(entries[0].sources), "member+dns");
  EXPECT_EQ(entries[1].sources, kSourceDns);
  EXPECT_EQ(entries[2].sources, kSourceDiscovered);

  // 10.0.0.2 seen again later; 10.0.0.3 not.
  set.SeenFromDns({"10.0.0.2"}, 5432, kT0 + 9min);
  set.Expire(kT0 + 11min);
  EXPECT_EQ(Addresses(set),
            (std::vector<std::string>{"10.0.0.1:5432", "10.0.0.2:5432"}));
  EXPECT_EQ(set.Entries()[0].sources, kSourceMember);  // dns source aged
  set.Expire(kT0 + 30min);
  EXPECT_EQ(Addresses(set), (std::vector<std::string>{"10.0.0.1:5432"}));
}

TEST(NodeSet, MembersRemovedFromConfigAgeLikeOthers) {
  NodeSet set(1min);
  set.SetMembers({{"10.0.0.1", 5432}, {"10.0.0.9", 5432}});
  set.SetMembers({{"10.0.0.1", 5432}});
  set.Expire(kT0);
  EXPECT_EQ(Addresses(set), (std::vector<std::string>{"10.0.0.1:5432"}));
}

TEST(NodeSet, SamePortDifferentIpsAndIpv6) {
  NodeSet set(1min);
  set.SeenFromDns({"::1", "127.0.0.2"}, 55432, kT0);
  EXPECT_EQ(Addresses(set),
            (std::vector<std::string>{"127.0.0.2:55432", "[::1]:55432"}));
  EXPECT_TRUE(IsIpLiteral("::1"));
  EXPECT_FALSE(IsIpLiteral("db.lab.test"));
}

TEST(ConnectFailureCode, RecognisesServerReasons) {
  EXPECT_EQ(ConnectFailureCode("connection to server at \"127.0.0.2\", port "
                               "55432 failed: FATAL:  password "
                               "authentication failed for user \"x\""),
            "28P01");
  EXPECT_EQ(ConnectFailureCode("FATAL:  no pg_hba.conf entry for host"),
            "28000");
  EXPECT_EQ(ConnectFailureCode("FATAL:  role \"nobody\" does not exist"),
            "28000");
  EXPECT_EQ(ConnectFailureCode("FATAL:  database \"nope\" does not exist"),
            "3D000");
  EXPECT_EQ(ConnectFailureCode("FATAL:  the database system is starting up"),
            "57P03");
  EXPECT_EQ(ConnectFailureCode("Connection refused"), "08001");
}

TEST(HeartbeatUpsertSql, QuotesTableAndSanitisesId) {
  auto sql = HeartbeatUpsertSql("failwatch_heartbeat", "failwatch/orders");
  ASSERT_TRUE(sql.ok());
  EXPECT_EQ(*sql,
            "INSERT INTO \"failwatch_heartbeat\" (id, ts) VALUES "
            "('failwatch/orders', now()) ON CONFLICT (id) DO UPDATE SET ts = "
            "EXCLUDED.ts");
  auto schema = HeartbeatUpsertSql("ops.hb", "a'b");
  ASSERT_TRUE(schema.ok());
  EXPECT_NE(schema->find("\"ops\".\"hb\""), std::string::npos);
  EXPECT_NE(schema->find("'a_b'"), std::string::npos);
  EXPECT_FALSE(HeartbeatUpsertSql("x; DROP TABLE y", "i").ok());
  EXPECT_FALSE(HeartbeatUpsertSql("a.b.c", "i").ok());
  EXPECT_FALSE(HeartbeatUpsertSql("", "i").ok());
}

}  // namespace
}  // namespace failwatch
