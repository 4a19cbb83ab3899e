#include "kafka/varint.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace failwatch::varint {
namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

TEST(VarintTest, RoundTripsAndSizes) {
  struct Case {
    std::uint64_t v;
    std::size_t bytes;
  };
  const Case cases[] = {
      {0, 1},          {127, 1},
      {128, 2},        {10'000, 2},
      {16'383, 2},     {16'384, 3},
      {UINT32_MAX, 5}, {std::numeric_limits<std::uint64_t>::max(), 10}};
  for (const Case& c : cases) {
    std::vector<std::uint8_t> out;
    Put(out, c.v);
    EXPECT_EQ(out.size(), c.bytes) << c.v;
    EXPECT_EQ(Size(c.v), c.bytes) << c.v;
    std::size_t pos = 0;
    EXPECT_EQ(Get(out.data(), out.size(), pos), c.v);
    EXPECT_EQ(pos, out.size());
  }
}

TEST(VarintTest, TruncatedStreamStopsAtItsEnd) {
  std::vector<std::uint8_t> out;
  Put(out, 1'000'000);
  std::size_t pos = 0;
  Get(out.data(), out.size() - 1, pos);
  EXPECT_EQ(pos, out.size() - 1);
}

TEST(VarintTest, ZigZagKeepsSmallMagnitudesSmall) {
  const std::int64_t values[] = {0, -1, 1, -2, 2, -64, 63, kMin, kMax};
  const std::uint64_t zz[] = {0, 1, 2, 3, 4, 127, 126};
  for (std::size_t i = 0; i < std::size(values); ++i) {
    if (i < std::size(zz)) {
      EXPECT_EQ(ZigZag(values[i]), zz[i]) << values[i];
    }
    EXPECT_EQ(UnZigZag(ZigZag(values[i])), values[i]);
  }
}

TEST(VarintTest, WrappingDeltasRoundTripAnyPair) {
  const std::int64_t values[] = {kMin, -5, 0, 7, 9'000'000'000'000LL, kMax};
  for (std::int64_t a : values) {
    for (std::int64_t b : values) {
      EXPECT_EQ(WrappingAdd(b, WrappingSub(a, b)), a) << a << " " << b;
    }
  }
}

}  // namespace
}  // namespace failwatch::varint
