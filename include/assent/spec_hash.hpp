/// @file
/// Spec hashes: which exact pipeline version an approval is for.
///
/// A spec hash is "sha256:" followed by the lowercase hex SHA-256 of the RFC 8785 canonical form
/// of a JSON document, or of the raw bytes of anything else. Canonical form makes the hash survive
/// reformatting and member reordering of a JSON spec, so CI and approver tools that serialise
/// differently still agree; any change of meaning changes the hash.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/crypto/sha256.hpp"
#include "assent/encoding.hpp"
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
/// canonical form (NaN or infinite numbers, invalid UTF-8, binary values).
[[nodiscard]] inline std::optional<std::string> spec_hash_of_json(const nlohmann::json& value) {
  const auto canonical = json::canonicalize(value);
  if (!canonical) return std::nullopt;
  return spec_hash_of_bytes(*canonical);
}

/// The spec hash of a document as stored: a JSON text is hashed over its canonical form, any
/// other bytes (YAML, a tarball) as they are. nullopt for a JSON text whose meaning JSON readers
/// disagree on: a duplicate member name (first or last wins?), a leading byte-order mark (skipped
/// or refused?), a number beyond double range (Infinity, null or refused?), ill-formed UTF-8 in a
/// string (U+FFFD or refused?). Which canonical form another tool hashes would be a guess, and no
/// hash is better than a silently different one.
[[nodiscard]] inline std::optional<std::string> spec_hash_of_document(std::string_view document) {
  // A local document, not a hostile message: no size limits. Depth is harmless here, since
  // parsing, canonicalisation and destruction all run without recursion.
  json::parse_limits limits;
  limits.max_bytes = std::numeric_limits<std::size_t>::max();
  limits.max_depth = std::numeric_limits<std::size_t>::max();
  limits.max_string_bytes = std::numeric_limits<std::size_t>::max();
  limits.max_object_members = std::numeric_limits<std::size_t>::max();
  limits.max_array_elements = std::numeric_limits<std::size_t>::max();
  const auto parsed = json::parse_strict(document, limits);
  if (parsed.ok()) return spec_hash_of_json(*parsed.value);
  switch (parsed.error.code) {
    case json::parse_errc::duplicate_key:
    case json::parse_errc::byte_order_mark:
    case json::parse_errc::number_out_of_range:
    case json::parse_errc::invalid_utf8:
    case json::parse_errc::out_of_memory:
    case json::parse_errc::internal:
    case json::parse_errc::not_parsed: return std::nullopt;
    default: return spec_hash_of_bytes(document);  // not JSON text: hash the bytes
  }
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
