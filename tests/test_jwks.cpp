// Trusted key sets (JWKS with assent's members): RFC 8037 and Wycheproof keys load to the right
// public keys, every documented member is read, and every refusal names the key and the path.
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/json/jcs.hpp"
#include "assent/keys/jwks.hpp"
#include "catch.hpp"
#include "sodium_test_util.hpp"
#include "test_util.hpp"
#include "torsion_test_util.hpp"

namespace {

using assent::crypto::ed25519::public_key;
// Independent encoder (libsodium), so the tests do not trust the code under test to build input.
using assent_test::b64url;

struct keypair {
  public_key pk{};
  std::array<std::uint8_t, 64> sk{};
};

// A key pair from libsodium, derived from a fixed seed so failures are reproducible.
keypair sodium_keypair(std::uint8_t n) {
  REQUIRE(sodium_init() >= 0);
  std::array<std::uint8_t, 32> seed{};
  seed.fill(n);
  keypair kp;
  crypto_sign_seed_keypair(kp.pk.data(), kp.sk.data(), seed.data());
  return kp;
}

// A minimal valid trusted JWK for key pair n.
nlohmann::json jwk(std::uint8_t n, const std::string& kid) {
  return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", b64url(sodium_keypair(n).pk)}, {"kid", kid}, {"principal", "p" + kid}};
}

nlohmann::json set_of(std::vector<nlohmann::json> keys) {
  nlohmann::json set = nlohmann::json::object();
  set["keys"] = std::move(keys);
  return set;
}

// Loads text that must be refused; checks the error's path and that its message has `needle`.
void expect_jwks_refused(const std::string& text, const std::string& path,
                         const std::string& needle) {
  const auto result = assent::load_jwks(text);
  INFO(text);
  INFO(result.error.message);
  REQUIRE_FALSE(result.ok());
  CHECK(result.store == nullptr);
  CHECK(result.error.path == path);
  CHECK(result.error.message.find(needle) != std::string::npos);
}
void expect_jwks_refused(const nlohmann::json& set, const std::string& path,
                         const std::string& needle) {
  expect_jwks_refused(set.dump(), path, needle);
}

// One key "k0" with a member changed (or removed, when value is null).
nlohmann::json with_member(const std::string& name, const nlohmann::json& value) {
  auto k = jwk(1, "k0");
  if (value.is_null()) {
    k.erase(name);
  } else {
    k[name] = value;
  }
  return set_of({k});
}

}  // namespace

TEST_CASE("jwks loads the documented example with every assent member", "[jwks]") {
  const auto kp = sodium_keypair(7);
  const std::string text = R"({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": ")" + b64url(kp.pk) + R"(",
      "kid": "alice-2026-11", "alg": "EdDSA", "use": "sig", "key_ops": ["verify"], "principal": "alice",
      "roles": ["security_owner", "admin"], "status": "retired", "nbf": 1763683200, "exp": 1795219200,
      "retired_at": 1790000000, "environments": ["prod", "staging"]}]})";
  const auto result = assent::load_jwks(text);
  INFO(result.error.message);
  REQUIRE(result.ok());
  REQUIRE(result.store->size() == 1);
  const auto found = result.store->find("alice-2026-11");
  REQUIRE(found.status == assent::lookup_status::found);
  const auto& r = *found.record;
  CHECK(r.public_key() == kp.pk);
  CHECK(r.principal() == "alice");
  CHECK(r.roles() == std::vector<std::string>{"admin", "security_owner"});
  CHECK(r.status() == assent::key_status::retired);
  CHECK(r.not_before() == 1763683200);
  CHECK(r.expires_at() == 1795219200);
  CHECK(r.retired_at() == 1790000000);
  REQUIRE(r.environments().has_value());
  CHECK(r.allows_environment("prod"));
  CHECK_FALSE(r.allows_environment("dev"));
  CHECK(result.store->find("bob").status == assent::lookup_status::not_found);

  // The loaded key verifies what libsodium signed with the matching secret key.
  const std::string message = "deploy api to prod";
  std::array<std::uint8_t, 64> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       kp.sk.data());
  CHECK(r.verifier().verify(sig, message));
}

TEST_CASE("jwks defaults: active status, no roles, every environment", "[jwks]") {
  const auto result = assent::load_jwks(set_of({jwk(1, "k0")}).dump());
  REQUIRE(result.ok());
  const auto& r = *result.store->find("k0").record;
  CHECK(r.status() == assent::key_status::active);
  CHECK(r.roles().empty());
  CHECK_FALSE(r.environments().has_value());
  CHECK(r.allows_environment("anything"));
  CHECK_FALSE(r.not_before().has_value());
  CHECK_FALSE(r.expires_at().has_value());
}

