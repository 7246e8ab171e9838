/// @file
/// The two scalar multiplications Ed25519 needs:
///  - scalarmult_base: [a]B for a secret a (key derivation, the nonce point R of signing).
///    Constant time: fixed signed radix-16 digits, every table entry read for every digit.
///  - double_scalarmult_vartime: [s]B - [k]A for public s, k, A (verification), and
///    half_equation_holds_vartime, the four-scalar check of ed25519_lattice.hpp that replaces
///    it in practice. Variable time: width-w non-adjacent forms, so only about one digit in
///    w + 1 costs an addition.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "assent/config.hpp"
#include "assent/crypto/ct.hpp"
#include "assent/crypto/detail/ed25519_table.hpp"
#include "assent/crypto/detail/fe25519.hpp"
#include "assent/crypto/detail/ge25519.hpp"

ASSENT_BEGIN_NAMESPACE
namespace crypto {
namespace ed25519 {
namespace detail {

// All ones when a == b, else zero, for a, b < 2^31; no branch.
ASSENT_ALWAYS_INLINE std::uint64_t ct_eq_mask(std::uint32_t a, std::uint32_t b) noexcept {
  return std::uint64_t{0} - static_cast<std::uint64_t>(((a ^ b) - 1U) >> 31);
}

/// base_comb[pos][|b| - 1] negated when b < 0 (the identity when b = 0), for b in [-8, 8].
/// Reads all eight entries and keeps one with masks: neither the branch nor the memory
/// address depends on b.
inline ge_precomp select_base_comb(int pos, std::int8_t b) noexcept {
  static_assert(sizeof(ge_precomp) == 15 * sizeof(std::uint64_t), "ge_precomp is 15 limbs");
  typedef std::uint64_t v2 __attribute__((vector_size(16)));  // SSE2 on x86-64, NEON on arm64
  const auto ub = static_cast<std::uint32_t>(static_cast<std::int32_t>(b));
  const std::uint32_t neg = ub >> 31;
  const std::uint32_t babs = (ub ^ (0U - neg)) + neg;
  // OR together every entry ANDed with its mask: at most one mask is all ones; none for
  // b = 0, which then gives the identity (1, 1, 0). The 15 words are 7 two-word vectors and
  // one word, spelled out so compilers keep the accumulator in registers.
  const std::uint64_t m0 = ct_eq_mask(babs, 0);
  v2 a0 = {1 & m0, 0}, a1 = {0, 0}, a2 = {0, 1 & m0}, a3 = {0, 0}, a4 = {0, 0}, a5 = {0, 0},
     a6 = {0, 0};
  std::uint64_t a7 = 0;
  for (std::uint32_t j = 0; j < 8; ++j) {
    const std::uint64_t m = ct_eq_mask(babs, j + 1);
    const v2 mv = {m, m};
    const auto* e = reinterpret_cast<const unsigned char*>(&base_comb[pos][j]);
    v2 w;
    std::memcpy(&w, e, 16); a0 |= w & mv;
    std::memcpy(&w, e + 16, 16); a1 |= w & mv;
    std::memcpy(&w, e + 32, 16); a2 |= w & mv;
    std::memcpy(&w, e + 48, 16); a3 |= w & mv;
    std::memcpy(&w, e + 64, 16); a4 |= w & mv;
    std::memcpy(&w, e + 80, 16); a5 |= w & mv;
    std::memcpy(&w, e + 96, 16); a6 |= w & mv;
    std::uint64_t last;
    std::memcpy(&last, e + 112, 8);
    a7 |= last & m;
  }
  ge_precomp t;
  auto* out = reinterpret_cast<unsigned char*>(&t);
  std::memcpy(out, &a0, 16);
  std::memcpy(out + 16, &a1, 16);
  std::memcpy(out + 32, &a2, 16);
  std::memcpy(out + 48, &a3, 16);
  std::memcpy(out + 64, &a4, 16);
  std::memcpy(out + 80, &a5, 16);
  std::memcpy(out + 96, &a6, 16);
  std::memcpy(out + 112, &a7, 8);
  // -(x, y) = (-x, y): swap y + x with y - x and negate 2dxy, under the sign mask.
  const std::uint64_t mn = std::uint64_t{0} - std::uint64_t{neg};
  const fe minus_xy2d = fe_neg(t.xy2d);
  for (int k = 0; k < 5; ++k) {
    const std::uint64_t x = (t.ypx.v[k] ^ t.ymx.v[k]) & mn;
    t.ypx.v[k] ^= x;
    t.ymx.v[k] ^= x;
    t.xy2d.v[k] ^= (t.xy2d.v[k] ^ minus_xy2d.v[k]) & mn;
  }
  return t;
}

/// [a]B for a 32-byte little-endian scalar a with a[31] <= 127 (true for clamped secret
/// scalars and for anything reduced mod L); constant time.
/// a = sum e_i 16^i with e_i in [-8, 8), then
/// [a]B = 16 sum_{i odd} e_i 256^((i-1)/2) B + sum_{i even} e_i 256^(i/2) B:
/// 64 table additions and 4 doublings.
inline ge_p3 scalarmult_base(const std::uint8_t a[32]) noexcept {
  std::int8_t e[64];
  for (int i = 0; i < 32; ++i) {
    e[2 * i] = static_cast<std::int8_t>(a[i] & 15);
    e[2 * i + 1] = static_cast<std::int8_t>((a[i] >> 4) & 15);
  }
  // Recenter each digit from [0, 16) into [-8, 8), pushing a carry up; arithmetic only.
  std::int8_t carry = 0;
  for (int i = 0; i < 63; ++i) {
    e[i] = static_cast<std::int8_t>(e[i] + carry);
    carry = static_cast<std::int8_t>((e[i] + 8) >> 4);
    e[i] = static_cast<std::int8_t>(e[i] - carry * 16);
  }
  e[63] = static_cast<std::int8_t>(e[63] + carry);  // a[31] <= 127 keeps this in [0, 8]

  ge_p3 h = ge_p3_identity;
  ge_precomp t;
  for (int i = 1; i < 64; i += 2) {
    t = select_base_comb(i / 2, e[i]);
    h = ge_to_p3(ge_madd(h, t));
  }
  ge_p1p1 r = ge_dbl(h);
  ge_p2 s = ge_to_p2(r);
  r = ge_dbl(s);
  s = ge_to_p2(r);
  r = ge_dbl(s);
  s = ge_to_p2(r);
  h = ge_to_p3(ge_dbl(s));
  for (int i = 0; i < 64; i += 2) {
    t = select_base_comb(i / 2, e[i]);
    h = ge_to_p3(ge_madd(h, t));
  }
  crypto::secure_wipe(e, sizeof e);
  crypto::secure_wipe(&t, sizeof t);
  crypto::secure_wipe(&r, sizeof r);
  crypto::secure_wipe(&s, sizeof s);
  return h;
}

/// Width-w non-adjacent form of a 32-byte scalar below 2^253: naf[i] is zero or odd with
/// |naf[i]| < 2^(w-1), sum naf[i] 2^i equals the scalar, and any w consecutive digits hold at
/// most one non-zero. With len < 256, only the digits below len are written, for a scalar below
/// 2^(len - 1). Variable time (public scalars only).
inline void wnaf_vartime(std::int8_t* naf, const std::uint8_t s[32], unsigned w,
                         unsigned len = 256) noexcept {
  std::uint64_t x[5];
  for (int i = 0; i < 4; ++i) x[i] = load_le64(s + 8 * i);
  x[4] = 0;
  for (unsigned i = 0; i < len; ++i) naf[i] = 0;
  const std::uint64_t width = std::uint64_t{1} << w;
  const std::uint64_t mask = width - 1;
  std::uint64_t carry = 0;
  unsigned pos = 0;
  while (pos < len) {
    const unsigned idx = pos / 64, bit = pos % 64;
    const std::uint64_t buf =
        bit < 64 - w ? x[idx] >> bit : (x[idx] >> bit) | (x[idx + 1] << (64 - bit));
    const std::uint64_t window = carry + (buf & mask);
    if ((window & 1) == 0) {  // the digit here is 0; a pending carry stays pending
      ++pos;
      continue;
    }
    if (window < width / 2) {
      carry = 0;
      naf[pos] = static_cast<std::int8_t>(window);
    } else {  // take window - 2^w now and carry 2^w into position pos + w
      carry = 1;
      naf[pos] = static_cast<std::int8_t>(static_cast<std::int64_t>(window) -
                                          static_cast<std::int64_t>(width));
    }
    pos += w;
  }
}

/// Width of the NAF of s applied to base_odd (64 precomputed odd multiples of B).
inline constexpr unsigned naf_width_b = 8;

/// The odd multiples A, 3A, ..., (2N - 1)A that a width-w NAF of k reads (N = 2^(w-2)), in
/// projective Niels form: built per verification (one-shot verify, w = 5, 8 points).
template <std::size_t N>
struct odd_multiples {
  static constexpr unsigned naf_width = N == 8 ? 5 : N == 16 ? 6 : N == 32 ? 7 : 0;
  static_assert(naf_width != 0, "8, 16 or 32 odd multiples");
  ge_cached p[N];
};

/// The same in affine Niels form (one multiplication fewer per addition): built once per key
/// (verifying_key, w = 7, 32 points), normalised with a single inversion.
template <std::size_t N>
struct odd_multiples_affine {
  static constexpr unsigned naf_width = odd_multiples<N>::naf_width;
  ge_precomp p[N];
};

// A, 3A, 5A, ... as extended points.
template <std::size_t N>
inline void odd_multiples_p3_vartime(ge_p3 (&out)[N], const ge_p3& a) noexcept {
  const ge_cached a2 = ge_to_cached(ge_to_p3(ge_dbl(a)));
  out[0] = a;
  for (std::size_t i = 1; i < N; ++i) out[i] = ge_to_p3(ge_add(out[i - 1], a2));
}

template <std::size_t N>
inline odd_multiples<N> make_odd_multiples_vartime(const ge_p3& a) noexcept {
  ge_p3 pts[N];
  odd_multiples_p3_vartime(pts, a);
  odd_multiples<N> t;
  for (std::size_t i = 0; i < N; ++i) t.p[i] = ge_to_cached(pts[i]);
  return t;
}

template <std::size_t N>
inline odd_multiples_affine<N> make_odd_multiples_affine_vartime(const ge_p3& a) noexcept {
  ge_p3 pts[N];
  odd_multiples_p3_vartime(pts, a);
  // Montgomery's simultaneous inversion: prefix products, one inversion, then unwind.
  fe prefix[N];
  prefix[0] = pts[0].Z;
  for (std::size_t i = 1; i < N; ++i) prefix[i] = fe_mul(prefix[i - 1], pts[i].Z);
  fe inv = fe_invert(prefix[N - 1]);  // 1 / (Z_0 ... Z_{N-1}); no Z is 0 on this curve
  odd_multiples_affine<N> t;
  for (std::size_t i = N; i-- > 0;) {
    const fe zinv = i == 0 ? inv : fe_mul(inv, prefix[i - 1]);
    if (i != 0) inv = fe_mul(inv, pts[i].Z);
    const fe x = fe_mul(pts[i].X, zinv);
    const fe y = fe_mul(pts[i].Y, zinv);
    t.p[i] = ge_precomp{fe_carry(fe_add(y, x)), fe_carry(fe_sub(y, x)),
                        fe_mul(fe_mul(x, y), fe_d2)};
  }
  return t;
}

// Adding or subtracting a table entry, whichever form the table holds.
ASSENT_ALWAYS_INLINE ge_p1p1 ge_add_entry(const ge_p3& p, const ge_cached& q) noexcept {
  return ge_add(p, q);
}
ASSENT_ALWAYS_INLINE ge_p1p1 ge_add_entry(const ge_p3& p, const ge_precomp& q) noexcept {
  return ge_madd(p, q);
}
ASSENT_ALWAYS_INLINE ge_p1p1 ge_sub_entry(const ge_p3& p, const ge_cached& q) noexcept {
  return ge_sub(p, q);
}
ASSENT_ALWAYS_INLINE ge_p1p1 ge_sub_entry(const ge_p3& p, const ge_precomp& q) noexcept {
  return ge_msub(p, q);
}

/// [s]B - [k]A for public s, k < 2^253; variable time. One shared chain of doublings; the
/// additions of B's multiples come from base_odd, those of A's from the table `a`.
template <class OddMultiplesOfA>
inline ge_p2 double_scalarmult_vartime(const std::uint8_t s[32], const std::uint8_t k[32],
                                       const OddMultiplesOfA& a) noexcept {
  std::int8_t naf_s[256], naf_k[256];
  wnaf_vartime(naf_s, s, naf_width_b);
  wnaf_vartime(naf_k, k, OddMultiplesOfA::naf_width);
  int i = 255;
  while (i >= 0 && naf_s[i] == 0 && naf_k[i] == 0) --i;
  ge_p2 r{fe_zero, fe_one, fe_one};
  for (; i >= 0; --i) {
    ge_p1p1 t = ge_dbl(r);
    if (naf_s[i] > 0) {
      t = ge_madd(ge_to_p3(t), base_odd[naf_s[i] / 2]);
    } else if (naf_s[i] < 0) {
      t = ge_msub(ge_to_p3(t), base_odd[-naf_s[i] / 2]);
    }
    if (naf_k[i] > 0) {  // -[k]A: a positive digit subtracts
      t = ge_sub_entry(ge_to_p3(t), a.p[naf_k[i] / 2]);
    } else if (naf_k[i] < 0) {
      t = ge_add_entry(ge_to_p3(t), a.p[-naf_k[i] / 2]);
    }
    r = ge_to_p2(t);
  }
  return r;
}

/// Whether [s_lo]B + [s_hi](2^128 B) - [c0]A - [c1]R is the identity, where c0 is given as a
/// magnitude and a sign (the half-length equation of ed25519_lattice.hpp). Scalars below
/// 2^137 (half_scalars guarantees it; about 2^128 in practice, so the loop runs about 128
/// times); variable time.
template <class OddMultiplesOfA>
inline bool half_equation_holds_vartime(const std::uint8_t s_lo[32], const std::uint8_t s_hi[32],
                                        const std::uint8_t c0[32], bool c0_negative,
                                        const OddMultiplesOfA& a, const std::uint8_t c1[32],
                                        const odd_multiples<8>& r_multiples) noexcept {
  // Every scalar here is below 2^137, so digits stop below position 138 (a final carry).
  constexpr unsigned len = 140;
  std::int8_t n_lo[len], n_hi[len], n_a[len], n_r[len];
  wnaf_vartime(n_lo, s_lo, naf_width_b, len);
  wnaf_vartime(n_hi, s_hi, naf_width_b, len);
  wnaf_vartime(n_a, c0, OddMultiplesOfA::naf_width, len);
  wnaf_vartime(n_r, c1, odd_multiples<8>::naf_width, len);
  int i = static_cast<int>(len) - 1;
  while (i >= 0 && n_lo[i] == 0 && n_hi[i] == 0 && n_a[i] == 0 && n_r[i] == 0) --i;
  ge_p2 r{fe_zero, fe_one, fe_one};
  for (; i >= 0; --i) {
    ge_p1p1 t = ge_dbl(r);
    if (n_lo[i] > 0) {
      t = ge_madd(ge_to_p3(t), base_odd[n_lo[i] / 2]);
    } else if (n_lo[i] < 0) {
      t = ge_msub(ge_to_p3(t), base_odd[-n_lo[i] / 2]);
    }
    if (n_hi[i] > 0) {
      t = ge_madd(ge_to_p3(t), base128_odd[n_hi[i] / 2]);
    } else if (n_hi[i] < 0) {
      t = ge_msub(ge_to_p3(t), base128_odd[-n_hi[i] / 2]);
    }
    const int da = c0_negative ? n_a[i] : -n_a[i];  // -[c0]A
    if (da > 0) {
      t = ge_add_entry(ge_to_p3(t), a.p[da / 2]);
    } else if (da < 0) {
      t = ge_sub_entry(ge_to_p3(t), a.p[-da / 2]);
    }
    if (n_r[i] > 0) {  // -[c1]R
      t = ge_sub(ge_to_p3(t), r_multiples.p[n_r[i] / 2]);
    } else if (n_r[i] < 0) {
      t = ge_add(ge_to_p3(t), r_multiples.p[-n_r[i] / 2]);
    }
    r = ge_to_p2(t);
  }
  // The identity is (0 : Z : Z).
  return fe_is_zero(r.X) && fe_is_zero(fe_sub(r.Y, r.Z));
}

}  // namespace detail
}  // namespace ed25519
}  // namespace crypto
ASSENT_END_NAMESPACE
