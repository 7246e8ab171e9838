// Ed25519 keys in DER and PEM: interoperability with OpenSSL in both directions, the Wycheproof
// key encodings, and every malformed structure the strict reader refuses (with its reason).
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/keys/pem.hpp"
#include "assent/keys/signing_key.hpp"
#include "catch.hpp"
#include "openssl_test_util.hpp"
#include "test_util.hpp"
#include "torsion_test_util.hpp"

namespace {

using assent::crypto::ed25519::public_key;
using assent::crypto::ed25519::seed;

using assent_test::bio_ptr;
using assent_test::bio_text;
using assent_test::openssl_generate;
using assent_test::openssl_private_pem;
using assent_test::openssl_raw_public;
using assent_test::openssl_sign;
using assent_test::pkey_ptr;
using assent_test::to_bytes;

std::string openssl_public_pem(EVP_PKEY* key) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio_PUBKEY(bio.get(), key) == 1);
  return bio_text(bio.get());
}

seed openssl_raw_private(EVP_PKEY* key) {
  seed out{};
  std::size_t len = out.size();
  REQUIRE(EVP_PKEY_get_raw_private_key(key, out.data(), &len) == 1);
  REQUIRE(len == out.size());
  return out;
}

pkey_ptr openssl_read_public_pem(const std::string& pem) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return pkey_ptr(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

pkey_ptr openssl_read_private_pem(const std::string& pem) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return pkey_ptr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

pkey_ptr openssl_read_private_der(const assent::bytes& der) {
  const unsigned char* p = der.data();
  EVP_PKEY* key = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
  if (key != nullptr && p != der.data() + der.size()) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return pkey_ptr(key);
}

// Parses DER that must be refused; returns the reason.
std::string public_der_error(const assent::bytes& der) {
  std::string error;
  CHECK_FALSE(assent::parse_public_key_der(der, &error).has_value());
  return error;
}
std::string private_der_error(const assent::bytes& der) {
  std::string error;
  CHECK_FALSE(assent::parse_private_key_der(der, &error).has_value());
  return error;
}
std::string public_pem_error(const std::string& pem) {
  std::string error;
  CHECK_FALSE(assent::parse_public_key_pem(pem, &error).has_value());
  return error;
}
std::string private_pem_error(const std::string& pem) {
  std::string error;
  CHECK_FALSE(assent::parse_private_key_pem(pem, &error).has_value());
  return error;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

// Replaces the first occurrence of `from` (which must occur).
std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  return text.replace(pos, from.size(), to);
}

// RFC 5958 v2 OneAsymmetricKey with the [1] public key, built by hand from RFC 8410 §7's
// structure; OpenSSL reads it too, which checks the construction independently.
assent::bytes pkcs8_v2(const seed& s, const public_key& pk) {
  assent::bytes der = {0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b,
                       0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
  der.insert(der.end(), s.begin(), s.end());
  const std::uint8_t tail[] = {0x81, 0x21, 0x00};
  der.insert(der.end(), std::begin(tail), std::end(tail));
  der.insert(der.end(), pk.begin(), pk.end());
  return der;
}

}  // namespace

TEST_CASE("pem imports OpenSSL-generated Ed25519 keys and signs exactly like OpenSSL", "[pem][interop]") {
  for (int i = 0; i < 16; ++i) {
    auto key = openssl_generate(EVP_PKEY_ED25519);
    std::string error;
    const auto pk = assent::parse_public_key_pem(openssl_public_pem(key.get()), &error);
    INFO(error);
    REQUIRE(pk.has_value());
    CHECK(*pk == openssl_raw_public(key.get()));

    const auto sd = assent::parse_private_key_pem(openssl_private_pem(key.get()), &error);
    INFO(error);
    REQUIRE(sd.has_value());
    CHECK(*sd == openssl_raw_private(key.get()));

    const auto signer = assent::signing_key::from_seed(*sd, "k");
    CHECK(signer.public_key() == *pk);
    const std::string message = "approve deploy " + std::to_string(i);
    CHECK(signer.sign(message) == openssl_sign(key.get(), message));
  }
}

TEST_CASE("pem writes byte for byte what OpenSSL writes, and OpenSSL reads it back", "[pem][interop]") {
  for (int i = 0; i < 8; ++i) {
    auto key = openssl_generate(EVP_PKEY_ED25519);
    const public_key pk = openssl_raw_public(key.get());
    const seed sd = openssl_raw_private(key.get());

    const std::string public_pem = assent::to_public_key_pem(pk);
    const std::string private_pem = assent::to_private_key_pem(sd);
    CHECK(public_pem == openssl_public_pem(key.get()));
    CHECK(private_pem == openssl_private_pem(key.get()));

    auto back_public = openssl_read_public_pem(public_pem);
    REQUIRE(back_public != nullptr);
    CHECK(openssl_raw_public(back_public.get()) == pk);
    auto back_private = openssl_read_private_pem(private_pem);
    REQUIRE(back_private != nullptr);
    CHECK(openssl_raw_private(back_private.get()) == sd);

    auto der_private = to_bytes(assent::to_private_key_der(sd));
    auto back_der = openssl_read_private_der(der_private);
    REQUIRE(back_der != nullptr);
    CHECK(openssl_raw_private(back_der.get()) == sd);

    // And the DER forms round-trip through assent itself.
    CHECK(assent::parse_public_key_der(assent::to_public_key_der(pk)) == pk);
    CHECK(assent::parse_private_key_der(assent::to_private_key_der(sd)) == sd);
  }
}

TEST_CASE("pem imports every Wycheproof key in PEM and DER identically", "[pem][wycheproof]") {
  const auto doc = nlohmann::json::parse(assent_test::read_vector_file("wycheproof/eddsa_test_legacy.json"));
  std::size_t groups = 0;
  for (const auto& group : doc.at("testGroups")) {
    const auto pk = assent_test::unhex_array<32>(group.at("key").at("pk").get<std::string>());
    const auto sk = assent_test::unhex_array<32>(group.at("key").at("sk").get<std::string>());
    std::string error;
    const auto from_pem = assent::parse_public_key_pem(group.at("keyPem").get<std::string>(), &error);
    INFO(error);
    REQUIRE(from_pem.has_value());
    CHECK(*from_pem == pk);
    const auto from_der =
        assent::parse_public_key_der(assent_test::unhex_or_throw(group.at("keyDer").get<std::string>()), &error);
    REQUIRE(from_der.has_value());
    CHECK(*from_der == pk);
    // assent's encodings are the ones the vectors hold.
    CHECK(assent::to_public_key_pem(pk) == group.at("keyPem").get<std::string>());
    CHECK(assent_test::hex(assent::to_public_key_der(pk)) == group.at("keyDer").get<std::string>());
    // The private seed round-trips through PKCS#8, and OpenSSL derives the same public key from it.
    const std::string private_pem = assent::to_private_key_pem(sk);
    CHECK(assent::parse_private_key_pem(private_pem) == sk);
    auto ossl = openssl_read_private_pem(private_pem);
    REQUIRE(ossl != nullptr);
    CHECK(openssl_raw_public(ossl.get()) == pk);
    ++groups;
  }
  CHECK(groups == 51);
}

TEST_CASE("pem reads the RFC 8410 section 10 example keys, v1 and v2", "[pem][pkcs8][rfc8410]") {
  const auto doc = nlohmann::json::parse(assent_test::read_vector_file("rfc8410/rfc8410_section10.json"));
  const auto sd = assent_test::unhex_array<32>(doc.at("seed_hex").get<std::string>());
  const auto pk = assent_test::unhex_array<32>(doc.at("public_key_hex").get<std::string>());
  std::string error;
  CHECK(assent::parse_public_key_pem(doc.at("section_10_1_public_key_pem").get<std::string>(), &error) == pk);
  CHECK(assent::parse_private_key_pem(doc.at("section_10_3_private_key_v1_pem").get<std::string>(), &error) == sd);
  // v2 carries a friendlyName attribute (ignored) and the public key (checked against the seed).
  const auto v2 = assent::parse_private_key_pem(doc.at("section_10_3_private_key_v2_pem").get<std::string>(), &error);
  INFO(error);
  CHECK(v2 == sd);
  CHECK(assent::signing_key::from_seed(sd, "k").public_key() == pk);
  // assent writes the v1 example exactly.
  CHECK(assent::to_private_key_pem(sd) == doc.at("section_10_3_private_key_v1_pem").get<std::string>());
  CHECK(assent::to_public_key_pem(pk) == doc.at("section_10_1_public_key_pem").get<std::string>());
}

TEST_CASE("pem accepts PKCS#8 v2 with the matching public key and no attributes", "[pem][pkcs8]") {
  auto key = openssl_generate(EVP_PKEY_ED25519);
  const seed sd = openssl_raw_private(key.get());
  std::string error;
  const auto parsed = assent::parse_private_key_der(pkcs8_v2(sd, openssl_raw_public(key.get())), &error);
  INFO(error);
  CHECK(parsed == sd);
}

TEST_CASE("pem refuses PKCS#8 v2 whose public key does not match the seed", "[pem][pkcs8]") {
  auto key = openssl_generate(EVP_PKEY_ED25519);
  auto other = openssl_generate(EVP_PKEY_ED25519);
  const assent::bytes v2 = pkcs8_v2(openssl_raw_private(key.get()), openssl_raw_public(other.get()));
  CHECK(contains(private_der_error(v2), "does not match"));
}

TEST_CASE("pem refuses PKCS#8 version mismatches and attributes", "[pem][pkcs8]") {
  auto key = openssl_generate(EVP_PKEY_ED25519);
  const public_key pk = openssl_raw_public(key.get());
  const seed sd = openssl_raw_private(key.get());

  assent::bytes v1_with_public = pkcs8_v2(sd, pk);
  v1_with_public[4] = 0x00;
  CHECK(contains(private_der_error(v1_with_public), "v1 key cannot hold a public key"));

  assent::bytes v2_without_public = to_bytes(assent::to_private_key_der(sd));
  v2_without_public[4] = 0x01;
  CHECK(contains(private_der_error(v2_without_public), "v2 key must hold its public key"));

  assent::bytes v3 = to_bytes(assent::to_private_key_der(sd));
  v3[4] = 0x02;
  CHECK(contains(private_der_error(v3), "version must be 0"));

  // Attributes: an empty [0] is well formed and ignored; one holding something other than
  // Attribute SEQUENCEs, or a primitive [0], is refused.
  assent::bytes with_attributes = to_bytes(assent::to_private_key_der(sd));
  with_attributes[1] = 0x30;
  with_attributes.push_back(0xa0);
  with_attributes.push_back(0x00);
  CHECK(assent::parse_private_key_der(with_attributes) == sd);
  assent::bytes bad_attributes = with_attributes;
  bad_attributes[1] = 0x33;
  bad_attributes[49] = 0x03;
  bad_attributes.insert(bad_attributes.end(), {0x02, 0x01, 0x00});
  CHECK(contains(private_der_error(bad_attributes), "expected Attribute SEQUENCE"));
  assent::bytes primitive_attributes = with_attributes;
  primitive_attributes[48] = 0x80;
  CHECK(contains(private_der_error(primitive_attributes), "unexpected bytes at byte 48"));
}

TEST_CASE("pem refuses a PKCS#8 seed that is not a nested 32-byte OCTET STRING", "[pem][pkcs8]") {
  const seed sd = assent_test::unhex_array<32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  // The seed placed directly in privateKey, without the CurvePrivateKey OCTET STRING (RFC 8410 §7).
  assent::bytes flat = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x20};
  flat.insert(flat.end(), sd.begin(), sd.end());
  flat[1] = static_cast<std::uint8_t>(flat.size() - 2);
  CHECK(contains(private_der_error(flat), "CurvePrivateKey"));

  // 31 bytes of seed.
  assent::bytes short_seed = to_bytes(assent::to_private_key_der(sd));
  short_seed.pop_back();
  short_seed[1] = 0x2d;
  short_seed[13] = 0x21;
  short_seed[15] = 0x1f;
  CHECK(contains(private_der_error(short_seed), "must be 32 bytes, found 31"));
}

