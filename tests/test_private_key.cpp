// Signing keys from private JWKs and PKCS#8 PEM: RFC 8037 Appendix A reproduced exactly,
// Wycheproof private JWKs, OpenSSL interop, and the refusals (with the member at fault).
#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "assent/keys/jwks.hpp"
#include "assent/keys/private_key.hpp"
#include "catch.hpp"
#include "openssl_test_util.hpp"
#include "sodium_test_util.hpp"
#include "test_util.hpp"
#include "torsion_test_util.hpp"

namespace {

using assent_test::b64url;
using assent_test::openssl_generate;
using assent_test::openssl_private_pem;
using assent_test::openssl_raw_public;
using assent_test::openssl_sign;

nlohmann::json rfc8037() {
  return nlohmann::json::parse(assent_test::read_vector_file("rfc8037/rfc8037_appendix_a.json"));
}

// Loads a JWK that must be refused; checks the path and a piece of the message.
void expect_private_jwk_refused(const nlohmann::json& jwk, const std::string& path,
                                const std::string& needle, const std::string& kid = {}) {
  const auto result = assent::load_private_jwk(jwk.dump(), kid);
  INFO(jwk.dump());
  INFO(result.error.message);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error.path == path);
  CHECK(result.error.message.find(needle) != std::string::npos);
}

nlohmann::json a1_with(const std::string& name, const nlohmann::json& value) {
  auto jwk = rfc8037().at("A.1_ed25519_private_key").at("jwk");
  if (value.is_null()) {
    jwk.erase(name);
  } else {
    jwk[name] = value;
  }
  return jwk;
}

std::string temp_path(const std::string& suffix) {
  return "/tmp/assent-test-key-" + std::to_string(randombytes_random()) + suffix;
}

}  // namespace

TEST_CASE("private JWK loads RFC 8037 A.1 to the RFC 8032 TEST 1 key", "[private_key][rfc8037]") {
  const auto doc = rfc8037();
  const auto& a1 = doc.at("A.1_ed25519_private_key");
  const auto result = assent::load_private_jwk(a1.at("jwk").dump());
  INFO(result.error.message);
  REQUIRE(result.ok());
  CHECK(assent_test::hex(result.key->seed()) == a1.at("d_hex").get<std::string>());
  CHECK(assent_test::hex(result.key->public_key()) == a1.at("x_hex").get<std::string>());
  // A.1 has no kid: the key is named by its RFC 7638 thumbprint (A.3).
  CHECK(result.key->kid() == doc.at("A.3_jwk_thumbprint_canonicalization").at("thumbprint_base64url").get<std::string>());
  CHECK(result.key->principal().empty());
}

TEST_CASE("private JWK reproduces the RFC 8037 A.4 JWS signature byte for byte", "[private_key][rfc8037]") {
  const auto doc = rfc8037();
  const auto& a4 = doc.at("A.4_ed25519_signing");
  const auto result = assent::load_private_jwk(doc.at("A.1_ed25519_private_key").at("jwk").dump());
  REQUIRE(result.ok());
  const std::string input = a4.at("signing_input").get<std::string>();
  CHECK(input == a4.at("protected_header_b64u").get<std::string>() + "." + a4.at("payload_b64u").get<std::string>());
  const auto sig = result.key->sign(input);
  CHECK(assent_test::hex(sig) == a4.at("signature_hex").get<std::string>());
  CHECK(input + "." + b64url(sig) == a4.at("jws_compact").get<std::string>());
}

TEST_CASE("private JWK: A.5 validates under the A.2 key from a trusted set; tampered JWSs do not",
          "[private_key][rfc8037]") {
  const auto doc = rfc8037();
  auto pub = doc.at("A.2_ed25519_public_key").at("jwk");
  pub["kid"] = "rfc8037";
  pub["principal"] = "example";
  nlohmann::json set = nlohmann::json::object();
  set["keys"] = nlohmann::json::array({pub});
  const auto store = assent::load_jwks(set.dump());
  INFO(store.error.message);
  REQUIRE(store.ok());
  const auto& verifier = store.store->find("rfc8037").record->verifier();
  const auto check = [&](const std::string& jws) {
    const auto dot = jws.rfind('.');
    const auto sig = assent::base64url_decode(jws.substr(dot + 1));
    REQUIRE(sig.has_value());
    REQUIRE(sig->size() == 64);
    std::array<std::uint8_t, 64> s{};
    for (std::size_t i = 0; i < 64; ++i) s[i] = (*sig)[i];
    return verifier.verify(s, jws.substr(0, dot));
  };
  CHECK(check(doc.at("A.5_ed25519_validation").at("jws_compact").get<std::string>()));
  const auto& derived = doc.at("derived_not_from_rfc");
  CHECK_FALSE(check(derived.at("jws_tampered_payload").at("jws_compact").get<std::string>()));
  CHECK_FALSE(check(derived.at("jws_noncanonical_payload_encoding").at("jws_compact").get<std::string>()));
}

