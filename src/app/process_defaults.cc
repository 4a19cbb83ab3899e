#include "app/process_defaults.h"

#include "core/memory_release.h"

#include <cstdlib>  // defines __GLIBC__ on glibc
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace failwatch {
namespace {

// glibc gives every thread that allocates its own arena (up to 8 per core),
// and each keeps the pages its thread once used: ~1.5 MiB of anonymous
// memory over the HTTP pool's and the collectors' threads at the footprint
// bench's config. Two arenas: the sampling threads mostly wait on the
// network, so they rarely contend for an arena's lock.
constexpr int kMallocArenaMax = 2;

}  // namespace

ProcessDefaults ChooseProcessDefaults(const char* (*getenv_fn)(const char*)) {
  ProcessDefaults d;
  const char* tunables = getenv_fn("GLIBC_TUNABLES");
  auto set = [&](const char* env, const char* tunable) {
    return getenv_fn(env) != nullptr ||
           (tunables != nullptr &&
            std::string(tunables).find(tunable) != std::string::npos);
  };
  if (!set("MALLOC_ARENA_MAX", "glibc.malloc.arena_max")) {
    d.malloc_arena_max = kMallocArenaMax;
  }
  d.fixed_mmap_threshold =
      !set("MALLOC_MMAP_THRESHOLD_", "glibc.malloc.mmap_threshold");
  return d;
}

void ApplyProcessDefaults() {
  // Both settings are glibc malloc's; jemalloc takes its own from
  // src/jemalloc_conf.cc and MALLOC_CONF.
  if (ActiveAllocator() != Allocator::kGlibc) return;
  const ProcessDefaults d = ChooseProcessDefaults(
      [](const char* name) -> const char* { return std::getenv(name); });
#if defined(__GLIBC__)
  if (d.malloc_arena_max > 0) ::mallopt(M_ARENA_MAX, d.malloc_arena_max);
#endif
  if (d.fixed_mmap_threshold) ConfigureAllocator();
}

}  // namespace failwatch
