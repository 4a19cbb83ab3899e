#include "app/sharding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/shard_hash.h"

namespace failwatch {
namespace {

using ::testing::HasSubstr;

struct PodCase {
  const char* pod;
  int want;  // -1 = error
};

TEST(ShardingTest, PodOrdinal) {
  for (const PodCase& c : std::vector<PodCase>{
           {"failwatch-0", 0},
           {"failwatch-12", 12},
           {"fw-shard-a-3", 3},
           {"failwatch", -1},
           {"failwatch-", -1},
           {"failwatch-x1", -1},
           {"failwatch-1x", -1},
           {"failwatch-+1", -1},
           {"failwatch- 1", -1},
           {"failwatch-99999999999999999999", -1},
           {"", -1},
       }) {
    Result<int> got = PodOrdinal(c.pod);
    if (c.want < 0) {
      ASSERT_FALSE(got.ok()) << c.pod;
      EXPECT_THAT(got.error().message, HasSubstr("--pod"));
    } else {
      ASSERT_TRUE(got.ok()) << c.pod << ": " << got.error().message;
      EXPECT_EQ(*got, c.want);
    }
  }
}

struct ResolveCase {
  int shard;
  int total;
  const char* pod;
  int want_shard;  // -1 = error
  const char* error_names;
};

TEST(ShardingTest, ResolveShard) {
  for (const ResolveCase& c : std::vector<ResolveCase>{
           {-1, 1, "", 0, ""},
           {1, 3, "", 1, ""},
           {-1, 3, "failwatch-2", 2, ""},
           {0, 3, "failwatch-2", 0, ""},  // --shard wins over --pod
           {3, 3, "", -1, "--shard"},
           {-1, 2, "failwatch-2", -1, "--shard"},
           {-1, 2, "nope", -1, "--pod"},
           {0, 0, "", -1, "--total-shards"},
       }) {
    auto got = ResolveShard(c.shard, c.total, c.pod);
    if (c.want_shard < 0) {
      ASSERT_FALSE(got.ok());
      EXPECT_THAT(got.error().message, HasSubstr(c.error_names));
    } else {
      ASSERT_TRUE(got.ok()) << got.error().message;
      EXPECT_EQ(got->shard, c.want_shard);
      EXPECT_EQ(got->total, c.total);
    }
  }
}

Config Fleet() {
  Config c;
  for (int i = 0; i < 20; ++i) {
    DatabaseConfig db;
    db.name = "db" + std::to_string(i);
    c.databases.push_back(db);
  }
  KafkaClusterConfig k;
  k.name = "main";
  for (int i = 0; i < 20; ++i) {
    KafkaGroupConfig g;
    g.name = "g" + std::to_string(i);
    k.groups.push_back(g);
  }
  k.discover_groups = Regex::Compile(".*").value();
  c.kafka.push_back(k);
  return c;
}

TEST(ShardingTest, OneShardIsTheIdentity) {
  Config c = Fleet();
  KeepOwnShard(c, {0, 1});
  EXPECT_EQ(c.databases, Fleet().databases);
  EXPECT_EQ(c.kafka, Fleet().kafka);
}

TEST(ShardingTest, ShardsAreDisjointAndCoverEverything) {
  const int total = 3;
  std::vector<std::string> dbs, groups;
  int discovery_owners = 0;
  for (int s = 0; s < total; ++s) {
    Config c = Fleet();
    KeepOwnShard(c, {s, total});
    for (const auto& db : c.databases) {
      EXPECT_EQ(ShardOf(db.name, total), s);
      dbs.push_back(db.name);
    }
    for (const auto& k : c.kafka) {
      for (const auto& g : k.groups) groups.push_back(g.name);
      if (k.discover_groups) discovery_owners++;
    }
  }
  std::sort(dbs.begin(), dbs.end());
  std::sort(groups.begin(), groups.end());
  EXPECT_EQ(dbs.size(), 20u);
  EXPECT_EQ(std::unique(dbs.begin(), dbs.end()), dbs.end());
  EXPECT_EQ(groups.size(), 20u);
  EXPECT_EQ(std::unique(groups.begin(), groups.end()), groups.end());
  EXPECT_EQ(discovery_owners, 1);
}

TEST(ShardingTest, AKafkaClusterWithNothingOwnedIsDropped) {
  Config c;
  KafkaClusterConfig k;
  k.name = "main";
  KafkaGroupConfig g;
  g.name = "only";
  k.groups.push_back(g);
  c.kafka.push_back(k);
  const int owner = ShardOf("main/only", 2);
  Config other = c;
  KeepOwnShard(other, {1 - owner, 2});
  if (ShardOf("main/", 2) == owner) {
    EXPECT_TRUE(other.kafka.empty());
  }
  KeepOwnShard(c, {owner, 2});
  ASSERT_EQ(c.kafka.size(), 1u);
  EXPECT_EQ(c.kafka[0].groups.size(), 1u);
}

}  // namespace
}  // namespace failwatch
