// base64, base64url and hex: RFC 4648 vectors, libsodium as an independent implementation, and
// every strictness rule of the decoders.
#include <sodium.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/encoding.hpp"
#include "catch.hpp"
#include "test_util.hpp"

using assent::base64_alphabet;
using assent::base64_padding;
using assent::bytes;

namespace {

using assent_test::random_bytes;
using assent_test::unhex_or_throw;

nlohmann::json load_rfc4648() {
  std::ifstream in(std::string(ASSENT_VECTORS_DIR) + "/rfc4648/base64_vectors.json");
  if (!in) throw std::runtime_error("cannot open rfc4648/base64_vectors.json");
  return nlohmann::json::parse(in);
}

std::string sodium_base64(const bytes& data, int variant) {
  std::string out(sodium_base64_encoded_len(data.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), variant);
  out.resize(out.size() - 1);  // libsodium writes a terminating NUL
  return out;
}

std::optional<bytes> sodium_unbase64(const std::string& text, int variant) {
  bytes out(text.size() + 1);  // never empty: libsodium's arguments are declared non-null
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

bytes as_bytes(const std::string& s) { return bytes(s.begin(), s.end()); }

// Every way to decode that should accept `text` (padded standard base64 of `want`).
void check_decodes_standard_padded(const std::string& text, const bytes& want) {
  CHECK(assent::base64_decode(text) == want);
  CHECK(assent::base64_decode(text, base64_alphabet::standard, base64_padding::required) == want);
  CHECK(assent::base64_decode(text, base64_alphabet::standard, base64_padding::optional) == want);
}

}  // namespace

TEST_CASE("base64 encodes and decodes the RFC 4648 section 10 vectors and the alphabet extras",
          "[encoding][base64][vectors]") {
  const auto doc = load_rfc4648();
  std::size_t count = 0;
  for (const char* group : {"rfc4648_section10", "alphabet_edge_cases"}) {
    for (const auto& v : doc.at(group)) {
      const bytes input = unhex_or_throw(v.at("input_hex").get<std::string>());
      const auto std_text = v.at("base64").get<std::string>();
      const auto url_padded = v.at("base64url").get<std::string>();
      const auto url_text = v.at("base64url_nopad").get<std::string>();
      INFO(group << ": " << std_text);
      ++count;
      CHECK(assent::base64_encode(input) == std_text);
      CHECK(assent::base64url_encode(input) == url_text);
      check_decodes_standard_padded(std_text, input);
      CHECK(assent::base64url_decode(url_text) == input);
      CHECK(assent::base64_decode(url_padded, base64_alphabet::url, base64_padding::required) ==
            input);
      CHECK(assent::base64_decode(url_padded, base64_alphabet::url, base64_padding::optional) ==
            input);
      CHECK(assent::base64_decode(url_text, base64_alphabet::url, base64_padding::optional) ==
            input);
      if (v.contains("input_ascii")) CHECK(input == as_bytes(v.at("input_ascii").get<std::string>()));
    }
  }
  CHECK(count == 14);
}

TEST_CASE("base64 decoders reject the other alphabet's characters", "[encoding][base64]") {
  // 0xfb 0xff 0xbf encodes to characters 62 and 63 only.
  CHECK(assent::base64_decode("+/+/") == bytes{0xfb, 0xff, 0xbf});
  CHECK(assent::base64url_decode("-_-_") == bytes{0xfb, 0xff, 0xbf});
  CHECK_FALSE(assent::base64_decode("-_-_").has_value());
  CHECK_FALSE(assent::base64url_decode("+/+/").has_value());
  CHECK_FALSE(assent::base64_decode("+/-_").has_value());
  CHECK_FALSE(assent::base64url_decode("-_+/").has_value());
}

TEST_CASE("base64 decoders reject invalid characters", "[encoding][base64]") {
  for (const std::string& text : std::vector<std::string>{"Zm9v!A==", "Zm9v*A==", "Zm.v", "Zm9v\x80" "A==", "Zm9v\xc3\xa9" "=",
                                 std::string("Zm9v\0A==", 8), std::string("Zg=\0", 4)}) {
    INFO(text);
    CHECK_FALSE(assent::base64_decode(text).has_value());
    CHECK_FALSE(assent::base64_decode(text, base64_alphabet::standard, base64_padding::optional)
                    .has_value());
    CHECK_FALSE(assent::base64url_decode(text).has_value());
  }
}

TEST_CASE("base64 decoders reject whitespace anywhere", "[encoding][base64]") {
  for (const std::string& text : std::vector<std::string>{" Zm9v", "Zm9v ", "Zm 9v", "Zm9v\n", "\tZm9v", "Zm9v\r\nYmFy",
                                 "Zg== ", "Zg= =", "Zm9vYmFy\n"}) {
    INFO('"' << text << '"');
    CHECK_FALSE(assent::base64_decode(text).has_value());
    CHECK_FALSE(assent::base64_decode(text, base64_alphabet::standard, base64_padding::optional)
                    .has_value());
    CHECK_FALSE(assent::base64url_decode(text).has_value());
  }
}

TEST_CASE("base64 with padding required rejects missing padding", "[encoding][base64]") {
  for (const std::string& text : std::vector<std::string>{"Zg", "Zm8", "Zm9vYg", "Zm9vYmE"}) {
    INFO(text);
    CHECK_FALSE(assent::base64_decode(text).has_value());
    CHECK_FALSE(
        assent::base64_decode(text, base64_alphabet::url, base64_padding::required).has_value());
    // The same text is fine where padding is optional.
    CHECK(assent::base64_decode(text, base64_alphabet::standard, base64_padding::optional)
              .has_value());
  }
}

TEST_CASE("base64url with padding forbidden rejects any padding", "[encoding][base64]") {
  for (const std::string& text : std::vector<std::string>{"Zg==", "Zm8=", "Zm9vYg==", "Zm9vYmE=", "Zg=", "Zm8=A"}) {
    INFO(text);
    CHECK_FALSE(assent::base64url_decode(text).has_value());
    CHECK_FALSE(
        assent::base64_decode(text, base64_alphabet::standard, base64_padding::forbidden)
            .has_value());
  }
}

TEST_CASE("base64 decoders reject wrong, partial or extra padding", "[encoding][base64]") {
  for (const std::string text :
       {"Zg=", "Zg===", "Zm8==", "Zm9v=", "Zm9v==", "Zm9v====", "Zm9v=A==", "Z===", "====", "=",
        "==", "=Zg=", "Zg==Zg==", "Zm=v", "Zm9vYg=", "Zm9vYg===", "Zm9vYmE==", "Zm9vYmFy="}) {
    INFO(text);
    CHECK_FALSE(assent::base64_decode(text).has_value());
    CHECK_FALSE(assent::base64_decode(text, base64_alphabet::standard, base64_padding::optional)
                    .has_value());
    CHECK_FALSE(
        assent::base64_decode(text, base64_alphabet::url, base64_padding::optional).has_value());
  }
}

TEST_CASE("base64 decoders reject impossible lengths", "[encoding][base64]") {
  // A length of 1 mod 4 leaves one character (6 bits) that cannot complete a byte.
  for (const std::string& text : std::vector<std::string>{"Z", "Zm9vY", "Zm9vYmFyZ", "Zm9vYmFyZm9vY"}) {
    INFO(text);
    CHECK_FALSE(assent::base64_decode(text).has_value());
    CHECK_FALSE(assent::base64url_decode(text).has_value());
    CHECK_FALSE(assent::base64_decode(text, base64_alphabet::standard, base64_padding::optional)
                    .has_value());
  }
}

TEST_CASE("base64 decoders reject non-zero trailing bits (one encoding per value)",
          "[encoding][base64]") {
  CHECK(assent::base64_decode("Zg==") == as_bytes("f"));
  CHECK(assent::base64_decode("Zm8=") == as_bytes("fo"));
  for (const std::string& text : std::vector<std::string>{"Zh==", "Zv==", "Zm9=", "Zm+="}) {
    INFO(text);
    CHECK_FALSE(assent::base64_decode(text).has_value());
    CHECK_FALSE(assent::base64_decode(text, base64_alphabet::standard, base64_padding::optional)
                    .has_value());
  }
  for (const std::string& text : std::vector<std::string>{"Zh", "Zv", "Zm9", "Zm-", "Zm9vYmF"}) {
    INFO(text);
    CHECK_FALSE(assent::base64url_decode(text).has_value());
  }
}

TEST_CASE("every base64 string of two to four characters that decodes is the canonical encoding",
          "[encoding][base64]") {
  // Exhaustive over the alphabet for 2 and 3 characters (all tail shapes), sampled for 4: a
  // successful decode must re-encode to exactly the input, so no two strings share a value.
  const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::size_t accepted = 0;
  for (char a : chars) {
    for (char b : chars) {
      const std::string two{a, b};
      if (auto d = assent::base64url_decode(two)) {
        ++accepted;
        CHECK(assent::base64url_encode(*d) == two);
      }
      for (char c : chars) {
        const std::string three{a, b, c};
        if (auto d = assent::base64url_decode(three)) {
          ++accepted;
          CHECK(assent::base64url_encode(*d) == three);
        }
      }
    }
  }
  // Exactly one string per 1-byte and per 2-byte value.
  CHECK(accepted == 256 + 65536);
}

TEST_CASE("base64 and hex round-trip random data and agree with libsodium",
          "[encoding][differential]") {
  REQUIRE(sodium_init() >= 0);
  std::mt19937_64 rng(4648);
  for (std::size_t len = 0; len <= 1000; ++len) {
    INFO("length " << len);
    const bytes data = random_bytes(rng, len);
    const auto std_text = assent::base64_encode(data);
    const auto url_text = assent::base64url_encode(data);
    const auto hex_text = assent::hex_encode(data);
    CHECK(std_text == sodium_base64(data, sodium_base64_VARIANT_ORIGINAL));
    CHECK(url_text == sodium_base64(data, sodium_base64_VARIANT_URLSAFE_NO_PADDING));
    std::string sodium_hex(2 * len + 1, '\0');
    sodium_bin2hex(sodium_hex.data(), sodium_hex.size(), data.data(), data.size());
    sodium_hex.pop_back();
    CHECK(hex_text == sodium_hex);
    CHECK(assent::base64_decode(std_text) == data);
    CHECK(assent::base64url_decode(url_text) == data);
    CHECK(assent::hex_decode(hex_text) == data);
  }
}

TEST_CASE("base64 decoders accept exactly what libsodium's strict decoder accepts",
          "[encoding][differential]") {
  REQUIRE(sodium_init() >= 0);
  // Random short strings over the alphabet plus '=', whitespace and the other alphabet's
  // characters, so valid, invalid and almost-valid inputs are all common.
  const std::string pool = "AZaz09+/-_=   =Zgm8Q\nw";
  std::mt19937_64 rng(1234);
  std::size_t accepted = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string text(rng() % 13, '\0');
    for (auto& c : text) c = pool[rng() % pool.size()];
    INFO('"' << text << '"');
    const auto ours_std = assent::base64_decode(text);
    const auto ours_url = assent::base64url_decode(text);
    CHECK(ours_std == sodium_unbase64(text, sodium_base64_VARIANT_ORIGINAL));
    CHECK(ours_url == sodium_unbase64(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING));
    if (ours_std) {
      ++accepted;
      CHECK(assent::base64_encode(*ours_std) == text);
    }
    if (ours_url) CHECK(assent::base64url_encode(*ours_url) == text);
  }
  CHECK(accepted > 1000);  // the generator must produce valid inputs too
}

