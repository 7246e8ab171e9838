/// @file
/// The one rule for names that decisions compare: principals, initiators, owners, roles, duties,
/// risk tiers, environments, projects, actions, capabilities, destinations; and the rule for
/// key ids.
///
/// Decisions compare names byte for byte. A name that admits case variants, spaces, zero-width or
/// control characters admits a second spelling of the same identity: "Alice" counted as a second
/// approver beside "alice", an initiator "alice\u0000" or "alice " that is not the approver
/// "alice", a destination "Hooks" that escapes the hardened path for "hooks". So every name has
/// exactly one spelling: lowercase ASCII letters and digits, and a few separators, checked where
/// the name enters assent (key set, request, policy, claims). Two names that differ are then
/// different under any case folding or Unicode normalisation a person or tool might apply.
/// docs/policy-reference.md states the rule.
#pragma once

#include <cstddef>
#include <string_view>

#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE

/// Longest name, in bytes.
inline constexpr std::size_t max_name_bytes = 128;
/// Longest key id, in bytes.
inline constexpr std::size_t max_keyid_bytes = 256;

namespace detail {
[[nodiscard]] constexpr bool is_name_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
[[nodiscard]] constexpr bool is_name_char(char c) noexcept {
  return is_name_start(c) || c == '.' || c == '_' || c == '-' || c == ':' || c == '@' || c == '/' || c == '+';
}
}  // namespace detail

/// True for a name: 1 to 128 bytes, the first a lowercase ASCII letter or digit, the rest
/// lowercase ASCII letters, digits or one of `. _ - : @ / +`.
[[nodiscard]] constexpr bool is_valid_name(std::string_view s) noexcept {
  if (s.empty() || s.size() > max_name_bytes || !detail::is_name_start(s[0])) return false;
  for (const char c : s) {
    if (!detail::is_name_char(c)) return false;
  }
  return true;
}

/// What the name rule says, for error messages.
inline constexpr std::string_view name_rule_text =
    "must be 1 to 128 of a-z 0-9 . _ - : @ / + starting with a-z or 0-9";

/// True for a key id: 1 to 256 bytes of visible ASCII (0x21..0x7E) other than `"` and `\`.
/// Key ids come from unauthenticated envelopes and are echoed into audit records: printable,
/// unescaped and bounded, so a record that names them stays readable and of bounded size.
[[nodiscard]] constexpr bool is_valid_keyid(std::string_view s) noexcept {
  if (s.empty() || s.size() > max_keyid_bytes) return false;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7E || c == '"' || c == '\\') return false;
  }
  return true;
}

/// What the key id rule says, for error messages.
inline constexpr std::string_view keyid_rule_text =
    "must be 1 to 256 visible ASCII characters other than \" and \\";

ASSENT_END_NAMESPACE
