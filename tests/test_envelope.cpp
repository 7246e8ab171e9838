// DSSE envelopes: the DSSE test vectors, assent's stricter profile (every refusal and its
// reason), serialisation round trips, and interoperability with OpenSSL's Ed25519 in both
// directions.
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "assent/envelope.hpp"
#include "assent/keys/key_store.hpp"
#include "assent/keys/signature_check.hpp"
#include "assent/keys/signing_key.hpp"
#include "catch.hpp"
#include "test_util.hpp"

namespace {

using assent::byte_view;
using assent::bytes;
namespace dsse = assent::dsse;
namespace ed25519 = assent::crypto::ed25519;

// The RFC 8032 §7.1 TEST 1 and TEST 2 seeds (the DSSE vectors' keys A and B).
const char* const seed_a = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const char* const seed_b = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";

assent::signing_key key_from(const char* seed_hex, std::string kid) {
  return assent::signing_key::from_seed(assent_test::unhex_array<32>(seed_hex), std::move(kid),
                                        "someone");
}

ed25519::verifying_key verifier_of(const assent::signing_key& k) {
  auto vk = ed25519::verifying_key::from_bytes(k.public_key());
  REQUIRE(vk);
  return *vk;
}

// PAE written out independently of dsse::pae, straight from protocol.md.
bytes independent_pae(const std::string& type, const std::string& body) {
  const std::string text = "DSSEv1 " + std::to_string(type.size()) + " " + type + " " +
                           std::to_string(body.size()) + " " + body;
  return bytes(text.begin(), text.end());
}

// Standard padded base64 by OpenSSL (an independent encoder).
std::string openssl_base64(byte_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(&out[0]), data.data(),
                                static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// A signed envelope built by hand (not by dsse::serialize) over `body` with `key`.
std::string hand_envelope(const std::string& body, const assent::signing_key& key,
                          const std::string& type = std::string(dsse::approval_payload_type)) {
  const auto sig = key.sign(independent_pae(type, body));
  return R"({"payloadType":")" + type + R"(","payload":")" + openssl_base64(byte_view(body)) +
         R"(","signatures":[{"keyid":")" + key.kid() + R"(","sig":")" + openssl_base64(sig) +
         R"("}]})";
}

// Expects parse_envelope to refuse `text` with `error`, the message naming `path`.
void expect_refusal(const std::string& text, dsse::envelope_error error, const std::string& path,
                    const dsse::envelope_limits& limits = {}) {
  INFO("envelope: " << text.substr(0, 300));
  const auto r = dsse::parse_envelope(text, limits);
  CHECK_FALSE(r.ok());
  CHECK(dsse::to_string(r.error) == dsse::to_string(error));
  INFO("message: " << r.message);
  CHECK(r.message.rfind(path + ":", 0) == 0);
}

const std::string good_sig = std::string(86, 'A') + "==";  // 64 zero bytes, standard base64

std::string envelope_with_signatures(const std::string& signatures) {
  return R"({"payload":"aGVsbG8=","payloadType":"t","signatures":)" + signatures + "}";
}

}  // namespace

TEST_CASE("dsse pae matches the protocol.md worked example", "[dsse][vectors]") {
  const auto example =
      nlohmann::json::parse(assent_test::read_vector_file("dsse/protocol_example.json"));
  const std::string body = example.at("serialized_body_utf8");
  const bytes got = dsse::pae(example.at("payload_type").get<std::string>(), byte_view(body));
  CHECK(assent_test::hex(got) == example.at("pae_hex_derived").get<std::string>());
  CHECK(std::string(got.begin(), got.end()) == example.at("pae_text").get<std::string>());
  // The example envelope parses under the generic profile (it has no keyid).
  dsse::envelope_limits generic;
  generic.require_keyids = false;
  const auto r = dsse::parse_envelope(example.at("envelope").dump(), generic);
  REQUIRE(r.ok());
  CHECK(std::string(r.value->payload.begin(), r.value->payload.end()) == body);
  CHECK(r.value->signatures.at(0).sig.size() == 64);
}

