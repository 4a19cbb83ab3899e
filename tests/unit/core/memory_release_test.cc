#include "core/memory_release.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <vector>

namespace failwatch {
namespace {

long RssKb() {
  long pages = 0, resident = 0;
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  const int n = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  return n == 2 ? resident * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

TEST(MemoryReleaseTest, RunsOnTheAllocatorTheBuildLinked) {
  if (kSanitizerMalloc) {
    EXPECT_EQ(ActiveAllocator(), Allocator::kOther);
    EXPECT_STREQ(AllocatorName(ActiveAllocator()), "other");
    return;
  }
#if defined(FAILWATCH_WITH_JEMALLOC)
  EXPECT_EQ(ActiveAllocator(), Allocator::kJemalloc);
  EXPECT_STREQ(AllocatorName(ActiveAllocator()), "jemalloc");
#elif defined(__GLIBC__)
  EXPECT_EQ(ActiveAllocator(), Allocator::kGlibc);
  EXPECT_STREQ(AllocatorName(ActiveAllocator()), "glibc");
#endif
}

TEST(MemoryReleaseTest, ReleasesThenWaitsForTheInterval) {
  if (ActiveAllocator() == Allocator::kOther) GTEST_SKIP() << "no allocator";
  EXPECT_TRUE(ReleaseFreedMemory(0.0));
  // Just released: anyone asking within the hour is turned away.
  EXPECT_FALSE(ReleaseFreedMemory(3600.0));
  EXPECT_FALSE(ReleaseFreedMemory(3600.0));
}

// 64 MiB of 512-byte blocks, as a sample's readings are; one in 64 outlives
// the sample, as a history's does, so the free pages lie between live
// blocks and only the release gives them back.
TEST(MemoryReleaseTest, GivesFreedPagesBetweenLiveBlocksBack) {
  if (kSanitizerMalloc) GTEST_SKIP() << "sanitizer allocator";
  constexpr int kBlocks = 128 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks(kBlocks);
  const AllocatorStats before = ReadAllocatorStats();
  for (auto& b : blocks) {
    b = std::make_unique<char[]>(512);
    b[0] = 1;
    b[511] = 1;
  }
  const AllocatorStats full = ReadAllocatorStats();
  // jemalloc counts blocks in a thread's cache as not allocated.
  EXPECT_GE(full.allocated_bytes - before.allocated_bytes,
            kBlocks * 512L * 9 / 10);
  for (int i = 0; i < kBlocks; ++i) {
    if (i % 64 != 0) blocks[i].reset();
  }
  const AllocatorStats freed = ReadAllocatorStats();
  EXPECT_LT(freed.allocated_bytes - before.allocated_bytes,
            kBlocks * 512L / 32);
  const long rss_freed = RssKb();
  ASSERT_TRUE(ReleaseFreedMemory(0.0));
  const long rss_released = RssKb();
  EXPECT_GE(rss_freed - rss_released, 32 * 1024)
      << "RSS " << rss_freed << " KiB -> " << rss_released << " KiB on "
      << AllocatorName(ActiveAllocator());
}

}  // namespace
}  // namespace failwatch
