// RFC 8785 canonical form: canonicalize(parse(canonicalize(x))) == canonicalize(x) for every text
// parse_strict accepts, and the number formatter round-trips every double. canonicalize_text
// (no tree) writes the same bytes, and refuses what parse_strict refuses.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "assent/json/canonical_text.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/strict_parse.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first 8 bytes as a double: the ES form must read back as the same number.
  if (size >= 8) {
    double d = 0;
    std::memcpy(&d, data, sizeof d);
    const auto s = assent::json::canonical_number(d);
    ASSENT_FUZZ_CHECK(s.has_value() == std::isfinite(d));
    if (s) {
      ASSENT_FUZZ_CHECK(std::strtod(s->c_str(), nullptr) == d);
      // A canonical number is itself strict JSON denoting the same double.
      const auto reparsed = assent::json::parse_strict(*s);
      ASSENT_FUZZ_CHECK(reparsed.ok());
      ASSENT_FUZZ_CHECK(assent::json::canonicalize(*reparsed.value) == s);
    }
  }

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = assent::json::parse_strict(text);
  assent::json::parse_error error;
  const auto streamed = assent::json::canonicalize_text(text, assent::json::parse_limits{}, error);
  ASSENT_FUZZ_CHECK(streamed.has_value() == parsed.ok());
  if (!parsed.ok()) {
    // A duplicate name is found when its object closes: a later fault may be reported first.
    if (parsed.error.code != assent::json::parse_errc::duplicate_key) {
      ASSENT_FUZZ_CHECK(error.code == parsed.error.code && error.offset == parsed.error.offset &&
                        error.path == parsed.error.path);
    }
    return 0;
  }
  const auto first = assent::json::canonicalize(*parsed.value);
  ASSENT_FUZZ_CHECK(streamed == first);
  ASSENT_FUZZ_CHECK(first.has_value());  // parse_strict only yields finite numbers and valid UTF-8
  const auto again = assent::json::parse_strict(*first);
  ASSENT_FUZZ_CHECK(again.ok());
  const auto second = assent::json::canonicalize(*again.value);
  ASSENT_FUZZ_CHECK(second == first);
  return 0;
}