TEST_CASE(
    "dsse pae counts bytes, writes no leading zeros and keeps the trailing space of an empty body",
    "[dsse]") {
  CHECK(dsse::pae("", byte_view()) == independent_pae("", ""));
  const std::string umlaut = "application/vnd.ex\xc3\xa4mple+json";  // 28 characters, 29 bytes
  CHECK(dsse::pae(umlaut, byte_view(std::string("x"))) == independent_pae(umlaut, "x"));
  const std::string ten(10, 'b');
  const bytes p = dsse::pae("t", byte_view(ten));
  CHECK(std::string(p.begin(), p.begin() + 13) == "DSSEv1 1 t 10");
}

TEST_CASE("dsse test vectors give the stated result under the generic DSSE profile",
          "[dsse][vectors]") {
  const auto file = nlohmann::json::parse(assent_test::read_vector_file("dsse/vectors.json"));
  std::map<std::string, ed25519::verifying_key> keys;
  for (const auto& [name, k] : file.at("keys").items()) {
    const auto signer = assent::signing_key::from_seed(
        assent_test::unhex_array<32>(k.at("seed").get<std::string>()), name);
    REQUIRE(assent_test::hex(signer.public_key()) == k.at("public").get<std::string>());
    keys.emplace(name, verifier_of(signer));
  }
  dsse::envelope_limits generic;
  generic.require_keyids = false;
  std::size_t count = 0;
  for (const auto& v : file.at("vectors")) {
    const std::string id = v.at("id");
    INFO("vector " << id);
    const auto r = dsse::parse_envelope(v.at("envelope").dump(), generic);
    REQUIRE(r.ok());
    const dsse::envelope& env = *r.value;
    const bytes m = dsse::pae(env);
    if (id != "payload-type-swapped") CHECK(assent_test::hex(m) == v.at("pae").get<std::string>());

    // protocol.md "Multi-signature Verification": count distinct trusted keys that verify.
    std::set<std::string> accepted;
    for (const auto& s : env.signatures) {
      for (const auto& trusted : v.at("trustedKeys")) {
        const std::string name = trusted;
        if (!s.keyid.empty() && s.keyid != name) continue;  // keyid only narrows the search
        if (dsse::verify_signature(m, s, keys.at(name))) accepted.insert(name);
      }
    }
    bool supported = false;
    for (const auto& t : v.at("supportedPayloadTypes"))
      supported = supported || t.get<std::string>() == env.payload_type;
    const bool accept = supported && accepted.size() >= v.at("threshold").get<std::size_t>();
    CHECK(accept == (v.at("expect").get<std::string>() == "accept"));
    ++count;
  }
  CHECK(count == 9);
}

TEST_CASE("assent's profile refuses the DSSE vectors without keyids and with a keyid used twice",
          "[dsse][vectors]") {
  const auto file = nlohmann::json::parse(assent_test::read_vector_file("dsse/vectors.json"));
  for (const auto& v : file.at("vectors")) {
    const std::string id = v.at("id");
    INFO("vector " << id);
    const auto r = dsse::parse_envelope(v.at("envelope").dump());
    if (id == "threshold-two-without-keyids") {
      CHECK(r.error == dsse::envelope_error::missing_member);
      CHECK(r.message.rfind("/signatures/0/keyid:", 0) == 0);
    } else if (id == "threshold-two-one-key-twice") {
      CHECK(r.error == dsse::envelope_error::duplicate_keyid);
      CHECK(r.message.rfind("/signatures/1/keyid:", 0) == 0);
    } else {
      CHECK(r.ok());
    }
  }
}

