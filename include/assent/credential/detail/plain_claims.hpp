/// @file
/// Reading plain approval claims without a JSON tree: the fast path of parse_approval_claims.
///
/// A body an issuer writes (assent's or any other: member order and whitespace are free) is one
/// flat object of known members with unescaped strings. read_plain_claims reads such a body
/// straight from its bytes, applying the rules of approval_claims.hpp, and says "not plain" for
/// anything else: a fault of any kind, an escape, `exception` or `ext`. parse_approval_claims then
/// reads the body again with the full reader, which alone reports faults in the documented order.
/// So this path can only ever accept, and it accepts exactly what the full reader accepts with the
/// same values; tests/test_claims_plain.cpp and the claims fuzzer compare the two.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "assent/config.hpp"
#include "assent/credential/approval_claims.hpp"
#include "assent/json/detail/plain_cursor.hpp"
#include "assent/json/time.hpp"
#include "assent/spec_hash.hpp"

ASSENT_BEGIN_NAMESPACE
namespace detail {

// The members of approval claims, in the order docs/credential-format.md lists them.
enum class claims_member : unsigned {
  id, approver, project, environment, spec_hash, capabilities, issued_at, expires_at, not_before,
  initiator, destination, exception, note, ext
};
inline constexpr std::array<std::string_view, 14> claims_member_names = {
    "id",        "approver",   "project",    "environment", "spec_hash",   "capabilities", "issued_at",
    "expires_at", "not_before", "initiator", "destination", "exception", "note",         "ext"};

// True, with `out` filled, when `body` is plain claims the full reader accepts; false otherwise
// (out is then unspecified). Throws only std::bad_alloc.
[[nodiscard]] inline bool read_plain_claims(std::string_view body, approval_claims& out) {
  if (body.size() > claims_limits::max_body) return false;
  json::detail::plain_cursor cur(body);
  std::string_view times[3];  // issued_at, expires_at, not_before
  const auto text = [&](std::optional<std::string>& to, text_kind kind, std::size_t max, bool may_be_empty) {
    std::string_view v;
    if (!cur.plain_string(v) || (v.empty() && !may_be_empty) || !text_fault(v, kind, max).empty()) return false;
    to.emplace(v);
    return true;
  };
  const auto name = [&](std::optional<std::string>& to) {
    return text(to, text_kind::name, claims_limits::max_name, false);
  };
  const auto required_name = [&](std::string& to) {
    std::optional<std::string> v;
    if (!name(v)) return false;
    to = std::move(*v);
    return true;
  };
  std::uint64_t seen = 0;
  const bool plain = json::detail::plain_object(cur, claims_member_names, seen, [&](std::size_t i) {
    std::string_view v;
    switch (static_cast<claims_member>(i)) {
      case claims_member::id:
        if (!cur.plain_string(v) || !is_valid_claims_id(v)) return false;
        out.id.assign(v);
        return true;
      case claims_member::approver: return name(out.approver);
      case claims_member::project: return required_name(out.project);
      case claims_member::environment: return required_name(out.environment);
      case claims_member::spec_hash:
        if (!cur.plain_string(v) || !is_valid_spec_hash(v)) return false;
        out.spec_hash.assign(v);
        return true;
      case claims_member::capabilities:
        return json::detail::plain_array(cur, [&] {
          if (!cur.plain_string(v) || !is_valid_capability(v) ||
              out.capabilities.size() == claims_limits::max_capabilities) {
            return false;
          }
          for (const auto& earlier : out.capabilities) {
            if (earlier == v) return false;
          }
          out.capabilities.emplace_back(v);
          return true;
        });
      case claims_member::issued_at: return cur.plain_string(times[0]);
      case claims_member::expires_at: return cur.plain_string(times[1]);
      case claims_member::not_before: return cur.plain_string(times[2]);
      case claims_member::initiator: return name(out.initiator);
      case claims_member::destination: return name(out.destination);
      case claims_member::note: return text(out.note, text_kind::free_text, claims_limits::max_text, true);
      case claims_member::exception:  // rare (break-glass) or host-defined: the full reader's
      case claims_member::ext: return false;
    }
    return false;
  });
  if (!plain || !cur.at_end()) return false;
  constexpr auto bit = [](claims_member m) { return std::uint64_t{1} << static_cast<unsigned>(m); };
  constexpr std::uint64_t required = bit(claims_member::id) | bit(claims_member::project) |
                                     bit(claims_member::environment) | bit(claims_member::spec_hash) |
                                     bit(claims_member::capabilities) | bit(claims_member::issued_at) |
                                     bit(claims_member::expires_at);
  if ((seen & required) != required) return false;
  const auto instant = [](std::string_view s) -> std::optional<std::int64_t> {
    const auto t = json::parse_rfc3339(s);
    if (!t || !json::rfc3339_representable(*t)) return std::nullopt;
    return t;
  };
  const auto issued = instant(times[0]), expires = instant(times[1]);
  if (!issued || !expires || *expires <= *issued) return false;
  out.issued_at = *issued;
  out.expires_at = *expires;
  if ((seen & bit(claims_member::not_before)) != 0) {
    out.not_before = instant(times[2]);
    if (!out.not_before || *out.not_before >= *expires) return false;
  }
  return true;
}

}  // namespace detail
ASSENT_END_NAMESPACE
