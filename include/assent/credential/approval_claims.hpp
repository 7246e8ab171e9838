/// @file
/// The approval claims type and the rules of its format: bounds, names, ids, capabilities.
///
/// Both claims readers (the plain one in detail/plain_claims.hpp and the full one in claims.hpp)
/// apply these rules, so they cannot drift apart. docs/credential-format.md lists every member.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assent/config.hpp"
#include "assent/json/detail/utf8.hpp"
#include "assent/names.hpp"

ASSENT_BEGIN_NAMESPACE

/// A break-glass exception: an approval outside the normal posture, owned and justified.
struct exception_claim {
  std::string kind;      ///< always "break_glass" (the only kind defined)
  std::string owner;     ///< who answers for the exception
  std::string reason;    ///< why it was needed (free text)
  std::string incident;  ///< the incident it serves (ticket id)
};

/// What an approver approved: one action on one project and environment, bound to a spec hash,
/// for a time window. Times are UTC seconds since the epoch.
struct approval_claims {
  std::string id;                            ///< unique credential id (revocation names it)
  std::optional<std::string> approver;       ///< when present, must equal the key's principal
  std::string project;                       ///< project approved for
  std::string environment;                   ///< environment approved for
  std::string spec_hash;                     ///< "sha256:<64 lowercase hex>" of the change spec
  std::vector<std::string> capabilities;     ///< actions approved, distinct, non-empty
  std::int64_t issued_at = 0;                ///< when it was issued
  std::int64_t expires_at = 0;               ///< when it stops being valid (after issued_at)
  std::optional<std::int64_t> not_before;    ///< not valid before this instant
  std::optional<std::string> initiator;      ///< who may carry out the action
  std::optional<std::string> destination;    ///< where (region, cluster) it may be carried out
  std::optional<exception_claim> exception;  ///< a break-glass exception
  std::optional<std::string> note;           ///< free text, for people
  nlohmann::json ext;                        ///< host extensions: null when absent, else an object
};

/// Bounds of the claims format (docs/credential-format.md). Part of the format: a verifier and
/// an issuer must agree on them.
namespace claims_limits {
inline constexpr std::size_t max_id = 128;           ///< bytes of `id`
inline constexpr std::size_t max_name = 128;         ///< bytes of a name (project, approver, ...)
inline constexpr std::size_t max_capability = 64;    ///< bytes of one capability
inline constexpr std::size_t max_capabilities = 32;  ///< capabilities in one approval
inline constexpr std::size_t max_text = 1024;  ///< bytes of `note` and of the exception's reason
inline constexpr std::size_t max_ext = 4096;   ///< bytes of `ext` in compact JSON
inline constexpr std::size_t max_body =
    64 * 1024;  ///< bytes of a claims body parse_approval_claims reads
inline constexpr std::size_t max_depth = 16;  ///< container nesting in a body (ext included)
}  // namespace claims_limits

namespace detail {

// A name (approver, project, environment, initiator, destination, owner) follows the one name
// rule of names.hpp: decisions compare it with the key store's and the request's names. A label
// (an incident ticket) is compared with nothing, so it only refuses control characters (C0, DEL,
// C1), which hide in logs and terminals. Free text (note, reason) may also hold tab and line feed.
enum class text_kind : std::uint8_t { name, label, free_text };

// Why `s` is not acceptable text of `kind` with at most `max` bytes, or "" when it is. UTF-8 is
// checked again here because a nlohmann::json built in code (not read by parse_strict) may hold
// any bytes, and such a string would make every later dump() throw.
[[nodiscard]] inline std::string text_fault(std::string_view s, text_kind kind, std::size_t max) {
  if (s.size() > max) return "longer than " + std::to_string(max) + " bytes";
  if (kind == text_kind::name) return is_valid_name(s) ? std::string() : std::string(name_rule_text);
  for (std::size_t i = 0; i < s.size();) {
    const std::int32_t cp = json::detail::next_scalar(s, i);
    if (cp < 0) return "not valid UTF-8";
    const bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    if (control && !(kind == text_kind::free_text && (cp == '\t' || cp == '\n'))) {
      return "contains a control character";
    }
  }
  return {};
}

// [A-Za-z0-9._:-]: ids go into URLs, file names and revocation lists unquoted.
[[nodiscard]] constexpr bool is_id_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

// [a-z0-9._-]: capabilities are matched against policy action names, one spelling each.
[[nodiscard]] constexpr bool is_capability_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

// A claims id: 1 to max_id bytes of is_id_char.
[[nodiscard]] constexpr bool is_valid_claims_id(std::string_view s) noexcept {
  if (s.empty() || s.size() > claims_limits::max_id) return false;
  for (const char c : s) {
    if (!is_id_char(c)) return false;
  }
  return true;
}

// One capability: 1 to max_capability bytes of is_capability_char.
[[nodiscard]] constexpr bool is_valid_capability(std::string_view s) noexcept {
  if (s.empty() || s.size() > claims_limits::max_capability) return false;
  for (const char c : s) {
    if (!is_capability_char(c)) return false;
  }
  return true;
}

}  // namespace detail

ASSENT_END_NAMESPACE
