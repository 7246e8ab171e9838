/// @file
/// SHA-256 (FIPS 180-4 §6.2): a portable implementation and an x86-64 SHA-NI path chosen at run
/// time, so the header builds for any target without special compiler flags.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/crypto/ct.hpp"
#include "assent/crypto/detail/md_buffer.hpp"

#if ASSENT_X86_64
#include <cpuid.h>
#include <immintrin.h>
#endif

ASSENT_BEGIN_NAMESPACE
namespace crypto {

/// Which SHA-256 compression function a hash call runs.
enum class sha_impl : std::uint8_t { portable, sha_ni };

namespace detail {

/// Compresses `nblocks` consecutive 64-byte blocks into the eight-word state.
using sha256_compress_fn = void (*)(std::uint32_t* state, const std::uint8_t* blocks,
                                    std::size_t nblocks) noexcept;

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
// 64 primes.
alignas(64) inline constexpr std::uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// FIPS 180-4 §5.3.3: the initial hash value.
inline constexpr std::uint32_t sha256_iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

ASSENT_ALWAYS_INLINE std::uint32_t rotr32(std::uint32_t x, unsigned n) noexcept {
  return (x >> n) | (x << (32U - n));
}

// memcpy + byte swap compiles to one movbe/bswap load; a byte loop is not always recognised.
ASSENT_ALWAYS_INLINE std::uint32_t load_be32(const std::uint8_t* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return __builtin_bswap32(v);
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return v;
#else
  return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
         (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
#endif
}

ASSENT_ALWAYS_INLINE void store_be32(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

// One round (FIPS 180-4 §6.2.2 step 3). Instead of shifting eight variables every round, the
// caller rotates which variable plays which role, so only d and h are written.
ASSENT_ALWAYS_INLINE void sha256_round(std::uint32_t a, std::uint32_t b, std::uint32_t /*c*/,
                                       std::uint32_t& d, std::uint32_t e, std::uint32_t f,
                                       std::uint32_t g, std::uint32_t& h, std::uint32_t& bc,
                                       std::uint32_t kw) noexcept {
  const std::uint32_t t1 =
      h + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + (g ^ (e & (f ^ g))) + kw;
  // Maj(a,b,c) = b ^ ((a^b) & (b^c)), and this round's a^b is the next round's b^c, so c itself
  // is not read: the caller carries b^c in `bc`.
  const std::uint32_t ab = a ^ b;
  // Sigma0(a) = ror(a,2) ^ ror(a,13) ^ ror(a,22), nested so that x86's two-operand rotates
  // need one register copy instead of three (measured ~3% with GCC, neutral with clang).
  const std::uint32_t sigma0 = rotr32(rotr32(rotr32(a, 9) ^ a, 11) ^ a, 2);
  const std::uint32_t t2 = sigma0 + (b ^ (ab & bc));
  bc = ab;
  d += t1;
  h = t1 + t2;
}

// Message schedule (§6.2.2 step 1) kept as a 16-word ring: word t replaces word t-16.
template <std::size_t I>
ASSENT_ALWAYS_INLINE void sha256_expand_word(std::uint32_t* w) noexcept {
  const std::uint32_t w15 = w[(I + 1) & 15];
  const std::uint32_t w2 = w[(I + 14) & 15];
  w[I] += (rotr32(w2, 17) ^ rotr32(w2, 19) ^ (w2 >> 10)) + w[(I + 9) & 15] +
          (rotr32(w15, 7) ^ rotr32(w15, 18) ^ (w15 >> 3));
}

// Sixteen rounds starting at round R. After 16 rounds the roles of a..h are back where they
// started; R is a template argument so all 64 rounds unroll with constant indices.
template <std::size_t R, std::size_t... I>
ASSENT_ALWAYS_INLINE void sha256_16_rounds(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c,
                                           std::uint32_t& d, std::uint32_t& e, std::uint32_t& f,
                                           std::uint32_t& g, std::uint32_t& h, std::uint32_t& bc,
                                           std::uint32_t* w, std::index_sequence<I...>) noexcept {
  if constexpr (R != 0) (sha256_expand_word<I>(w), ...);
  const std::uint32_t* k = sha256_k + R;
  sha256_round(a, b, c, d, e, f, g, h, bc, k[0] + w[0]);
  sha256_round(h, a, b, c, d, e, f, g, bc, k[1] + w[1]);
  sha256_round(g, h, a, b, c, d, e, f, bc, k[2] + w[2]);
  sha256_round(f, g, h, a, b, c, d, e, bc, k[3] + w[3]);
  sha256_round(e, f, g, h, a, b, c, d, bc, k[4] + w[4]);
  sha256_round(d, e, f, g, h, a, b, c, bc, k[5] + w[5]);
  sha256_round(c, d, e, f, g, h, a, b, bc, k[6] + w[6]);
  sha256_round(b, c, d, e, f, g, h, a, bc, k[7] + w[7]);
  sha256_round(a, b, c, d, e, f, g, h, bc, k[8] + w[8]);
  sha256_round(h, a, b, c, d, e, f, g, bc, k[9] + w[9]);
  sha256_round(g, h, a, b, c, d, e, f, bc, k[10] + w[10]);
  sha256_round(f, g, h, a, b, c, d, e, bc, k[11] + w[11]);
  sha256_round(e, f, g, h, a, b, c, d, bc, k[12] + w[12]);
  sha256_round(d, e, f, g, h, a, b, c, bc, k[13] + w[13]);
  sha256_round(c, d, e, f, g, h, a, b, bc, k[14] + w[14]);
  sha256_round(b, c, d, e, f, g, h, a, bc, k[15] + w[15]);
}

/// Portable compression: works on every target, used when SHA-NI is absent.
inline void sha256_compress_portable(std::uint32_t* state, const std::uint8_t* blocks,
                                     std::size_t nblocks) noexcept {
  constexpr auto seq = std::make_index_sequence<16>{};
  std::uint32_t w[16];
  for (; nblocks != 0; --nblocks, blocks += 64) {
    for (std::size_t i = 0; i < 16; ++i) w[i] = load_be32(blocks + 4 * i);
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    std::uint32_t bc = b ^ c;
    sha256_16_rounds<0>(a, b, c, d, e, f, g, h, bc, w, seq);
    sha256_16_rounds<16>(a, b, c, d, e, f, g, h, bc, w, seq);
    sha256_16_rounds<32>(a, b, c, d, e, f, g, h, bc, w, seq);
    sha256_16_rounds<48>(a, b, c, d, e, f, g, h, bc, w, seq);
    state[0] += a; state[1] += b; state[2] += c; state[3] += d;
    state[4] += e; state[5] += f; state[6] += g; state[7] += h;
  }
  fast_wipe(w, sizeof w);  // the schedule is message data, possibly secret
}

#if ASSENT_X86_64
// SHA-NI keeps the state as two registers {A,B,E,F} and {C,D,G,H} (Intel SHA extensions
// white paper); sha256rnds2 runs two rounds, msg1/msg2 compute the schedule four words at a time.
#define ASSENT_SHA_NI_TARGET __attribute__((target("sha,sse4.1")))

// Four rounds of group I (words 4I..4I+3 are in m[I%4]), then the schedule work that this
// group unlocks: group I+1 is finished (msg2) and group I+3 is started (msg1).
template <std::size_t I>
ASSENT_SHA_NI_TARGET ASSENT_ALWAYS_INLINE void sha256_ni_group(__m128i& abef, __m128i& cdgh,
                                                              __m128i* m) noexcept {
  const __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(sha256_k + 4 * I));
  const __m128i msg = _mm_add_epi32(m[I % 4], k);
  cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
  abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(msg, 0x0E));
  if constexpr (I >= 3 && I <= 14) {
    // W[t-16] + s0(W[t-15]) (already in m[(I+1)%4]) + W[t-7], then + s1(W[t-2]).
    const __m128i w7 = _mm_alignr_epi8(m[I % 4], m[(I + 3) % 4], 4);
    m[(I + 1) % 4] = _mm_sha256msg2_epu32(_mm_add_epi32(m[(I + 1) % 4], w7), m[I % 4]);
  }
  if constexpr (I >= 1 && I <= 12) {
    m[(I + 3) % 4] = _mm_sha256msg1_epu32(m[(I + 3) % 4], m[I % 4]);
  }
}

template <std::size_t... I>
ASSENT_SHA_NI_TARGET ASSENT_ALWAYS_INLINE void sha256_ni_rounds(
    __m128i& abef, __m128i& cdgh, __m128i* m, std::index_sequence<I...>) noexcept {
  (sha256_ni_group<I>(abef, cdgh, m), ...);
}

/// SHA-NI compression; only called after cpuid reported SHA and SSE4.1.
ASSENT_SHA_NI_TARGET inline void sha256_compress_shani(std::uint32_t* state,
                                                        const std::uint8_t* blocks,
                                                        std::size_t nblocks) noexcept {
  const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  const __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));
  const __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));
  const __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
  for (; nblocks != 0; --nblocks, blocks += 64) {
    const __m128i abef0 = abef, cdgh0 = cdgh;
    __m128i m[4];
    for (int i = 0; i < 4; ++i) {
      m[i] = _mm_shuffle_epi8(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks + 16 * i)), bswap);
    }
    sha256_ni_rounds(abef, cdgh, m, std::make_index_sequence<16>{});
    abef = _mm_add_epi32(abef, abef0);
    cdgh = _mm_add_epi32(cdgh, cdgh0);
  }
  const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(dchg, feba, 8));
}
#undef ASSENT_SHA_NI_TARGET

