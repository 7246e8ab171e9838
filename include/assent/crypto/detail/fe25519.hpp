/// @file
/// Arithmetic in the field GF(p), p = 2^255 - 19, the coordinate field of edwards25519
/// (RFC 8032 §5.1). Radix 2^51: five 64-bit limbs, products accumulated in 128 bits.
///
/// Every routine here is constant time (no branch and no memory index depends on the value)
/// unless its name ends in `_vartime`.
///
/// Limb bounds (the whole correctness argument of the carry-free add/sub lives here):
///  - "tight": every limb < 2^51 + 2^18. Output of fe_mul, fe_sq, fe_carry, fe_from_bytes.
///  - fe_mul / fe_sq accept inputs with every limb < 1.8125 * 2^53 (~2^53.86; see
///    fe_reduce_wide for why);
///    the group formulas keep every input below 2^53.4.
///  - fe_add of two tight values gives limbs < 2^52 + 2^19.
///  - fe_sub(f, g) computes f + 2p - g: g must be tight; the result is < f + 2^52.
///  - fe_sub_wide(f, g) computes f + 4p - g: g may be up to 2^53 - 76 (the sum of two tight
///    values); the result is < f + 2^53.
/// Callers (ge25519.hpp) keep every multiplication input in range with these rules.
#pragma once

#include <cstdint>

#include "assent/config.hpp"

#if !ASSENT_HAS_INT128
#error "assent's Ed25519 needs a compiler with unsigned __int128 (GCC or Clang on a 64-bit target)"
#endif

