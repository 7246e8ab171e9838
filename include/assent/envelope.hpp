/// @file
/// DSSE envelopes (secure-systems-lab/dsse v1.0.2): the signed container of an approval.
///
///     {"payload": Base64(body), "payloadType": T, "signatures": [{"keyid": K, "sig":
///     Base64(sig)}]}
///
/// Each signature covers PAE(T, body), never a re-serialisation of anything: the body bytes that
/// verify are the bytes handed on (protocol.md, "MUST NOT re-parse the envelope after
/// verification"). assent reads a stricter profile than DSSE's envelope.md, because an approval
/// must have one reading only: `keyid` is required and non-empty, unknown members are refused
/// instead of ignored, duplicate member names are refused, keyids are distinct, and sizes are
/// bounded. docs/credential-format.md gives the byte-exact format.
#pragma once

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/crypto/ed25519.hpp"
#include "assent/encoding.hpp"
#include "assent/json/access.hpp"
#include "assent/json/detail/plain_cursor.hpp"
#include "assent/json/strict_parse.hpp"
#include "assent/keys/signing_key.hpp"
#include "assent/names.hpp"

ASSENT_BEGIN_NAMESPACE
namespace dsse {

/// The payloadType of an assent approval (a media type naming both encoding and schema, as DSSE
/// protocol.md asks, so an approval body can never be read as another application's JSON).
inline constexpr std::string_view approval_payload_type = "application/vnd.assent.approval.v1+json";

/// Bounds and profile switches for parse_envelope. The defaults are assent's profile.
struct envelope_limits {
  /// Longest accepted envelope text, in bytes.
  std::size_t max_envelope_bytes = std::size_t{64} * 1024;
  /// Longest accepted body (decoded payload), in bytes.
  std::size_t max_payload_bytes = std::size_t{16} * 1024;
  /// Most signatures in one envelope.
  std::size_t max_signatures = 16;
  /// Longest keyid, in bytes (a key record's kid has at most 256).
  std::size_t max_keyid_bytes = 256;
  /// assent's keyid rule: every signature names its key with a non-empty keyid, and no two name
  /// the same one (a key signs once), each of visible ASCII without quote or backslash
  /// (is_valid_keyid). false reads DSSE's own rule instead (keyid optional, absent
  /// read as empty, repeats allowed); used to run the generic DSSE test vectors.
  bool require_keyids = true;
};

/// One signature of an envelope. sig holds the decoded bytes as sent, whatever their length.
struct signature_entry {
  std::string keyid;  ///< names the key; the key's bytes, not this name, decide validity
  bytes sig;          ///< the signature (an Ed25519 signature has 64 bytes)
};

/// A parsed envelope: the exact body bytes, their type, and the signatures over PAE(type, body).
struct envelope {
  std::string payload_type;                 ///< payloadType (UTF-8)
  bytes payload;                            ///< the body, decoded from base64, never re-serialised
  std::vector<signature_entry> signatures;  ///< in the order sent
};

/// Why parse_envelope refused a text. Values are stable: never renumbered or reused.
enum class envelope_error : std::uint8_t {
  not_parsed = 0,            ///< default: nothing was parsed (a default result is a failure)
  too_large = 1,             ///< the text is longer than max_envelope_bytes
  invalid_json = 2,          ///< not strict JSON (syntax, UTF-8, trailing bytes, nesting)
  duplicate_member = 3,      ///< an object repeats a member name
  wrong_type = 4,            ///< a member, or the envelope, has the wrong JSON type
  missing_member = 5,        ///< a required member is absent
  unknown_member = 6,        ///< a member the profile does not name
  invalid_base64 = 7,        ///< payload or sig is not base64 in one alphabet (RFC 4648 §4 or §5)
  payload_too_large = 8,     ///< the decoded body is longer than max_payload_bytes
  no_signatures = 9,         ///< the signatures list is empty
  too_many_signatures = 10,  ///< more than max_signatures signatures
  invalid_keyid = 11,        ///< a keyid is empty (when required) or longer than max_keyid_bytes
  duplicate_keyid = 12,      ///< two signatures name the same keyid
  out_of_memory = 13,        ///< an allocation failed
};

/// The stable snake_case name of an envelope_error.
[[nodiscard]] constexpr std::string_view to_string(envelope_error e) noexcept {
  switch (e) {
    case envelope_error::not_parsed:
      return "not_parsed";
    case envelope_error::too_large:
      return "too_large";
    case envelope_error::invalid_json:
      return "invalid_json";
    case envelope_error::duplicate_member:
      return "duplicate_member";
    case envelope_error::wrong_type:
      return "wrong_type";
    case envelope_error::missing_member:
      return "missing_member";
    case envelope_error::unknown_member:
      return "unknown_member";
    case envelope_error::invalid_base64:
      return "invalid_base64";
    case envelope_error::payload_too_large:
      return "payload_too_large";
    case envelope_error::no_signatures:
      return "no_signatures";
    case envelope_error::too_many_signatures:
      return "too_many_signatures";
    case envelope_error::invalid_keyid:
      return "invalid_keyid";
    case envelope_error::duplicate_keyid:
      return "duplicate_keyid";
    case envelope_error::out_of_memory:
      return "out_of_memory";
  }
  return "unknown";
}

/// The outcome of parse_envelope: an envelope, or one reason. A default result is a failure.
struct envelope_result {
  std::optional<dsse::envelope> value;                ///< present exactly on success
  envelope_error error = envelope_error::not_parsed;  ///< the reason; meaningless on success
  std::string message;  ///< "JSON Pointer: detail", "(root)" for the whole text; printable ASCII