TEST_CASE("pem refuses keys of other algorithms, naming them", "[pem][interop]") {
  for (const auto& [type, name] : std::vector<std::pair<int, std::string>>{
           {EVP_PKEY_X25519, "X25519"}, {EVP_PKEY_ED448, "Ed448"}, {EVP_PKEY_X448, "X448"}}) {
    auto key = openssl_generate(type);
    CHECK(contains(public_pem_error(openssl_public_pem(key.get())), name));
    CHECK(contains(private_pem_error(openssl_private_pem(key.get())), name));
  }
  EVP_PKEY* ec = EVP_EC_gen("P-256");
  REQUIRE(ec != nullptr);
  pkey_ptr ec_key(ec);
  CHECK(contains(public_pem_error(openssl_public_pem(ec_key.get())), "EC key"));
}

TEST_CASE("pem refuses non-DER encodings of a public key", "[pem][der]") {
  const public_key pk = assent_test::unhex_array<32>("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const assent::bytes good = to_bytes(assent::to_public_key_der(pk));
  REQUIRE(assent::parse_public_key_der(good) == pk);

  assent::bytes trailing = good;
  trailing.push_back(0x00);
  CHECK(contains(public_der_error(trailing), "unexpected bytes at byte 44"));

  // The same structure with the outer length in long form (0x81 0x2a): valid BER, not DER.
  assent::bytes long_form = {0x30, 0x81, 0x2a};
  long_form.insert(long_form.end(), good.begin() + 2, good.end());
  CHECK(contains(public_der_error(long_form), "non-minimal length"));

  // Indefinite length with end-of-contents octets: BER only.
  assent::bytes indefinite = {0x30, 0x80};
  indefinite.insert(indefinite.end(), good.begin() + 2, good.end());
  indefinite.push_back(0x00);
  indefinite.push_back(0x00);
  CHECK(contains(public_der_error(indefinite), "indefinite length"));

  // NULL parameters after the OID (RFC 8410 §3: MUST be absent).
  assent::bytes with_null = {0x30, 0x2c, 0x30, 0x07, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x05, 0x00};
  with_null.insert(with_null.end(), good.begin() + 9, good.end());
  CHECK(contains(public_der_error(with_null), "parameters"));

  assent::bytes unused_bits = good;
  unused_bits[11] = 0x01;
  CHECK(contains(public_der_error(unused_bits), "0 unused bits"));

  assent::bytes short_key = good;
  short_key.pop_back();
  short_key[1] = 0x29;
  short_key[10] = 0x20;
  CHECK(contains(public_der_error(short_key), "must be 32 bytes, found 31"));

  assent::bytes truncated = good;
  truncated.pop_back();
  CHECK(contains(public_der_error(truncated), "truncated"));

  assent::bytes wrong_tag = good;
  wrong_tag[0] = 0x31;
  CHECK(contains(public_der_error(wrong_tag), "expected SubjectPublicKeyInfo SEQUENCE"));

  CHECK(contains(public_der_error({}), "missing"));
}

TEST_CASE("pem refuses the torsion twin of a public key", "[pem][der][torsion]") {
  const auto key = openssl_generate(EVP_PKEY_ED25519);
  const public_key pk = openssl_raw_public(key.get());
  REQUIRE(assent::parse_public_key_pem(assent::to_public_key_pem(pk)) == pk);
  for (const auto& twin : {assent_torsion::order2_twin(pk), assent_torsion::add(pk, assent_torsion::order4_point()),
                           assent_torsion::add(pk, assent_torsion::order8_point())}) {
    const std::string pem = assent::to_public_key_pem(twin);
    REQUIRE(openssl_read_public_pem(pem) != nullptr);
    CHECK(contains(public_pem_error(pem), "prime-order subgroup"));
    const auto der = assent::to_public_key_der(twin);
    CHECK(contains(public_der_error(assent::bytes(der.begin(), der.end())), "prime-order subgroup"));
  }
}

TEST_CASE("pem refuses small-order and non-canonical public keys", "[pem][der]") {
  // The identity point (y = 1) has order 1; y = p (2^255 - 19) is a non-canonical encoding of 0.
  public_key identity{};
  identity[0] = 0x01;
  public_key non_canonical{};
  non_canonical.fill(0xff);
  non_canonical[0] = 0xed;
  non_canonical[31] = 0x7f;
  for (const auto& pk : {identity, non_canonical}) {
    const std::string pem = assent::to_public_key_pem(pk);
    REQUIRE(openssl_read_public_pem(pem) != nullptr);  // structurally valid: OpenSSL takes any 32 bytes
    CHECK(contains(public_pem_error(pem), "large order"));
  }
}

TEST_CASE("pem armor is strict about labels, lines and base64", "[pem][armor]") {
  auto key = openssl_generate(EVP_PKEY_ED25519);
  const std::string pub = openssl_public_pem(key.get());
  const std::string priv = openssl_private_pem(key.get());
  const public_key pk = openssl_raw_public(key.get());

  SECTION("accepted variations") {
    CHECK(assent::parse_public_key_pem(replace_all(pub, "\n", "\r\n")) == pk);
    CHECK(assent::parse_public_key_pem(pub.substr(0, pub.size() - 1)) == pk);  // no final newline
    CHECK(assent::parse_public_key_pem(pub + "\n\n") == pk);                   // blank lines after END
    // A body split into 76-character (MIME) lines and into shorter equal lines.
    auto v2 = pkcs8_v2(openssl_raw_private(key.get()), pk);
    const std::string b64 = assent::base64_encode(v2);
    REQUIRE(b64.size() > 76);
    for (std::size_t width : {76u, 64u, 8u, 4u}) {
      std::string pem = "-----BEGIN PRIVATE KEY-----\n";
      for (std::size_t i = 0; i < b64.size(); i += width) pem += b64.substr(i, width) + "\n";
      pem += "-----END PRIVATE KEY-----\n";
      INFO(pem);
      CHECK(assent::parse_private_key_pem(pem) == openssl_raw_private(key.get()));
    }
  }
  SECTION("refused variations") {
    CHECK(contains(public_pem_error(priv), "found \"-----BEGIN PRIVATE KEY-----\""));
    CHECK(contains(private_pem_error(pub), "found \"-----BEGIN PUBLIC KEY-----\""));
    CHECK(contains(public_pem_error("comment\n" + pub), "as the first line"));
    CHECK(contains(public_pem_error(" " + pub), "as the first line"));
    CHECK(contains(public_pem_error(pub + "x\n"), "as the last line"));
    CHECK(contains(public_pem_error(pub + pub), "more than one PEM block"));
    CHECK(contains(public_pem_error(""), "empty"));
    CHECK(contains(public_pem_error("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"), "last line"));
    CHECK(contains(public_pem_error(replace(pub, "MCow", "MC ow")), "whitespace"));
    CHECK(contains(public_pem_error(replace(pub, "MCow", "MC\row")), "carriage return"));
    CHECK(contains(public_pem_error(replace(pub, "MCow", "MC*w")), "alphabet"));
    CHECK(contains(public_pem_error(replace(pub, "-----\nMCow", "-----\n\nMCow")), "1 to 76"));
    CHECK(contains(public_pem_error(replace(pub, "-----\nMCow", "-----\nProc-Type: 4,ENCRYPTED\nMCow")),
                   "RFC 1421 header"));
    CHECK(contains(public_pem_error(replace(pub, "=\n", "\n")), "canonical padded base64"));
    // Lines of unequal length: 4, then the rest.
    CHECK(contains(public_pem_error(replace(pub, "-----\nMCow", "-----\nMCow\n")), "longer than the others"));
    CHECK(contains(public_pem_error(replace(pub, "-----\nMCowBQ", "-----\nMCowBQ\n")), "one length"));
  }
  SECTION("non-canonical base64: non-zero bits after the last byte") {
    // The body ends "...XY=": 44 bytes end in a group of 2 bytes, whose third character carries
    // 2 unused bits (RFC 4648 §3.5). Flip one and a lax decoder returns the same bytes.
    const auto eq = pub.find("=\n");
    REQUIRE(eq != std::string::npos);
    std::string tampered = pub;
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const auto value = alphabet.find(tampered[eq - 1]);
    REQUIRE(value != std::string::npos);
    tampered[eq - 1] = alphabet[value ^ 1u];
    CHECK(contains(public_pem_error(tampered), "canonical padded base64"));
  }
}

TEST_CASE("pem names encrypted and OpenSSH private keys when refusing them", "[pem][armor]") {
  auto key = openssl_generate(EVP_PKEY_ED25519);
  bio_ptr bio(BIO_new(BIO_s_mem()));
  const char pass[] = "correct horse";
  REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), EVP_aes_256_cbc(), pass,
                                        static_cast<int>(sizeof pass - 1), nullptr, nullptr) == 1);
  CHECK(contains(private_pem_error(bio_text(bio.get())), "encrypted keys are not supported"));
  CHECK(contains(private_pem_error("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"),
                 "OpenSSH"));
}

TEST_CASE("pem refuses text longer than any key file", "[pem][armor]") {
  const std::string huge = "-----BEGIN PUBLIC KEY-----\n" + std::string(5000, 'A') + "\n-----END PUBLIC KEY-----\n";
  CHECK(contains(public_pem_error(huge), "longer than any Ed25519 key file"));
}