TEST_CASE("jwks RFC 8037 A.3 thumbprint is reproduced exactly", "[jwks][rfc8037]") {
  const auto doc = nlohmann::json::parse(assent_test::read_vector_file("rfc8037/rfc8037_appendix_a.json"));
  const auto& a3 = doc.at("A.3_jwk_thumbprint_canonicalization");
  const auto pk = assent_test::unhex_array<32>(doc.at("A.1_ed25519_private_key").at("x_hex").get<std::string>());
  CHECK(assent::jwk_thumbprint(pk) == a3.at("thumbprint_base64url").get<std::string>());
  // The hashed input is the RFC's canonical JSON (checked through libsodium's SHA-256).
  const auto canonical = a3.at("canonical_json").get<std::string>();
  std::array<std::uint8_t, 32> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size());
  CHECK(assent_test::hex(digest) == a3.at("sha256_hex").get<std::string>());
  CHECK(b64url(digest) == a3.at("thumbprint_base64url").get<std::string>());
}

TEST_CASE("jwks loads the RFC 8037 key set once it names a principal", "[jwks][rfc8037]") {
  const auto doc = nlohmann::json::parse(assent_test::read_vector_file("rfc8037/rfc8037_appendix_a.json"));
  auto set = doc.at("derived_not_from_rfc").at("jwks_rfc7517_format");
  const std::string kid = set.at("keys").at(0).at("kid").get<std::string>();
  // As published it has no principal: a trusted set must say who holds the key.
  expect_jwks_refused(set, "/keys/0/principal", "key \"" + kid + "\"");
  set["keys"][0]["principal"] = "rfc8037-example";
  const auto result = assent::load_jwks(set.dump());
  INFO(result.error.message);
  REQUIRE(result.ok());
  const auto record = result.store->find(kid).record;
  REQUIRE(record != nullptr);
  CHECK(assent_test::hex(record->public_key()) ==
        doc.at("A.1_ed25519_private_key").at("x_hex").get<std::string>());
  CHECK(assent::jwk_thumbprint(record->public_key()) == kid);  // the set's kid is the A.3 thumbprint
}

TEST_CASE("jwks imports every Wycheproof JWK identically, and refuses it while it holds d", "[jwks][wycheproof]") {
  const auto doc = nlohmann::json::parse(assent_test::read_vector_file("wycheproof/eddsa_test_legacy.json"));
  std::size_t n = 0;
  for (const auto& group : doc.at("testGroups")) {
    auto key = group.at("jwk");
    key["principal"] = "wycheproof";
    REQUIRE(key.contains("d"));
    expect_jwks_refused(set_of({key}), "/keys/0/d", "private key material");
    key.erase("d");
    const auto result = assent::load_jwks(set_of({key}).dump());
    INFO(result.error.message);
    REQUIRE(result.ok());
    CHECK(assent_test::hex(result.store->find("none").record->public_key()) == group.at("key").at("pk").get<std::string>());
    ++n;
  }
  CHECK(n == 51);
}

TEST_CASE("jwks round-trips through to_jwks and canonical JSON", "[jwks]") {
  auto k0 = jwk(1, "k0");
  k0["roles"] = {"b", "a"};
  k0["nbf"] = 100;
  k0["exp"] = 200;
  k0["environments"] = {"prod"};
  auto k1 = jwk(2, "k1");
  k1["status"] = "revoked";
  k1["retired_at"] = 150;
  auto k2 = jwk(3, "k2/~:+=!#");  // a kid of visible ASCII beyond the name characters
  k2["principal"] = "k2";
  const auto first = assent::load_jwks(set_of({k0, k1, k2}).dump());
  INFO(first.error.message);
  REQUIRE(first.ok());
  const auto exported = assent::to_jwks(*first.store);
  const auto canonical = assent::json::canonicalize(exported);
  REQUIRE(canonical.has_value());
  const auto second = assent::load_jwks(*canonical);
  INFO(second.error.message);
  REQUIRE(second.ok());
  CHECK(assent::to_jwks(*second.store) == exported);
  CHECK(second.store->size() == 3);
  const auto& r0 = *second.store->find("k0").record;
  CHECK(r0.roles() == std::vector<std::string>{"a", "b"});
  CHECK(r0.not_before() == 100);
  CHECK(r0.expires_at() == 200);
  CHECK(second.store->find("k1").record->status() == assent::key_status::revoked);
  CHECK(second.store->find("k1").record->retired_at() == 150);
  // The exported JWK is the public JWK: kty, crv and x as RFC 8037 writes them.
  const auto jwk0 = assent::to_public_jwk(r0);
  CHECK(jwk0.at("x") == k0.at("x"));
  CHECK(jwk0.at("kty") == "OKP");
  CHECK(jwk0.at("crv") == "Ed25519");
  CHECK(jwk0.at("alg") == "EdDSA");
  CHECK_FALSE(jwk0.contains("d"));
}

