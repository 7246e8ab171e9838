// Strict JSON parsing: the same document for every reader, or a refusal that says why and where.
#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "assent/json/strict_parse.hpp"
#include "catch.hpp"
#include "test_util.hpp"

namespace {

using assent::json::parse_errc;
using assent::json::parse_limits;
using assent::json::parse_strict;
using assent_test::read_vector_file;

// The code a refused text gets; fails the test when the text is accepted.
parse_errc refusal(std::string_view text, const parse_limits& limits = {}) {
  const auto r = parse_strict(text, limits);
  INFO("text: " << text);
  REQUIRE_FALSE(r.ok());
  return r.error.code;
}

// A random JSON value built by nlohmann (an independent serialiser for the differential test).
nlohmann::json random_value(std::mt19937_64& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 4 ? 5 : 7);
  auto random_text = [&rng] {
    static const char* pieces[] = {"a", "b", "\"", "\\", "/", "\n", "\x01", "\x7f", "\xc3\xa9", "\xe2\x82\xac",
                                   "\xf0\x9f\x98\x82", " ", "key", "~"};
    std::uniform_int_distribution<int> n(0, 6), pick(0, 13);
    std::string s;
    for (int i = n(rng); i > 0; --i) s += pieces[pick(rng)];
    return s;
  };
  switch (kind(rng)) {
    case 0: return nullptr;
    case 1: return (rng() & 1) != 0;
    // Numbers every reader reads alike (json/number.hpp): integers within 2^53 - 1, and doubles
    // whose printed form is their shortest one.
    case 2: return static_cast<std::int64_t>(rng() % (2 * assent::json::max_exact_integer + 1)) -
                   static_cast<std::int64_t>(assent::json::max_exact_integer);
    case 3: return rng() % (assent::json::max_exact_integer + 1);
    case 4: {
      std::uniform_real_distribution<double> d(-1e300, 1e300);
      const double v = d(rng) / static_cast<double>(1 + (rng() % 1000000));
      return assent::json::literal_is_exact(nlohmann::json(v).dump(), v) ? v : 0.5;
    }
    case 5: return random_text();
    case 6: {
      auto a = nlohmann::json::array();
      for (int i = static_cast<int>(rng() % 5); i > 0; --i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      auto o = nlohmann::json::object();
      for (int i = static_cast<int>(rng() % 5); i > 0; --i) o[random_text()] = random_value(rng, depth + 1);
      return o;
    }
  }
}

}  // namespace

TEST_CASE("parse_strict reads the JCS input documents as nlohmann's own parser does", "[json][parse]") {
  for (const char* name : {"arrays", "french", "structures", "unicode", "values", "weird"}) {
    INFO(name);
    const std::string text = read_vector_file(std::string("jcs-cyberphone/input/") + name + ".json");
    const auto r = parse_strict(text);
    if (std::string(name) == "values") {
      // 333333333.33333329 is 333333333.3333333 to a double: a number readers disagree on.
      REQUIRE_FALSE(r.ok());
      CHECK(r.error.code == parse_errc::inexact_number);
      CHECK(r.error.path == "/numbers/0");
      continue;
    }
    REQUIRE(r.ok());
    CHECK(*r.value == nlohmann::json::parse(text));
  }
}

TEST_CASE("parse_strict agrees with nlohmann's serialiser on random documents", "[json][parse]") {
  std::mt19937_64 rng(20261122);
  for (int i = 0; i < 2000; ++i) {
    const nlohmann::json v = random_value(rng, 0);
    const std::string text = v.dump(i % 2 == 0 ? -1 : 2);
    INFO(text);
    const auto r = parse_strict(text);
    REQUIRE(r.ok());
    CHECK(*r.value == v);
  }
}

TEST_CASE("a default parse_result is a failure", "[json][parse]") {
  const assent::json::parse_result r;
  CHECK_FALSE(r.ok());
  CHECK_FALSE(static_cast<bool>(r));
  CHECK(r.error.code == parse_errc::not_parsed);
}

