// Constant-time check of private-key import and export (load_private_jwk, to_private_jwk, and so
// `assent keygen`, which writes a fresh key with to_private_jwk), run under valgrind memcheck
// like ed25519_sign_ct.cpp.
//
// Import: the RFC 8037 A.1 private JWK is parsed as JSON (its structure is public), then the
// characters of its "d" are marked *undefined* in the parsed document and the key is loaded
// from it (detail::load_private_jwk_document, the part of load_private_jwk that reads the
// secret): base64url decoding, key derivation and the check that x is d's public key must not
// branch on, or index memory with, the characters or the seed. A "d" with an invalid character
// takes the same path and is refused.
// Export: the seed inside a signing key is marked undefined and to_private_jwk encodes it.
//
// What is public by design is marked defined inside the library with ASSENT_CT_DECLASSIFY,
// which this program defines as valgrind's VALGRIND_MAKE_MEM_DEFINED: the decoder's verdict
// (valid or not) and the public key derived from the seed. Results are declassified here before
// they are compared with RFC 8037's bytes.
//
// `--leaky` decodes "d" once more through a 256-entry table indexed by each character, the way
// assent's base64 decoder used to: under valgrind that run must fail (CTest: WILL_FAIL).
#include <valgrind/memcheck.h>

#define ASSENT_CT_DECLASSIFY(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "assent/json/strict_parse.hpp"
#include "assent/keys/private_key.hpp"

namespace {

// RFC 8037 Appendix A.1 (the RFC 8032 §7.1 TEST 1 key).
constexpr const char* a1_jwk =
    R"({"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
constexpr std::array<std::uint8_t, 32> a1_seed = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
// to_private_jwk of that key with kid "k1": RFC 8785 member order, no whitespace.
constexpr const char* a1_exported =
    R"({"crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","kid":"k1","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";

// Deliberately NOT constant time: a decode table indexed by secret characters.
volatile unsigned leak_sink = 0;
[[gnu::noinline]] void leaky_table_decode(const std::string& text) {
  static const auto table = [] {
    std::array<std::uint8_t, 256> t{};
    t.fill(0x80);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (unsigned i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
    return t;
  }();
  for (const char c : text) leak_sink = leak_sink + table[static_cast<unsigned char>(c)];
}

// Parses text and marks the characters of its "d" undefined.
nlohmann::json parse_with_secret_d(const std::string& text) {
  auto parsed = assent::json::parse_strict(text);
  if (!parsed) return nullptr;
  nlohmann::json doc = std::move(*parsed.value);
  auto& d = doc.at("d").get_ref<std::string&>();
  VALGRIND_MAKE_MEM_UNDEFINED(d.data(), d.size());
  return doc;
}

}  // namespace

int main(int argc, char** argv) {
  const bool leaky = argc > 1 && std::string(argv[1]) == "--leaky";
  const bool under_valgrind = RUNNING_ON_VALGRIND != 0;
  int failures = 0;

  // Import.
  {
    nlohmann::json doc = parse_with_secret_d(a1_jwk);
    if (leaky) leaky_table_decode(doc.at("d").get<std::string>());
    auto loaded = assent::detail::load_private_jwk_document(doc, "k1");
    if (!loaded.ok()) {
      std::fprintf(stderr, "private_jwk_ct: RFC 8037 A.1 refused: %s\n", loaded.error.message.c_str());
      ++failures;
    } else {
      auto seed = loaded.key->seed();
      VALGRIND_MAKE_MEM_DEFINED(seed.data(), seed.size());
      if (seed != a1_seed) {
        std::fprintf(stderr, "private_jwk_ct: RFC 8037 A.1 imported to the wrong seed\n");
        ++failures;
      }
    }
  }
  // Import of a "d" with a character outside the alphabet ('+' for '-'): the same constant-time
  // path, then a refusal.
  {
    std::string text = a1_jwk;
    text.replace(text.find("nWGxne_9"), 8, "nWGxne+9");
    nlohmann::json doc = parse_with_secret_d(text);
    const auto refused = assent::detail::load_private_jwk_document(doc, "k1");
    if (refused.ok() || refused.error.path != "/d") {
      std::fprintf(stderr, "private_jwk_ct: a d with '+' was not refused at /d\n");
      ++failures;
    }
  }
  // Export.
  {
    auto key = assent::signing_key::from_seed(a1_seed, "k1");
    const auto& seed = key.seed();
    VALGRIND_MAKE_MEM_UNDEFINED(seed.data(), seed.size());
    std::string text = assent::to_private_jwk(key);
    VALGRIND_MAKE_MEM_DEFINED(text.data(), text.size());
    if (text != a1_exported) {
      std::fprintf(stderr, "private_jwk_ct: exported %s\n", text.c_str());
      ++failures;
    }
  }
  std::printf("private_jwk_ct: RFC 8037 A.1 imported and exported %s%s%s\n", failures == 0 ? "correctly" : "WRONGLY",
              under_valgrind ? " under valgrind" : " (not under valgrind)",
              leaky ? ", with a deliberate table lookup on d" : "");
  return failures == 0 ? 0 : 2;
}
