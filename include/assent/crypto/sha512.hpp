/// @file
/// SHA-512 (FIPS 180-4 §6.4), the hash inside Ed25519 (RFC 8032 §5.1). Portable C++ with all
/// 80 rounds unrolled. On x86-64 (which mostly lacks SHA-512 instructions) the run-time choice
/// is the same code compiled for BMI2, or with the message schedule in AVX-512VL registers.
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
namespace detail {

/// Compresses `nblocks` consecutive 128-byte blocks into the eight-word state.
using sha512_compress_fn = void (*)(std::uint64_t* state, const std::uint8_t* blocks,
                                    std::size_t nblocks) noexcept;

// FIPS 180-4 §4.2.3: the first 64 bits of the fractional parts of the cube roots of the first
// 80 primes.
alignas(64) inline constexpr std::uint64_t sha512_k[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
    0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
    0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
    0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
    0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
    0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
    0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
    0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817};

// FIPS 180-4 §5.3.5: the initial hash value.
inline constexpr std::uint64_t sha512_iv[8] = {
    0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
    0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};

ASSENT_ALWAYS_INLINE std::uint64_t rotr64(std::uint64_t x, unsigned n) noexcept {
  return (x >> n) | (x << (64U - n));
}

// memcpy + byte swap compiles to one movbe/bswap load; a byte loop is not always recognised.
ASSENT_ALWAYS_INLINE std::uint64_t load_be64(const std::uint8_t* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return __builtin_bswap64(v);
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return v;
#else
  v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
#endif
}

// One round (§6.4.2 step 3); the caller rotates the roles of the eight variables.
ASSENT_ALWAYS_INLINE void sha512_round(std::uint64_t a, std::uint64_t b, std::uint64_t /*c*/,
                                       std::uint64_t& d, std::uint64_t e, std::uint64_t f,
                                       std::uint64_t g, std::uint64_t& h, std::uint64_t& bc,
                                       std::uint64_t kw) noexcept {
  const std::uint64_t t1 =
      h + (rotr64(e, 14) ^ rotr64(e, 18) ^ rotr64(e, 41)) + (g ^ (e & (f ^ g))) + kw;
  // Maj(a,b,c) = b ^ ((a^b) & (b^c)), and this round's a^b is the next round's b^c, so c itself
  // is not read: the caller carries b^c in `bc`.
  const std::uint64_t ab = a ^ b;
  const std::uint64_t t2 = (rotr64(a, 28) ^ rotr64(a, 34) ^ rotr64(a, 39)) + (b ^ (ab & bc));
  bc = ab;
  d += t1;
  h = t1 + t2;
}

// Message schedule (§6.4.2 step 1) as a 16-word ring: word t replaces word t-16.
template <std::size_t I>
ASSENT_ALWAYS_INLINE void sha512_expand_word(std::uint64_t* w) noexcept {
  const std::uint64_t w15 = w[(I + 1) & 15];
  const std::uint64_t w2 = w[(I + 14) & 15];
  w[I] += (rotr64(w2, 19) ^ rotr64(w2, 61) ^ (w2 >> 6)) + w[(I + 9) & 15] +
          (rotr64(w15, 1) ^ rotr64(w15, 8) ^ (w15 >> 7));
}

// Sixteen rounds; kw(i) yields K[t] + W[t] for the group's i-th round t. After 16 rounds the
// roles of a..h are back where they started, so every group takes the variables in the same
// order; each caller's i is a constant, so all 80 rounds unroll with constant indices.
template <class KW>
ASSENT_ALWAYS_INLINE void sha512_16_rounds(std::uint64_t& a, std::uint64_t& b, std::uint64_t& c,
                                           std::uint64_t& d, std::uint64_t& e, std::uint64_t& f,
                                           std::uint64_t& g, std::uint64_t& h, std::uint64_t& bc,
                                           const KW& kw) noexcept {
  sha512_round(a, b, c, d, e, f, g, h, bc, kw(0));
  sha512_round(h, a, b, c, d, e, f, g, bc, kw(1));
  sha512_round(g, h, a, b, c, d, e, f, bc, kw(2));
  sha512_round(f, g, h, a, b, c, d, e, bc, kw(3));
  sha512_round(e, f, g, h, a, b, c, d, bc, kw(4));
  sha512_round(d, e, f, g, h, a, b, c, bc, kw(5));
  sha512_round(c, d, e, f, g, h, a, b, bc, kw(6));
  sha512_round(b, c, d, e, f, g, h, a, bc, kw(7));
  sha512_round(a, b, c, d, e, f, g, h, bc, kw(8));
  sha512_round(h, a, b, c, d, e, f, g, bc, kw(9));
  sha512_round(g, h, a, b, c, d, e, f, bc, kw(10));
  sha512_round(f, g, h, a, b, c, d, e, bc, kw(11));
  sha512_round(e, f, g, h, a, b, c, d, bc, kw(12));
  sha512_round(d, e, f, g, h, a, b, c, bc, kw(13));
  sha512_round(c, d, e, f, g, h, a, b, bc, kw(14));
  sha512_round(b, c, d, e, f, g, h, a, bc, kw(15));
}

// Rounds R..R+15 of the scalar code: first the next 16 schedule words, in place.
template <std::size_t R, std::size_t... I>
ASSENT_ALWAYS_INLINE void sha512_scalar_group(std::uint64_t& a, std::uint64_t& b,
                                              std::uint64_t& c, std::uint64_t& d,
                                              std::uint64_t& e, std::uint64_t& f,
                                              std::uint64_t& g, std::uint64_t& h,
                                              std::uint64_t& bc, std::uint64_t* w,
                                              std::index_sequence<I...>) noexcept {
  if constexpr (R != 0) (sha512_expand_word<I>(w), ...);
  sha512_16_rounds(a, b, c, d, e, f, g, h, bc,
                   [w](std::size_t i) { return sha512_k[R + i] + w[i]; });
}

// The compression loop; instantiated once per target so each gets its own code generation.
ASSENT_ALWAYS_INLINE void sha512_blocks(std::uint64_t* state, const std::uint8_t* blocks,
                                        std::size_t nblocks) noexcept {
  constexpr auto seq = std::make_index_sequence<16>{};
  std::uint64_t w[16];
  for (; nblocks != 0; --nblocks, blocks += 128) {
    for (std::size_t i = 0; i < 16; ++i) w[i] = load_be64(blocks + 8 * i);
    std::uint64_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint64_t e = state[4], f = state[5], g = state[6], h = state[7];
    std::uint64_t bc = b ^ c;
    sha512_scalar_group<0>(a, b, c, d, e, f, g, h, bc, w, seq);
    sha512_scalar_group<16>(a, b, c, d, e, f, g, h, bc, w, seq);
    sha512_scalar_group<32>(a, b, c, d, e, f, g, h, bc, w, seq);
    sha512_scalar_group<48>(a, b, c, d, e, f, g, h, bc, w, seq);
    sha512_scalar_group<64>(a, b, c, d, e, f, g, h, bc, w, seq);
    state[0] += a; state[1] += b; state[2] += c; state[3] += d;
    state[4] += e; state[5] += f; state[6] += g; state[7] += h;
  }
  fast_wipe(w, sizeof w);  // the schedule is message data, possibly secret
}

/// Portable compression, every round written out.
inline void sha512_compress_portable(std::uint64_t* state, const std::uint8_t* blocks,
                                     std::size_t nblocks) noexcept {
  sha512_blocks(state, blocks, nblocks);
}

#if ASSENT_X86_64
/// The same code compiled for BMI2: rorx rotates without destroying its source, which removes a
/// register copy from every rotation (about 15% faster on 64-bit Intel and AMD cores).
__attribute__((target("bmi2"))) inline void sha512_compress_bmi2(std::uint64_t* state,
                                                                  const std::uint8_t* blocks,
                                                                  std::size_t nblocks) noexcept {
  sha512_blocks(state, blocks, nblocks);
}

// AVX-512VL path: the schedule runs two words at a time in 128-bit registers, where vprorq
// rotates in one instruction (AVX2 needs three, and then measured no faster than scalar BMI2).
// It computes K+W for the next 16 rounds while the scalar BMI2 rounds consume the current 16,
// so both kinds of execution unit stay busy. Only 128-bit registers are used: no AVX-512
// frequency penalty.
#define ASSENT_SHA512_VL_TARGET __attribute__((target("avx512f,avx512vl,bmi2")))

template <int N>
ASSENT_SHA512_VL_TARGET ASSENT_ALWAYS_INLINE __m128i sha512_vl_ror(__m128i x) noexcept {
  return _mm_ror_epi64(x, N);
}

// Words 2J and 2J+1 (J >= 8) of the schedule; wv is a ring of eight word pairs. Stores K+W.
template <std::size_t J>
ASSENT_SHA512_VL_TARGET ASSENT_ALWAYS_INLINE void sha512_vl_schedule_pair(
    __m128i* wv, std::uint64_t* kw) noexcept {
  const __m128i w16 = wv[J % 8];                                          // W[t-16], W[t-15]
  const __m128i w15 = _mm_alignr_epi8(wv[(J + 1) % 8], wv[J % 8], 8);     // W[t-15], W[t-14]
  const __m128i w7 = _mm_alignr_epi8(wv[(J + 5) % 8], wv[(J + 4) % 8], 8);  // W[t-7], W[t-6]
  const __m128i w2 = wv[(J + 7) % 8];                                     // W[t-2], W[t-1]
  const __m128i s0 = _mm_ternarylogic_epi64(sha512_vl_ror<1>(w15), sha512_vl_ror<8>(w15),
                                            _mm_srli_epi64(w15, 7), 0x96);  // three-way xor
  const __m128i s1 = _mm_ternarylogic_epi64(sha512_vl_ror<19>(w2), sha512_vl_ror<61>(w2),
                                            _mm_srli_epi64(w2, 6), 0x96);
  const __m128i w = _mm_add_epi64(_mm_add_epi64(w16, s0), _mm_add_epi64(w7, s1));
  wv[J % 8] = w;
  _mm_store_si128(reinterpret_cast<__m128i*>(kw + 2 * J),
                  _mm_add_epi64(w, _mm_load_si128(reinterpret_cast<const __m128i*>(sha512_k + 2 * J))));
}

// Rounds R..R+15 from the K+W already in kw, while computing K+W of rounds R+16..R+31.
template <std::size_t R>
ASSENT_SHA512_VL_TARGET ASSENT_ALWAYS_INLINE void sha512_vl_group(
    std::uint64_t& a, std::uint64_t& b, std::uint64_t& c, std::uint64_t& d, std::uint64_t& e,
    std::uint64_t& f, std::uint64_t& g, std::uint64_t& h, std::uint64_t& bc, __m128i* wv,
    std::uint64_t* kw) noexcept {
  // One schedule pair for the next group between every two rounds: written out (rather than
  // all eight first) because that order measured ~5% faster with GCC.
  constexpr bool more = R + 16 < 80;
  if constexpr (more) sha512_vl_schedule_pair<R / 2 + 8>(wv, kw);
  sha512_round(a, b, c, d, e, f, g, h, bc, kw[R + 0]);
  sha512_round(h, a, b, c, d, e, f, g, bc, kw[R + 1]);
  if constexpr (more) sha512_vl_schedule_pair<R / 2 + 9>(wv, kw);
  sha512_round(g, h, a, b, c, d, e, f, bc, kw[R + 2]);
  sha512_round(f, g, h, a, b, c, d, e, bc, kw[R + 3]);
  if constexpr (more) sha512_vl_schedule_pair<R / 2 + 10>(wv, kw);
  sha512_round(e, f, g, h, a, b, c, d, bc, kw[R + 4]);
  sha512_round(d, e, f, g, h, a, b, c, bc, kw[R + 5]);
  if constexpr (more) sha512_vl_schedule_pair<R / 2 + 11>(wv, kw);
  sha512_round(c, d, e, f, g, h, a, b, bc, kw[R + 6]);
  sha512_round(b, c, d, e, f, g, h, a, bc, kw[R + 7]);
  if constexpr (more) sha512_vl_schedule_pair<R / 2 + 12>(wv, kw);
  sha512_round(a, b, c, d, e, f, g, h, bc, kw[R + 8]);
  sha512_round(h, a, b, c, d, e, f, g, bc, kw[R + 9]);
  if constexpr (more) sha512_vl_schedule_pair<R / 2 + 13>(wv, kw);
  sha512_round(g, h, a, b, c, d, e, f, bc, kw[R + 10]);
  sha512_round(f, g, h, a, b, c, d, e, bc, kw[R + 11]);
  if constexpr (more) sha512_vl_schedule_pair<R / 2 + 14>(wv, kw);
  sha512_round(e, f, g, h, a, b, c, d, bc, kw[R + 12]);
  sha512_round(d, e, f, g, h, a, b, c, bc, kw[R + 13]);
  if constexpr (more) sha512_vl_schedule_pair<R / 2 + 15>(wv, kw);
  sha512_round(c, d, e, f, g, h, a, b, bc, kw[R + 14]);
  sha512_round(b, c, d, e, f, g, h, a, bc, kw[R + 15]);
}

/// AVX-512VL + BMI2 compression; only called after cpuid and XCR0 reported both usable.
ASSENT_SHA512_VL_TARGET inline void sha512_compress_avx512vl(std::uint64_t* state,
                                                             const std::uint8_t* blocks,
                                                             std::size_t nblocks) noexcept {
  const __m128i bswap = _mm_set_epi64x(0x08090a0b0c0d0e0fLL, 0x0001020304050607LL);
  alignas(16) std::uint64_t kw[80];
  for (; nblocks != 0; --nblocks, blocks += 128) {
    __m128i wv[8];
    for (std::size_t i = 0; i < 8; ++i) {
      wv[i] = _mm_shuffle_epi8(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks + 16 * i)), bswap);
      _mm_store_si128(reinterpret_cast<__m128i*>(kw + 2 * i),
                      _mm_add_epi64(wv[i], _mm_load_si128(
                                               reinterpret_cast<const __m128i*>(sha512_k + 2 * i))));
    }
    std::uint64_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint64_t e = state[4], f = state[5], g = state[6], h = state[7];
    std::uint64_t bc = b ^ c;
    sha512_vl_group<0>(a, b, c, d, e, f, g, h, bc, wv, kw);
    sha512_vl_group<16>(a, b, c, d, e, f, g, h, bc, wv, kw);
    sha512_vl_group<32>(a, b, c, d, e, f, g, h, bc, wv, kw);
    sha512_vl_group<48>(a, b, c, d, e, f, g, h, bc, wv, kw);
    sha512_vl_group<64>(a, b, c, d, e, f, g, h, bc, wv, kw);
    state[0] += a; state[1] += b; state[2] += c; state[3] += d;
    state[4] += e; state[5] += f; state[6] += g; state[7] += h;
  }
  fast_wipe(kw, sizeof kw);  // K+W reveals the message schedule, possibly secret
}
#undef ASSENT_SHA512_VL_TARGET

