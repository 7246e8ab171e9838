/// @file
/// Half-size scalars for verification (the idea of T. Pornin, "Optimized Lattice Basis
/// Reduction In Dimension 2, and Fast Schnorr and EdDSA Signature Verification", 2020, adapted
/// so the result stays exactly libsodium's).
///
/// Verification asks whether P = [S]B - [k]A equals R. For any c1 coprime to 8L (odd and not a
/// multiple of L), P = R exactly when [c1](P - R) = 0, because every point's order divides 8L.
/// If also c0 = c1 k (mod 8L), then [c1][k]A = [c0]A for every A, including one with a
/// small-order component (this is why the modulus is 8L and not L), and
///     [c1](P - R) = [c1 S mod L]B - [c0]A - [c1]R.
/// Extended Euclid on (8L, k), stopped half way, gives such c0, c1 of about 128 bits, so the
/// right-hand side needs about 128 doublings instead of 253; B's 253-bit scalar is split into
/// two 128-bit halves over tables of B and 2^128 B. The price is decoding R (an
/// exponentiation, the same cost as the final inversion it replaces).
/// Everything here is variable time and sees only public values.
#pragma once

#include <cstdint>

#include "assent/config.hpp"
#include "assent/crypto/detail/fe25519.hpp"

ASSENT_BEGIN_NAMESPACE
namespace crypto {
namespace ed25519 {
namespace detail {

/// A 256-bit unsigned integer, little-endian 64-bit words.
struct u256 {
  std::uint64_t w[4];
};

inline int u256_bits(const u256& a) noexcept {
  for (int i = 3; i >= 0; --i) {
    if (a.w[i] != 0) return 64 * i + 64 - __builtin_clzll(a.w[i]);
  }
  return 0;
}

inline bool u256_ge(const u256& a, const u256& b) noexcept {
  for (int i = 3; i >= 0; --i) {
    if (a.w[i] != b.w[i]) return a.w[i] > b.w[i];
  }
  return true;
}

// a << s for 0 <= s < 256 (bits shifted past 2^256 are dropped; callers never lose any).
inline u256 u256_shl(const u256& a, int s) noexcept {
  u256 r{{0, 0, 0, 0}};
  const int words = s / 64, bits = s % 64;
  for (int i = 3; i >= words; --i) {
    std::uint64_t v = a.w[i - words] << bits;
    if (bits != 0 && i - words - 1 >= 0) v |= a.w[i - words - 1] >> (64 - bits);
    r.w[i] = v;
  }
  return r;
}

inline void u256_sub(u256& a, const u256& b) noexcept {  // a -= b, a >= b
  std::uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    const u128 d = u128{a.w[i]} - b.w[i] - borrow;
    a.w[i] = static_cast<std::uint64_t>(d);
    borrow = static_cast<std::uint64_t>(d >> 64) & 1;
  }
}

// a = q b + (new a), for 0 < b <= a whose bit lengths differ by d; false if the quotient would
// not fit 64 bits.
inline bool u256_divmod_vartime(u256& a, const u256& b, int d, std::uint64_t& q) noexcept {
  if (d >= 64) return false;
  if (d == 0) {  // a < 2b: the most common quotient, 1
    u256_sub(a, b);
    q = 1;
    return true;
  }
  q = 0;
  for (int s = d; s >= 0; --s) {  // schoolbook binary division: d is small in practice
    const u256 bs = u256_shl(b, s);
    if (u256_ge(a, bs)) {
      u256_sub(a, bs);
      q |= std::uint64_t{1} << s;
    }
  }
  return true;
}

// out = t_a + q t_b; false on overflow of 256 bits (never for the magnitudes seen here).
inline bool u256_mul_add(u256& out, const u256& t_b, std::uint64_t q, const u256& t_a) noexcept {
  std::uint64_t carry = 0;
  for (int i = 0; i < 4; ++i) {
    const u128 v = u128{t_b.w[i]} * q + t_a.w[i] + carry;
    out.w[i] = static_cast<std::uint64_t>(v);
    carry = static_cast<std::uint64_t>(v >> 64);
  }
  return carry == 0;
}

/// c0, c1 with c0 = c1 k (mod 8L), c1 odd and positive, both below 2^136 (in practice about
/// 2^128): c1 as bytes, c0 as a magnitude and a sign.
struct half_scalars {
  std::uint8_t c0[32];
  std::uint8_t c1[32];
  bool c0_negative;
};

/// Finds half_scalars for a k < L; false when the vector it picks is longer than 136 bits
/// (about 1 k in 200,000, measured; and degenerate k such as L - 1), and the caller then
/// takes the full-length path, which gives the same answer.
inline bool half_scalars_vartime(half_scalars& out, const std::uint8_t k[32]) noexcept {
  // 8L = 2^255 + 8 * 27742317777372353535851937790883648493.
  u256 a{{0xc09318d2e7ae9f68, 0xa6f7cef517bce6b2, 0, 0x8000000000000000}};
  u256 b{{load_le64(k), load_le64(k + 8), load_le64(k + 16), load_le64(k + 24)}};
  if (u256_bits(b) == 0) return false;
  // Rows (r, t) with r = t k (mod 8L): (8L, 0) and (k, 1). Euclid keeps |t| as magnitudes:
  // the signs of consecutive t alternate, so t_new = t_a - q t_b has magnitude
  // |t_a| + q |t_b| and the sign of t_a.
  u256 ta{{0, 0, 0, 0}}, tb{{1, 0, 0, 0}};
  bool tb_negative = false;
  int bits_a = u256_bits(a), bits_b = u256_bits(b);
  while (bits_b > 128) {
    u256 r = a;
    std::uint64_t q;
    if (!u256_divmod_vartime(r, b, bits_a - bits_b, q)) return false;
    u256 t_new;
    if (!u256_mul_add(t_new, tb, q, ta)) return false;
    a = b;
    b = r;
    ta = tb;
    tb = t_new;
    tb_negative = !tb_negative;
    bits_a = bits_b;
    bits_b = u256_bits(b);
    if (bits_b == 0) return false;
  }
  // Now b < 2^128 <= a, so |t_b| <= 8L / a < 2^128 (the rows' determinant is 8L). c1 must be
  // odd: consecutive t are coprime (the Bezout matrix has determinant +-1), so if t_b is
  // even then t_a, and the next row's t_a + q t_b, are odd; take the shorter of those two
  // (it can be a few bits over 128).
  u256 r;
  u256 t;
  bool t_negative;
  if ((tb.w[0] & 1) != 0) {
    r = b;
    t = tb;
    t_negative = tb_negative;
  } else {
    u256 rc = a;
    std::uint64_t qc = 0;
    u256 tc{{0, 0, 0, 0}};
    const bool next_ok = u256_divmod_vartime(rc, b, bits_a - bits_b, qc) &&
                         u256_mul_add(tc, tb, qc, ta);
    const int len_a = u256_bits(a) > u256_bits(ta) ? u256_bits(a) : u256_bits(ta);
    const int len_c = !next_ok                         ? 1000
                      : u256_bits(rc) > u256_bits(tc) ? u256_bits(rc)
                                                      : u256_bits(tc);
    r = len_a <= len_c ? a : rc;
    t = len_a <= len_c ? ta : tc;
    t_negative = !tb_negative;  // t_a and t_a - q t_b share a sign
  }
  if (u256_bits(r) > 136 || u256_bits(t) > 136) return false;
  // r = t k with t < 0 means -r = |t| k: keep c1 = |t| positive and move the sign to c0.
  for (int i = 0; i < 4; ++i) {
    store_le64(out.c0 + 8 * i, r.w[i]);
    store_le64(out.c1 + 8 * i, t.w[i]);
  }
  out.c0_negative = t_negative;
  return true;
}

}  // namespace detail
}  // namespace ed25519
}  // namespace crypto
ASSENT_END_NAMESPACE
