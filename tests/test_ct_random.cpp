// Constant-time helpers and OS randomness.
#include <array>
#include <cstdint>
#include <vector>

#include "assent/crypto/ct.hpp"
#include "assent/crypto/random.hpp"
#include "catch.hpp"

using assent::crypto::ct_equal;
using assent::crypto::os_random;
using assent::crypto::secure_wipe;

TEST_CASE("ct_equal is true for equal buffers and false for a difference at every position",
          "[ct]") {
  std::array<std::uint8_t, 67> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(i * 37 + 11);
  auto b = a;
  CHECK(ct_equal(a, b));
  CHECK(ct_equal(a.data(), b.data(), a.size()));
  CHECK(ct_equal(a.data(), b.data(), 0));
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (unsigned bit = 0; bit < 8; ++bit) {
      INFO("byte " << i << " bit " << bit);
      b[i] = static_cast<std::uint8_t>(a[i] ^ (1U << bit));
      CHECK_FALSE(ct_equal(a, b));
      CHECK_FALSE(ct_equal(a.data(), b.data(), a.size()));
      // Only the first n bytes count.
      CHECK(ct_equal(a.data(), b.data(), i));
      b[i] = a[i];
    }
  }
  // All bits differing at once (diff = 0xff) must not wrap into "equal".
  std::array<std::uint8_t, 4> zeros{}, ones{0xff, 0xff, 0xff, 0xff};
  CHECK_FALSE(ct_equal(zeros, ones));
}

TEST_CASE("secure_wipe zeroes a buffer and a std::array", "[ct]") {
  std::vector<std::uint8_t> buf(100, 0xa5);
  secure_wipe(buf.data() + 10, 80);
  CHECK(buf[9] == 0xa5);
  CHECK(buf[90] == 0xa5);
  for (std::size_t i = 10; i < 90; ++i) CHECK(buf[i] == 0);

  std::array<std::uint64_t, 4> words{1, 2, 3, ~std::uint64_t{0}};
  secure_wipe(words);
  CHECK(words == std::array<std::uint64_t, 4>{});
  secure_wipe(nullptr, 0);  // a no-op, not a crash
}

TEST_CASE("os_random fills the whole buffer and two calls differ", "[random]") {
  std::array<std::uint8_t, 64> a{}, b{};
  REQUIRE(os_random(a));
  REQUIRE(os_random(b));
  // Chance of a false failure: 2^-512 for each check.
  CHECK(a != std::array<std::uint8_t, 64>{});
  CHECK(a != b);
  // The last bytes are written too (a short read that stopped early would leave zeros).
  std::array<std::uint8_t, 32> tail_a{}, tail_b{};
  REQUIRE(os_random(tail_a.data(), tail_a.size()));
  REQUIRE(os_random(tail_b.data(), tail_b.size()));
  CHECK(tail_a != tail_b);
  CHECK(os_random(nullptr, 0));
}

TEST_CASE("os_random loops until a request larger than one getrandom call is filled",
          "[random]") {
  // getrandom(2) returns at most 32 MiB - 1 bytes per call.
  std::vector<std::uint8_t> big((std::size_t{33} << 20) + 5, 0);
  REQUIRE(os_random(big.data(), big.size()));
  std::size_t zeros_at_end = 0;
  for (std::size_t i = big.size() - 4096; i < big.size(); ++i) zeros_at_end += big[i] == 0;
  CHECK(zeros_at_end < 64);  // about 16 expected; a missed final chunk would give 4096
}

#if defined(__linux__)
TEST_CASE("os_random's /dev/urandom fallback fills and differs", "[random]") {
  std::array<std::uint8_t, 48> a{}, b{};
  REQUIRE(assent::crypto::detail::urandom_fill(a.data(), a.size()));
  REQUIRE(assent::crypto::detail::urandom_fill(b.data(), b.size()));
  CHECK(a != b);
  CHECK(a != std::array<std::uint8_t, 48>{});
}
#endif