/// cpuid leaf 7 EBX: BMI2 (bit 8), AVX512F (bit 16), AVX512VL (bit 31).
inline unsigned cpuid7_ebx() noexcept {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid_count(7, 0, &a, &b, &c, &d) != 0 ? b : 0U;
}

inline bool cpu_has_bmi2() noexcept { return (cpuid7_ebx() & (1U << 8)) != 0; }

/// AVX-512F+VL+BMI2 present, and the OS saves the AVX-512 register state (XCR0 bits 1, 2 and
/// 5-7, read with xgetbv once cpuid says OSXSAVE is on).
inline bool cpu_has_avx512vl() noexcept {
  const unsigned need = (1U << 8) | (1U << 16) | (1U << 31);
  if ((cpuid7_ebx() & need) != need) return false;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0 || (c & (1U << 27)) == 0) return false;
  unsigned xcr0_lo = 0, xcr0_hi = 0;
  __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0U));
  (void)xcr0_hi;
  return (xcr0_lo & 0xE6U) == 0xE6U;
}
#endif

/// The fastest compression function for this CPU, detected once.
inline sha512_compress_fn sha512_best_compress() noexcept {
#if ASSENT_X86_64
  static const sha512_compress_fn best = cpu_has_avx512vl() ? &sha512_compress_avx512vl
                                          : cpu_has_bmi2()    ? &sha512_compress_bmi2
                                                              : &sha512_compress_portable;
  return best;
#else
  return &sha512_compress_portable;
#endif
}

}  // namespace detail