/// True when the CPU has the SHA extensions and SSE4.1 (cpuid leaf 7 EBX bit 29, leaf 1 ECX 19).
inline bool cpu_has_sha_ni() noexcept {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
  const bool sse41 = (c & (1U << 19)) != 0;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  return sse41 && (b & (1U << 29)) != 0;
}
#endif

/// The fastest compression function for this CPU, detected once.
inline sha256_compress_fn sha256_best_compress() noexcept {
#if ASSENT_X86_64
  static const sha256_compress_fn best =
      cpu_has_sha_ni() ? &sha256_compress_shani : &sha256_compress_portable;
  return best;
#else
  return &sha256_compress_portable;
#endif
}

}  // namespace detail

/// Incremental SHA-256 (FIPS 180-4); hash() is the one-shot form.
class sha256 {
 public:
  static constexpr std::size_t digest_size = 32;
  static constexpr std::size_t block_size = 64;
  using digest_type = std::array<std::uint8_t, digest_size>;

  /// A fresh hashing state.
  sha256() noexcept { reset(); }

  /// Appends `data` to the message.
  void update(byte_view data) noexcept { update_with(detail::sha256_best_compress(), data); }

  /// Pads, returns the digest, and resets the object to a fresh state.
  [[nodiscard]] digest_type final() noexcept { return final_with(detail::sha256_best_compress()); }

