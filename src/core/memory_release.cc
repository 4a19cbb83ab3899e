#include "core/memory_release.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// jemalloc's control interface, declared weak so that this library links
// without jemalloc and finds it at run time when the binary links it (or it
// is preloaded). Not from <jemalloc/jemalloc.h>: that declares it strong.
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp,
                       void* newp, std::size_t newlen) __attribute__((weak));

namespace failwatch {
namespace {

// MALLCTL_ARENAS_ALL in jemalloc 5 (jemalloc/jemalloc.h): "every arena".
constexpr const char* kPurgeAllArenas = "arena.4096.purge";

std::int64_t JemallocStat(const char* name) {
  std::size_t value = 0;
  std::size_t len = sizeof(value);
  if (mallctl(name, &value, &len, nullptr, 0) != 0) return -1;
  return static_cast<std::int64_t>(value);
}

}  // namespace

Allocator ActiveAllocator() {
  // The sanitizer's allocator serves malloc; glibc's would report nothing.
  if (kSanitizerMalloc) return Allocator::kOther;
  if (mallctl != nullptr) return Allocator::kJemalloc;
#if defined(__GLIBC__)
  return Allocator::kGlibc;
#else
  return Allocator::kOther;
#endif
}

const char* AllocatorName(Allocator a) {
  switch (a) {
    case Allocator::kGlibc:
      return "glibc";
    case Allocator::kJemalloc:
      return "jemalloc";
    case Allocator::kOther:
      break;
  }
  return "other";
}

bool ReleaseFreedMemory(double min_interval_seconds) {
  static std::atomic<std::int64_t> last_ns{0};
  const std::int64_t now =
      std::chrono::steady_clock::now().time_since_epoch().count();
  const auto interval = static_cast<std::int64_t>(min_interval_seconds * 1e9);
  std::int64_t last = last_ns.load();
  if (last != 0 && now - last < interval) return false;
  if (!last_ns.compare_exchange_strong(last, now)) return false;
  const Allocator a = ActiveAllocator();
  if (a == Allocator::kJemalloc) {
    return mallctl(kPurgeAllArenas, nullptr, nullptr, nullptr, 0) == 0;
  }
#if defined(__GLIBC__)
  if (a == Allocator::kGlibc) {
    ::malloc_trim(0);
    return true;
  }
#endif
  return false;
}

AllocatorStats ReadAllocatorStats() {
  AllocatorStats s;
  s.allocator = ActiveAllocator();
  if (s.allocator == Allocator::kJemalloc) {
    // The statistics are a snapshot refreshed by writing "epoch".
    std::uint64_t epoch = 1;
    std::size_t len = sizeof(epoch);
    mallctl("epoch", &epoch, &len, &epoch, len);
    s.allocated_bytes = JemallocStat("stats.allocated");
    s.resident_bytes = JemallocStat("stats.resident");
  }
#if defined(__GLIBC__)
  if (s.allocator == Allocator::kGlibc) {
    const struct mallinfo2 mi = ::mallinfo2();
    s.allocated_bytes = static_cast<std::int64_t>(mi.uordblks + mi.hblkhd);
    s.resident_bytes = static_cast<std::int64_t>(mi.arena + mi.hblkhd);
  }
#endif
  return s;
}

void ConfigureAllocator() {
#if defined(__GLIBC__)
  if (ActiveAllocator() != Allocator::kGlibc) return;
  // Setting it at all turns the dynamic threshold off (mallopt(3)).
  ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

}  // namespace failwatch
