/// @file
/// One DSSE signature checked against a key store: found, not revoked, and verifying.
///
/// For artefacts checked after the fact (audit checkpoints and exports, `assent verify`), where
/// the question is only whether a trusted key signed these bytes. The verifier does more per
/// credential (key status and windows at decision time, caches) and keeps its own sequence.
#pragma once

#include <memory>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/envelope.hpp"
#include "assent/keys/key_record.hpp"
#include "assent/keys/key_store.hpp"
#include "assent/reason.hpp"

ASSENT_BEGIN_NAMESPACE

/// The outcome of check_signature.
struct signature_check {
  /// reason::none when the signature verifies; otherwise the first check that failed:
  /// key_store_unavailable, unknown_key, key_revoked or bad_signature.
  reason why = reason::unknown_key;
  /// The key's record, whenever the store found one (also when revoked or not verifying).
  std::shared_ptr<const key_record> record;
  /// True when the signature verifies under a trusted, unrevoked key.
  [[nodiscard]] bool ok() const noexcept { return why == reason::none; }
};

/// Checks `entry` over `pae_bytes` (dsse::pae of its envelope) against `keys`. A key that is
/// retired or outside its window still vouches for what it signed (an artefact is checked long
/// after it was signed); a revoked one vouches for nothing. A store that throws is unavailable.
[[nodiscard]] inline signature_check check_signature(const key_store& keys, byte_view pae_bytes,
                                                     const dsse::signature_entry& entry) {
  signature_check out;
  key_lookup found = find_key(keys, entry.keyid);
  if (found.status == lookup_status::unavailable) {
    out.why = reason::key_store_unavailable;
    return out;
  }
  if (found.status != lookup_status::found || !found.record) return out;  // unknown_key
  out.record = std::move(found.record);
  if (out.record->status() == key_status::revoked) out.why = reason::key_revoked;
  else if (!dsse::verify_signature(pae_bytes, entry, out.record->verifier())) out.why = reason::bad_signature;
  else out.why = reason::none;
  return out;
}

ASSENT_END_NAMESPACE
