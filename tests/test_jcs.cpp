// RFC 8785 canonical JSON, checked against the cyberphone reference vectors (the RFC author's),
// the ES6 number file generated with Node.js, and independent serialisers for what they cover.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <locale>
#include <codecvt>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "assent/json/canonical_text.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/strict_parse.hpp"
#include "catch.hpp"
#include "test_util.hpp"

namespace {

using assent::json::canonical_number;
using assent::json::canonicalize;
using assent_test::read_vector_file;

std::string bytes_from_spaced_hex(const std::string& text) {
  std::istringstream in(text);
  std::string out, byte;
  while (in >> byte) out.push_back(static_cast<char>(std::stoi(byte, nullptr, 16)));
  return out;
}

struct es6_line {
  double value;
  std::string expected;
};

std::vector<es6_line> es6_lines() {
  std::istringstream in(read_vector_file("jcs-cyberphone/es6testfile_10k.txt"));
  std::vector<es6_line> lines;
  std::string line;
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    REQUIRE(comma != std::string::npos);
    const std::uint64_t bits = std::stoull(line.substr(0, comma), nullptr, 16);
    double v = 0;
    std::memcpy(&v, &bits, sizeof v);
    lines.push_back({v, line.substr(comma + 1)});
  }
  return lines;
}

// UTF-16 code units of a UTF-8 string, by the standard library's (deprecated but independent)
// converter: the order RFC 8785 §3.2.3 sorts member names by.
std::u16string utf16_of(const std::string& utf8) {
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
  std::wstring_convert<std::codecvt_utf8_utf16<char16_t>, char16_t> convert;
  return convert.from_bytes(utf8);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
}

std::string random_name(std::mt19937_64& rng) {
  // Code points on both sides of every boundary where UTF-8 and UTF-16 orders differ.
  static const char* pieces[] = {"a", "B", "\x7f", "\xc2\x80", "\xc3\xb6", "\xe2\x82\xac", "\xee\x80\x80",
                                 "\xef\xac\xb3", "\xef\xbf\xbd", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
                                 "\xf0\x9f\x98\x82", "\xf4\x8f\xbf\xbf", "\n", "\""};
  std::uniform_int_distribution<int> len(0, 4), pick(0, 14);
  std::string s;
  for (int i = len(rng); i > 0; --i) s += pieces[pick(rng)];
  return s;
}

}  // namespace

TEST_CASE("canonicalize reproduces every cyberphone JCS vector byte for byte", "[jcs]") {
  for (const char* name : {"arrays", "french", "structures", "unicode", "values", "weird"}) {
    INFO(name);
    const std::string input = read_vector_file(std::string("jcs-cyberphone/input/") + name + ".json");
    const std::string expected = read_vector_file(std::string("jcs-cyberphone/output/") + name + ".json");
    const std::string expected_hex = read_vector_file(std::string("jcs-cyberphone/outhex/") + name + ".txt");
    REQUIRE(bytes_from_spaced_hex(expected_hex) == expected);  // the two expected forms agree
    // values.json holds 333333333.33333329, which parse_strict refuses (json/number.hpp); the
    // canonical writer is checked on the double nlohmann reads for it.
    const auto parsed = std::string(name) == "values"
                            ? assent::json::parse_result{nlohmann::json::parse(input), {}}
                            : assent::json::parse_strict(input);
    REQUIRE(parsed.ok());
    const auto canonical = canonicalize(*parsed.value);
    REQUIRE(canonical.has_value());
    CHECK(*canonical == expected);
  }
}

TEST_CASE("canonical form is a fixed point: canonicalizing it again changes nothing", "[jcs]") {
  for (const char* name : {"arrays", "french", "structures", "unicode", "values", "weird"}) {
    INFO(name);
    const std::string expected = read_vector_file(std::string("jcs-cyberphone/output/") + name + ".json");
    const auto reparsed = assent::json::parse_strict(expected);
    REQUIRE(reparsed.ok());
    CHECK(canonicalize(*reparsed.value) == expected);
  }
}