TEST_CASE(
    "parse_envelope reads standard and URL-safe base64, padded or not in the URL-safe alphabet",
    "[dsse]") {
  const bytes raw = {0xfb, 0xff, 0xbf, 0x3e, 0x3f};  // standard "+/+/Pj8=", URL-safe "-_-_Pj8="
  for (const char* payload :
       {"+/+/Pj8=", "-_-_Pj8=", "-_-_Pj8"}) {  // both alphabets, padded or not
    INFO(payload);
    const auto r = dsse::parse_envelope(
        std::string(R"({"payload":")") + payload +
        R"(","payloadType":"t","signatures":[{"keyid":"k","sig":")" + good_sig + R"("}]})");
    REQUIRE(r.ok());
    CHECK(r.value->payload == raw);
  }
  // A signature in the URL-safe alphabet without padding.
  const std::string url_sig = std::string(85, '_') + "w";  // 64 bytes of 0xff
  const auto r = dsse::parse_envelope(
      envelope_with_signatures(R"([{"keyid":"k","sig":")" + url_sig + R"("}])"));
  REQUIRE(r.ok());
  CHECK(r.value->signatures[0].sig == bytes(64, 0xff));
  // Text in neither alphabet's special characters reads the same either way, padded or not.
  for (const char* payload : {"aGVsbG8=", "aGVsbG8"}) {
    INFO(payload);
    const auto h = dsse::parse_envelope(
        std::string(R"({"payload":")") + payload +
        R"(","payloadType":"t","signatures":[{"keyid":"k","sig":")" + good_sig + R"("}]})");
    REQUIRE(h.ok());
    CHECK(h.value->payload == bytes{'h', 'e', 'l', 'l', 'o'});
  }
}

TEST_CASE("parse_envelope refuses base64 that mixes alphabets or is not canonical", "[dsse]") {
  for (const char* payload : {"+/-_Pj8=", "-_+/Pj8=", "+_-/", "+/+/Pj8", "aGVsbG8==", "a",
                              "aGVs bG8=", "QR==", "aGVsbG8=aGVsbG8=", "%%%%"}) {
    INFO(payload);
    expect_refusal(std::string(R"({"payload":")") + payload +
                       R"(","payloadType":"t","signatures":[{"keyid":"k","sig":")" + good_sig +
                       R"("}]})",
                   dsse::envelope_error::invalid_base64, "/payload");
  }
  expect_refusal(envelope_with_signatures(R"([{"keyid":"k","sig":"+/-_"}])"),
                 dsse::envelope_error::invalid_base64, "/signatures/0/sig");
  expect_refusal(envelope_with_signatures(R"([{"keyid":"k","sig":")" + good_sig +
                                          R"("},{"keyid":"j","sig":"A"}])"),
                 dsse::envelope_error::invalid_base64, "/signatures/1/sig");
}

TEST_CASE("parse_envelope refuses a missing member, naming it", "[dsse]") {
  using E = dsse::envelope_error;
  const std::string sigs = R"([{"keyid":"k","sig":")" + good_sig + R"("}])";
  expect_refusal(R"({"payloadType":"t","signatures":)" + sigs + "}", E::missing_member, "/payload");
  expect_refusal(R"({"payload":"","signatures":)" + sigs + "}", E::missing_member, "/payloadType");
  expect_refusal(R"({"payload":"","payloadType":"t"})", E::missing_member, "/signatures");
  expect_refusal(envelope_with_signatures(R"([{"keyid":"k"}])"), E::missing_member,
                 "/signatures/0/sig");
  expect_refusal(envelope_with_signatures(R"([{"sig":")" + good_sig + R"("}])"), E::missing_member,
                 "/signatures/0/keyid");
}

TEST_CASE("parse_envelope refuses members the profile does not name", "[dsse]") {
  using E = dsse::envelope_error;
  const std::string sigs = R"([{"keyid":"k","sig":")" + good_sig + R"("}])";
  expect_refusal(R"({"payload":"","payloadType":"t","signatures":)" + sigs + R"(,"extra":1})",
                 E::unknown_member, "/extra");
  expect_refusal(
      envelope_with_signatures(R"([{"keyid":"k","sig":")" + good_sig + R"(","cert":"x"}])"),
      E::unknown_member, "/signatures/0/cert");
  // A near miss of a member name is unknown, and the real member then missing: missing comes first.
  expect_refusal(R"({"payload":"","payloadtype":"t","signatures":)" + sigs + "}", E::missing_member,
                 "/payloadType");
}

