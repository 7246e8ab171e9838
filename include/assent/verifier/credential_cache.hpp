/// @file
/// A bounded cache of parsed, authenticated credentials, beside the signature cache.
///
/// With the signature cache on, Ed25519 is skipped for a credential seen before, and what was
/// left of a repeated decision was reading the same bytes again: the envelope's JSON and base64,
/// then the claims' JSON. Both are pure functions of the envelope's bytes, so they are cached
/// under SHA-256 of those exact bytes. Entries are added only once a signature of the envelope
/// verified under a trusted key (garbage costs an attacker nothing to send; a valid signature
/// costs a signer's private key), and only for envelopes of at most max_cached_bytes, so memory
/// stays bounded by capacity times that size.
///
/// Nothing about trust is cached here: the key of every signature is looked up in the key store
/// on every decision, and revocation, key status, time and policy are evaluated every time.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

#include "assent/config.hpp"
#include "assent/crypto/sha256.hpp"
#include "assent/envelope.hpp"
#include "assent/verifier/detail/sharded_cache.hpp"

ASSENT_BEGIN_NAMESPACE

/// An envelope as parsed, and its claims as read (nullopt when they did not parse).
template <typename Claims>
struct parsed_credential {
  dsse::envelope envelope;       ///< the envelope's parts, payload decoded
  std::optional<Claims> claims;  ///< the payload read as claims, if it parses
};

/// Fixed-capacity, set-associative, thread-safe cache of parsed credentials.
template <typename Claims>
class credential_cache {
 public:
  using key_type = crypto::sha256::digest_type;
  using value_type = std::shared_ptr<const parsed_credential<Claims>>;

  /// Envelopes longer than this are never cached (typical approvals are under 1 KiB).
  static constexpr std::size_t max_cached_bytes = 4096;

  /// A cache holding up to `capacity` entries (rounded up to a multiple of the shard count).
  explicit credential_cache(std::size_t capacity) : slots_(capacity) {}

  /// The entry for the envelope whose bytes hash to `k`, or null.
  [[nodiscard]] value_type find(const key_type& k) const { return slots_.find(k); }

  /// Keeps `v` for the envelope whose bytes hash to `k` (may evict another entry).
  void insert(const key_type& k, value_type v) { slots_.insert(k, std::move(v)); }

 private:
  detail::sharded_cache<value_type> slots_;
};

ASSENT_END_NAMESPACE
