// parse_strict on arbitrary bytes: never crashes, leaks or throws, and agrees with nlohmann's
// own parser on every text both accept. Whatever it accepts has a canonical form.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "assent/json/jcs.hpp"
#include "assent/json/strict_parse.hpp"
#include "fuzz_check.hpp"

namespace {

// Refusals that nlohmann::json::parse does not make.
bool strict_only(assent::json::parse_errc code, std::string_view text) {
  using assent::json::parse_errc;
  switch (code) {
    case parse_errc::duplicate_key:
    case parse_errc::too_deep:
    case parse_errc::byte_order_mark:
    case parse_errc::too_large:
    case parse_errc::string_too_long:
    case parse_errc::too_many_members:
    case parse_errc::too_many_elements:
    case parse_errc::inexact_number: return true;
    case parse_errc::syntax: return text.find('\0') != std::string_view::npos;  // nlohmann stops at NUL
    default: return false;
  }
}

nlohmann::json strict_typing(const nlohmann::json& v) {
  if (v.is_structured()) {
    nlohmann::json out = v;
    for (auto it = out.begin(); it != out.end(); ++it) *it = strict_typing(*it);
    return out;
  }
  if (v.is_number_integer() && !assent::json::number_is_exact(v)) return nlohmann::json(v.get<double>());
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto strict = assent::json::parse_strict(text);
  const auto loose = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);

  if (strict.ok()) {
    ASSENT_FUZZ_CHECK(!loose.is_discarded());
    // Same values and number types, but for integers beyond 2^53 - 1, which parse_strict
    // accepts only when exactly a double, and holds as that double (json/number.hpp).
    const nlohmann::json typed = strict_typing(loose);
    ASSENT_FUZZ_CHECK(*strict.value == typed);
    ASSENT_FUZZ_CHECK(strict.value->dump() == typed.dump());
    ASSENT_FUZZ_CHECK(assent::json::canonicalize(*strict.value).has_value());
  } else {
    ASSENT_FUZZ_CHECK(strict.error.code != assent::json::parse_errc::not_parsed);
    ASSENT_FUZZ_CHECK(strict.error.offset <= size);
    for (const char c : strict.error.message) ASSENT_FUZZ_CHECK(c >= 0x20 && c <= 0x7e);
    if (!loose.is_discarded()) ASSENT_FUZZ_CHECK(strict_only(strict.error.code, text));
  }

  // Tighter limits only ever refuse more, and never change what is accepted.
  assent::json::parse_limits tight;
  tight.max_depth = 4;
  tight.max_string_bytes = 16;
  tight.max_object_members = 8;
  tight.max_array_elements = 8;
  const auto small = assent::json::parse_strict(text, tight);
  if (small.ok()) ASSENT_FUZZ_CHECK(strict.ok() && *small.value == *strict.value);
  return 0;
}
