// What a fuzz target does when a property fails: say which, then abort so libFuzzer keeps the
// input. Not assert(): the fuzz build is RelWithDebInfo, which defines NDEBUG.
#pragma once

#include <cstdio>
#include <cstdlib>

#define ASSENT_FUZZ_CHECK(cond)                                                          \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);  \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)
