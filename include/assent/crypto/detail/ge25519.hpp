/// @file
/// The group edwards25519: -x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255 - 19) (RFC 8032 §5.1),
/// in the coordinate systems of Hisil, Wong, Carter, Dawson, "Twisted Edwards Curves
/// Revisited" (Asiacrypt 2008), with a = -1:
///  - ge_p2:     projective (X : Y : Z), x = X/Z, y = Y/Z; enough for doubling.
///  - ge_p3:     extended (X : Y : Z : T), additionally T = XY/Z; needed for addition.
///  - ge_p1p1:   "completed" ((X : Z), (Y : T)), x = X/Z, y = Y/T; what the formulas produce
///               before the final multiplications, so the caller picks p2 (3M) or p3 (4M).
///  - ge_precomp: affine Niels form (y + x, y - x, 2dxy) of a precomputed point (Z = 1).
///  - ge_cached:  projective Niels form (Y + X, Y - X, Z, 2dT) of a point computed at run time.
/// The unified addition law is complete on edwards25519 (d is not a square), so no formula
/// here has an exceptional case: the identity, equal and opposite points all add correctly.
/// Limb bounds follow the rules in fe25519.hpp ("tight" < 2^51 + 2^18); the comments name the
/// bound of each value that reaches a multiplication (every one is below 2^53.4).
#pragma once

#include <cstdint>

#include "assent/config.hpp"
#include "assent/crypto/detail/fe25519.hpp"

