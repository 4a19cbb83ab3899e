#include "config/check_names.h"

#include <gtest/gtest.h>

#include <set>
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

}  // namespace
}  // namespace failwatch