TEST_CASE("parse_envelope refuses duplicate member names, even spelt with escapes", "[dsse]") {
  using E = dsse::envelope_error;
  const std::string sigs = R"([{"keyid":"k","sig":")" + good_sig + R"("}])";
  expect_refusal(R"({"payload":"","payloadType":"t","payloadType":"u","signatures":)" + sigs + "}",
                 E::duplicate_member, "(root)");
  expect_refusal(R"({"payload":"","payloadType":"t","p\u0061yload":"","signatures":)" + sigs + "}",
                 E::duplicate_member, "(root)");
  expect_refusal(
      envelope_with_signatures(R"([{"keyid":"k","keyid":"j","sig":")" + good_sig + R"("}])"),
      E::duplicate_member, "(root)");
}

TEST_CASE("parse_envelope refuses members of the wrong type", "[dsse]") {
  using E = dsse::envelope_error;
  const std::string sigs = R"([{"keyid":"k","sig":")" + good_sig + R"("}])";
  expect_refusal(R"([])", E::wrong_type, "(root)");
  expect_refusal(R"("envelope")", E::wrong_type, "(root)");
  expect_refusal(R"({"payload":7,"payloadType":"t","signatures":)" + sigs + "}", E::wrong_type,
                 "/payload");
  expect_refusal(R"({"payload":"","payloadType":null,"signatures":)" + sigs + "}", E::wrong_type,
                 "/payloadType");
  expect_refusal(R"({"payload":"","payloadType":"t","signatures":{}})", E::wrong_type,
                 "/signatures");
  expect_refusal(envelope_with_signatures(R"(["sig"])"), E::wrong_type, "/signatures/0");
  expect_refusal(envelope_with_signatures(R"([{"keyid":1,"sig":")" + good_sig + R"("}])"),
                 E::wrong_type, "/signatures/0/keyid");
  expect_refusal(envelope_with_signatures(R"([{"keyid":"k","sig":[]}])"), E::wrong_type,
                 "/signatures/0/sig");
}

TEST_CASE("parse_envelope refuses text that is not strict JSON", "[dsse]") {
  using E = dsse::envelope_error;
  const std::string good =
      envelope_with_signatures(R"([{"keyid":"k","sig":")" + good_sig + R"("}])");
  REQUIRE(dsse::parse_envelope(good).ok());
  expect_refusal(good + "x", E::invalid_json, "(root)");
  expect_refusal("\xef\xbb\xbf" + good, E::invalid_json, "(root)");
  expect_refusal(good.substr(0, good.size() - 1), E::invalid_json, "(root)");
  expect_refusal("", E::invalid_json, "(root)");
  expect_refusal(R"({"payload":"","payloadType":"\xff","signatures":[]})", E::invalid_json,
                 "(root)");
  expect_refusal(R"({"payload":"","payloadType":"t","signatures":[[[[]]]]})", E::invalid_json,
                 "(root)");  // too deep
}

