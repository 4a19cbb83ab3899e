// Process-wide library settings made first thing in main(), before any
// thread starts. They keep failwatch small (bench/footprint.sh;
// docs/deploying.md, Resource sizing) and yield to the operator's own
// setting in the environment.
#pragma once

namespace failwatch {

struct ProcessDefaults {
  // glibc malloc arenas: at most this many, unless MALLOC_ARENA_MAX or a
  // glibc.malloc.arena_max tunable is set. 0 = glibc's default.
  int malloc_arena_max = 0;
  // A fixed M_MMAP_THRESHOLD (core/memory_release.h, ConfigureAllocator),
  // unless MALLOC_MMAP_THRESHOLD_ or glibc.malloc.mmap_threshold is set.
  bool fixed_mmap_threshold = false;
};

// What to apply given the environment (getenv-like lookup; pure, tested).
ProcessDefaults ChooseProcessDefaults(const char* (*getenv_fn)(const char*));

// Applies ChooseProcessDefaults(std::getenv). Call before any other thread
// starts.
void ApplyProcessDefaults();

}  // namespace failwatch
