/// @file
/// A private signing key with the identity it signs as.
///
/// Used to issue approvals, co-sign envelopes, sign audit checkpoints and
/// exports. The secret lives in crypto::ed25519::secret_key, which wipes
/// itself on destruction.
#pragma once

#include <string>
#include <utility>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/crypto/ed25519.hpp"

ASSENT_BEGIN_NAMESPACE

/// An Ed25519 private key, its key id and (optionally) the principal it belongs to.
class signing_key {
 public:
  /// Builds a key from a 32-byte seed (RFC 8032 §5.1.5 private key).
  [[nodiscard]] static signing_key from_seed(const crypto::ed25519::seed& seed, std::string kid,
                                             std::string principal = {}) {
    return signing_key(crypto::ed25519::secret_key::from_seed(seed), std::move(kid),
                       std::move(principal));
  }

  /// The key id envelopes name it by.
  [[nodiscard]] const std::string& kid() const noexcept { return kid_; }
  /// Who holds it (empty when unknown).
  [[nodiscard]] const std::string& principal() const noexcept { return principal_; }
  /// The matching public key.
  [[nodiscard]] const crypto::ed25519::public_key& public_key() const noexcept {
    return secret_.public_bytes();
  }
  /// The secret seed (for export to a private JWK or PKCS#8 file only).
  [[nodiscard]] const crypto::ed25519::seed& seed() const noexcept { return secret_.seed_bytes(); }
  /// Signs bytes (deterministic, constant time in the secret).
  [[nodiscard]] crypto::ed25519::signature sign(byte_view message) const noexcept {
    return crypto::ed25519::sign(message, secret_);
  }

 private:
  signing_key(crypto::ed25519::secret_key secret, std::string kid, std::string principal)
      : secret_(std::move(secret)), kid_(std::move(kid)), principal_(std::move(principal)) {}
  crypto::ed25519::secret_key secret_;
  std::string kid_;
  std::string principal_;
};

ASSENT_END_NAMESPACE
