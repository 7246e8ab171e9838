/// @file
/// One condition of a rule's `when`, and how it is evaluated against a request attribute.
///
/// Rules only tighten, so a condition that is skipped when it should have matched is a fail-open:
/// a request `risk_tier` of "High", "high ", 1 or true must not quietly escape a rule that demands
/// two approvers at tier "high". Evaluating a condition therefore has three outcomes: it matches,
/// it does not, or it cannot be evaluated on the value the request gives (a tier the policy does
/// not rank, a value of another JSON type than the condition's, a string that is another spelling
/// of the condition's value). The third is a deny (reason::rule_not_evaluable), never a skip.
/// An attribute the request does not carry does not match (docs/policy-reference.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/json/detail/utf8.hpp"

ASSENT_BEGIN_NAMESPACE

/// One attribute test in a rule's `when`.
struct rule_condition {
  std::string attribute;                       ///< request attribute name
  nlohmann::json equals;                       ///< string, boolean or number to compare (unless at_least)
  std::optional<std::uint32_t> at_least_tier;  ///< risk tier rank: matches this rank or above
};

/// The outcome of one condition or one rule.
enum class rule_match : std::uint8_t {
  no = 0,           ///< the request does not meet it
  yes = 1,          ///< the request meets it
  unevaluable = 2,  ///< the request's value cannot be compared with it: deny
};

namespace detail {

// Invisible code points a person cannot tell apart from nothing: soft hyphen, Arabic letter mark,
// Mongolian vowel separator, zero-width and directional marks (U+200B..U+200F, U+202A..U+202E,
// U+2060..U+206F), the byte-order mark. (Unicode's Cf category, the part of it that occurs in
// Latin-script text.)
[[nodiscard]] constexpr bool is_invisible_format(std::int32_t cp) noexcept {
  return cp == 0xAD || cp == 0x61C || cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF;
}
[[nodiscard]] constexpr bool is_white_space(std::int32_t cp) noexcept {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || cp == 0x85 ||
         cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// The skeleton people read: without white space or invisible format characters, ASCII letters in
// lower case. Two strings with one skeleton are spellings of one value. nullopt for bad UTF-8.
[[nodiscard]] inline std::optional<std::string> condition_skeleton(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const std::int32_t cp = json::detail::next_scalar(s, i);
    if (cp < 0) return std::nullopt;
    if (is_white_space(cp) || is_invisible_format(cp)) continue;
    if (cp >= 'A' && cp <= 'Z') {
      out.push_back(static_cast<char>(cp - 'A' + 'a'));
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  return out;
}

// A condition value a policy may state: no white space at either end, no invisible format
// characters (a policy value nobody can read correctly matches nothing anyone types).
[[nodiscard]] inline bool is_plain_condition_text(std::string_view s) {
  std::int32_t first = -1, last = -1;
  for (std::size_t i = 0; i < s.size();) {
    const std::int32_t cp = json::detail::next_scalar(s, i);
    if (cp < 0 || is_invisible_format(cp)) return false;
    if (first < 0) first = cp;
    last = cp;
  }
  return !(first >= 0 && (is_white_space(first) || is_white_space(last)));
}

// Equality of JSON scalars of one kind; numbers compare by value whatever their storage (1 and
// 1.0 are the same attribute value).
[[nodiscard]] inline bool numbers_equal(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
  if (a.is_number_unsigned() && b.is_number_unsigned()) return a.get<std::uint64_t>() == b.get<std::uint64_t>();
  if (a.is_number_unsigned() || b.is_number_unsigned()) {
    const auto& u = a.is_number_unsigned() ? a : b;
    const auto& s = a.is_number_unsigned() ? b : a;
    const auto sv = s.get<std::int64_t>();
    return sv >= 0 && static_cast<std::uint64_t>(sv) == u.get<std::uint64_t>();
  }
  return a.get<std::int64_t>() == b.get<std::int64_t>();
}

}  // namespace detail

/// Evaluates an equality condition against the request's value: yes when equal; unevaluable when
/// the value is of another kind (string, boolean, number) than the condition's, or a string with
/// the condition's skeleton but another spelling ("High", "high ", "hi\u200Bgh" for "high");
/// otherwise no.
[[nodiscard]] inline rule_match match_equals(const nlohmann::json& value, const nlohmann::json& expected) {
  if (value.is_number() && expected.is_number()) return detail::numbers_equal(value, expected) ? rule_match::yes : rule_match::no;
  if (value.is_boolean() && expected.is_boolean())
    return value.get<bool>() == expected.get<bool>() ? rule_match::yes : rule_match::no;
  if (value.is_string() && expected.is_string()) {
    const auto& v = value.get_ref<const std::string&>();
    const auto& e = expected.get_ref<const std::string&>();
    if (v == e) return rule_match::yes;
    const auto sv = detail::condition_skeleton(v), se = detail::condition_skeleton(e);
    if (!sv || !se || *sv == *se) return rule_match::unevaluable;
    return rule_match::no;
  }
  return rule_match::unevaluable;
}

ASSENT_END_NAMESPACE
