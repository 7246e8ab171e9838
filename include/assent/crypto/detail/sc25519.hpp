/// @file
/// Arithmetic modulo L = 2^252 + 27742317777372353535851937790883648493, the prime order of
/// the edwards25519 base point (RFC 8032 §5.1). Scalars are four little-endian 64-bit limbs.
/// Everything here is constant time: secret scalars (the signing key s and the nonce r of
/// RFC 8032 §5.1.6) pass through sc_reduce and sc_muladd.
#pragma once

#include <cstdint>

#include "assent/config.hpp"
#include "assent/crypto/detail/fe25519.hpp"

ASSENT_BEGIN_NAMESPACE
namespace crypto {
namespace ed25519 {
namespace detail {

/// L, little-endian limbs.
inline constexpr std::uint64_t sc_l[4] = {0x5812631a5cf5d3ed, 0x14def9dea2f79cd6, 0,
                                          0x1000000000000000};
/// Barrett's constant floor(2^512 / L) (260 bits).
inline constexpr std::uint64_t sc_mu[5] = {0xed9ce5a30a2c131b, 0x2106215d086329a7,
                                           0xffffffffffffffeb, 0xffffffffffffffff, 0xf};

// r -= L if r >= L, without a branch (r < 2^320, five limbs).
inline void sc_cond_sub_l(std::uint64_t r[5]) noexcept {
  std::uint64_t t[5];
  std::uint64_t borrow = 0;
  for (int i = 0; i < 5; ++i) {
    const std::uint64_t li = i < 4 ? sc_l[i] : 0;
    const u128 d = u128{r[i]} - li - borrow;
    t[i] = static_cast<std::uint64_t>(d);
    borrow = static_cast<std::uint64_t>(d >> 64) & 1;
  }
  const std::uint64_t keep_t = borrow - 1;  // all ones when r >= L (no borrow)
  for (int i = 0; i < 5; ++i) r[i] = (t[i] & keep_t) | (r[i] & ~keep_t);
}

/// x mod L for x < 2^512 (eight limbs), by Barrett reduction (Handbook of Applied
/// Cryptography, Algorithm 14.42, base 2^64, k = 4): q = floor(floor(x / 2^192) mu / 2^320)
/// underestimates floor(x / L) by at most 2, so x - qL < 3L and two conditional subtractions
/// finish. Fixed loop bounds, no data-dependent branch.
inline void sc_barrett(std::uint64_t out[4], const std::uint64_t x[8]) noexcept {
  std::uint64_t q2[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 5; ++i) {  // q2 = (x >> 192) * mu
    std::uint64_t carry = 0;
    for (int j = 0; j < 5; ++j) {
      const u128 t = u128{x[3 + i]} * sc_mu[j] + q2[i + j] + carry;
      q2[i + j] = static_cast<std::uint64_t>(t);
      carry = static_cast<std::uint64_t>(t >> 64);
    }
    q2[i + 5] = carry;
  }
  const std::uint64_t* q3 = q2 + 5;  // q2 >> 320
  std::uint64_t ql[5] = {0, 0, 0, 0, 0};  // q3 * L mod 2^320
  for (int i = 0; i < 5; ++i) {
    std::uint64_t carry = 0;
    for (int j = 0; j < 4 && i + j < 5; ++j) {
      const u128 t = u128{q3[i]} * sc_l[j] + ql[i + j] + carry;
      ql[i + j] = static_cast<std::uint64_t>(t);
      carry = static_cast<std::uint64_t>(t >> 64);
    }
    if (i + 4 < 5) ql[i + 4] += carry;
  }
  std::uint64_t r[5];  // x - qL mod 2^320, which is the exact value since it is < 3L
  std::uint64_t borrow = 0;
  for (int i = 0; i < 5; ++i) {
    const u128 d = u128{x[i]} - ql[i] - borrow;
    r[i] = static_cast<std::uint64_t>(d);
    borrow = static_cast<std::uint64_t>(d >> 64) & 1;
  }
  sc_cond_sub_l(r);
  sc_cond_sub_l(r);
  for (int i = 0; i < 4; ++i) out[i] = r[i];
}

/// The 64-byte little-endian integer `in` mod L, as 32 bytes (RFC 8032 §5.1.6 steps 2 and 4:
/// SHA-512 outputs are reduced this way).
inline void sc_reduce(std::uint8_t out[32], const std::uint8_t in[64]) noexcept {
  std::uint64_t x[8];
  for (int i = 0; i < 8; ++i) x[i] = load_le64(in + 8 * i);
  std::uint64_t r[4];
  sc_barrett(r, x);
  for (int i = 0; i < 4; ++i) store_le64(out + 8 * i, r[i]);
}

/// (a b + c) mod L for 32-byte little-endian a, b, c (RFC 8032 §5.1.6 step 5: S = r + k s).
inline void sc_muladd(std::uint8_t out[32], const std::uint8_t a[32], const std::uint8_t b[32],
                      const std::uint8_t c[32]) noexcept {
  std::uint64_t al[4], bl[4];
  std::uint64_t x[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    al[i] = load_le64(a + 8 * i);
    bl[i] = load_le64(b + 8 * i);
    x[i] = load_le64(c + 8 * i);
  }
  // a b + c <= (2^256 - 1)^2 + 2^256 - 1 < 2^512: fits the eight limbs Barrett takes.
  for (int i = 0; i < 4; ++i) {
    std::uint64_t carry = 0;
    for (int j = 0; j < 4; ++j) {
      const u128 t = u128{al[i]} * bl[j] + x[i + j] + carry;
      x[i + j] = static_cast<std::uint64_t>(t);
      carry = static_cast<std::uint64_t>(t >> 64);
    }
    for (int k = i + 4; k < 8; ++k) {  // propagate (fixed count, the carry may be zero)
      const u128 t = u128{x[k]} + carry;
      x[k] = static_cast<std::uint64_t>(t);
      carry = static_cast<std::uint64_t>(t >> 64);
    }
  }
  std::uint64_t r[4];
  sc_barrett(r, x);
  for (int i = 0; i < 4; ++i) store_le64(out + 8 * i, r[i]);
  for (int i = 0; i < 4; ++i) al[i] = bl[i] = 0;
}

/// Whether the 32-byte little-endian s is < L (RFC 8032 §5.1.7 step 1: S must be in
/// [0, L); a larger S would make signatures malleable).
inline bool sc_is_canonical(const std::uint8_t s[32]) noexcept {
  std::uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    const u128 d = u128{load_le64(s + 8 * i)} - sc_l[i] - borrow;
    borrow = static_cast<std::uint64_t>(d >> 64) & 1;
  }
  return borrow == 1;  // s - L went negative
}

}  // namespace detail
}  // namespace ed25519
}  // namespace crypto
ASSENT_END_NAMESPACE