  /// True when value holds the envelope.
  [[nodiscard]] bool ok() const noexcept { return value.has_value(); }
  /// Same as ok().
  explicit operator bool() const noexcept { return ok(); }
};

namespace detail {

// DSSE lets a signer use either base64 alphabet and requires verifiers to accept both
// (protocol.md). One string is read in one alphabet only: the standard one with its padding
// (RFC 4648 §4), else the URL-safe one with padding optional (§5, as JWS writes it). A string
// mixing '+' or '/' with '-' or '_' fails both.
[[nodiscard]] inline std::optional<bytes> decode_either_base64(std::string_view text) {
  // Envelopes are public: the table decoder (encoding.hpp) is on every decision's path.
  if (auto standard = base64_decode_vartime(text, base64_alphabet::standard, base64_padding::required))
    return standard;
  return base64_decode_vartime(text, base64_alphabet::url, base64_padding::optional);
}

// Writes the ASCII decimal of n (no leading zeros; "0" for zero) at the end of out.
inline void append_decimal(bytes& out, std::size_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.insert(out.end(), reinterpret_cast<const std::uint8_t*>(buf),
             reinterpret_cast<const std::uint8_t*>(r.ptr));
}

[[nodiscard]] inline std::string expected_string(const nlohmann::json& got) {
  return std::string("expected a string, got ") + got.type_name();
}

[[nodiscard]] inline envelope_error from_access(json::access_errc c) noexcept {
  switch (c) {
    case json::access_errc::missing:
      return envelope_error::missing_member;
    case json::access_errc::unknown_member:
      return envelope_error::unknown_member;
    default:
      return envelope_error::wrong_type;
  }
}

[[nodiscard]] inline envelope_result envelope_failure(envelope_error e, std::string message) {
  envelope_result r;
  r.error = e;
  r.message = json::detail::printable_ascii(message);
  return r;
}

}  // namespace detail

/// DSSE's pre-authentication encoding, the exact bytes each signature covers (protocol.md):
/// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN the byte length in ASCII decimal.
[[nodiscard]] inline bytes pae(std::string_view payload_type, byte_view payload) {
  static constexpr std::uint8_t prefix[] = {'D', 'S', 'S', 'E', 'v', '1', ' '};
  bytes out;
  out.reserve(sizeof prefix + payload_type.size() + payload.size() + 44);
  out.insert(out.end(), prefix, prefix + sizeof prefix);
  detail::append_decimal(out, payload_type.size());
  out.push_back(' ');
  const byte_view type_bytes(payload_type);
  out.insert(out.end(), type_bytes.begin(), type_bytes.end());
  out.push_back(' ');
  detail::append_decimal(out, payload.size());
  out.push_back(' ');
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

/// PAE of an envelope's own type and body.
[[nodiscard]] inline bytes pae(const envelope& e) {
  return pae(e.payload_type, e.payload);
}

namespace detail {

// One signature's members as text, before any content check (views into the envelope's text or
// its JSON tree). keyid is absent only under DSSE's rule.
struct signature_text {
  std::optional<std::string_view> keyid;
  std::string_view sig;
};

// The content checks of parse_envelope, once the shape is known good, in its documented order:
// the payload's base64 and size; each signature's keyid and sig base64, in order; distinct keyids.
[[nodiscard]] inline envelope_result read_envelope_content(std::string_view payload_text,
                                                           std::string_view payload_type,
                                                           const std::vector<signature_text>& raw,
                                                           const envelope_limits& limits) {
  envelope_result result;
  envelope& env = result.value.emplace();
  // The body: bounded before decoding (4 characters carry 3 bytes), then exactly.
  if (payload_text.size() / 4 > limits.max_payload_bytes / 3 + 1) {
    return envelope_failure(envelope_error::payload_too_large,
                            "/payload: body is longer than " + std::to_string(limits.max_payload_bytes) + " bytes");
  }
  auto body = decode_either_base64(payload_text);
  if (!body) return envelope_failure(envelope_error::invalid_base64, "/payload: not base64 in one alphabet");
  if (body->size() > limits.max_payload_bytes) {
    return envelope_failure(envelope_error::payload_too_large,
                            "/payload: body is longer than " + std::to_string(limits.max_payload_bytes) + " bytes");
  }
  env.payload = std::move(*body);
  env.payload_type.assign(payload_type);

  env.signatures.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto path = [i] { return json::pointer_child("/signatures", i); };  // only on a fault
    signature_entry entry;
    if (raw[i].keyid) entry.keyid.assign(*raw[i].keyid);
    if (limits.require_keyids && entry.keyid.empty())
      return envelope_failure(envelope_error::invalid_keyid, path() + "/keyid: must not be empty");
    if (entry.keyid.size() > limits.max_keyid_bytes) {
      return envelope_failure(envelope_error::invalid_keyid,
                              path() + "/keyid: longer than " + std::to_string(limits.max_keyid_bytes) + " bytes");
    }
    // assent's profile: a keyid is printable and needs no escaping (names.hpp). It is read before
    // any signature verifies and echoed into the decision's audit record, so an unknown sender
    // must not be able to grow that record sixfold with control characters.
    if (limits.require_keyids && !is_valid_keyid(entry.keyid))
      return envelope_failure(envelope_error::invalid_keyid, path() + "/keyid: " + std::string(keyid_rule_text));
    auto sig = decode_either_base64(raw[i].sig);
    if (!sig) return envelope_failure(envelope_error::invalid_base64, path() + "/sig: not base64 in one alphabet");
    entry.sig = std::move(*sig);
    env.signatures.push_back(std::move(entry));
  }
  // One key signs once. Lists are short (at most max_signatures), so compare pairwise. Under
  // DSSE's rule distinctness is left to the verifier's count of distinct keys.
  for (std::size_t i = 0; limits.require_keyids && i < env.signatures.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (env.signatures[j].keyid == env.signatures[i].keyid) {
        return envelope_failure(envelope_error::duplicate_keyid,
                                json::pointer_child("/signatures", i) + "/keyid: repeats signature " +
                                    std::to_string(j) + "'s keyid");
      }
    }
  }
  return result;
}

// The shape of an envelope as written (any member order, no escapes in its strings), read
// without a JSON tree; false for anything else, which the tree path then reads and reports
// (json/detail/plain_cursor.hpp). On true the views point into `text`.
[[nodiscard]] inline bool read_plain_envelope(std::string_view text, const envelope_limits& limits,
                                              std::string_view& payload, std::string_view& payload_type,
                                              std::vector<signature_text>& raw) {
  static constexpr std::array<std::string_view, 3> envelope_names = {"payload", "payloadType", "signatures"};
  static constexpr std::array<std::string_view, 2> signature_names = {"keyid", "sig"};
  json::detail::plain_cursor cur(text);
  std::uint64_t seen = 0;
  const bool plain = json::detail::plain_object(cur, envelope_names, seen, [&](std::size_t i) {
    if (i == 0) return cur.plain_string(payload);
    if (i == 1) return cur.plain_string(payload_type);
    return json::detail::plain_array(cur, [&] {
      if (raw.size() == limits.max_signatures) return false;
      signature_text entry;
      std::uint64_t members = 0;
      const bool ok = json::detail::plain_object(cur, signature_names, members, [&](std::size_t m) {
        if (m == 1) return cur.plain_string(entry.sig);
        std::string_view keyid;
        if (!cur.plain_string(keyid)) return false;
        entry.keyid = keyid;
        return true;
      });
      if (!ok || (members & 2u) == 0 || (limits.require_keyids && (members & 1u) == 0)) return false;
      raw.push_back(entry);
      return true;
    });
  });
  return plain && seen == 7u && cur.at_end();
}

// The full reader: strict JSON into a tree, then the shape checks, then the content checks.
// Reads any text parse_envelope has not refused for its size. Throws only std::bad_alloc.
[[nodiscard]] inline envelope_result parse_envelope_tree(std::string_view text, const envelope_limits& limits) {
  json::parse_limits pl;
  pl.max_bytes = limits.max_envelope_bytes;
  // envelope object > signatures array > signature object, and one level more so that a
  // container where a string belongs is reported as a wrong type; deeper is refused unread.
  pl.max_depth = 4;
  json::parse_result doc = json::parse_strict(text, pl);
  if (!doc) {
    const json::parse_errc c = doc.error.code;
    const envelope_error e =
        c == json::parse_errc::duplicate_key   ? envelope_error::duplicate_member
        : c == json::parse_errc::too_large     ? envelope_error::too_large
        : c == json::parse_errc::out_of_memory ? envelope_error::out_of_memory
                                               : envelope_error::invalid_json;
    return envelope_failure(e, "(root): byte " + std::to_string(doc.error.offset) + ": " + doc.error.message);
  }
  // Shape first: every type, presence and unknown-member fault is found before any content.
  json::object_reader r(*doc.value);
  const nlohmann::json* payload = r.required_value("payload");
  if (payload != nullptr && !payload->is_string())
    r.fail("payload", json::access_errc::wrong_type, expected_string(*payload));
  const nlohmann::json* payload_type = r.required_value("payloadType");
  if (payload_type != nullptr && !payload_type->is_string()) {
    r.fail("payloadType", json::access_errc::wrong_type, expected_string(*payload_type));
  }
  const nlohmann::json* list = r.required_value("signatures");
  if (list != nullptr && !list->is_array()) {
    r.fail("signatures", json::access_errc::wrong_type,
           std::string("expected an array of objects, got ") + list->type_name());
  }
  if (auto fault = r.finish())
    return envelope_failure(from_access(fault->code), json::describe(*fault));

  // The count is bounded before any signature is looked at.
  if (list->size() > limits.max_signatures) {
    return envelope_failure(envelope_error::too_many_signatures,
                            "/signatures: more than " + std::to_string(limits.max_signatures) + " signatures");
  }
  if (list->empty())
    return envelope_failure(envelope_error::no_signatures, "/signatures: no signature");

  std::vector<signature_text> raw;
  raw.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    json::object_reader s((*list)[i], json::pointer_child("/signatures", i));
    const nlohmann::json* keyid = limits.require_keyids ? s.required_value("keyid") : s.optional_value("keyid");
    if (keyid != nullptr && !keyid->is_string())
      s.fail("keyid", json::access_errc::wrong_type, expected_string(*keyid));
    const nlohmann::json* sig = s.required_value("sig");
    if (sig != nullptr && !sig->is_string())
      s.fail("sig", json::access_errc::wrong_type, expected_string(*sig));
    if (auto fault = s.finish())
      return envelope_failure(from_access(fault->code), json::describe(*fault));
    signature_text entry;
    if (keyid != nullptr) entry.keyid = std::string_view(keyid->get_ref<const std::string&>());
    entry.sig = sig->get_ref<const std::string&>();
    raw.push_back(entry);
  }
  return read_envelope_content(payload->get_ref<const std::string&>(),
                               payload_type->get_ref<const std::string&>(), raw, limits);
}

}  // namespace detail