TEST_CASE("parse_envelope enforces its size and count limits, which are configurable",
          "[dsse][limits]") {
  using E = dsse::envelope_error;
  const dsse::envelope_limits defaults;
  CHECK(defaults.max_envelope_bytes == 65536);
  CHECK(defaults.max_payload_bytes == 16384);
  CHECK(defaults.max_signatures == 16);

  const auto sig_entry = [](std::size_t i) {
    return R"({"keyid":"k)" + std::to_string(i) + R"(","sig":")" + good_sig + R"("})";
  };
  const auto signatures = [&](std::size_t n) {
    std::string s = "[";
    for (std::size_t i = 0; i < n; ++i) s += (i ? "," : "") + sig_entry(i);
    return s + "]";
  };
  CHECK(dsse::parse_envelope(envelope_with_signatures(signatures(16))).ok());
  expect_refusal(envelope_with_signatures(signatures(17)), E::too_many_signatures, "/signatures");
  expect_refusal(envelope_with_signatures("[]"), E::no_signatures, "/signatures");

  const auto with_body = [](std::size_t n) {
    return R"({"payload":")" + openssl_base64(bytes(n, 0x61)) +
           R"(","payloadType":"t","signatures":[{"keyid":"k","sig":")" + good_sig + R"("}]})";
  };
  CHECK(dsse::parse_envelope(with_body(16384)).ok());
  expect_refusal(with_body(16385), E::payload_too_large, "/payload");
  expect_refusal(with_body(40000), E::payload_too_large, "/payload");  // refused before decoding
  expect_refusal(with_body(60000), E::too_large, "(root)");            // over 64 KiB of text

  dsse::envelope_limits small;
  small.max_envelope_bytes = 200;
  small.max_payload_bytes = 4;
  small.max_signatures = 1;
  const std::string two =
      envelope_with_signatures(R"([{"keyid":"k","sig":"AA=="},{"keyid":"j","sig":"AA=="}])");
  expect_refusal(two, E::too_many_signatures, "/signatures", small);
  small.max_envelope_bytes = 100;
  expect_refusal(with_body(5), E::too_large, "(root)", small);
  small.max_envelope_bytes = 1000;
  expect_refusal(with_body(5), E::payload_too_large, "/payload", small);
  CHECK(dsse::parse_envelope(with_body(4), small).ok());
}

TEST_CASE("parse_envelope refuses an empty or overlong keyid and a keyid used twice", "[dsse]") {
  using E = dsse::envelope_error;
  expect_refusal(envelope_with_signatures(R"([{"keyid":"","sig":")" + good_sig + R"("}])"),
                 E::invalid_keyid, "/signatures/0/keyid");
  const std::string k256(256, 'k');
  CHECK(dsse::parse_envelope(envelope_with_signatures(R"([{"keyid":")" + k256 + R"(","sig":")" +
                                                      good_sig + R"("}])"))
            .ok());
  expect_refusal(
      envelope_with_signatures(R"([{"keyid":")" + k256 + R"(k","sig":")" + good_sig + R"("}])"),
      E::invalid_keyid, "/signatures/0/keyid");
  expect_refusal(envelope_with_signatures(R"([{"keyid":"a","sig":")" + good_sig +
                                          R"("},{"keyid":"b","sig":")" + good_sig +
                                          R"("},{"keyid":"a","sig":")" + good_sig + R"("}])"),
                 E::duplicate_keyid, "/signatures/2/keyid");
}

TEST_CASE("a signature of the wrong length parses but never verifies", "[dsse]") {
  const auto key = key_from(seed_a, "a");
  const std::string text = hand_envelope("{}", key);
  auto r = dsse::parse_envelope(text);
  REQUIRE(r.ok());
  const auto vk = verifier_of(key);
  CHECK(dsse::verify_signature(*r.value, 0, vk));
  for (std::size_t len : {0U, 63U, 65U, 128U}) {
    INFO(len);
    dsse::envelope e = *r.value;
    e.signatures[0].sig.resize(len);
    const auto reparsed = dsse::parse_envelope(dsse::serialize(e));
    REQUIRE(reparsed.ok());
    CHECK(reparsed.value->signatures[0].sig.size() == len);
    CHECK_FALSE(dsse::verify_signature(*reparsed.value, 0, vk));
  }
}

