#include "core/memory_release.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace failwatch {

bool ReleaseFreedMemory(double min_interval_seconds) {
  static std::atomic<std::int64_t> last_ns{0};
  const std::int64_t now =
      std::chrono::steady_clock::now().time_since_epoch().count();
  const auto interval = static_cast<std::int64_t>(min_interval_seconds * 1e9);
  std::int64_t last = last_ns.load();
  if (last != 0 && now - last < interval) return false;
  if (!last_ns.compare_exchange_strong(last, now)) return false;
#if defined(__GLIBC__)
  ::malloc_trim(0);
  return true;
#else
  return false;
#endif
}

void ConfigureAllocator() {
#if defined(__GLIBC__)
  // Setting it at all turns the dynamic threshold off (mallopt(3)).
  ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

}  // namespace failwatch