TEST_CASE("private JWK loads every Wycheproof private JWK to its key pair", "[private_key][wycheproof]") {
  const auto doc = nlohmann::json::parse(assent_test::read_vector_file("wycheproof/eddsa_test_legacy.json"));
  std::size_t n = 0;
  for (const auto& group : doc.at("testGroups")) {
    const auto result = assent::load_signing_key(group.at("jwk").dump());
    INFO(result.error.message);
    REQUIRE(result.ok());
    CHECK(assent_test::hex(result.key->seed()) == group.at("key").at("sk").get<std::string>());
    CHECK(assent_test::hex(result.key->public_key()) == group.at("key").at("pk").get<std::string>());
    CHECK(result.key->kid() == "none");
    // The first valid test of each group is reproduced by signing (Ed25519 is deterministic).
    for (const auto& t : group.at("tests")) {
      if (t.at("result") != "valid") continue;
      const auto msg = assent_test::unhex_or_throw(t.at("msg").get<std::string>());
      CHECK(assent_test::hex(result.key->sign(msg)) == t.at("sig").get<std::string>());
      break;
    }
    ++n;
  }
  CHECK(n == 51);
}

TEST_CASE("private JWK round-trips through to_private_jwk", "[private_key]") {
  const auto doc = rfc8037();
  const auto& a1 = doc.at("A.1_ed25519_private_key");
  const auto seed = assent_test::unhex_array<32>(a1.at("d_hex").get<std::string>());
  const auto key = assent::signing_key::from_seed(seed, "ops-\"1\"", "alice");
  const std::string text = assent::to_private_jwk(key);
  const auto parsed = nlohmann::json::parse(text);
  CHECK(parsed.at("d") == a1.at("jwk").at("d"));
  CHECK(parsed.at("x") == a1.at("jwk").at("x"));
  CHECK(parsed.at("kty") == "OKP");
  CHECK(parsed.at("crv") == "Ed25519");
  CHECK(parsed.at("kid") == "ops-\"1\"");
  CHECK(parsed.at("principal") == "alice");
  const auto back = assent::load_private_jwk(text);
  INFO(back.error.message);
  REQUIRE(back.ok());
  CHECK(back.key->seed() == seed);
  CHECK(back.key->kid() == "ops-\"1\"");
  CHECK(back.key->principal() == "alice");
  // Members are in RFC 8785 order, with no whitespace.
  CHECK(text.find(R"({"crv":"Ed25519","d":")") == 0);
  CHECK(text.find(' ') == std::string::npos);
}

TEST_CASE("private JWK may carry assent's key-set members", "[private_key]") {
  auto jwk = a1_with("kid", "alice-2026-11");
  jwk["principal"] = "alice";
  jwk["roles"] = {"admin"};
  jwk["status"] = "active";
  jwk["alg"] = "EdDSA";
  jwk["use"] = "sig";
  jwk["key_ops"] = {"verify", "sign"};
  const auto result = assent::load_private_jwk(jwk.dump());
  INFO(result.error.message);
  REQUIRE(result.ok());
  CHECK(result.key->kid() == "alice-2026-11");
  CHECK(result.key->principal() == "alice");
}

TEST_CASE("private JWK accepts alg Ed25519 (RFC 9864) and EdDSA (RFC 8037) alike", "[private_key][rfc9864]") {
  for (const char* alg : {"Ed25519", "EdDSA"}) {
    const auto result = assent::load_private_jwk(a1_with("alg", alg).dump());
    INFO(alg << ": " << result.error.message);
    REQUIRE(result.ok());
    CHECK(assent_test::hex(result.key->public_key()) ==
          rfc8037().at("A.1_ed25519_private_key").at("x_hex").get<std::string>());
  }
}

TEST_CASE("private JWK refuses an x with a small-order component before comparing it with d's key",
          "[private_key][reject][torsion]") {
  const auto a1 = rfc8037().at("A.1_ed25519_private_key");
  assent_torsion::point x{};
  const auto x_bytes = assent::base64url_decode(a1.at("jwk").at("x").get<std::string>());
  REQUIRE(x_bytes);
  std::copy(x_bytes->begin(), x_bytes->end(), x.begin());
  for (const auto& twin : {assent_torsion::order2_twin(x), assent_torsion::add(x, assent_torsion::order8_point())}) {
    expect_private_jwk_refused(a1_with("x", b64url(twin)), "/x", "prime-order subgroup");
  }
}

TEST_CASE("private JWK refuses a d that does not derive x, and malformed members", "[private_key][reject]") {
  const auto doc = rfc8037();
  // x of another key: the Wycheproof legacy file's first key.
  const auto other = nlohmann::json::parse(assent_test::read_vector_file("wycheproof/eddsa_test_legacy.json"))
                         .at("testGroups")
                         .at(0)
                         .at("jwk")
                         .at("x");
  expect_private_jwk_refused(a1_with("x", other), "/x", "not the public key of d");
  expect_private_jwk_refused(a1_with("x", nullptr), "/x", "missing");  // RFC 8037 §2: x MUST be present
  expect_private_jwk_refused(a1_with("d", nullptr), "/d", "missing");  // a public JWK is not a signing key
  expect_private_jwk_refused(a1_with("d", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="), "/d", "base64url");
  expect_private_jwk_refused(a1_with("d", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2B"), "/d", "base64url");  // spare bits
  expect_private_jwk_refused(a1_with("d", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2"), "/d", "base64url");
  expect_private_jwk_refused(a1_with("d", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyu"), "/d", "must encode 32 bytes, got 30");
  expect_private_jwk_refused(a1_with("d", 5), "/d", "wrong_type");
  expect_private_jwk_refused(a1_with("kty", "RSA"), "/kty", "OKP");
  expect_private_jwk_refused(a1_with("crv", "X25519"), "/crv", "Ed25519");
  expect_private_jwk_refused(a1_with("key_ops", {"verify"}), "/key_ops", "sign");
  expect_private_jwk_refused(a1_with("alg", "ES256"), "/alg", "Ed25519");
  expect_private_jwk_refused(a1_with("dp", "AAAA"), "/dp", "unknown_member");
  expect_private_jwk_refused(a1_with("kid", ""), "/kid", "empty");
  expect_private_jwk_refused(a1_with("kid", "mine"), "/kid", "\"theirs\" was asked for", "theirs");
  const auto bad_json = assent::load_private_jwk(R"({"d":"a","d":"b"})");
  CHECK_FALSE(bad_json.ok());
  CHECK(bad_json.error.message.find("duplicate_key") != std::string::npos);
}

TEST_CASE("load_signing_key reads OpenSSL's PKCS#8 PEM and signs like OpenSSL", "[private_key][interop]") {
  for (int i = 0; i < 8; ++i) {
    auto ossl = openssl_generate(EVP_PKEY_ED25519);
    const std::string pem = openssl_private_pem(ossl.get());
    const auto named = assent::load_signing_key(pem, "deploy-bot");
    INFO(named.error.message);
    REQUIRE(named.ok());
    CHECK(named.key->kid() == "deploy-bot");
    CHECK(named.key->public_key() == openssl_raw_public(ossl.get()));
    const std::string message = "release " + std::to_string(i);
    CHECK(named.key->sign(message) == openssl_sign(ossl.get(), message));
    // Without a kid, the thumbprint names it.
    const auto unnamed = assent::load_signing_key("\n" + pem.substr(0));
    CHECK_FALSE(unnamed.ok());  // PEM is strict: nothing before the BEGIN line
    const auto thumb = assent::load_signing_key(pem);
    REQUIRE(thumb.ok());
    CHECK(thumb.key->kid() == assent::jwk_thumbprint(openssl_raw_public(ossl.get())));
    // And assent's PEM of the key is OpenSSL's.
    CHECK(assent::to_private_key_pem(*named.key) == pem);
  }
}

TEST_CASE("load_signing_key tells JWK from PEM and refuses anything else", "[private_key][reject]") {
  const auto jwk = assent::load_signing_key("  " + rfc8037().at("A.1_ed25519_private_key").at("jwk").dump());
  CHECK(jwk.ok());
  const auto neither = assent::load_signing_key("ssh-ed25519 AAAA");
  CHECK_FALSE(neither.ok());
  CHECK(neither.error.message.find("neither a JWK") != std::string::npos);
  const auto empty = assent::load_signing_key("");
  CHECK_FALSE(empty.ok());
  const auto public_pem = assent::load_signing_key(assent::to_public_key_pem(
      assent_test::unhex_array<32>("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")));
  CHECK_FALSE(public_pem.ok());
  CHECK(public_pem.error.message.find("BEGIN PRIVATE KEY") != std::string::npos);
}

TEST_CASE("load_signing_key_file reads JWK and PEM key files", "[private_key]") {
  auto ossl = openssl_generate(EVP_PKEY_ED25519);
  const std::string pem_path = temp_path(".pem");
  const std::string jwk_path = temp_path(".jwk");
  {
    std::ofstream(pem_path, std::ios::binary) << openssl_private_pem(ossl.get());
    std::ofstream(jwk_path, std::ios::binary) << rfc8037().at("A.1_ed25519_private_key").at("jwk").dump(2) << "\n";
  }
  const auto from_pem = assent::load_signing_key_file(pem_path, "bot");
  const auto from_jwk = assent::load_signing_key_file(jwk_path);
  std::remove(pem_path.c_str());
  std::remove(jwk_path.c_str());
  INFO(from_pem.error.message);
  INFO(from_jwk.error.message);
  REQUIRE(from_pem.ok());
  REQUIRE(from_jwk.ok());
  CHECK(from_pem.key->public_key() == openssl_raw_public(ossl.get()));
  CHECK(assent_test::hex(from_jwk.key->public_key()) ==
        rfc8037().at("A.1_ed25519_private_key").at("x_hex").get<std::string>());
  const auto missing = assent::load_signing_key_file(pem_path);
  CHECK_FALSE(missing.ok());
  CHECK(missing.error.message.find("cannot open") != std::string::npos);
}

TEST_CASE("signing key result defaults to a failure", "[private_key]") {
  const assent::signing_key_result result;
  CHECK_FALSE(result.ok());
  CHECK_FALSE(static_cast<bool>(result));
}