TEST_CASE("jwks accepts alg Ed25519 (RFC 9864) and EdDSA (RFC 8037) alike", "[jwks][rfc9864]") {
  for (const char* alg : {"Ed25519", "EdDSA"}) {
    const auto result = assent::load_jwks(with_member("alg", alg).dump());
    INFO(alg << ": " << result.error.message);
    REQUIRE(result.ok());
    CHECK(result.store->find("k0").record->public_key() == sodium_keypair(1).pk);
  }
}

TEST_CASE("jwks refuses malformed documents", "[jwks][reject]") {
  expect_jwks_refused(std::string("not json"), "", "not strict JSON");
  expect_jwks_refused(std::string(R"({"keys": [], "keys": []})"), "", "duplicate_key");
  expect_jwks_refused(std::string("[]"), "", "expected an object");
  expect_jwks_refused(std::string("{}"), "/keys", "missing");
  expect_jwks_refused(std::string(R"({"keys": {}})"), "/keys", "expected an array");
  expect_jwks_refused(std::string(R"({"keys": []})"), "/keys", "must hold a key");
  expect_jwks_refused(std::string(R"({"keys": [5]})"), "/keys/0", "key #0 (no kid)");
  auto extra = set_of({jwk(1, "k0")});
  extra["comment"] = "x";
  expect_jwks_refused(extra, "/comment", "unknown_member");
}

TEST_CASE("jwks refuses keys of the wrong type or curve", "[jwks][reject]") {
  expect_jwks_refused(with_member("kty", "EC"), "/keys/0/kty", "key \"k0\"");
  expect_jwks_refused(with_member("kty", "EC"), "/keys/0/kty", "must be \"OKP\"");
  expect_jwks_refused(with_member("kty", nullptr), "/keys/0/kty", "missing");
  expect_jwks_refused(with_member("crv", "X25519"), "/keys/0/crv", "must be \"Ed25519\"");
  expect_jwks_refused(with_member("crv", "Ed448"), "/keys/0/crv", "key \"k0\"");
  expect_jwks_refused(with_member("alg", "ES256"), "/keys/0/alg", "Ed25519");
  expect_jwks_refused(with_member("alg", "ed25519"), "/keys/0/alg", "EdDSA");
  expect_jwks_refused(with_member("use", "enc"), "/keys/0/use", "sig");
  expect_jwks_refused(with_member("key_ops", {"sign"}), "/keys/0/key_ops", "verify");
  expect_jwks_refused(with_member("key_ops", {"verify", "sign"}), "/keys/0/key_ops", "verify");
  expect_jwks_refused(with_member("key_ops", "verify"), "/keys/0/key_ops", "wrong_type");
}

TEST_CASE("jwks refuses an x that is not exactly 32 canonical base64url bytes", "[jwks][reject]") {
  const auto pk = sodium_keypair(1).pk;
  const std::string good = b64url(pk);
  expect_jwks_refused(with_member("x", good.substr(0, 42)), "/keys/0/x", "base64url");  // 42 characters: 31.5 bytes
  expect_jwks_refused(with_member("x", b64url(pk.data(), 31)), "/keys/0/x", "must encode 32 bytes, got 31");
  std::array<std::uint8_t, 33> longer{};
  for (std::size_t i = 0; i < 32; ++i) longer[i] = pk[i];
  expect_jwks_refused(with_member("x", b64url(longer)), "/keys/0/x", "must encode 32 bytes, got 33");
  expect_jwks_refused(with_member("x", good + "="), "/keys/0/x", "base64url");  // padded
  expect_jwks_refused(with_member("x", good + " "), "/keys/0/x", "base64url");
  expect_jwks_refused(with_member("x", ""), "/keys/0/x", "empty");
  expect_jwks_refused(with_member("x", 5), "/keys/0/x", "wrong_type");
  // Non-zero unused bits: 32 bytes end in a 2-byte group, whose last character has 2 spare bits.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string spare = good;
  spare.back() = alphabet[alphabet.find(spare.back()) ^ 1u];
  expect_jwks_refused(with_member("x", spare), "/keys/0/x", "base64url");
  // The standard alphabet's + and / are not base64url.
  std::string standard = good;
  for (auto& c : standard) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (standard != good) expect_jwks_refused(with_member("x", standard), "/keys/0/x", "base64url");
  std::string plus = good;
  plus[0] = '+';
  expect_jwks_refused(with_member("x", plus), "/keys/0/x", "base64url");
}

