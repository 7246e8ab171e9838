// assent-bench: runs the registered benchmarks (see harness.hpp) and prints a table, or one JSON
// object per line with --json.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <time.h>  // clock_gettime, CLOCK_THREAD_CPUTIME_ID (POSIX)

#include "harness.hpp"

namespace {

struct options {
  bool json = false;
  bool quick = false;
  bool smoke = false;
  bool list = false;
  bool wall = false;  // time with the wall clock instead of this thread's CPU time
  std::vector<std::string> filters;  // substrings; a benchmark runs if it matches any
};

struct result {
  std::string impl;
  double ns_per_op = 0;
  double spread = 0;  // (p75 - p25) / median over rounds: how noisy the figure is
};

bool use_wall_clock = false;

// The machine is often shared: this thread's CPU time leaves out the time the scheduler gives
// to other processes, which wall time would add to whichever implementation was unlucky.
double now_seconds() {
#if defined(CLOCK_THREAD_CPUTIME_ID)
  if (!use_wall_clock) {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
#endif
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double seconds_for(const assent_bench::impl& im, std::uint64_t n) {
  const double t0 = now_seconds();
  im.run(n);
  return now_seconds() - t0;
}

// Doubles n until one call takes a measurable time, then scales n to the round target. The
// first call is not timed (it pays one-time set-up: statics, opening a log file), and a call
// slow enough to stop the doubling is timed twice, keeping the faster: one stalled fdatasync at
// n = 1 would otherwise make every round a single operation.
std::uint64_t calibrate(const assent_bench::impl& im, double round_seconds) {
  im.run(1);
  std::uint64_t n = 1;
  for (;;) {
    double s = seconds_for(im, n);
    if (s >= round_seconds / 8) s = std::min(s, seconds_for(im, n));
    if (s >= round_seconds / 8 || n >= (std::uint64_t{1} << 40)) {
      const double per_op = s / static_cast<double>(n);
      const double want = round_seconds / (per_op > 0 ? per_op : 1e-9);
      return want < 1 ? 1 : static_cast<std::uint64_t>(want);
    }
    n *= 2;
  }
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return v[lo] * (1 - frac) + v[hi] * frac;
}

std::vector<result> run_benchmark(const assent_bench::benchmark& b, const options& opt) {
  const std::size_t k = b.impls.size();
  std::vector<result> out(k);
  for (std::size_t i = 0; i < k; ++i) out[i].impl = b.impls[i].name;
  if (opt.smoke) {
    for (std::size_t i = 0; i < k; ++i) out[i].ns_per_op = seconds_for(b.impls[i], 1) * 1e9;
    return out;
  }
  const double round_seconds = opt.quick ? 0.005 : 0.02;
  const std::size_t rounds = opt.quick ? 5 : 15;
  std::vector<std::uint64_t> n(k);
  for (std::size_t i = 0; i < k; ++i) n[i] = calibrate(b.impls[i], round_seconds);
  std::vector<std::vector<double>> samples(k);
  for (std::size_t r = 0; r < rounds; ++r) {
    for (std::size_t j = 0; j < k; ++j) {
      const std::size_t i = (r + j) % k;  // rotate who goes first
      samples[i].push_back(seconds_for(b.impls[i], n[i]) * 1e9 / static_cast<double>(n[i]));
    }
  }
  for (std::size_t i = 0; i < k; ++i) {
    const double median = quantile(samples[i], 0.5);
    out[i].ns_per_op = median;
    out[i].spread = (quantile(samples[i], 0.75) - quantile(samples[i], 0.25)) / median;
  }
  return out;
}

bool selected(const assent_bench::benchmark& b, const options& opt) {
  if (opt.filters.empty()) return true;
  return std::any_of(opt.filters.begin(), opt.filters.end(), [&](const std::string& f) {
    return b.name.find(f) != std::string::npos;
  });
}

void print_json(const assent_bench::benchmark& b, const std::vector<result>& rs) {
  // Names are plain identifiers (harness.hpp), so no JSON escaping is needed.
  for (const auto& r : rs) {
    std::printf("{\"bench\": \"%s\", \"impl\": \"%s\", \"ns_per_op\": %.3f}\n", b.name.c_str(),
                r.impl.c_str(), r.ns_per_op);
  }
  std::fflush(stdout);
}

void print_table(const assent_bench::benchmark& b, const std::vector<result>& rs, bool smoke) {
  const result* base = nullptr;
  for (const auto& r : rs) {
    if (r.impl == "assent") base = &r;
  }
  bool first = true;
  for (const auto& r : rs) {
    std::printf("%-22s %-16s %12.1f", first ? b.name.c_str() : "", r.impl.c_str(), r.ns_per_op);
    if (!smoke) std::printf("  %5.1f%%", r.spread * 100);
    if (b.bytes_per_op != 0 && r.ns_per_op > 0) {
      std::printf(" %9.1f", static_cast<double>(b.bytes_per_op) * 1e3 / r.ns_per_op);
    } else {
      std::printf(" %9s", "");
    }
    if (base != nullptr && &r != base && base->ns_per_op > 0) {
      std::printf("  %6.2fx", r.ns_per_op / base->ns_per_op);
    }
    std::printf("\n");
    first = false;
  }
  std::fflush(stdout);
}

void usage() {
  std::puts(
      "usage: assent-bench [--json] [--quick] [--smoke] [--list] [--wall] [FILTER...]\n"
      "  Measures assent side by side with libsodium and OpenSSL, alternating implementations\n"
      "  round by round, and reports the median ns/op of each.\n"
      "  --json   one object per line: {\"bench\": ..., \"impl\": ..., \"ns_per_op\": ...}\n"
      "  --quick  fewer, shorter rounds\n"
      "  --smoke  run every implementation once (a test that the benchmarks work)\n"
      "  --list   print the benchmark names and exit\n"
      "  --wall   time with the wall clock (default: this thread's CPU time)\n"
      "  FILTER   run only benchmarks whose name contains one of these substrings\n"
      "  ratio = ns/op of the implementation / ns/op of assent: above 1 means assent is faster.");
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--json") {
      opt.json = true;
    } else if (arg == "--quick") {
      opt.quick = true;
    } else if (arg == "--smoke") {
      opt.smoke = true;
    } else if (arg == "--list") {
      opt.list = true;
    } else if (arg == "--wall") {
      opt.wall = true;
    } else if (arg == "--help" || arg == "-h") {
      usage();
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "assent-bench: unknown option %s\n", argv[i]);
      usage();
      return 2;
    } else {
      opt.filters.emplace_back(arg);
    }
  }

  use_wall_clock = opt.wall;
  std::size_t ran = 0;
  if (!opt.json && !opt.list) {
    std::printf("%-22s %-16s %12s %s %9s  %s\n", "bench", "impl", "ns/op",
                opt.smoke ? "" : " spread", "MB/s", "ratio (impl/assent; >1: assent faster)");
  }
  for (const auto& b : assent_bench::registry()) {
    if (!selected(b, opt)) continue;
    ++ran;
    if (opt.list) {
      std::printf("%s\n", b.name.c_str());
      continue;
    }
    const auto rs = run_benchmark(b, opt);
    if (opt.json) {
      print_json(b, rs);
    } else {
      print_table(b, rs, opt.smoke);
    }
  }
  if (ran == 0) {
    std::fprintf(stderr, "assent-bench: no benchmark matches the filter\n");
    return 1;
  }
  return 0;
}
