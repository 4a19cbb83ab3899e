// Hands memory freed by a big sample back to the kernel. A Kafka sample of
// 100k group-partitions allocates and frees hundreds of MB (readings, maps,
// families before rendering); an allocator keeps those pages, so RSS stays
// at the peak of the largest sample ever taken and a pod's memory limit is
// hit by a transient. The daemon is linked with jemalloc (CMake option
// FAILWATCH_JEMALLOC, src/jemalloc_conf.cc says why); sanitizer builds and
// binaries without it run on glibc's malloc. Both are handled here, chosen
// at run time, so a preloaded jemalloc is recognised too.
#pragma once

#include <cstdint>

namespace failwatch {

enum class Allocator { kGlibc, kJemalloc, kOther };

// True in ASan/TSan builds, whose allocator replaces malloc (gcc says so
// with macros, clang with __has_feature).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizerMalloc = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitizerMalloc = true;
#else
inline constexpr bool kSanitizerMalloc = false;
#endif
#else
inline constexpr bool kSanitizerMalloc = false;
#endif

// The allocator serving malloc in this process.
Allocator ActiveAllocator();
const char* AllocatorName(Allocator a);

// Thread-safe; at most once per `min_interval_seconds` across all callers.
// Returns true when it released: jemalloc purges every arena's unused
// pages; glibc's malloc_trim(0) returns free pages (also from the middle of
// arenas). Either costs a few ms, hence the rate limit.
bool ReleaseFreedMemory(double min_interval_seconds = 5.0);

// Bytes the application holds (allocated, not freed) and bytes the
// allocator has mapped and resident for them, free pages and metadata
// included; -1 where the allocator does not say.
struct AllocatorStats {
  Allocator allocator = Allocator::kOther;
  std::int64_t allocated_bytes = -1;
  std::int64_t resident_bytes = -1;
};
AllocatorStats ReadAllocatorStats();

// glibc only (a no-op under jemalloc). Call first thing in main, before any
// thread starts. glibc serves blocks above M_MMAP_THRESHOLD with their own
// mmap, returned on free; but the threshold rises (up to 32 MB) whenever
// such a block is freed, so after the first big sample the multi-MB vectors
// of the next ones (families before rendering, readings) land in the arenas
// and leave them fragmented. A fixed threshold of 128 KiB (glibc's own start
// value) keeps them out: measured with bench/kafka_scale.sh
// (docs/reference/kafka.md, "Memory").
void ConfigureAllocator();

}  // namespace failwatch