TEST_CASE("parse_strict refuses duplicate member names, also when spelt differently", "[json][parse]") {
  const std::string text = R"({"role":"viewer","role":"admin"})";
  const auto r = parse_strict(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.code == parse_errc::duplicate_key);
  CHECK(r.error.offset == text.find("\"role\"", 2) + 5);  // the closing quote of the second name
  CHECK(r.error.message.find("role") != std::string::npos);
  // nlohmann::json::parse keeps the last one: the disagreement parse_strict exists to prevent.
  CHECK(nlohmann::json::parse(text)["role"] == "admin");

  CHECK(refusal(R"({"a":1,"\u0061":2})") == parse_errc::duplicate_key);
  CHECK(refusal(R"({"x":{"a":1,"b":2,"a":3}})") == parse_errc::duplicate_key);
  CHECK(refusal(R"([{"k":1},{"k":1,"k":1}])") == parse_errc::duplicate_key);
  CHECK(refusal("{\"\xc3\xa9\":1,\"\\u00e9\":2}") == parse_errc::duplicate_key);
  // Equal names in different objects are fine; so are names that differ only after unescaping.
  CHECK(parse_strict(R"([{"k":1},{"k":1}])").ok());
  CHECK(parse_strict(R"({"a":{"a":{"a":1}}})").ok());
  CHECK(parse_strict(R"({"a":1,"A":2,"a ":3})").ok());
}

TEST_CASE("parse_strict refuses text that is not a single JSON value", "[json][parse]") {
  CHECK(refusal("") == parse_errc::syntax);
  CHECK(refusal("   ") == parse_errc::syntax);
  CHECK(refusal("[1,]") == parse_errc::syntax);
  CHECK(refusal("{\"a\":1,}") == parse_errc::syntax);
  CHECK(refusal("{'a':1}") == parse_errc::syntax);
  CHECK(refusal("[01]") == parse_errc::syntax);
  CHECK(refusal("[NaN]") == parse_errc::syntax);
  CHECK(refusal("[Infinity]") == parse_errc::syntax);
  CHECK(refusal("tru") == parse_errc::syntax);
  CHECK(refusal("[\"a\tb\"]") == parse_errc::syntax);  // raw control character in a string
  CHECK(refusal("/* c */ {}") == parse_errc::syntax);
  CHECK(refusal("{} // c") == parse_errc::trailing_content);
  CHECK(refusal("[1] x") == parse_errc::trailing_content);
  CHECK(refusal("{}{}") == parse_errc::trailing_content);
  CHECK(refusal("1 2") == parse_errc::trailing_content);
  // nlohmann's lexer stops at a NUL byte; parse_strict must not let that hide what follows.
  CHECK(refusal(std::string_view("{}\0", 3)) == parse_errc::syntax);
  CHECK(refusal(std::string_view("{}\0{\"a\":1}", 10)) == parse_errc::syntax);
  CHECK(refusal(std::string_view("[\"a\0\"]", 6)) == parse_errc::syntax);
  CHECK(parse_strict(std::string_view("{}\0", 3)).error.offset == 2);
  CHECK(refusal("\xef\xbb\xbf{}") == parse_errc::byte_order_mark);
  CHECK(refusal("[1e400]") == parse_errc::number_out_of_range);
  CHECK(refusal("[-1e400]") == parse_errc::number_out_of_range);
  // Whitespace around the value is allowed (RFC 8259 §2).
  CHECK(parse_strict(" \t\r\n{\"a\":[]} \n").ok());
}

TEST_CASE("parse_strict reports where a syntax error is", "[json][parse]") {
  const auto r = parse_strict("[1,2,,3]");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.code == parse_errc::syntax);
  CHECK(r.error.offset == 5);
  const auto end = parse_strict("{\"a\":");
  REQUIRE_FALSE(end.ok());
  CHECK(end.error.offset == 5);  // unexpected end: the size of the text
}