/// Incremental SHA-512 (FIPS 180-4); hash() is the one-shot form.
class sha512 {
 public:
  static constexpr std::size_t digest_size = 64;
  static constexpr std::size_t block_size = 128;
  using digest_type = std::array<std::uint8_t, digest_size>;

  /// A fresh hashing state.
  sha512() noexcept { reset(); }

  /// Appends `data` to the message.
  void update(byte_view data) noexcept { update_with(detail::sha512_best_compress(), data); }

  /// Pads, returns the digest, and resets the object to a fresh state.
  [[nodiscard]] digest_type final() noexcept { return final_with(detail::sha512_best_compress()); }

  /// One-shot digest through the fastest path this CPU has.
  [[nodiscard]] static digest_type hash(byte_view data) noexcept {
    return hash_with(detail::sha512_best_compress(), data);
  }

  /// One-shot digest through the portable path (to test and measure it on any CPU).
  [[nodiscard]] static digest_type hash_portable(byte_view data) noexcept {
    return hash_with(&detail::sha512_compress_portable, data);
  }

 private:
  static digest_type hash_with(detail::sha512_compress_fn compress, byte_view data) noexcept {
    sha512 h;
    h.update_with(compress, data);
    return h.final_with(compress);
  }

  void reset() noexcept { std::memcpy(state_, detail::sha512_iv, sizeof state_); }

  void update_with(detail::sha512_compress_fn compress, byte_view data) noexcept {
    buffer_.absorb([&](const std::uint8_t* blocks, std::size_t n) { compress(state_, blocks, n); }, data);
  }

  digest_type final_with(detail::sha512_compress_fn compress) noexcept {
    buffer_.finish([&](const std::uint8_t* blocks, std::size_t n) { compress(state_, blocks, n); });
    digest_type out{};
    for (std::size_t i = 0; i < 8; ++i) detail::store_be64(out.data() + 8 * i, state_[i]);
    // The state derives from the message, which may be secret (Ed25519 hashes its secret key);
    // the object may die right here, so a plain reset could be elided.
    detail::fast_wipe(state_, sizeof state_);
    reset();
    return out;
  }

  std::uint64_t state_[8];
  detail::md_buffer<block_size, 16> buffer_;
};

}  // namespace crypto
ASSENT_END_NAMESPACE