TEST_CASE("jwks refuses small-order and non-canonical points", "[jwks][reject]") {
  public_key identity{};  // y = 1: the neutral element, order 1
  identity[0] = 0x01;
  public_key non_canonical{};  // y = p = 2^255 - 19, which encodes 0 non-canonically
  non_canonical.fill(0xff);
  non_canonical[0] = 0xed;
  non_canonical[31] = 0x7f;
  for (const auto& pk : {identity, non_canonical}) {
    expect_jwks_refused(with_member("x", b64url(pk)), "/keys/0/x", "large order");
    expect_jwks_refused(with_member("x", b64url(pk)), "/keys/0/x", "key \"k0\"");
  }
}

TEST_CASE("jwks refuses the torsion twin of a key, so one secret cannot sign as two principals",
          "[jwks][reject][torsion]") {
  // Bob's key plus a point of order 2 (issue 13.4), 4 or 8: a second principal whose key Bob's
  // secret signs for, which revoking Bob's key would not cover.
  const auto bob = sodium_keypair(2);
  const std::vector<public_key> twins = {
      assent_torsion::order2_twin(bob.pk), assent_torsion::add(bob.pk, assent_torsion::order4_point()),
      assent_torsion::add(bob.pk, assent_torsion::order8_point())};
  for (const auto& twin : twins) {
    INFO(b64url(twin));
    auto bob_jwk = jwk(2, "bob");
    bob_jwk["principal"] = "bob";
    auto twin_jwk = bob_jwk;
    twin_jwk["kid"] = "mallory";
    twin_jwk["principal"] = "mallory";
    twin_jwk["x"] = b64url(twin);
    expect_jwks_refused(set_of({bob_jwk, twin_jwk}), "/keys/1/x", "prime-order subgroup");
    expect_jwks_refused(set_of({twin_jwk}), "/keys/0/x", "key \"mallory\"");
    // The factory every key store is built from refuses it too.
    assent::key_record_spec spec;
    spec.kid = "mallory";
    spec.principal = "mallory";
    spec.public_key = twin;
    const auto [record, why] = assent::key_record::create(spec);
    CHECK_FALSE(record.has_value());
    CHECK(why.find("prime-order subgroup") != std::string::npos);
  }
  // The order-2 twin is a key under which Bob's secret makes valid signatures.
  assent_torsion::point seed{};
  seed.fill(2);
  const std::vector<std::uint8_t> msg = {'d', 'e', 'p', 'l', 'o', 'y'};
  const auto forged = assent_torsion::sign_as_order2_twin(seed, msg);
  CHECK(crypto_sign_verify_detached(forged.data(), msg.data(), msg.size(), twins[0].data()) == 0);
  CHECK(assent::load_jwks(set_of({jwk(2, "bob")}).dump()).ok());
}

TEST_CASE("jwks refuses private key material loudly", "[jwks][reject]") {
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    expect_jwks_refused(with_member(member, "AAAA"), std::string("/keys/0/") + member, "private key material");
    expect_jwks_refused(with_member(member, "AAAA"), std::string("/keys/0/") + member, "key \"k0\"");
  }
}

TEST_CASE("jwks refuses unknown members, so a typo cannot drop a constraint", "[jwks][reject]") {
  expect_jwks_refused(with_member("role", {"admin"}), "/keys/0/role", "unknown_member");
  expect_jwks_refused(with_member("enviroments", {"prod"}), "/keys/0/enviroments", "unknown_member");
  expect_jwks_refused(with_member("y", "AAAA"), "/keys/0/y", "key \"k0\"");
  // Registered certificate members are accepted and ignored when well typed.
  auto x5 = jwk(1, "k0");
  x5["x5c"] = {"MIIB"};
  x5["x5t#S256"] = "abc";
  x5["x5u"] = "https://example.com/cert";
  x5["x5t"] = "abc";
  CHECK(assent::load_jwks(set_of({x5}).dump()).ok());
  expect_jwks_refused(with_member("x5c", "MIIB"), "/keys/0/x5c", "wrong_type");
}