ASSENT_BEGIN_NAMESPACE
namespace crypto {
namespace ed25519 {
namespace detail {

__extension__ typedef unsigned __int128 u128;

/// A field element: value = v[0] + v[1] 2^51 + v[2] 2^102 + v[3] 2^153 + v[4] 2^204 (mod p).
struct fe {
  std::uint64_t v[5];
};

inline constexpr std::uint64_t fe_mask51 = (std::uint64_t{1} << 51) - 1;

/// 0 and 1.
inline constexpr fe fe_zero{{0, 0, 0, 0, 0}};
inline constexpr fe fe_one{{1, 0, 0, 0, 0}};
/// d = -121665/121666, the curve constant of edwards25519 (RFC 8032 §5.1).
inline constexpr fe fe_d{{0x34dca135978a3, 0x1a8283b156ebd, 0x5e7a26001c029, 0x739c663a03cbb,
                          0x52036cee2b6ff}};
/// 2d, used by the addition formulas (Hisil et al., k = 2d for a = -1).
inline constexpr fe fe_d2{{0x69b9426b2f159, 0x35050762add7a, 0x3cf44c0038052, 0x6738cc7407977,
                           0x2406d9dc56dff}};
/// sqrt(-1) = 2^((p-1)/4) mod p, needed by the square root in point decompression.
inline constexpr fe fe_sqrtm1{{0x61b274a0ea0b0, 0x0d5a5fc8f189d, 0x7ef5e9cbd0c60,
                               0x78595a6804c9e, 0x2b8324804fc1d}};

ASSENT_ALWAYS_INLINE std::uint64_t load_le64(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

ASSENT_ALWAYS_INLINE void store_le64(std::uint8_t* p, std::uint64_t v) noexcept {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

/// Decodes 32 little-endian bytes, ignoring bit 255 (RFC 8032 §5.1.3 step 1: the sign of x).
/// The result is tight but not necessarily < p; canonicity is checked on the bytes.
inline fe fe_from_bytes(const std::uint8_t s[32]) noexcept {
  const std::uint64_t w0 = load_le64(s), w1 = load_le64(s + 8), w2 = load_le64(s + 16),
                      w3 = load_le64(s + 24);
  return fe{{w0 & fe_mask51, ((w0 >> 51) | (w1 << 13)) & fe_mask51,
             ((w1 >> 38) | (w2 << 26)) & fe_mask51, ((w2 >> 25) | (w3 << 39)) & fe_mask51,
             (w3 >> 12) & fe_mask51}};
}

/// One carry pass: limbs < 2^63 in, tight out.
ASSENT_ALWAYS_INLINE fe fe_carry(const fe& f) noexcept {
  std::uint64_t h0 = f.v[0], h1 = f.v[1], h2 = f.v[2], h3 = f.v[3], h4 = f.v[4];
  std::uint64_t c;
  c = h0 >> 51; h0 &= fe_mask51; h1 += c;
  c = h1 >> 51; h1 &= fe_mask51; h2 += c;
  c = h2 >> 51; h2 &= fe_mask51; h3 += c;
  c = h3 >> 51; h3 &= fe_mask51; h4 += c;
  c = h4 >> 51; h4 &= fe_mask51; h0 += c * 19;
  c = h0 >> 51; h0 &= fe_mask51; h1 += c;
  return fe{{h0, h1, h2, h3, h4}};
}

/// The unique encoding of f mod p in [0, p) (RFC 8032 §5.1.2: 255 bits little-endian; bit 255
/// is left 0 for the caller to set).
inline void fe_to_bytes(std::uint8_t out[32], const fe& f) noexcept {
  fe t = fe_carry(fe_carry(f));  // now every limb < 2^51: 0 <= t < 2^255 < 2p
  // q = 1 exactly when t >= p, i.e. when t + 19 carries out of bit 255.
  std::uint64_t q = (t.v[0] + 19) >> 51;
  q = (t.v[1] + q) >> 51;
  q = (t.v[2] + q) >> 51;
  q = (t.v[3] + q) >> 51;
  q = (t.v[4] + q) >> 51;
  // t - q p = t + 19 q - q 2^255: add 19q, carry, and drop bit 255.
  std::uint64_t h0 = t.v[0] + 19 * q, h1 = t.v[1], h2 = t.v[2], h3 = t.v[3], h4 = t.v[4];
  h1 += h0 >> 51; h0 &= fe_mask51;
  h2 += h1 >> 51; h1 &= fe_mask51;
  h3 += h2 >> 51; h2 &= fe_mask51;
  h4 += h3 >> 51; h3 &= fe_mask51;
  h4 &= fe_mask51;
  store_le64(out, h0 | (h1 << 51));
  store_le64(out + 8, (h1 >> 13) | (h2 << 38));
  store_le64(out + 16, (h2 >> 26) | (h3 << 25));
  store_le64(out + 24, (h3 >> 39) | (h4 << 12));
}

/// f + g without carrying (see the bounds above).
ASSENT_ALWAYS_INLINE fe fe_add(const fe& f, const fe& g) noexcept {
  return fe{{f.v[0] + g.v[0], f.v[1] + g.v[1], f.v[2] + g.v[2], f.v[3] + g.v[3], f.v[4] + g.v[4]}};
}

/// f - g for a tight g, computed as f + 2p - g so that no limb goes negative.
ASSENT_ALWAYS_INLINE fe fe_sub(const fe& f, const fe& g) noexcept {
  constexpr std::uint64_t p2_0 = 2 * (fe_mask51 - 18), p2_i = 2 * fe_mask51;
  return fe{{f.v[0] + p2_0 - g.v[0], f.v[1] + p2_i - g.v[1], f.v[2] + p2_i - g.v[2],
             f.v[3] + p2_i - g.v[3], f.v[4] + p2_i - g.v[4]}};
}

/// f - g for g < 2^53 - 76 per limb (e.g. a sum of two tight values), as f + 4p - g.
ASSENT_ALWAYS_INLINE fe fe_sub_wide(const fe& f, const fe& g) noexcept {
  constexpr std::uint64_t p4_0 = 4 * (fe_mask51 - 18), p4_i = 4 * fe_mask51;
  return fe{{f.v[0] + p4_0 - g.v[0], f.v[1] + p4_i - g.v[1], f.v[2] + p4_i - g.v[2],
             f.v[3] + p4_i - g.v[3], f.v[4] + p4_i - g.v[4]}};
}

/// -f for a tight f (as 2p - f).
ASSENT_ALWAYS_INLINE fe fe_neg(const fe& f) noexcept { return fe_sub(fe_zero, f); }

// Final carries shared by fe_mul and fe_sq: five 128-bit column sums in, tight limbs out.
// Two rounds in which every limb carries at once (instead of one carry rippling through all
// five limbs): the squarings of an exponentiation form a dependent chain, so latency counts.
// Round 1: each column sum is < 77 * (1.8125 * 2^53)^2 < 2^114, so each carry is
// < 2^63 and each new limb < 2^63 + 2^51; the top column has no factor 19 (< 2^110.1), so its
// carry times 19 is < 2^63.4. Round 2: carries < 2^13, limbs end < 2^51 + 19 * 2^13.
ASSENT_ALWAYS_INLINE fe fe_reduce_wide(u128 r0, u128 r1, u128 r2, u128 r3, u128 r4) noexcept {
  const auto c0 = static_cast<std::uint64_t>(r0 >> 51), c1 = static_cast<std::uint64_t>(r1 >> 51),
             c2 = static_cast<std::uint64_t>(r2 >> 51), c3 = static_cast<std::uint64_t>(r3 >> 51),
             c4 = static_cast<std::uint64_t>(r4 >> 51);
  // 2^255 = 19 (mod p): the carry out of the top limb re-enters the bottom one times 19.
  const std::uint64_t h0 = (static_cast<std::uint64_t>(r0) & fe_mask51) + c4 * 19;
  const std::uint64_t h1 = (static_cast<std::uint64_t>(r1) & fe_mask51) + c0;
  const std::uint64_t h2 = (static_cast<std::uint64_t>(r2) & fe_mask51) + c1;
  const std::uint64_t h3 = (static_cast<std::uint64_t>(r3) & fe_mask51) + c2;
  const std::uint64_t h4 = (static_cast<std::uint64_t>(r4) & fe_mask51) + c3;
  return fe{{(h0 & fe_mask51) + (h4 >> 51) * 19, (h1 & fe_mask51) + (h0 >> 51),
             (h2 & fe_mask51) + (h1 >> 51), (h3 & fe_mask51) + (h2 >> 51),
             (h4 & fe_mask51) + (h3 >> 51)}};
}

/// f * g (schoolbook, with the limbs that overflow 2^255 folded back times 19).
ASSENT_ALWAYS_INLINE fe fe_mul(const fe& f, const fe& g) noexcept {
  const std::uint64_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
  const std::uint64_t g0 = g.v[0], g1 = g.v[1], g2 = g.v[2], g3 = g.v[3], g4 = g.v[4];
  const std::uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
  const u128 r0 = u128{f0} * g0 + u128{f1} * g4_19 + u128{f2} * g3_19 + u128{f3} * g2_19 +
                  u128{f4} * g1_19;
  const u128 r1 = u128{f0} * g1 + u128{f1} * g0 + u128{f2} * g4_19 + u128{f3} * g3_19 +
                  u128{f4} * g2_19;
  const u128 r2 = u128{f0} * g2 + u128{f1} * g1 + u128{f2} * g0 + u128{f3} * g4_19 +
                  u128{f4} * g3_19;
  const u128 r3 = u128{f0} * g3 + u128{f1} * g2 + u128{f2} * g1 + u128{f3} * g0 +
                  u128{f4} * g4_19;
  const u128 r4 =
      u128{f0} * g4 + u128{f1} * g3 + u128{f2} * g2 + u128{f3} * g1 + u128{f4} * g0;
  return fe_reduce_wide(r0, r1, r2, r3, r4);
}

/// f^2: the symmetric products are computed once and doubled (15 multiplications, not 25).
ASSENT_ALWAYS_INLINE fe fe_sq(const fe& f) noexcept {
  const std::uint64_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
  const std::uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3;
  const std::uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
  const u128 r0 = u128{f0} * f0 + u128{f1_2} * f4_19 + u128{f2_2} * f3_19;
  const u128 r1 = u128{f0_2} * f1 + u128{f2_2} * f4_19 + u128{f3} * f3_19;
  const u128 r2 = u128{f0_2} * f2 + u128{f1} * f1 + u128{f3_2} * f4_19;
  const u128 r3 = u128{f0_2} * f3 + u128{f1_2} * f2 + u128{f4} * f4_19;
  const u128 r4 = u128{f0_2} * f4 + u128{f1_2} * f3 + u128{f2} * f2;
  return fe_reduce_wide(r0, r1, r2, r3, r4);
}

/// f^(2^n), n >= 1.
inline fe fe_sq_n(fe f, int n) noexcept {
  for (int i = 0; i < n; ++i) f = fe_sq(f);
  return f;
}

/// f = g where mask is all ones, unchanged where it is zero; no branch on mask.
ASSENT_ALWAYS_INLINE void fe_cmov(fe& f, const fe& g, std::uint64_t mask) noexcept {
  for (int i = 0; i < 5; ++i) f.v[i] ^= (f.v[i] ^ g.v[i]) & mask;
}

// z^(2^250 - 1) and z^11, the common prefix of the two exponentiations below (the usual
// chain: 11 multiplications, 250 squarings).
inline void fe_pow_2_250_1(fe& z_250_0, fe& z11, const fe& z) noexcept {
  const fe z2 = fe_sq(z);
  const fe z9 = fe_mul(fe_sq_n(z2, 2), z);
  z11 = fe_mul(z9, z2);
  const fe z_5_0 = fe_mul(fe_sq(z11), z9);                 // 2^5 - 1
  const fe z_10_0 = fe_mul(fe_sq_n(z_5_0, 5), z_5_0);      // 2^10 - 1
  const fe z_20_0 = fe_mul(fe_sq_n(z_10_0, 10), z_10_0);   // 2^20 - 1
  const fe z_40_0 = fe_mul(fe_sq_n(z_20_0, 20), z_20_0);   // 2^40 - 1
  const fe z_50_0 = fe_mul(fe_sq_n(z_40_0, 10), z_10_0);   // 2^50 - 1
  const fe z_100_0 = fe_mul(fe_sq_n(z_50_0, 50), z_50_0);  // 2^100 - 1
  const fe z_200_0 = fe_mul(fe_sq_n(z_100_0, 100), z_100_0);  // 2^200 - 1
  z_250_0 = fe_mul(fe_sq_n(z_200_0, 50), z_50_0);            // 2^250 - 1
}

/// z^-1 = z^(p-2) (Fermat); constant time. Maps 0 to 0.
inline fe fe_invert(const fe& z) noexcept {
  fe z_250_0, z11;
  fe_pow_2_250_1(z_250_0, z11, z);
  return fe_mul(fe_sq_n(z_250_0, 5), z11);  // 2^255 - 32 + 11 = p - 2
}

/// z^((p-5)/8) = z^(2^252 - 3), the exponent of the square-root formula of RFC 8032 §5.1.3.
inline fe fe_pow22523(const fe& z) noexcept {
  fe z_250_0, z11;
  fe_pow_2_250_1(z_250_0, z11, z);
  return fe_mul(fe_sq_n(z_250_0, 2), z);  // 2^252 - 4 + 1
}

/// Whether f = 0 (mod p).
inline bool fe_is_zero(const fe& f) noexcept {
  std::uint8_t s[32];
  fe_to_bytes(s, f);
  std::uint8_t acc = 0;
  for (auto b : s) acc = static_cast<std::uint8_t>(acc | b);
  return acc == 0;
}

/// The "sign" of f: the least significant bit of its canonical encoding (RFC 8032 §5.1.2).
inline std::uint8_t fe_is_negative(const fe& f) noexcept {
  std::uint8_t s[32];
  fe_to_bytes(s, f);
  return static_cast<std::uint8_t>(s[0] & 1);
}

}  // namespace detail
}  // namespace ed25519
}  // namespace crypto
ASSENT_END_NAMESPACE
