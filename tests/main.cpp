// assent-tests' main: Catch2's own command line plus assent's test settings.
//   --differential-count N   random cases per differential test (default below)
//   --differential-seed S    seed of the differential PRNG (replays a reported failure)
// Long mode, e.g. before a release:  assent-tests "[differential]" --differential-count 1000000
// Self-contained on purpose (needs only -Itests and ASSENT_CATCH_MAJOR), so it can be prebuilt.
#include <cstddef>
#include <cstdint>

#if ASSENT_CATCH_MAJOR == 3
#include <catch2/catch_session.hpp>
namespace assent_clara = Catch::Clara;
#else
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
namespace assent_clara = Catch::clara;
#endif

namespace assent_test {
namespace {
// Small enough that every differential test takes a few seconds under ASan in CI, large enough
// that each special point encoding is used at least once as R and as A.
std::size_t differential_count_value = 96;
std::uint64_t differential_seed_value = 0x6173'7365'6e74'0001ULL;  // "assent", 1
}  // namespace
// Declared in tests/test_util.hpp.
std::size_t differential_count() noexcept { return differential_count_value; }
std::uint64_t differential_seed() noexcept { return differential_seed_value; }
}  // namespace assent_test

int main(int argc, char* argv[]) {
  Catch::Session session;
  session.cli(session.cli() |
              assent_clara::Opt(assent_test::differential_count_value, "N")["--differential-count"](
                  "random cases per differential test (long mode: 1000000)") |
              assent_clara::Opt(assent_test::differential_seed_value, "S")["--differential-seed"](
                  "seed of the differential tests' PRNG, to replay a reported failure"));
  const int rc = session.applyCommandLine(argc, argv);
  if (rc != 0) return rc;
  return session.run();
}