ASSENT_BEGIN_NAMESPACE
namespace crypto {
namespace ed25519 {
namespace detail {

struct ge_p2 {
  fe X, Y, Z;
};
struct ge_p3 {
  fe X, Y, Z, T;
};
struct ge_p1p1 {
  fe X, Y, Z, T;
};
struct ge_precomp {
  fe ypx, ymx, xy2d;
};
struct ge_cached {
  fe YpX, YmX, Z, T2d;
};

inline constexpr ge_p3 ge_p3_identity{fe_zero, fe_one, fe_one, fe_zero};
inline constexpr ge_precomp ge_precomp_identity{fe_one, fe_one, fe_zero};
inline constexpr ge_cached ge_cached_identity{fe_one, fe_one, fe_one, fe_zero};

// The two conversions out of completed form are kept out of line: inlining every formula into
// the verification loop made GCC 12 spill and run that loop 30% slower (measured); a call
// per conversion costs Clang nothing measurable.
#define ASSENT_ED25519_OUTLINE __attribute__((noinline)) inline

/// Completed to projective: 3 multiplications.
ASSENT_ED25519_OUTLINE ge_p2 ge_to_p2(const ge_p1p1& p) noexcept {
  return ge_p2{fe_mul(p.X, p.T), fe_mul(p.Y, p.Z), fe_mul(p.Z, p.T)};
}

/// Completed to extended: 4 multiplications.
ASSENT_ED25519_OUTLINE ge_p3 ge_to_p3(const ge_p1p1& p) noexcept {
  return ge_p3{fe_mul(p.X, p.T), fe_mul(p.Y, p.Z), fe_mul(p.Z, p.T), fe_mul(p.X, p.Y)};
}

ASSENT_ALWAYS_INLINE ge_p2 ge_to_p2(const ge_p3& p) noexcept { return ge_p2{p.X, p.Y, p.Z}; }

/// Extended to projective Niels form, for a point added many times (a window table).
ASSENT_ALWAYS_INLINE ge_cached ge_to_cached(const ge_p3& p) noexcept {
  return ge_cached{fe_add(p.Y, p.X), fe_sub(p.Y, p.X), p.Z, fe_mul(p.T, fe_d2)};
}

/// 2P ("dbl-2008-hwcd" with a = -1): 4 squarings. With A = X^2, B = Y^2, C = 2Z^2:
/// x3 = 2XY / (B - A), y3 = (A + B) / (C - B + A).
ASSENT_ALWAYS_INLINE ge_p1p1 ge_dbl(const ge_p2& p) noexcept {
  const fe a = fe_sq(p.X);
  const fe b = fe_sq(p.Y);
  const fe zz = fe_sq(p.Z);
  const fe c = fe_add(zz, zz);                     // < 2^52.01
  const fe apb = fe_add(a, b);                     // < 2^52.01
  const fe xy2 = fe_sq(fe_add(p.X, p.Y));          // (X + Y)^2, input < 2^52.01
  ge_p1p1 r;
  r.X = fe_sub_wide(xy2, apb);                     // 2XY, < 2^53.33
  r.Y = apb;                                       // < 2^52.01
  r.Z = fe_sub(b, a);                              // < 2^52.59
  r.T = fe_sub(fe_add(c, a), b);                   // < 2^53.3
  return r;
}

ASSENT_ALWAYS_INLINE ge_p1p1 ge_dbl(const ge_p3& p) noexcept { return ge_dbl(ge_to_p2(p)); }

// The addition law ("add-2008-hwcd-3", a = -1, k = 2d) once its four products are known:
// A = (Y1 - X1)(Y2 - X2), B = (Y1 + X1)(Y2 + X2), C = 2d T1 T2, D = 2 Z1 Z2;
// x3 = (B - A) / (D + C), y3 = (B + A) / (D - C).
// Subtraction adds -Q, which swaps Y2 + X2 with Y2 - X2 and turns C into -C.
template <bool Subtract>
ASSENT_ALWAYS_INLINE ge_p1p1 ge_add_finish(const fe& a, const fe& b, const fe& c,
                                           const fe& d) noexcept {
  ge_p1p1 r;
  r.X = fe_sub(b, a);           // < 2^52.59
  r.Y = fe_add(b, a);           // < 2^52.01
  const fe dpc = fe_add(d, c);  // d < 2^52.01: < 2^52.6
  const fe dmc = fe_sub(d, c);  // < 2^53.01
  r.Z = Subtract ? dmc : dpc;
  r.T = Subtract ? dpc : dmc;
  return r;
}

/// P + Q with Q in projective Niels form: 9 multiplications with the conversion that follows.
ASSENT_ALWAYS_INLINE ge_p1p1 ge_add(const ge_p3& p, const ge_cached& q) noexcept {
  const fe a = fe_mul(fe_sub(p.Y, p.X), q.YmX);
  const fe b = fe_mul(fe_add(p.Y, p.X), q.YpX);
  const fe c = fe_mul(p.T, q.T2d);
  const fe zz = fe_mul(p.Z, q.Z);
  return ge_add_finish<false>(a, b, c, fe_add(zz, zz));
}

/// P - Q with Q in projective Niels form (-Q swaps Y + X with Y - X and negates T).
ASSENT_ALWAYS_INLINE ge_p1p1 ge_sub(const ge_p3& p, const ge_cached& q) noexcept {
  const fe a = fe_mul(fe_sub(p.Y, p.X), q.YpX);
  const fe b = fe_mul(fe_add(p.Y, p.X), q.YmX);
  const fe c = fe_mul(p.T, q.T2d);
  const fe zz = fe_mul(p.Z, q.Z);
  return ge_add_finish<true>(a, b, c, fe_add(zz, zz));
}

/// P + Q with Q affine (Z2 = 1): one multiplication fewer.
ASSENT_ALWAYS_INLINE ge_p1p1 ge_madd(const ge_p3& p, const ge_precomp& q) noexcept {
  const fe a = fe_mul(fe_sub(p.Y, p.X), q.ymx);
  const fe b = fe_mul(fe_add(p.Y, p.X), q.ypx);
  const fe c = fe_mul(p.T, q.xy2d);
  return ge_add_finish<false>(a, b, c, fe_add(p.Z, p.Z));
}

/// P - Q with Q affine.
ASSENT_ALWAYS_INLINE ge_p1p1 ge_msub(const ge_p3& p, const ge_precomp& q) noexcept {
  const fe a = fe_mul(fe_sub(p.Y, p.X), q.ypx);
  const fe b = fe_mul(fe_add(p.Y, p.X), q.ymx);
  const fe c = fe_mul(p.T, q.xy2d);
  return ge_add_finish<true>(a, b, c, fe_add(p.Z, p.Z));
}

/// The encoding of RFC 8032 §5.1.2: y little-endian, bit 255 = the low bit of x. Constant
/// time (the inversion is Fermat's), so it may encode a secret point.
inline void ge_to_bytes(std::uint8_t out[32], const ge_p2& p) noexcept {
  const fe zinv = fe_invert(p.Z);
  const fe x = fe_mul(p.X, zinv);
  const fe y = fe_mul(p.Y, zinv);
  fe_to_bytes(out, y);
  out[31] = static_cast<std::uint8_t>(out[31] | (fe_is_negative(x) << 7));
}

inline void ge_to_bytes(std::uint8_t out[32], const ge_p3& p) noexcept {
  ge_to_bytes(out, ge_to_p2(p));
}

/// Why a 32-byte string is not the encoding of a point.
enum class decode_error : std::uint8_t { none = 0, non_canonical, not_on_curve };

/// Decodes a point (RFC 8032 §5.1.3) from public bytes; variable time.
/// Rejects y >= p (step 1) and x = 0 with the sign bit set (step 4), both as non_canonical,
/// and a y for which x^2 = (y^2 - 1)/(d y^2 + 1) has no root (step 3) as not_on_curve.
inline decode_error ge_from_bytes_vartime(ge_p3& out, const std::uint8_t s[32]) noexcept {
  // Step 1: y < p. p = 2^255 - 19, so y >= p exactly when bits 8..254 are all ones and the low
  // byte is at least 0xed.
  {
    std::uint8_t all_ones = static_cast<std::uint8_t>((s[31] & 0x7f) ^ 0x7f);
    for (int i = 30; i > 0; --i) all_ones = static_cast<std::uint8_t>(all_ones | (s[i] ^ 0xff));
    if (all_ones == 0 && s[0] >= 0xed) return decode_error::non_canonical;
  }
  const unsigned sign = static_cast<unsigned>(s[31] >> 7);
  const fe y = fe_from_bytes(s);
  // Step 2: x^2 = u/v with u = y^2 - 1, v = d y^2 + 1 (v is never 0: d is not a square).
  const fe yy = fe_sq(y);
  const fe u = fe_carry(fe_sub(yy, fe_one));
  const fe v = fe_carry(fe_add(fe_mul(yy, fe_d), fe_one));
  // Step 3: candidate root x = u v^3 (u v^7)^((p-5)/8): one exponentiation, no inversion.
  const fe v3 = fe_mul(fe_sq(v), v);
  const fe uv3 = fe_mul(u, v3);
  const fe uv7 = fe_mul(uv3, fe_mul(v3, v));
  fe x = fe_mul(uv3, fe_pow22523(uv7));
  const fe vxx = fe_mul(v, fe_sq(x));
  if (!fe_is_zero(fe_sub(vxx, u))) {
    if (!fe_is_zero(fe_add(vxx, u))) return decode_error::not_on_curve;
    x = fe_mul(x, fe_sqrtm1);  // v x^2 = -u: the root is x sqrt(-1)
  }
  // Step 4: x = 0 has only one encoding (sign bit clear); otherwise pick the root whose low
  // bit is the sign bit.
  const std::uint8_t neg = fe_is_negative(x);
  if (fe_is_zero(x) && sign == 1) return decode_error::non_canonical;
  if (neg != sign) x = fe_carry(fe_neg(x));
  out.X = x;
  out.Y = y;
  out.Z = fe_one;
  out.T = fe_mul(x, y);
  return decode_error::none;
}

}  // namespace detail
}  // namespace ed25519
}  // namespace crypto
ASSENT_END_NAMESPACE
