// Torsion twins of an Ed25519 public key, built independently of the code under test (plain
// integer arithmetic and libsodium), for the tests that key loaders refuse them.
//
// A twin of A is A + T for a point T of small order (2, 4 or 8). It is a canonical point on the
// curve, not itself of small order, so RFC 8032 and libsodium 1.0.18 verification accept it as
// a public key; yet the holder of A's secret s can make signatures that verify under A + T: pick
// nonces until the challenge k is a multiple of T's order, then S = r + k s satisfies
// [S]B = R + [k]A = R + [k](A + T).
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace assent_torsion {

using point = std::array<std::uint8_t, 32>;

/// A + (0, -1), the point of order 2: (x, y) + (0, -1) = (-x, -y) on edwards25519, so the
/// encoding is p - y with the sign bit flipped (x is never 0 for a key of large order).
inline point order2_twin(const point& a) {
  // p = 2^255 - 19, little-endian.
  point p{};
  p.fill(0xff);
  p[0] = 0xed;
  p[31] = 0x7f;
  point y = a;
  y[31] = static_cast<std::uint8_t>(y[31] & 0x7f);
  point out{};
  int borrow = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const int d = p[i] - y[i] - borrow;
    out[i] = static_cast<std::uint8_t>(d & 0xff);
    borrow = d < 0 ? 1 : 0;
  }
  out[31] = static_cast<std::uint8_t>(out[31] | ((a[31] & 0x80) ^ 0x80));
  return out;
}

/// Encodings of points of order 4 ((sqrt(-1), 0)) and 8 (libsodium's blocklist).
inline point order4_point() { return point{}; }
inline point order8_point() {
  return {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
          0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05};
}

/// A + T by libsodium's point addition (which does not care about subgroups); empty on failure.
inline point add(const point& a, const point& t) {
  point out{};
  if (crypto_core_ed25519_add(out.data(), a.data(), t.data()) != 0) out.fill(0);
  return out;
}

/// The public key libsodium derives from a seed.
inline point public_of(const point& seed) {
  point pk{};
  std::array<std::uint8_t, 64> sk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  sodium_memzero(sk.data(), sk.size());
  return pk;
}

/// A signature over `message` that verifies under order2_twin(public_of(seed)), made with the
/// seed's secret scalar alone: nonces are retried until the challenge k is even, so [k]T is the
/// identity. Every second nonce works, so this takes a couple of tries.
inline std::array<std::uint8_t, 64> sign_as_order2_twin(const point& seed, const std::vector<std::uint8_t>& message) {
  const point twin = order2_twin(public_of(seed));
  std::array<std::uint8_t, 64> h{};
  crypto_hash_sha512(h.data(), seed.data(), seed.size());
  // The clamped secret scalar of RFC 8032 §5.1.5, reduced mod L for libsodium's scalar ops.
  std::array<std::uint8_t, 64> wide{};
  std::memcpy(wide.data(), h.data(), 32);
  wide[0] = static_cast<std::uint8_t>(wide[0] & 248);
  wide[31] = static_cast<std::uint8_t>((wide[31] & 127) | 64);
  point s{};
  crypto_core_ed25519_scalar_reduce(s.data(), wide.data());
  for (std::uint32_t attempt = 0; attempt < 256; ++attempt) {
    std::array<std::uint8_t, 64> nonce_wide{};
    crypto_generichash(nonce_wide.data(), nonce_wide.size(), reinterpret_cast<const unsigned char*>(&attempt),
                       sizeof attempt, h.data() + 32, 32);
    point r{};
    crypto_core_ed25519_scalar_reduce(r.data(), nonce_wide.data());
    std::array<std::uint8_t, 64> sig{};
    if (crypto_scalarmult_ed25519_base_noclamp(sig.data(), r.data()) != 0) continue;
    // k = SHA-512(R || A' || M) mod L, with A' the twin.
    std::vector<std::uint8_t> input(sig.begin(), sig.begin() + 32);
    input.insert(input.end(), twin.begin(), twin.end());
    input.insert(input.end(), message.begin(), message.end());
    std::array<std::uint8_t, 64> k_wide{};
    crypto_hash_sha512(k_wide.data(), input.data(), input.size());
    point k{};
    crypto_core_ed25519_scalar_reduce(k.data(), k_wide.data());
    if ((k[0] & 1) != 0) continue;
    point ks{};
    crypto_core_ed25519_scalar_mul(ks.data(), k.data(), s.data());
    crypto_core_ed25519_scalar_add(sig.data() + 32, r.data(), ks.data());
    return sig;
  }
  return {};
}

}  // namespace assent_torsion
