#include "config/check_names.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <string_view>

namespace failwatch {
namespace {

TEST(CheckNamesTest, KnownNamesAreUniqueAndRecognised) {
  std::set<std::string_view> unique(kCheckNames.begin(), kCheckNames.end());
  EXPECT_EQ(unique.size(), kCheckNames.size());
  for (std::string_view name : kCheckNames) EXPECT_TRUE(IsKnownCheckName(name));
  EXPECT_TRUE(IsKnownCheckName("endpoint_not_primary"));
  EXPECT_TRUE(IsKnownCheckName("collector_failing"));
  EXPECT_FALSE(IsKnownCheckName("endpoint_is_primary"));
  EXPECT_FALSE(IsKnownCheckName(""));
}

TEST(CheckNamesTest, ThresholdKeysBelongToKnownChecksAndAreUnique) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const ThresholdKey& k : kThresholdKeys) {
    EXPECT_TRUE(IsKnownCheckName(k.check)) << k.check;
    EXPECT_NE(k.key, "for");
    EXPECT_NE(k.key, "clear_after");
    EXPECT_TRUE(seen.insert({k.check, k.key}).second) << k.check << "." << k.key;
  }
  EXPECT_NE(FindThresholdKey("consumer_lag", "window"), nullptr);
  EXPECT_EQ(FindThresholdKey("consumer_lag", "max_ttl"), nullptr);
  EXPECT_EQ(FindThresholdKey("no_primary", "window"), nullptr);
}

}  // namespace
}  // namespace failwatch