TEST_CASE("jwks refuses wrong types and values of assent members", "[jwks][reject]") {
  expect_jwks_refused(with_member("principal", nullptr), "/keys/0/principal", "missing");
  expect_jwks_refused(with_member("principal", ""), "/keys/0/principal", "empty");
  expect_jwks_refused(with_member("principal", 7), "/keys/0/principal", "wrong_type");
  expect_jwks_refused(with_member("roles", "admin"), "/keys/0/roles", "wrong_type");
  expect_jwks_refused(with_member("roles", {1}), "/keys/0/roles/0", "wrong_type");
  expect_jwks_refused(with_member("roles", {"admin", "admin"}), "/keys/0/roles/1", "duplicate_element");
  expect_jwks_refused(with_member("roles", {""}), "/keys/0/roles/0", "empty");
  expect_jwks_refused(with_member("status", "disabled"), "/keys/0/status", "active, retired, revoked");
  expect_jwks_refused(with_member("status", "retired"), "/keys/0/retired_at", "needs retired_at");
  expect_jwks_refused(with_member("retired_at", 5), "/keys/0/retired_at", "active key");
  expect_jwks_refused(with_member("nbf", "1763683200"), "/keys/0/nbf", "wrong_type");
  expect_jwks_refused(with_member("nbf", 1.5), "/keys/0/nbf", "wrong_type");
  expect_jwks_refused(with_member("nbf", -1), "/keys/0/nbf", "out_of_range");
  // Beyond 2^53 - 1 a number is out of range however it is written (json/number.hpp).
  expect_jwks_refused(with_member("exp", 9007199254740992.0), "/keys/0/exp", "out_of_range");
  expect_jwks_refused(std::string(R"({"keys":[)" + jwk(1, "k0").dump().substr(0, jwk(1, "k0").dump().size() - 1) +
                             R"(,"exp":9007199254740992}]})"),
                 "/keys/0/exp", "out_of_range");
  auto window = jwk(1, "k0");
  window["nbf"] = 200;
  window["exp"] = 200;
  expect_jwks_refused(set_of({window}), "/keys/0/exp", "later than nbf");
  expect_jwks_refused(with_member("environments", nlohmann::json::array()), "/keys/0/environments", "empty");
  expect_jwks_refused(with_member("environments", "prod"), "/keys/0/environments", "wrong_type");
  expect_jwks_refused(with_member("kid", 5), "/keys/0/kid", "key #0 (no kid)");
  expect_jwks_refused(with_member("kid", nullptr), "/keys/0/kid", "key #0 (no kid)");
  expect_jwks_refused(with_member("kid", ""), "/keys/0/kid", "empty");
  expect_jwks_refused(with_member("kid", std::string(257, 'a')), "/keys/0/kid", "1 to 256");
}

TEST_CASE("jwks refuses duplicate kids and one public key under two kids", "[jwks][reject]") {
  expect_jwks_refused(set_of({jwk(1, "k0"), jwk(2, "k0")}), "/keys/1/kid", "duplicate kid (also at /keys/0)");
  auto twin = jwk(1, "k1");
  twin["principal"] = "mallory";
  expect_jwks_refused(set_of({jwk(1, "k0"), twin}), "/keys/1/x", "the same public key as key \"k0\"");
}

TEST_CASE("jwks names the faulty key by its kid, or by index when it has none", "[jwks][reject]") {
  auto bad = jwk(3, "carol-1");
  bad["crv"] = "P-256";
  expect_jwks_refused(set_of({jwk(1, "k0"), jwk(2, "k1"), bad}), "/keys/2/crv", "key \"carol-1\"");
  auto no_kid = jwk(3, "x");
  no_kid.erase("kid");
  expect_jwks_refused(set_of({jwk(1, "k0"), no_kid}), "/keys/1/kid", "key #1 (no kid)");
}

TEST_CASE("jwks loads from a file, and reports a missing file", "[jwks]") {
  const std::string path = "/tmp/assent-test-jwks-" + std::to_string(randombytes_random()) + ".json";
  {
    std::ofstream out(path, std::ios::binary);
    out << set_of({jwk(1, "k0"), jwk(2, "k1")}).dump(2);
  }
  const auto result = assent::load_jwks_file(path);
  std::remove(path.c_str());
  INFO(result.error.message);
  REQUIRE(result.ok());
  CHECK(result.store->size() == 2);
  const auto missing = assent::load_jwks_file(path);
  CHECK_FALSE(missing.ok());
  CHECK(missing.error.message.find("cannot open") != std::string::npos);
}

TEST_CASE("jwks result defaults to a failure", "[jwks]") {
  const assent::jwks_result result;
  CHECK_FALSE(result.ok());
  CHECK_FALSE(static_cast<bool>(result));
}