TEST_CASE("parse_strict refuses ill-formed UTF-8 and unpaired surrogates", "[json][parse][utf8]") {
  CHECK(refusal("[\"\x80\"]") == parse_errc::invalid_utf8);              // lone continuation byte
  CHECK(refusal("[\"\xc0\xaf\"]") == parse_errc::invalid_utf8);          // overlong '/'
  CHECK(refusal("[\"\xe0\x80\xaf\"]") == parse_errc::invalid_utf8);      // overlong, 3 bytes
  CHECK(refusal("[\"\xed\xa0\x80\"]") == parse_errc::invalid_utf8);      // encoded surrogate U+D800
  CHECK(refusal("[\"\xf4\x90\x80\x80\"]") == parse_errc::invalid_utf8);  // above U+10FFFF
  CHECK(refusal("[\"\xf5\x80\x80\x80\"]") == parse_errc::invalid_utf8);
  CHECK(refusal("[\"\xe2\x82\"]") == parse_errc::invalid_utf8);  // truncated sequence
  CHECK(refusal("{\"\xff\":1}") == parse_errc::invalid_utf8);    // in a member name
  CHECK(refusal(R"(["\ud800"])") == parse_errc::invalid_utf8);
  CHECK(refusal(R"(["\udc00"])") == parse_errc::invalid_utf8);
  CHECK(refusal(R"(["\ud800\u0041"])") == parse_errc::invalid_utf8);
  // Outside strings a non-ASCII byte is simply not JSON.
  CHECK(refusal("[1,\xc3\xa9]") == parse_errc::syntax);
  // Well-formed UTF-8 and paired escapes are fine.
  const auto ok = parse_strict(R"(["\ud83d\ude02", "😂", "é", "€"])");
  REQUIRE(ok.ok());
  CHECK((*ok.value)[0] == (*ok.value)[1]);
}

TEST_CASE("parse_strict error messages are printable ASCII", "[json][parse]") {
  for (const char* text : {"[\"\xff\xfe\"]", "[\xff]", "{\"\xc3\xa9\":1,\"\xc3\xa9\":1}", "[\"\x01\"]"}) {
    const auto r = parse_strict(text);
    REQUIRE_FALSE(r.ok());
    CHECK_FALSE(r.error.message.empty());
    for (const char c : r.error.message) {
      CHECK(c >= 0x20);
      CHECK(c <= 0x7e);
    }
    // So an error can go into a JSON log record without dump() throwing on bad UTF-8.
    CHECK_NOTHROW(nlohmann::json(r.error.message).dump());
  }
}

TEST_CASE("parse_strict enforces the nesting limit exactly", "[json][parse][limits]") {
  parse_limits limits;
  limits.max_depth = 4;
  CHECK(parse_strict("[[[[1]]]]", limits).ok());
  CHECK(parse_strict(R"({"a":{"b":[{"c":1}]}})", limits).ok());
  CHECK(refusal("[[[[[1]]]]]", limits) == parse_errc::too_deep);
  CHECK(refusal(R"({"a":{"b":[{"c":[]}]}})", limits) == parse_errc::too_deep);
  const auto r = parse_strict("[[[[[1]]]]]", limits);
  CHECK(r.error.offset == 4);  // the fifth '['

  // The default (32) refuses a hostile 100,000-deep text quickly and without recursion.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(refusal(deep) == parse_errc::too_deep);
  CHECK(parse_strict(std::string(32, '[') + std::string(32, ']')).ok());
  CHECK(refusal(std::string(33, '[') + std::string(33, ']')) == parse_errc::too_deep);
}

