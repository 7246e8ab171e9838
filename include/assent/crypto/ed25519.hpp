/// @file
/// Ed25519 signatures (RFC 8032 §5.1, pure Ed25519: no context, no prehash).
///
/// Verification is strict and gives the same answer as libsodium 1.0.18's
/// crypto_sign_verify_detached on every input: S < L, canonical encodings of A and R,
/// small-order A and R rejected, and the cofactorless equation [S]B = R + [k]A with the answer
/// of encoding [S]B - [k]A and comparing the bytes with R (computed, in practice, as an exactly
/// equivalent equation with half-length scalars: detail/ed25519_lattice.hpp). Signing and key
/// derivation are constant time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/crypto/ct.hpp"
#include "assent/crypto/detail/ed25519_lattice.hpp"
#include "assent/crypto/detail/ed25519_scalarmult.hpp"
#include "assent/crypto/detail/fe25519.hpp"
#include "assent/crypto/detail/ge25519.hpp"
#include "assent/crypto/detail/sc25519.hpp"
#include "assent/crypto/sha512.hpp"

ASSENT_BEGIN_NAMESPACE
namespace crypto {
namespace ed25519 {

/// Sizes of the byte strings of RFC 8032 §5.1.5 and §5.1.6.
inline constexpr std::size_t seed_size = 32, public_key_size = 32, signature_size = 64;
/// The 32-byte private key of RFC 8032 §5.1.5 (called "seed" to keep it apart from the
/// expanded secret).
using seed = std::array<std::uint8_t, 32>;
/// An encoded public key A (RFC 8032 §5.1.2).
using public_key = std::array<std::uint8_t, 32>;
/// A signature R || S (RFC 8032 §5.1.6).
using signature = std::array<std::uint8_t, 64>;

/// Why a signature was accepted or refused. Values are stable; to_string gives the code.
enum class verify_result : std::uint8_t {
  valid = 0,
  s_out_of_range,
  non_canonical_r,
  small_order_r,
  non_canonical_a,
  small_order_a,
  invalid_point_a,
  invalid_point_r,
  equation_failed
};

/// The stable snake_case code of a verify_result ("valid", "s_out_of_range", ...).
[[nodiscard]] inline const char* to_string(verify_result r) noexcept {
  switch (r) {
    case verify_result::valid: return "valid";
    case verify_result::s_out_of_range: return "s_out_of_range";
    case verify_result::non_canonical_r: return "non_canonical_r";
    case verify_result::small_order_r: return "small_order_r";
    case verify_result::non_canonical_a: return "non_canonical_a";
    case verify_result::small_order_a: return "small_order_a";
    case verify_result::invalid_point_a: return "invalid_point_a";
    case verify_result::invalid_point_r: return "invalid_point_r";
    case verify_result::equation_failed: return "equation_failed";
  }
  return "unknown";
}

namespace detail {

/// Whether a point encoding is the unique one of its point, judged on the bytes alone
/// (RFC 8032 §5.1.3): y < p (step 1), and not x = 0 with the sign bit set (step 4; x = 0
/// exactly when y = 1 or y = p - 1). Variable time (public data).
inline bool encoding_is_canonical_vartime(const std::uint8_t s[32]) noexcept {
  std::uint8_t high_ones = static_cast<std::uint8_t>((s[31] & 0x7f) ^ 0x7f);
  std::uint8_t high_zero = static_cast<std::uint8_t>(s[31] & 0x7f);
  for (int i = 30; i > 0; --i) {
    high_ones = static_cast<std::uint8_t>(high_ones | (s[i] ^ 0xff));
    high_zero = static_cast<std::uint8_t>(high_zero | s[i]);
  }
  if (high_ones == 0 && s[0] >= 0xed) return false;  // y >= p = 2^255 - 19
  const bool sign = (s[31] & 0x80) != 0;
  const bool y_is_one = high_zero == 0 && s[0] == 0x01;
  const bool y_is_p_minus_one = high_ones == 0 && s[0] == 0xec;
  return !(sign && (y_is_one || y_is_p_minus_one));
}

/// Whether an encoding, sign bit ignored, is one of the points of order 1, 2, 4 or 8 (the
/// torsion subgroup) or the non-canonical y = p, p + 1 of two of them. This is libsodium
/// 1.0.18's list, so A and R are refused exactly where it refuses them. A small-order A
/// lets one signature verify for many messages, a small-order R lets a signer produce
/// signatures that are valid under several keys; RFC 8032 allows both, strict verifiers do
/// not. Variable time (public data).
inline bool is_small_order_encoding_vartime(const std::uint8_t s[32]) noexcept {
  static constexpr std::uint8_t blocklist[7][32] = {
      // y = 0: (+-sqrt(-1), 0), order 4
      {0},
      // y = 1: the identity, order 1
      {1},
      // y of the points of order 8, and p minus it
      {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
       0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
      {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
       0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
      // y = p - 1: (0, -1), order 2
      {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
      // y = p (non-canonical 0) and y = p + 1 (non-canonical 1)
      {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
      {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
  };
  for (const auto& entry : blocklist) {
    if (std::memcmp(entry, s, 31) == 0 && entry[31] == (s[31] & 0x7f)) return true;
  }
  return false;
}

/// Whether [L]P is the identity, i.e. P lies in the subgroup of prime order L that B generates
/// and has no component in the torsion subgroup of order 8. Plain double-and-add over the bits
/// of L (252 doublings, 60 additions). Variable time: for public points only (keys being
/// loaded), never for a point derived from a secret.
inline bool is_torsion_free_vartime(const ge_p3& p) noexcept {
  const ge_cached pc = ge_to_cached(p);
  ge_p3 acc = p;  // bit 252, the top bit of L
  for (int i = 251; i >= 0; --i) {
    acc = ge_to_p3(ge_dbl(acc));
    if (((sc_l[i / 64] >> (i % 64)) & 1U) != 0) acc = ge_to_p3(ge_add(acc, pc));
  }
  // The identity is (0 : Z : Z) in extended coordinates.
  return fe_is_zero(acc.X) && fe_is_zero(fe_sub(acc.Y, acc.Z));
}

/// The checks of a public key shared by verify and verifying_key (RFC 8032 §5.1.7 step 1
/// decodes A; the canonical and small-order rules are the strict additions). On success
/// `out` holds the decoded point.
inline verify_result decode_public_key_vartime(ge_p3& out, const std::uint8_t pk[32]) noexcept {
  if (!encoding_is_canonical_vartime(pk)) return verify_result::non_canonical_a;
  if (is_small_order_encoding_vartime(pk)) return verify_result::small_order_a;
  if (ge_from_bytes_vartime(out, pk) != decode_error::none) return verify_result::invalid_point_a;
  return verify_result::valid;
}

/// What a verifying_key keeps: 32 odd multiples, affine (3.75 KiB; about 10 fewer additions
/// per verification, each one multiplication cheaper).
using cached_multiples = odd_multiples_affine<32>;

/// The equation as libsodium checks it: encode [S]B - [k]A and compare the bytes with R.
template <class OddMultiplesOfA>
inline verify_result equation_full_vartime(const std::uint8_t r[32], const std::uint8_t s[32],
                                           const std::uint8_t k[32],
                                           const OddMultiplesOfA& a) noexcept {
  std::uint8_t check[32];
  ge_to_bytes(check, double_scalarmult_vartime(s, k, a));
  if (std::memcmp(check, r, 32) == 0) return verify_result::valid;
  // Off the success path: tell a malformed R from a wrong signature.
  ge_p3 rp;
  if (ge_from_bytes_vartime(rp, r) != decode_error::none) return verify_result::invalid_point_r;
  return verify_result::equation_failed;
}

/// The same answer in about half the doublings (ed25519_lattice.hpp): R is canonical, so
/// comparing encodings is comparing points, and [c1](P - R) = 0 decides P = R exactly.
template <class OddMultiplesOfA>
inline verify_result equation_half_vartime(const std::uint8_t r[32], const std::uint8_t s[32],
                                           const OddMultiplesOfA& a,
                                           const half_scalars& hs) noexcept {
  ge_p3 rp;
  if (ge_from_bytes_vartime(rp, r) != decode_error::none) return verify_result::invalid_point_r;
  static constexpr std::uint8_t zero[32] = {};
  std::uint8_t c1s[32];
  sc_muladd(c1s, hs.c1, s, zero);  // c1 S mod L, split into 128-bit halves
  std::uint8_t s_lo[32] = {}, s_hi[32] = {};
  std::memcpy(s_lo, c1s, 16);
  std::memcpy(s_hi, c1s + 16, 16);
  return half_equation_holds_vartime(s_lo, s_hi, hs.c0, hs.c0_negative, a, hs.c1,
                                     make_odd_multiples_vartime<8>(rp))
             ? verify_result::valid
             : verify_result::equation_failed;
}

/// RFC 8032 §5.1.7 with the public key already decoded. Checks in this order (fixed, and
/// the same as libsodium's): S, R, then the equation.
template <class OddMultiplesOfA>
inline verify_result verify_decoded_vartime(const signature& sig, byte_view message,
                                            const public_key& pk,
                                            const OddMultiplesOfA& a) noexcept {
  const std::uint8_t* r = sig.data();
  const std::uint8_t* s = sig.data() + 32;
  // §5.1.7 step 1: "If ... S is not in the range 0 <= s < L, the signature is invalid"
  // (§8.4: otherwise S and S + L would both verify: malleability).
  if (!sc_is_canonical(s)) return verify_result::s_out_of_range;
  // libsodium only compares R's bytes with a canonical encoding, so a non-canonical R never
  // verifies there; refusing it first names the reason, and lets the equation below compare
  // points instead of bytes. Small-order R: libsodium's rule.
  if (!encoding_is_canonical_vartime(r)) return verify_result::non_canonical_r;
  if (is_small_order_encoding_vartime(r)) return verify_result::small_order_r;
  // §5.1.7 step 2: k = SHA-512(R || A || M) mod L.
  crypto::sha512 h;
  h.update(byte_view(r, 32));
  h.update(pk);
  h.update(message);
  const auto digest = h.final();
  std::uint8_t k[32];
  sc_reduce(k, digest.data());
  // §5.1.7 step 3, cofactorless: [S]B = R + [k]A.
  half_scalars hs;
  if (half_scalars_vartime(hs, k)) return equation_half_vartime(r, s, a, hs);
  return equation_full_vartime(r, s, k, a);
}

}  // namespace detail

class secret_key;
/// Signs a message (RFC 8032 §5.1.6); deterministic and constant time in the key.
[[nodiscard]] inline signature sign(byte_view message, const secret_key& key) noexcept;

/// An Ed25519 signing key: the seed and what RFC 8032 §5.1.5 derives from it (the clamped
/// secret scalar s, the nonce prefix, the public key A). Every copy wipes itself when
/// destroyed.
class secret_key {
 public:
  /// Derives the key pair from a 32-byte seed (RFC 8032 §5.1.5); constant time.
  [[nodiscard]] static secret_key from_seed(const seed& s) noexcept {
    secret_key k;
    k.seed_ = s;
    // §5.1.5 steps 1-2: h = SHA-512(seed); s = the clamped low half; prefix = the high half.
    crypto::sha512 h;
    h.update(s);
    auto digest = h.final();
    crypto::secure_wipe(&h, sizeof h);
    std::memcpy(k.scalar_.data(), digest.data(), 32);
    std::memcpy(k.prefix_.data(), digest.data() + 32, 32);
    crypto::secure_wipe(digest.data(), digest.size());
    // Clamping: clear the 3 low bits (s is a multiple of the cofactor 8, so [s]P ignores any
    // small-order component), clear bit 255, set bit 254 (a fixed top bit).
    k.scalar_[0] = static_cast<std::uint8_t>(k.scalar_[0] & 248);
    k.scalar_[31] = static_cast<std::uint8_t>((k.scalar_[31] & 127) | 64);
    // §5.1.5 steps 3-4: A = [s]B, encoded.
    detail::ge_p3 a = detail::scalarmult_base(k.scalar_.data());
    detail::ge_to_bytes(k.public_.data(), a);
    crypto::secure_wipe(&a, sizeof a);
    ASSENT_CT_DECLASSIFY(k.public_.data(), k.public_.size());  // A is the public key
    return k;
  }

  /// The public key A.
  [[nodiscard]] const public_key& public_bytes() const noexcept { return public_; }
  /// The 32-byte seed this key was derived from.
  [[nodiscard]] const seed& seed_bytes() const noexcept { return seed_; }

  secret_key(const secret_key&) = default;
  secret_key& operator=(const secret_key&) = default;
  /// Wipes the seed and every derived secret.
  ~secret_key() {
    crypto::secure_wipe(seed_.data(), seed_.size());
    crypto::secure_wipe(scalar_.data(), scalar_.size());
    crypto::secure_wipe(prefix_.data(), prefix_.size());
  }

 private:
  secret_key() noexcept = default;
  friend signature sign(byte_view message, const secret_key& key) noexcept;  // reads the secrets

  seed seed_{};
  std::array<std::uint8_t, 32> scalar_{};  // clamped s, little-endian
  std::array<std::uint8_t, 32> prefix_{};  // the nonce key of §5.1.6 step 1
  public_key public_{};
};

/// Signs a message (RFC 8032 §5.1.6); deterministic and constant time in the key.
[[nodiscard]] inline signature sign(byte_view message, const secret_key& key) noexcept {
  signature sig{};
  crypto::sha512 h;
  // Step 2: r = SHA-512(prefix || M) mod L, the per-message secret nonce.
  h.update(key.prefix_);
  h.update(message);
  auto nonce_hash = h.final();
  std::uint8_t r[32];
  detail::sc_reduce(r, nonce_hash.data());
  crypto::secure_wipe(nonce_hash.data(), nonce_hash.size());
  // Step 3: R = [r]B.
  detail::ge_p3 rp = detail::scalarmult_base(r);
  detail::ge_to_bytes(sig.data(), rp);
  crypto::secure_wipe(&rp, sizeof rp);
  // Step 4: k = SHA-512(R || A || M) mod L (public).
  h.update(byte_view(sig.data(), 32));
  h.update(key.public_);
  h.update(message);
  const auto k_hash = h.final();
  crypto::secure_wipe(&h, sizeof h);
  std::uint8_t k[32];
  detail::sc_reduce(k, k_hash.data());
  // Step 5: S = (r + k s) mod L.
  detail::sc_muladd(sig.data() + 32, k, key.scalar_.data(), r);
  crypto::secure_wipe(r, sizeof r);
  return sig;
}

/// Strict verification with the reason for a refusal (see the file comment for the rules).
[[nodiscard]] inline verify_result verify_detailed(const signature& sig, byte_view message,
                                                   const public_key& pk) noexcept {
  detail::ge_p3 a;
  const verify_result key_check = detail::decode_public_key_vartime(a, pk.data());
  if (key_check != verify_result::valid) {
    // Keep libsodium's order of checks: S and R are looked at before A.
    if (!detail::sc_is_canonical(sig.data() + 32)) return verify_result::s_out_of_range;
    if (!detail::encoding_is_canonical_vartime(sig.data())) return verify_result::non_canonical_r;
    if (detail::is_small_order_encoding_vartime(sig.data())) return verify_result::small_order_r;
    return key_check;
  }
  // One-shot: 8 odd multiples of A in projective form (building more, or normalising them,
  // would cost more than it saves in a single verification).
  return detail::verify_decoded_vartime(sig, message, pk,
                                        detail::make_odd_multiples_vartime<8>(a));
}

/// Strict verification: true only for verify_result::valid.
[[nodiscard]] inline bool verify(const signature& sig, byte_view message,
                                 const public_key& pk) noexcept {
  return verify_detailed(sig, message, pk) == verify_result::valid;
}

/// Strict verification of unsized byte strings; false unless the signature has 64 bytes and
/// the key 32.
[[nodiscard]] inline bool verify(byte_view sig, byte_view message, byte_view pk) noexcept {
  if (sig.size() != signature_size || pk.size() != public_key_size) return false;
  signature s;
  public_key p;
  std::memcpy(s.data(), sig.data(), signature_size);
  std::memcpy(p.data(), pk.data(), public_key_size);
  return verify(s, message, p);
}

/// Whether pk is a canonical encoding of a point on the curve that is not of small order
/// (the conditions verify puts on A).
[[nodiscard]] inline bool is_valid_public_key(const public_key& pk) noexcept {
  detail::ge_p3 a;
  return detail::decode_public_key_vartime(a, pk.data()) == verify_result::valid;
}

/// Whether pk passes is_valid_public_key and its point A also lies in the subgroup of prime
/// order L: [L]A = identity. Every key RFC 8032 §5.1.5 derives from a seed does (A = [s]B). A
/// key A' = A + T, with T of small order (a "torsion twin" of A, e.g. T = (0, -1) of order 2),
/// passes is_valid_public_key, yet the holder of A's secret can sign for A' by retrying nonces
/// until the challenge k is a multiple of T's order ([k]T = identity): one secret would count
/// as two principals, and revoking A would not revoke A'. Key loaders (key_record, key sets,
/// PEM) therefore require this; verify does not (it keeps libsodium 1.0.18's answers).
/// Variable time: for public keys only.
[[nodiscard]] inline bool is_prime_order_public_key_vartime(const public_key& pk) noexcept {
  detail::ge_p3 a;
  return detail::decode_public_key_vartime(a, pk.data()) == verify_result::valid &&
         detail::is_torsion_free_vartime(a);
}

/// A public key decoded once (decompression costs a field exponentiation) for repeated
/// verification; holds 32 precomputed odd multiples of A (3.75 KiB), so it verifies faster
/// than the one-shot verify. Immutable, safe to share between threads.
class verifying_key {
 public:
  /// The decoded key, or nullopt unless is_valid_public_key(pk).
  [[nodiscard]] static std::optional<verifying_key> from_bytes(const public_key& pk) noexcept {
    detail::ge_p3 a;
    if (detail::decode_public_key_vartime(a, pk.data()) != verify_result::valid)
      return std::nullopt;
    verifying_key vk;
    vk.bytes_ = pk;
    vk.multiples_ = detail::make_odd_multiples_affine_vartime<32>(a);
    return vk;
  }

  /// Strict verification under this key, with the reason for a refusal.
  [[nodiscard]] verify_result verify_detailed(const signature& sig, byte_view message) const noexcept {
    return detail::verify_decoded_vartime(sig, message, bytes_, multiples_);
  }

  /// Strict verification under this key.
  [[nodiscard]] bool verify(const signature& sig, byte_view message) const noexcept {
    return verify_detailed(sig, message) == verify_result::valid;
  }

  /// The encoded key.
  [[nodiscard]] const public_key& bytes() const noexcept { return bytes_; }

 private:
  verifying_key() noexcept = default;
  public_key bytes_{};
  detail::cached_multiples multiples_{};
};

}  // namespace ed25519
}  // namespace crypto
ASSENT_END_NAMESPACE
