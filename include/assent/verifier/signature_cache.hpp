/// @file
/// A bounded cache of Ed25519 verifications that succeeded.
///
/// Keyed by SHA-256 over (the exact envelope bytes, the signature's index,
/// the key's 32 bytes), so a hit means these very bytes verified under this
/// very key before. Only the signature check is skipped: revocation, key
/// status, time and policy are evaluated on every decision. Failures are
/// never cached (an attacker could otherwise fill the cache with garbage
/// cheaply; valid signatures cost a signer's private key to make).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "assent/config.hpp"
#include "assent/crypto/sha256.hpp"
#include "assent/verifier/detail/sharded_cache.hpp"

ASSENT_BEGIN_NAMESPACE

/// Fixed-capacity, set-associative, thread-safe cache of verified signatures.
class signature_cache {
 public:
  using key_type = crypto::sha256::digest_type;

  /// A cache holding up to `capacity` entries (rounded up to a multiple of the shard count).
  explicit signature_cache(std::size_t capacity) : slots_(capacity) {}

  /// The cache key of one signature of one envelope.
  [[nodiscard]] static key_type make_key(const crypto::sha256::digest_type& envelope_digest,
                                         std::size_t signature_index,
                                         const std::array<std::uint8_t, 32>& public_key) noexcept {
    crypto::sha256 h;
    h.update(byte_view(envelope_digest));
    const std::uint8_t idx[2] = {static_cast<std::uint8_t>(signature_index & 0xff),
                                 static_cast<std::uint8_t>((signature_index >> 8) & 0xff)};
    h.update(byte_view(idx, 2));
    h.update(byte_view(public_key));
    return h.final();
  }

  /// True when this exact key was recorded as verified.
  [[nodiscard]] bool contains(const key_type& k) const { return slots_.find(k); }

  /// Records a successful verification (may evict another entry).
  void insert(const key_type& k) { slots_.insert(k, true); }

 private:
  detail::sharded_cache<bool> slots_;
};

ASSENT_END_NAMESPACE