TEST_CASE("parse_strict enforces the size, string, member and element limits exactly", "[json][parse][limits]") {
  parse_limits limits;
  limits.max_bytes = 10;
  CHECK(parse_strict("[1,2,3,45]", limits).ok());
  CHECK(refusal("[1,2,3,456]", limits) == parse_errc::too_large);
  CHECK(refusal(std::string((std::size_t{1} << 20) + 1, ' ')) == parse_errc::too_large);  // default: 1 MiB

  limits = {};
  limits.max_string_bytes = 3;
  CHECK(parse_strict(R"(["abc", {"xyz": "\u00e9"}])", limits).ok());  // 2 bytes once unescaped
  CHECK(refusal(R"(["abcd"])", limits) == parse_errc::string_too_long);
  CHECK(refusal(R"({"abcd":1})", limits) == parse_errc::string_too_long);

  limits = {};
  limits.max_object_members = 2;
  CHECK(parse_strict(R"({"a":1,"b":{"c":1,"d":2}})", limits).ok());
  CHECK(refusal(R"({"a":1,"b":2,"c":3})", limits) == parse_errc::too_many_members);

  limits = {};
  limits.max_array_elements = 2;
  CHECK(parse_strict("[1,[2,3]]", limits).ok());
  CHECK(refusal("[1,2,3]", limits) == parse_errc::too_many_elements);
  CHECK(refusal("[[1,2,3]]", limits) == parse_errc::too_many_elements);
}

TEST_CASE("parse_strict keeps numbers as nlohmann reads them", "[json][parse]") {
  const char* text = "[0, -0, 9007199254740991, -9007199254740991, 1.5, 1e2, 100000000000000000000, 1E30]";
  const auto r = parse_strict(text);
  REQUIRE(r.ok());
  const auto& a = *r.value;
  CHECK(a == nlohmann::json::parse(text));
  CHECK(a[2].is_number_unsigned());
  CHECK(a[3].is_number_integer());
  CHECK(a[4].is_number_float());
  CHECK(a[6].is_number_float());  // 10^20, beyond uint64: a double
}

TEST_CASE("parse_strict refuses numbers readers would read differently, naming their path", "[json][parse][number]") {
  // Each pair is two numbers to Python, Go (UseNumber) and Java, one double to JCS.
  const std::pair<const char*, const char*> refused[] = {
      {R"({"target_account_id":1234567890123456789})", "/target_account_id"},
      {"[9007199254740993]", "/0"},
      {"[-9007199254740993]", "/0"},
      {"[18446744073709551615]", "/0"},
      {"[-9223372036854775808]", "/0"},
      {R"({"a":[1,{"b~/c":0.10000000000000000001}]})", "/a/1/b~0~1c"},
      {"[1234567890123456768]", "/0"},  // exactly a double, but canonically 1234567890123456800
      {"[1e-400]", "/0"},               // not zero, read as zero
      {"[4.9406564584124654e-324]", "/0"},  // round-trips, but its canonical form is 5e-324
      {"1.00000000000000000000000000001", ""},
  };
  for (const auto& [text, path] : refused) {
    INFO(text);
    const auto r = parse_strict(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.code == parse_errc::inexact_number);
    CHECK(r.error.path == path);
    CHECK(r.error.message.find(std::string(" at ") + (*path != 0 ? path : "the top level")) != std::string::npos);
  }
  // Exact: the literal is the number its canonical form writes.
  const char* exact = "[0.1, 4.50, 1e-7, 1E30, 2e-3, 9007199254740992, 1234567890123456800, 5e-324, -0.0, 0e999,"
                      " 0.000000000000000000000000001, 1.7976931348623157e308]";
  const auto ok = parse_strict(exact);
  REQUIRE(ok.ok());
  CHECK(ok.value->at(5).is_number_float());  // beyond 2^53 - 1: held as the double it is
  CHECK(*ok.value == nlohmann::json::parse(exact));
}

TEST_CASE("parse error codes have stable names", "[json][parse]") {
  CHECK(assent::json::to_string(parse_errc::duplicate_key) == "duplicate_key");
  CHECK(assent::json::to_string(parse_errc::too_deep) == "too_deep");
  CHECK(static_cast<int>(parse_errc::syntax) == 1);
  CHECK(static_cast<int>(parse_errc::internal) == 13);
  CHECK(static_cast<int>(parse_errc::inexact_number) == 14);
  CHECK(assent::json::to_string(parse_errc::inexact_number) == "inexact_number");
}