  /// One-shot digest through the fastest path this CPU has.
  [[nodiscard]] static digest_type hash(byte_view data) noexcept {
    return hash_with(detail::sha256_best_compress(), data);
  }

  /// One-shot digest through the portable path (to test and measure it on any CPU).
  [[nodiscard]] static digest_type hash_portable(byte_view data) noexcept {
    return hash_with(&detail::sha256_compress_portable, data);
  }

 private:
  static digest_type hash_with(detail::sha256_compress_fn compress, byte_view data) noexcept {
    sha256 h;
    h.update_with(compress, data);
    return h.final_with(compress);
  }

  void reset() noexcept { std::memcpy(state_, detail::sha256_iv, sizeof state_); }

  void update_with(detail::sha256_compress_fn compress, byte_view data) noexcept {
    buffer_.absorb([&](const std::uint8_t* blocks, std::size_t n) { compress(state_, blocks, n); }, data);
  }

  digest_type final_with(detail::sha256_compress_fn compress) noexcept {
    buffer_.finish([&](const std::uint8_t* blocks, std::size_t n) { compress(state_, blocks, n); });
    digest_type out{};
    for (std::size_t i = 0; i < 8; ++i) detail::store_be32(out.data() + 4 * i, state_[i]);
    // The state derives from the message, which may be secret (Ed25519 hashes its secret key);
    // the object may die right here, so a plain reset could be elided.
    detail::fast_wipe(state_, sizeof state_);
    reset();
    return out;
  }

  std::uint32_t state_[8];
  detail::md_buffer<block_size, 8> buffer_;
};

/// Which path sha256::hash takes on this CPU.
[[nodiscard]] inline sha_impl sha256_impl() noexcept {
  return detail::sha256_best_compress() == &detail::sha256_compress_portable ? sha_impl::portable
                                                                              : sha_impl::sha_ni;
}

}  // namespace crypto
ASSENT_END_NAMESPACE
