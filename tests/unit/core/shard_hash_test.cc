#include "core/shard_hash.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace failwatch {
namespace {

struct FnvCase {
  const char* in;
  std::uint64_t want;
};

// The published FNV-1a 64-bit test vectors (isthe.com/chongo/tech/comp/fnv).
TEST(ShardHashTest, Fnv1a64MatchesTheReferenceVectors) {
  for (const FnvCase& c : std::vector<FnvCase>{
           {"", 0xcbf29ce484222325ULL},
           {"a", 0xaf63dc4c8601ec8cULL},
           {"foobar", 0x85944171f73967e8ULL},
       }) {
    EXPECT_EQ(Fnv1a64(c.in), c.want) << '"' << c.in << '"';
  }
}

struct ShardCase {
  const char* key;
  int total;
  int want;
};

// Pinned: a change here moves targets between shards of a running fleet.
TEST(ShardHashTest, ShardOfIsTheHashModuloTheShardCount) {
  for (const ShardCase& c : std::vector<ShardCase>{
           {"orders", 1, 0},
           {"orders", 0, 0},
           {"orders", -3, 0},
           {"orders", 2, 0},
           {"orders", 3, 1},
           {"main/orders-consumer", 2, 1},
           {"main/orders-consumer", 3, 2},
           {"", 2, 1},
       }) {
    EXPECT_EQ(ShardOf(c.key, c.total), c.want) << c.key << " / " << c.total;
  }
}

TEST(ShardHashTest, SpreadsNamesOverEveryShard) {
  std::vector<int> per_shard(4);
  for (int i = 0; i < 400; ++i) per_shard[ShardOf("db-" + std::to_string(i), 4)]++;
  for (int n : per_shard) EXPECT_GT(n, 60);
}

}  // namespace
}  // namespace failwatch