TEST_CASE("hex decodes lowercase and rejects uppercase, odd length and non-hex characters",
          "[encoding][hex]") {
  CHECK(assent::hex_decode("") == bytes{});
  CHECK(assent::hex_decode("00ff7a") == bytes{0x00, 0xff, 0x7a});
  CHECK(assent::hex_encode(bytes{0x00, 0xff, 0x7a, 0xab}) == "00ff7aab");
  for (const std::string& text : std::vector<std::string>{"AB", "00FF", "aB", "abc", "0", "zz", "0x00", " 00", "00 ",
                                 "0\n", "g0", "\xc3\xa9", std::string("0\0", 2)}) {
    INFO('"' << text << '"');
    CHECK_FALSE(assent::hex_decode(text).has_value());
  }
}

TEST_CASE("hex_decode_fixed takes exactly 2N lowercase characters", "[encoding][hex]") {
  const auto ok = assent::hex_decode_fixed<3>("0a0b0c");
  REQUIRE(ok.has_value());
  CHECK(*ok == std::array<std::uint8_t, 3>{0x0a, 0x0b, 0x0c});
  CHECK_FALSE(assent::hex_decode_fixed<3>("0a0b").has_value());
  CHECK_FALSE(assent::hex_decode_fixed<3>("0a0b0c0d").has_value());
  CHECK_FALSE(assent::hex_decode_fixed<3>("0a0b0").has_value());
  CHECK_FALSE(assent::hex_decode_fixed<3>("0A0B0C").has_value());
  CHECK_FALSE(assent::hex_decode_fixed<3>("0a0b0x").has_value());
  CHECK(assent::hex_decode_fixed<0>("").has_value());
}

