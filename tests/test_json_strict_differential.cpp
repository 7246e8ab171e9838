// parse_strict is a hand-written reader; nlohmann's own parser is the independent one it must
// agree with. On texts mutated at random from credential-like documents: whatever nlohmann
// refuses, parse_strict refuses; whatever parse_strict accepts, nlohmann reads as the same
// value, with the same number types. parse_strict refuses more (duplicate names, NUL bytes,
// numbers readers would read differently), never less.
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "assent/json/strict_parse.hpp"
#include "catch.hpp"
#include "test_util.hpp"

namespace {

// nlohmann's value, or null when it refuses (an exception of any kind) the text.
std::optional<nlohmann::json> nlohmann_reading(const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (...) {
    return std::nullopt;
  }
}

// nlohmann's value with the one typing parse_strict changes: an integer beyond 2^53 - 1 (which
// parse_strict accepts only when it is exactly a double) becomes that double.
nlohmann::json strict_differential_typing(const nlohmann::json& v) {
  if (v.is_structured()) {
    nlohmann::json out = v;
    for (auto it = out.begin(); it != out.end(); ++it) *it = strict_differential_typing(*it);
    return out;
  }
  if (v.is_number_integer() && !assent::json::number_is_exact(v)) return nlohmann::json(v.get<double>());
  return v;
}

// Equal values and equal types all the way down (== alone calls 1 and 1.0 equal).
bool same_typed(const nlohmann::json& a, const nlohmann::json& b) {
  const nlohmann::json c = strict_differential_typing(b);
  return a == c && a.dump() == c.dump();
}

}  // namespace

TEST_CASE("parse_strict agrees with nlohmann's parser on mutated documents", "[json][parse][differential]") {
  const char* seeds[] = {
      R"({"payloadType":"application/vnd.assent.approval.v1+json","payload":"eyJpZCI6ImEifQ==","signatures":[{"keyid":"alice-1","sig":"AAAA"}]})",
      R"([0,-0,1.5e3,-1E-2,18446744073709551615,18446744073709551616,-9223372036854775808,-9223372036854775809,1e400,true,false,null])",
      R"(["a\"\\\/\b\f\n\r\t\u0041\ud83d\ude02", "\u00e9\u20ac", "plain text that is longer than eight bytes"])",
      R"({"a":{"b":[{"c":[]},{}],"d":"x"},"e":[1,2,[3,[4]]]})",
      " \t\r\n{\"k\" : [ 1 , 2 ] , \"l\" : { } }  ",
  };
  // Bytes that matter to JSON's grammar, escapes, numbers and UTF-8 (valid and not).
  const std::string alphabet = std::string("{}[],:\"\\ntfrue0123456789-+.eE \t\r\nau/") + "\x80\xc3\xa9\xed\xa0\xff\x01\x7f";
  std::mt19937_64 rng(assent_test::differential_seed());
  const std::size_t rounds = 200 * assent_test::differential_count();
  std::size_t accepted = 0, refused = 0;
  for (std::size_t i = 0; i < rounds; ++i) {
    std::string t = seeds[rng() % 5];
    assent_test::mutate_text(rng, t, alphabet, 4, /*truncate=*/true);
    const auto ours = assent::json::parse_strict(t);
    const auto theirs = nlohmann_reading(t);
    INFO("text: " << t);
    if (ours.ok()) {
      ++accepted;
      REQUIRE(theirs.has_value());
      REQUIRE(same_typed(*ours.value, *theirs));
    } else {
      ++refused;
      // Refusing what nlohmann reads is allowed only for assent's extra rules.
      if (theirs.has_value())
        CHECK((ours.error.code == assent::json::parse_errc::duplicate_key ||
               ours.error.code == assent::json::parse_errc::inexact_number ||
               t.find('\0') != std::string::npos));
    }
  }
  // Both sides of the comparison were exercised.
  CHECK(accepted > rounds / 100);
  CHECK(refused > rounds / 100);
}

TEST_CASE("parse_strict reads long strings, escapes and UTF-8 at every alignment", "[json][parse]") {
  // The string scanner works eight bytes at a time; put each special byte at every position.
  const std::string specials[] = {"\\\"", "\\\\", "\\n", "\\u0001", "\xc3\xa9", "\xf0\x9f\x98\x82"};
  for (const auto& special : specials) {
    for (std::size_t before = 0; before < 20; ++before) {
      const std::string inner = std::string(before, 'x') + special + std::string(19 - before, 'y');
      const std::string text = "[\"" + inner + "\"]";
      const auto r = assent::json::parse_strict(text);
      INFO(text);
      REQUIRE(r.ok());
      CHECK(*r.value == nlohmann::json::parse(text));
    }
  }
  // A raw control character or an invalid byte is refused wherever it sits.
  for (std::size_t before = 0; before < 20; ++before) {
    for (const char bad : {'\x01', '\x1f', '\n'}) {
      const std::string text = "[\"" + std::string(before, 'x') + bad + "yyyyyyyyyy\"]";
      CHECK(assent::json::parse_strict(text).error.code == assent::json::parse_errc::syntax);
    }
    const std::string text = "[\"" + std::string(before, 'x') + "\xff" + "yyyyyyyyyy\"]";
    CHECK(assent::json::parse_strict(text).error.code == assent::json::parse_errc::invalid_utf8);
  }
}