TEST_CASE("verify_signature checks the exact PAE bytes under the right key", "[dsse]") {
  const auto a = key_from(seed_a, "a");
  const auto b = key_from(seed_b, "b");
  const std::string body = R"({"x": 1,  "y":[true]})";  // odd spacing: never re-serialised
  auto r = dsse::parse_envelope(hand_envelope(body, a));
  REQUIRE(r.ok());
  const dsse::envelope& e = *r.value;
  CHECK(std::string(e.payload.begin(), e.payload.end()) == body);
  CHECK(dsse::verify_signature(e, 0, verifier_of(a)));
  CHECK_FALSE(dsse::verify_signature(e, 0, verifier_of(b)));
  CHECK_FALSE(dsse::verify_signature(e, 1, verifier_of(a)));

  dsse::envelope changed_body = e;
  changed_body.payload.back() = ' ';
  CHECK_FALSE(dsse::verify_signature(changed_body, 0, verifier_of(a)));
  dsse::envelope changed_type = e;
  changed_type.payload_type = "application/vnd.assent.approval.v2+json";
  CHECK_FALSE(dsse::verify_signature(changed_type, 0, verifier_of(a)));
  dsse::envelope changed_sig = e;
  changed_sig.signatures[0].sig[10] ^= 1;
  CHECK_FALSE(dsse::verify_signature(changed_sig, 0, verifier_of(a)));
}

TEST_CASE("serialize writes compact JSON with standard padded base64 that parses back unchanged",
          "[dsse]") {
  const auto a = key_from(seed_a, "key/a~!{}");  // visible ASCII beyond the name characters
  dsse::envelope e;
  e.payload_type = std::string(dsse::approval_payload_type);
  const std::string body = "{\"id\":\"\xc3\xa9\"}";
  e.payload.assign(body.begin(), body.end());
  const auto sig = a.sign(dsse::pae(e));
  e.signatures.push_back({a.kid(), bytes(sig.begin(), sig.end())});
  e.signatures.push_back({"b", bytes{0xfb, 0xff}});

  const std::string text = dsse::serialize(e);
  const auto r = dsse::parse_envelope(text);
  REQUIRE(r.ok());
  CHECK(r.value->payload_type == e.payload_type);
  CHECK(r.value->payload == e.payload);
  REQUIRE(r.value->signatures.size() == 2);
  CHECK(r.value->signatures[0].keyid == a.kid());
  CHECK(r.value->signatures[0].sig == e.signatures[0].sig);
  CHECK(r.value->signatures[1].sig == e.signatures[1].sig);
  CHECK(dsse::serialize(*r.value) == text);

  // Compact, members in name order: the same text nlohmann writes for the same document.
  CHECK(nlohmann::json::parse(text).dump() == text);
  const auto doc = nlohmann::json::parse(text);
  CHECK(doc.at("payload").get<std::string>() == openssl_base64(e.payload));
  CHECK(doc.at("signatures").at(1).at("sig").get<std::string>() == "+/8=");
}

TEST_CASE("an envelope signed by OpenSSL over the PAE verifies with assent", "[dsse][interop]") {
  const auto seed = assent_test::unhex_array<32>(seed_b);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()),
      EVP_PKEY_free);
  REQUIRE(pkey);
  std::array<std::uint8_t, 32> pub{};
  std::size_t pub_len = pub.size();
  REQUIRE(EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &pub_len) == 1);

  const std::string type(dsse::approval_payload_type);
  const std::string body = R"({"id":"apv-1","note":"signed by OpenSSL"})";
  const bytes m = independent_pae(type, body);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1);
  std::array<std::uint8_t, 64> sig{};
  std::size_t sig_len = sig.size();
  REQUIRE(EVP_DigestSign(ctx.get(), sig.data(), &sig_len, m.data(), m.size()) == 1);
  REQUIRE(sig_len == 64);

  const std::string text = R"({"signatures":[{"sig":")" + openssl_base64(sig) +
                           R"(","keyid":"openssl"}],"payloadType":")" + type + R"(","payload":")" +
                           openssl_base64(byte_view(body)) + R"("})";
  const auto r = dsse::parse_envelope(text);
  REQUIRE(r.ok());
  CHECK(dsse::pae(*r.value) == m);
  auto vk = ed25519::verifying_key::from_bytes(pub);
  REQUIRE(vk);
  CHECK(dsse::verify_signature(*r.value, 0, *vk));
}

