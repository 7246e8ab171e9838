/// @file
/// The two DSSE operations the audit layer needs, on top of envelope.hpp: sign a payload with
/// one key, and open an envelope of an expected payload type against a key store.
/// Internal: no stability promise.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/envelope.hpp"
#include "assent/keys/key_store.hpp"
#include "assent/keys/signature_check.hpp"
#include "assent/keys/signing_key.hpp"

ASSENT_BEGIN_NAMESPACE
namespace audit {
namespace detail {

/// An opened envelope: the authenticated payload and the key that vouched for it.
struct dsse_opened {
  bool ok = false;         ///< a trusted signature verified
  bool malformed = false;  ///< when !ok: the envelope itself is unacceptable (else: no valid signature)
  std::string payload;     ///< the payload bytes
  std::string keyid;       ///< the key whose signature verified
  std::string error;       ///< why not, when !ok
};

/// Signs `payload` as a one-signature DSSE envelope (JSON text). Never throws.
[[nodiscard]] inline std::optional<std::string> dsse_sign(std::string_view payload_type, std::string_view payload,
                                                          const signing_key& key) noexcept {
  try {
    dsse::envelope e;
    e.payload_type = std::string(payload_type);
    const byte_view body(payload);
    e.payload.assign(body.begin(), body.end());
    if (dsse::add_signature(e, key)) return std::nullopt;
    return dsse::serialize(e);
  } catch (...) {  // std::bad_alloc; a kid that is not UTF-8
    return std::nullopt;
  }
}

/// Opens an envelope of the expected payload type for log `log_id`: ok when some signature
/// verifies under a key the store finds, that is not revoked and that is bound to `log_id` (its
/// record's logs; an empty `log_id` matches no key). An audit artefact is checked long after it
/// was signed, so a retired or expired log key still vouches for what it signed while valid; a
/// revoked one vouches for nothing. The caller must still check that the payload names
/// `log_id`. `max_bytes` bounds the envelope and its payload. Never throws.
[[nodiscard]] inline dsse_opened dsse_open(std::string_view text, std::string_view payload_type, const key_store& keys,
                                           std::string_view log_id,
                                           std::size_t max_bytes = std::size_t{64} * 1024) noexcept {
  dsse_opened out;
  try {
    dsse::envelope_limits limits;
    limits.max_envelope_bytes = max_bytes;
    limits.max_payload_bytes = max_bytes;
    auto parsed = dsse::parse_envelope(text, limits);
    if (!parsed.ok()) {
      out.malformed = true;
      out.error = "not a DSSE envelope: " + std::string(dsse::to_string(parsed.error)) + " " + parsed.message;
      return out;
    }
    const dsse::envelope& e = *parsed.value;
    if (e.payload_type != payload_type) {
      out.malformed = true;
      out.error = "payload type is not " + std::string(payload_type);
      return out;
    }
    const bytes message = dsse::pae(e);
    out.error = "no signature verifies under a trusted key";
    for (const auto& s : e.signatures) {
      const signature_check check = check_signature(keys, message, s);
      if (!check.ok()) {
        const std::string key = "\"" + s.keyid + "\"";
        switch (check.why) {
          case reason::key_store_unavailable: out.error = "the key store could not answer for key " + key; break;
          case reason::key_revoked: out.error = "key " + key + " is revoked"; break;
          case reason::bad_signature: out.error = "the signature by " + key + " does not verify"; break;
          default: out.error = "key " + key + " is not trusted"; break;
        }
        continue;
      }
      if (!check.record->allows_log(log_id)) {
        out.error = "key \"" + s.keyid + "\" is not bound to log \"" + std::string(log_id) + "\" (its key record's logs)";
        continue;
      }
      out.ok = true;
      out.error.clear();
      out.keyid = s.keyid;
      out.payload.assign(e.payload.begin(), e.payload.end());
      return out;
    }
    return out;
  } catch (...) {
    dsse_opened fail;
    fail.malformed = true;
    fail.error = "out of memory";
    return fail;
  }
}

}  // namespace detail
}  // namespace audit
ASSENT_END_NAMESPACE