/// Parses an envelope under assent's profile. Never throws. Checks run in a fixed order, and the
/// first fault is the one reported: size; strict JSON (duplicate names refused); the envelope's
/// members (presence and type of payload, payloadType, signatures, then unknown members); the
/// signature count; each signature's members (keyid, sig, unknown), in order; the payload's
/// base64 and size; each signature's keyid and sig base64, in order; distinct keyids.
/// A sig that decodes to a length other than 64 bytes is NOT a parse error: the envelope parses
/// and verify_signature reports that entry as not verifying, so one garbled co-signature does
/// not void the others.
[[nodiscard]] inline envelope_result parse_envelope(std::string_view text,
                                                    const envelope_limits& limits = {}) noexcept {
  try {
    if (text.size() > limits.max_envelope_bytes) {
      return detail::envelope_failure(envelope_error::too_large,
                                      "(root): envelope is longer than " +
                                          std::to_string(limits.max_envelope_bytes) + " bytes");
    }
    std::vector<detail::signature_text> raw;
    raw.reserve(2);
    std::string_view payload, payload_type;
    if (detail::read_plain_envelope(text, limits, payload, payload_type, raw))
      return detail::read_envelope_content(payload, payload_type, raw, limits);
    return detail::parse_envelope_tree(text, limits);
  } catch (...) {
    // Only allocation can fail above (every get_ref follows its type check). The message is
    // left empty: building it could fail the same way.
    envelope_result failed;
    failed.error = envelope_error::out_of_memory;
    return failed;
  }
}