TEST_CASE("canonical_number matches every line of the ES6 number file", "[jcs][number]") {
  const auto lines = es6_lines();
  REQUIRE(lines.size() == 10000);
  std::size_t mismatches = 0;
  for (const auto& l : lines) {
    const auto got = canonical_number(l.value);
    const auto in_doc = canonicalize(nlohmann::json(l.value));
    if (got != l.expected || in_doc != l.expected) {
      if (++mismatches <= 10) FAIL_CHECK("expected " << l.expected << ", got " << got.value_or("nullopt"));
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("integers are canonicalized as the double they denote (I-JSON)", "[jcs][number]") {
  // Every integral value of the ES6 file within ±(2^53 - 1), fed in as an integer, must print as
  // Node.js printed the double; beyond it an integer type is refused.
  constexpr double limit = 9007199254740991.0;
  std::size_t checked = 0, refused = 0;
  for (const auto& l : es6_lines()) {
    if (!std::isfinite(l.value) || std::trunc(l.value) != l.value) continue;
    const bool exact = l.value >= -limit && l.value <= limit;
    if (l.value >= -9223372036854775808.0 && l.value < 9223372036854775808.0) {
      const auto got = canonicalize(nlohmann::json(static_cast<std::int64_t>(l.value)));
      if (exact) {
        CHECK(got == l.expected);
        ++checked;
      } else {
        CHECK_FALSE(got);
        ++refused;
      }
    }
    if (l.value >= 0 && l.value < 18446744073709551616.0) {
      const auto got = canonicalize(nlohmann::json(static_cast<std::uint64_t>(l.value)));
      if (exact) CHECK(got == l.expected);
      else CHECK_FALSE(got);
    }
  }
  CHECK(checked > 10);
  CHECK(refused > 10);
}

TEST_CASE("canonicalize refuses an integer beyond 2^53 - 1 instead of rounding it", "[jcs][number]") {
  // 1234567890123456789 and 1234567890123456800 would share one canonical form and one hash.
  CHECK_FALSE(canonicalize(nlohmann::json{{"target_account_id", std::int64_t{1234567890123456789}}}));
  CHECK_FALSE(canonicalize(nlohmann::json::array({std::uint64_t{9007199254740993u}})));
  CHECK_FALSE(canonicalize(nlohmann::json(std::uint64_t{9007199254740992u})));
  CHECK_FALSE(canonicalize(nlohmann::json(std::int64_t{-9007199254740992})));
  CHECK(canonicalize(nlohmann::json(std::uint64_t{9007199254740991u})) == "9007199254740991");
  CHECK(canonicalize(nlohmann::json(std::int64_t{-9007199254740991})) == "-9007199254740991");
  // A double is exactly its canonical form's double, whatever its size (RFC 8785 §3.2.2.3).
  CHECK(canonicalize(nlohmann::json(9007199254740992.0)) == "9007199254740992");
  CHECK(canonicalize(nlohmann::json(1e30)) == "1e+30");
  // Where the refused number sits, for a caller that reports it.
  CHECK(assent::json::inexact_number_path(nlohmann::json{{"a", {1, {{"b/c", std::uint64_t{1} << 60}}}}}) ==
        std::string("/a/1/b~1c"));
  CHECK(assent::json::inexact_number_path(nlohmann::json(std::int64_t{1} << 62)) == std::string());
  CHECK_FALSE(assent::json::inexact_number_path(nlohmann::json{{"a", {1, 2.5, "x", nullptr}}}));
}

TEST_CASE("member names sort by UTF-16 code units, not by UTF-8 bytes", "[jcs][sort]") {
  std::mt19937_64 rng(8785);
  for (int round = 0; round < 300; ++round) {
    nlohmann::json obj = nlohmann::json::object();
    for (int i = 0; i < 12; ++i) obj[random_name(rng)] = i;
    const auto canonical = canonicalize(obj);
    REQUIRE(canonical.has_value());
    // ordered_json keeps members in text order, so it shows the order canonicalize chose.
    const auto back = nlohmann::ordered_json::parse(*canonical);
    std::vector<std::u16string> names;
    for (const auto& m : back.items()) names.push_back(utf16_of(m.key()));
    REQUIRE(names.size() == obj.size());
    for (std::size_t i = 1; i < names.size(); ++i) CHECK(names[i - 1] < names[i]);
  }
  // The case where the two orders differ: U+FB33 (one unit 0xFB33) after U+1F602 (0xD83D 0xDE02),
  // although its UTF-8 bytes (EF ...) sort before F0 ...; the weird.json vector shows it too.
  CHECK(canonicalize(nlohmann::json{{"\xef\xac\xb3", 1}, {"\xf0\x9f\x98\x82", 2}}) ==
        std::string("{\"\xf0\x9f\x98\x82\":2,\"\xef\xac\xb3\":1}"));
}

TEST_CASE("strings are escaped as JSON.stringify does", "[jcs][string]") {
  // nlohmann's dump() (ensure_ascii off) escapes exactly the set RFC 8785 §3.2.2.2 names, with
  // the same short forms and lowercase \u00xx, so it serves as an independent serialiser.
  std::string all_ascii;
  for (int c = 1; c < 0x80; ++c) all_ascii.push_back(static_cast<char>(c));
  CHECK(canonicalize(nlohmann::json(all_ascii)) == nlohmann::json(all_ascii).dump());
  CHECK(canonicalize(nlohmann::json(std::string(1, '\0'))) == nlohmann::json(std::string(1, '\0')).dump());
  std::mt19937_64 rng(3);
  for (int i = 0; i < 500; ++i) {
    const std::string s = random_name(rng) + all_ascii.substr(rng() % 127, 3) + random_name(rng);
    CHECK(canonicalize(nlohmann::json(s)) == nlohmann::json(s).dump());
  }
}

TEST_CASE("canonicalize refuses values JSON cannot hold", "[jcs]") {
  CHECK_FALSE(canonicalize(nlohmann::json(std::numeric_limits<double>::quiet_NaN())));
  CHECK_FALSE(canonicalize(nlohmann::json(std::numeric_limits<double>::infinity())));
  CHECK_FALSE(canonicalize(nlohmann::json(-std::numeric_limits<double>::infinity())));
  CHECK_FALSE(canonical_number(std::numeric_limits<double>::quiet_NaN()));
  CHECK_FALSE(canonicalize(nlohmann::json{{"a", {1, 2, std::numeric_limits<double>::infinity()}}}));
  CHECK_FALSE(canonicalize(nlohmann::json(std::string("\xff"))));
  CHECK_FALSE(canonicalize(nlohmann::json(std::string("\xed\xa0\x80"))));  // encoded surrogate
  CHECK_FALSE(canonicalize(nlohmann::json(std::string("\xc0\xaf"))));      // overlong
  CHECK_FALSE(canonicalize(nlohmann::json(std::string("\xe2\x82"))));      // truncated
  CHECK_FALSE(canonicalize(nlohmann::json{{"ok", {{std::string("\xf5\x80\x80\x80"), 1}}}}));  // bad name
  CHECK_FALSE(canonicalize(nlohmann::json::binary({1, 2, 3})));
  CHECK_FALSE(canonicalize(nlohmann::json{{"b", nlohmann::json::binary({1})}}));
  CHECK_FALSE(canonicalize(nlohmann::json(nlohmann::json::value_t::discarded)));
  // The same values without the fault are fine.
  CHECK(canonicalize(nlohmann::json{{"a", {1, 2, 3.5}}}).has_value());
}

TEST_CASE("canonicalize handles nesting deeper than any stack without recursion", "[jcs]") {
  constexpr std::size_t depth = 200000;
  nlohmann::json v = nlohmann::json::array();
  for (std::size_t i = 1; i < depth; ++i) {
    nlohmann::json outer = nlohmann::json::array();
    outer.push_back(std::move(v));
    v = std::move(outer);
  }
  const auto canonical = canonicalize(v);
  REQUIRE(canonical.has_value());
  CHECK(*canonical == std::string(depth, '[') + std::string(depth, ']'));
}

TEST_CASE("canonicalize_text writes what canonicalize writes for what parse_strict reads", "[jcs][text]") {
  const char* seeds[] = {
      R"({"b":[1,2.5,{"z":1,"a":"x\u00e9"}],"a":0.1,"\ud83d\ude02":{},"\ufb33":[[]],"":null})",
      R"([0,-0,1.5e3,-1E-2,9007199254740991,1e20,4.50,2e-3,true,false,null,"\u001f\/"])",
      R"({"a":{"b":[{"c":[]},{}],"d":"x"},"e":[1,2,[3,[4]]],"f":{"y":1,"x":{"q":2,"p":3}}})",
      R"({"target_account_id":1234567890123456789,"a":1})",
      R"({"a":1,"a":2})",
  };
  const std::string alphabet = std::string("{}[],:\"\\ntfrue0123456789-+.eE \tau/") + "\xc3\xa9\xff";
  std::mt19937_64 rng(assent_test::differential_seed());
  const std::size_t rounds = 200 * assent_test::differential_count();
  std::size_t agreed = 0;
  for (std::size_t i = 0; i < rounds + 5; ++i) {
    std::string t = seeds[i % 5];
    if (i >= 5) assent_test::mutate_text(rng, t, alphabet, 3, /*truncate=*/true);
    INFO("text: " << t);
    const auto tree = assent::json::parse_strict(t);
    assent::json::parse_error error;
    const auto text = assent::json::canonicalize_text(t, assent::json::parse_limits{}, error);
    if (tree.ok()) {
      REQUIRE(text.has_value());
      CHECK(*text == canonicalize(*tree.value));
      ++agreed;
    } else {
      REQUIRE_FALSE(text.has_value());
      // A duplicate name is found when its object closes, so a later fault may be named first.
      if (tree.error.code != assent::json::parse_errc::duplicate_key) {
        CHECK(error.code == tree.error.code);
        CHECK(error.offset == tree.error.offset);
        CHECK(error.path == tree.error.path);
      }
    }
  }
  CHECK(agreed > rounds / 100);
}

TEST_CASE("canonicalize_text holds only open objects: a long top-level array streams", "[jcs][text]") {
  std::string big = "[";
  for (int i = 0; i < 100000; ++i) big += "{\"b\":1,\"a\":[1e3]},";
  big += "0]";
  std::size_t pieces = 0, largest = 0, total = 0;
  std::string joined;
  assent::json::parse_error error;
  assent::json::parse_limits limits;
  limits.max_bytes = std::size_t{1} << 24;
  limits.max_array_elements = limits.max_bytes;
  REQUIRE(assent::json::canonicalize_text(big, limits, [&](const char* p, std::size_t n) {
    ++pieces;
    largest = std::max(largest, n);
    total += n;
    joined.append(p, n);
  }, error));
  CHECK(pieces > 10);
  CHECK(largest < (std::size_t{1} << 17));
  CHECK(joined == canonicalize(*assent::json::parse_strict(big, limits).value));
  CHECK(total == joined.size());
}
