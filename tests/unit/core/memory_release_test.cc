#include "core/memory_release.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

TEST(MemoryReleaseTest, TrimsThenWaitsForTheInterval) {
#if defined(__GLIBC__)
  EXPECT_TRUE(ReleaseFreedMemory(0.0));
  // Just trimmed: anyone asking within the hour is turned away.
  EXPECT_FALSE(ReleaseFreedMemory(3600.0));
  EXPECT_FALSE(ReleaseFreedMemory(3600.0));
#else
  GTEST_SKIP() << "malloc_trim is glibc-only";
#endif
}

}  // namespace
}  // namespace failwatch
