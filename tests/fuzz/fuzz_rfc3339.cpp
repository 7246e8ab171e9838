// RFC 3339: parse -> format -> parse is the identity on every accepted text, and format -> parse
// is the identity on every instant format can write.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "assent/json/time.hpp"
#include "fuzz_check.hpp"

namespace {
// The instants RFC 3339 can write: 0000-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z.
constexpr std::int64_t first_instant = -62167219200;
constexpr std::int64_t last_instant = 253402300799;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto t = assent::json::parse_rfc3339(text)) {
    const std::string s = assent::json::format_rfc3339(*t);
    if (*t < first_instant || *t > last_instant) {
      ASSENT_FUZZ_CHECK(s.empty());  // an offset pushed the instant out of years 0000-9999
    } else {
      ASSENT_FUZZ_CHECK(s.size() == 20);
      ASSENT_FUZZ_CHECK(assent::json::parse_rfc3339(s) == t);
    }
  }
  if (size >= 8) {
    std::int64_t n = 0;
    std::memcpy(&n, data, sizeof n);
    for (const std::int64_t instant : {n, n % (last_instant + 1)}) {
      const std::string s = assent::json::format_rfc3339(instant);
      ASSENT_FUZZ_CHECK(s.empty() == (instant < first_instant || instant > last_instant));
      if (!s.empty()) ASSENT_FUZZ_CHECK(assent::json::parse_rfc3339(s) == instant);
    }
  }
  return 0;
}