TEST_CASE("base64 constant-time character arithmetic matches the RFC 4648 alphabets on every byte",
          "[encoding][base64][ct]") {
  const std::string standard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::uint32_t v = 0; v < 64; ++v) {
    CHECK(assent::detail::ct_base64_char(v, assent::detail::base64_standard_extra) == standard[v]);
    CHECK(assent::detail::ct_base64_char(v, assent::detail::base64_url_extra) == url[v]);
  }
  for (std::uint32_t c = 0; c < 256; ++c) {
    const auto in_standard = standard.find(static_cast<char>(c));
    const auto in_url = url.find(static_cast<char>(c));
    INFO(c);
    CHECK(assent::detail::ct_base64_value(c, assent::detail::base64_standard_extra) ==
          (in_standard == std::string::npos ? assent::detail::invalid_char : in_standard));
    CHECK(assent::detail::ct_base64_value(c, assent::detail::base64_url_extra) ==
          (in_url == std::string::npos ? assent::detail::invalid_char : in_url));
  }
}

TEST_CASE("base64 decoders for public data and for secrets accept exactly the same texts",
          "[encoding][base64][differential]") {
  // The table decoder (envelopes, public keys) and the constant-time one (private keys) must be
  // one language: a text that one accepts and the other refuses would be a second spelling.
  std::mt19937_64 rng(assent_test::differential_seed());
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_= \n.";
  std::uniform_int_distribution<std::size_t> len(0, 24), pick(0, alphabet.size() - 1), byte(0, 255);
  for (std::size_t n = 0; n < assent_test::differential_count() * 200; ++n) {
    std::string text(len(rng), '\0');
    for (auto& c : text) c = (n % 7 == 0) ? static_cast<char>(byte(rng)) : alphabet[pick(rng)];
    if (n % 3 == 0) text = assent::base64_encode(assent::byte_view(text));  // valid-looking
    for (const auto alpha : {assent::base64_alphabet::standard, assent::base64_alphabet::url}) {
      for (const auto pad : {assent::base64_padding::required, assent::base64_padding::forbidden,
                             assent::base64_padding::optional}) {
        INFO(text);
        CHECK(assent::base64_decode(text, alpha, pad) == assent::base64_decode_vartime(text, alpha, pad));
      }
    }
  }
}