/// Adds `key`'s signature over the envelope's PAE bytes (the one way assent signs an envelope:
/// issuing, co-signing, checkpoints, exports, the CLI). Refuses, with the reason, a kid that is
/// empty or longer than the profile allows, a keyid already present, and a full signature list.
[[nodiscard]] inline std::optional<std::string> add_signature(envelope& env, const signing_key& key) {
  const envelope_limits limits{};
  if (key.kid().empty() || key.kid().size() > limits.max_keyid_bytes) {
    return std::string("the key's kid must be 1 to 256 bytes");
  }
  for (const auto& s : env.signatures) {
    if (s.keyid == key.kid()) return "the envelope already has a signature by keyid \"" + key.kid() + "\"";
  }
  if (env.signatures.size() >= limits.max_signatures) {
    return "the envelope already has " + std::to_string(env.signatures.size()) + " signatures, the most allowed";
  }
  const crypto::ed25519::signature sig = key.sign(pae(env));
  env.signatures.push_back(signature_entry{key.kid(), bytes(sig.begin(), sig.end())});
  return std::nullopt;
}

/// Writes an envelope as compact JSON, members in name order, payload and sigs in standard
/// padded base64 (RFC 4648 §4). parse_envelope(serialize(e)) gives e back. Throws
/// nlohmann::json::type_error if payload_type or a keyid is not valid UTF-8.
[[nodiscard]] inline std::string serialize(const envelope& e) {
  const auto quoted = [](const std::string& s) { return nlohmann::json(s).dump(); };
  std::string out;
  out.reserve(64 + e.payload_type.size() + e.payload.size() * 4 / 3 + e.signatures.size() * 128);
  out += "{\"payload\":\"";
  out += base64_encode(e.payload);
  out += "\",\"payloadType\":";
  out += quoted(e.payload_type);
  out += ",\"signatures\":[";
  for (std::size_t i = 0; i < e.signatures.size(); ++i) {
    if (i != 0) out += ',';
    out += "{\"keyid\":";
    out += quoted(e.signatures[i].keyid);
    out += ",\"sig\":\"";
    out += base64_encode(e.signatures[i].sig);
    out += "\"}";
  }
  out += "]}";
  return out;
}

/// Whether `entry` is a valid Ed25519 signature by `key` over `pae_bytes` (from pae()). False for
/// a sig that is not 64 bytes long.
[[nodiscard]] inline bool verify_signature(byte_view pae_bytes, const signature_entry& entry,
                                           const crypto::ed25519::verifying_key& key) noexcept {
  if (entry.sig.size() != crypto::ed25519::signature_size) return false;
  crypto::ed25519::signature sig;
  std::memcpy(sig.data(), entry.sig.data(), sig.size());
  return key.verify(sig, pae_bytes);
}

/// Whether signature `index` of `e` is valid under `key` (false for an index out of range).
/// Computes the PAE each call; to check several signatures compute pae(e) once instead.
[[nodiscard]] inline bool verify_signature(const envelope& e, std::size_t index,
                                           const crypto::ed25519::verifying_key& key) noexcept {
  if (index >= e.signatures.size()) return false;
  try {
    const bytes message = pae(e);
    return verify_signature(message, e.signatures[index], key);
  } catch (...) {  // only std::bad_alloc: an unverifiable signature is not a valid one
    return false;
  }
}

}  // namespace dsse
ASSENT_END_NAMESPACE
