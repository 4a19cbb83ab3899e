// A property check that holds in both builds: under libFuzzer an abort is
// reported as a crash with the input saved; in the replay tool it fails the
// test. (assert() would vanish under NDEBUG in RelWithDebInfo.)
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                               \
  do {                                                                 \
    if (!(cond)) {                                                     \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, \
                   __LINE__, #cond);                                   \
      std::abort();                                                    \
    }                                                                  \
  } while (0)
