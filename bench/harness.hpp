// assent-bench harness: a tiny registry of benchmarks, each with several implementations that
// are timed side by side in one run.
//
// Adding benchmarks (in your own bench/<topic>.cpp; bench/CMakeLists.txt globs bench/*.cpp):
//
//   #include "harness.hpp"
//
//   namespace {
//   const bool registered = assent_bench::add({
//       "ed25519_verify",              // benchmark name: snake_case, size suffix if any
//       {
//           {"assent", [](std::uint64_t n) {
//              for (std::uint64_t i = 0; i < n; ++i) assent_bench::keep(verify(...));
//            }},
//           {"libsodium", [](std::uint64_t n) { ... }},
//           {"openssl", [](std::uint64_t n) { ... }},
//       },
//       0,                             // bytes processed per op (0: no MB/s column)
//   });
//   }  // namespace
//
// Rules for an implementation:
// - It is a callable taking the iteration count n and doing the operation exactly n times.
//   Put setup (keys, messages, contexts) outside it: in statics, or captured by the lambda.
// - Pass every result to assent_bench::keep() so the optimiser cannot delete the work.
// - "assent" is the baseline: the table's ratio column is ns(impl) / ns(assent), so a ratio
//   above 1 means assent is faster. Other names ("assent-portable", "libsodium", "openssl",
//   "reference", ...) are free text; keep them short.
// - It must be cheap enough that --smoke (n = 1 for every implementation) stays in seconds.
// - It runs on the calling thread: time is this thread's CPU time by default (the machine is
//   shared; descheduled time is not the implementation's cost). A benchmark that spawns
//   threads should be run with --wall.
//
// How timing works: each implementation gets its own n, calibrated so one round takes about
// 20 ms (5 ms with --quick). Then rounds alternate across implementations (the starting one
// rotates), so machine drift and frequency changes hit all of them alike; the reported ns/op is
// the median over rounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace assent_bench {

/// One implementation of a benchmark: runs the operation n times.
struct impl {
  std::string name;
  std::function<void(std::uint64_t n)> run;
};

/// A benchmark: one operation, several implementations measured side by side.
struct benchmark {
  std::string name;
  std::vector<impl> impls;
  std::size_t bytes_per_op = 0;  ///< >0 adds a MB/s column
};

/// Every registered benchmark, in registration order (function-local static, so registration
/// from static initialisers in any translation unit is safe).
inline std::vector<benchmark>& registry() {
  static std::vector<benchmark> all;
  return all;
}

/// Registers a benchmark; returns true so it can initialise a namespace-scope constant.
inline bool add(benchmark b) {
  registry().push_back(std::move(b));
  return true;
}

/// Makes the optimiser assume `value` is used, so the computation producing it stays.
template <class T>
inline void keep(const T& value) {
#if defined(__GNUC__) || defined(__clang__)
  __asm__ __volatile__("" : : "r"(&value) : "memory");
#else
  static volatile const void* sink;
  sink = &value;
#endif
}

}  // namespace assent_bench