TEST_CASE("an envelope assent signs verifies with OpenSSL over the PAE", "[dsse][interop]") {
  const auto a = key_from(seed_a, "a");
  dsse::envelope e;
  e.payload_type = std::string(dsse::approval_payload_type);
  const std::string body = R"({"id":"apv-2","note":"signed by assent"})";
  e.payload.assign(body.begin(), body.end());
  const auto sig = a.sign(dsse::pae(e));
  e.signatures.push_back({a.kid(), bytes(sig.begin(), sig.end())});
  const auto doc = nlohmann::json::parse(dsse::serialize(e));

  // OpenSSL reads the signature back out of the JSON and checks it over an independent PAE.
  const std::string sig_b64 = doc.at("signatures").at(0).at("sig");
  std::vector<unsigned char> decoded(sig_b64.size());
  const int n =
      EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(sig_b64.data()),
                      static_cast<int>(sig_b64.size()));
  REQUIRE(n == 66);  // EVP_DecodeBlock counts the padding: 64 bytes + 2
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, a.public_key().data(), 32),
      EVP_PKEY_free);
  REQUIRE(pkey);
  const auto check = [&](const bytes& message) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    REQUIRE(EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1);
    return EVP_DigestVerify(ctx.get(), decoded.data(), 64, message.data(), message.size()) == 1;
  };
  CHECK(check(independent_pae(doc.at("payloadType").get<std::string>(), body)));
  CHECK_FALSE(check(independent_pae("application/json", body)));
}

namespace {

// A store holding `key` with `status` (retired keys need a retirement time).
assent::memory_key_store store_of(const assent::signing_key& key, assent::key_status status) {
  assent::key_record_spec spec;
  spec.kid = key.kid();
  spec.public_key = key.public_key();
  spec.principal = "alice";
  spec.status = status;
  if (status == assent::key_status::retired) spec.retired_at = 1700000000;
  auto rec = assent::key_record::create(spec);
  REQUIRE(rec.first);
  assent::memory_key_store store;
  REQUIRE_FALSE(store.add(std::move(*rec.first)));
  return store;
}

class no_answer_store final : public assent::key_store {
 public:
  assent::key_lookup find(std::string_view) const override { return {}; }
};

}  // namespace

TEST_CASE("check_signature: a trusted, unrevoked key whose signature verifies, or the first check that fails",
          "[dsse][keys]") {
  const auto signer = key_from(seed_a, "k-a");
  const auto stranger = key_from(seed_b, "k-a");  // same keyid, another key
  dsse::envelope e;
  e.payload_type = "application/x-test";
  const std::string body = "checked after the fact";
  e.payload.assign(body.begin(), body.end());
  REQUIRE_FALSE(dsse::add_signature(e, signer));
  const bytes m = dsse::pae(e);
  const auto& entry = e.signatures.at(0);
  using assent::key_status;
  using assent::reason;

  const auto good = assent::check_signature(store_of(signer, key_status::active), m, entry);
  CHECK(good.ok());
  REQUIRE(good.record);
  CHECK(good.record->principal() == "alice");
  CHECK(assent::check_signature(store_of(signer, key_status::retired), m, entry).ok());  // still vouches
  const auto revoked = assent::check_signature(store_of(signer, key_status::revoked), m, entry);
  CHECK(revoked.why == reason::key_revoked);
  CHECK(revoked.record);
  CHECK(assent::check_signature(store_of(stranger, key_status::active), m, entry).why == reason::bad_signature);
  CHECK(assent::check_signature(assent::memory_key_store{}, m, entry).why == reason::unknown_key);
  CHECK(assent::check_signature(no_answer_store{}, m, entry).why == reason::key_store_unavailable);
  bytes changed = m;
  changed.back() ^= 1;
  CHECK(assent::check_signature(store_of(signer, key_status::active), changed, entry).why == reason::bad_signature);
}
