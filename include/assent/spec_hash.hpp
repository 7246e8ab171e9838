/// @file
/// Spec hashes: which exact pipeline version an approval is for.
///
/// A spec hash is "sha256:" followed by the lowercase hex SHA-256 of the RFC 8785 canonical form
/// of a JSON document, or of the raw bytes of anything else. Canonical form makes the hash survive
/// reformatting and member reordering of a JSON spec, so CI and approver tools that serialise
/// differently still agree; any change of meaning changes the hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/crypto/sha256.hpp"
#include "assent/encoding.hpp"
#include "assent/json/canonical_text.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/strict_parse.hpp"

ASSENT_BEGIN_NAMESPACE

/// The algorithm label every spec hash starts with.
inline constexpr std::string_view spec_hash_prefix = "sha256:";

/// The spec hash of raw bytes: "sha256:" + lowercase hex SHA-256.
[[nodiscard]] inline std::string spec_hash_of_bytes(byte_view data) {
  std::string out(spec_hash_prefix);
  out += hex_encode(crypto::sha256::hash(data));
  return out;
}

/// The spec hash of a JSON value (over its RFC 8785 form), or nullopt when the value has no
/// canonical form (NaN or infinite numbers, integers beyond ±(2^53 - 1), invalid UTF-8, binary
/// values).
[[nodiscard]] inline std::optional<std::string> spec_hash_of_json(const nlohmann::json& value) {
  const auto canonical = json::canonicalize(value);
  if (!canonical) return std::nullopt;
  return spec_hash_of_bytes(*canonical);
}

/// Bounds on a JSON document spec_hash_of_document reads: 256 MiB, nesting 1024 deep; strings,
/// members and elements bounded by the size alone. Reading costs at most a few times the size
/// (json/canonical_text.hpp); the depth bound keeps its stack of open containers small.
[[nodiscard]] inline json::parse_limits spec_document_limits() noexcept {
  json::parse_limits limits;
  limits.max_bytes = std::size_t{256} << 20;
  limits.max_depth = 1024;
  limits.max_string_bytes = limits.max_bytes;
  limits.max_object_members = limits.max_bytes;
  limits.max_array_elements = limits.max_bytes;
  return limits;
}

/// What spec_hash_of_document found: a hash over the canonical form of a JSON text, a hash over
/// the raw bytes of anything else, or no hash.
struct document_hash {
  /// The spec hash; absent for a JSON text that has none (see error).
  std::optional<std::string> hash;
  /// True when the text is JSON and was hashed over its canonical form.
  bool json = false;
  /// Why the text is not JSON (hashed as bytes) or has no hash; code not_parsed when it is JSON.
  json::parse_error error;
};

/// The spec hash of a document as stored, with the reason when it is not JSON or has no hash.
/// A JSON text is hashed over its canonical form, read straight from the text
/// (json::canonicalize_text), any other bytes as they are. No hash for a JSON text whose meaning
/// JSON readers disagree on: a duplicate member name (first or last wins?), a leading byte-order
/// mark (skipped or refused?), a number beyond double range (Infinity, null or refused?) or one
/// with no exact double (json/number.hpp: 1234567890123456789 is 1234567890123456800 to a
/// double, itself to Python), ill-formed UTF-8 in a string (U+FFFD or refused?); nor for one
/// beyond `limits`. Which canonical form another tool hashes would be a guess, and no hash is
/// better than a silently different one.
[[nodiscard]] inline document_hash hash_document(std::string_view document,
                                                 const json::parse_limits& limits = spec_document_limits()) {
  document_hash out;
  crypto::sha256 h;
  const bool ok = json::canonicalize_text(
      document, limits, [&h](const char* p, std::size_t n) { h.update(byte_view(reinterpret_cast<const std::uint8_t*>(p), n)); },
      out.error);
  if (ok) {
    out.json = true;
    out.error = {};
    out.hash = std::string(spec_hash_prefix) + hex_encode(h.final());
    return out;
  }
  switch (out.error.code) {
    case json::parse_errc::syntax:
    case json::parse_errc::trailing_content:
      out.hash = spec_hash_of_bytes(document);  // not JSON text: hash the bytes
      return out;
    default: return out;  // JSON without one reading, beyond the limits, or out of memory
  }
}

/// The spec hash of a document as stored (hash_document without the reason): nullopt for a
/// JSON text readers could read differently or beyond spec_document_limits().
[[nodiscard]] inline std::optional<std::string> spec_hash_of_document(std::string_view document) {
  return hash_document(document).hash;
}

/// True for exactly "sha256:" followed by 64 lowercase hex digits.
[[nodiscard]] constexpr bool is_valid_spec_hash(std::string_view s) noexcept {
  if (s.size() != spec_hash_prefix.size() + 64 || s.substr(0, spec_hash_prefix.size()) != spec_hash_prefix) {
    return false;
  }
  for (std::size_t i = spec_hash_prefix.size(); i < s.size(); ++i) {
    const char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

ASSENT_END_NAMESPACE
