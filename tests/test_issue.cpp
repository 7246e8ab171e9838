// Issuing and co-signing approvals, and the documented recipe that signs an approval with the
// openssl command line alone (run here, so docs/credential-format.md cannot drift from the code).
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "assent/credential/claims.hpp"
#include "assent/credential/issue.hpp"
#include "assent/envelope.hpp"
#include "assent/keys/signing_key.hpp"
#include "catch.hpp"
#include "test_util.hpp"

namespace {

using assent::approval_claims;
using assent::byte_view;
using assent::bytes;
namespace dsse = assent::dsse;
namespace ed25519 = assent::crypto::ed25519;

// RFC 8032 §7.1 TEST 1 and TEST 2 seeds.
const char* const seed_1 = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const char* const seed_2 = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";

assent::signing_key key(const char* seed_hex, std::string kid, std::string principal) {
  return assent::signing_key::from_seed(assent_test::unhex_array<32>(seed_hex), std::move(kid),
                                        std::move(principal));
}

ed25519::verifying_key verifier_of_public_key(const ed25519::public_key& pk) {
  auto vk = ed25519::verifying_key::from_bytes(pk);
  REQUIRE(vk);
  return *vk;
}

approval_claims sample_claims() {
  approval_claims c;
  c.id = "apv-2026-11-21-0001";
  c.project = "payments";
  c.environment = "prod";
  c.spec_hash = "sha256:" + std::string(64, 'e');
  c.capabilities = {"deploy"};
  c.issued_at = 1795255200;  // 2026-11-21T10:00:00Z
  c.expires_at = c.issued_at + 3600;
  return c;
}

dsse::envelope parse_ok(const std::string& text) {
  auto r = dsse::parse_envelope(text);
  INFO(r.message);
  REQUIRE(r.ok());
  return std::move(*r.value);
}

std::string docs_path() {
  return std::string(ASSENT_VECTORS_DIR) + "/../../docs/credential-format.md";
}

// The fenced block that follows the line `marker` in the credential-format doc.
std::string doc_block(const std::string& marker) {
  const std::string doc = assent_test::read_file(docs_path());
  const auto at = doc.find(marker);
  if (at == std::string::npos) throw std::runtime_error("marker not in the doc: " + marker);
  const auto open = doc.find("```", at);
  const auto body = doc.find('\n', open) + 1;
  const auto close = doc.find("\n```", body);
  return doc.substr(body, close - body + 1);
}

}  // namespace

TEST_CASE("issue_approval signs the claims' compact JSON as an approval envelope", "[issue]") {
  const auto alice = key(seed_1, "alice-2026", "alice");
  const std::string text = assent::issue_approval(sample_claims(), alice);
  const dsse::envelope e = parse_ok(text);
  CHECK(e.payload_type == dsse::approval_payload_type);
  REQUIRE(e.signatures.size() == 1);
  CHECK(e.signatures[0].keyid == "alice-2026");
  CHECK(dsse::verify_signature(e, 0, verifier_of_public_key(alice.public_key())));

  const auto claims = assent::parse_approval_claims(byte_view(e.payload));
  REQUIRE(claims.ok());
  CHECK(claims.claims->approver == std::optional<std::string>("alice"));  // bound from the key
  approval_claims expected = sample_claims();
  expected.approver = "alice";
  CHECK(assent::to_json(*claims.claims) == assent::to_json(expected));
  // The body is compact JSON with members in name order (what nlohmann's dump writes).
  const std::string body(e.payload.begin(), e.payload.end());
  CHECK(body == nlohmann::json::parse(body).dump());
  CHECK(body.find(' ') == std::string::npos);
}

TEST_CASE("issue_approval leaves approver unset when asked to, or when the key names no principal",
          "[issue]") {
  assent::issue_options unbound;
  unbound.bind_approver = false;
  const auto from = [](const std::string& text) {
    const auto e = dsse::parse_envelope(text);
    REQUIRE(e.ok());
    const auto c = assent::parse_approval_claims(byte_view(e.value->payload));
    REQUIRE(c.ok());
    return *c.claims;
  };
  CHECK_FALSE(
      from(assent::issue_approval(sample_claims(), key(seed_1, "a", "alice"), unbound)).approver);
  CHECK_FALSE(from(assent::issue_approval(sample_claims(), key(seed_1, "a", ""))).approver);
  approval_claims named = sample_claims();
  named.approver = "alice";
  CHECK(from(assent::issue_approval(named, key(seed_1, "a", "alice"))).approver ==
        std::optional<std::string>("alice"));
}

TEST_CASE("issue_approval refuses claims the verifier would refuse", "[issue]") {
  const auto alice = key(seed_1, "alice-2026", "alice");
  approval_claims other = sample_claims();
  other.approver = "mallory";
  CHECK_THROWS_AS(assent::issue_approval(other, alice), std::invalid_argument);

  approval_claims no_caps = sample_claims();
  no_caps.capabilities.clear();
  CHECK_THROWS_WITH(assent::issue_approval(no_caps, alice),
                    Catch::Contains("/capabilities: empty"));
  approval_claims backwards = sample_claims();
  backwards.expires_at = backwards.issued_at;
  CHECK_THROWS_WITH(assent::issue_approval(backwards, alice), Catch::Contains("/expires_at"));
  approval_claims bad_hash = sample_claims();
  bad_hash.spec_hash = "sha256:XYZ";
  CHECK_THROWS_WITH(assent::issue_approval(bad_hash, alice), Catch::Contains("/spec_hash"));
  approval_claims far = sample_claims();
  far.expires_at = std::int64_t{400000000000};  // year 14645: RFC 3339 cannot write it
  CHECK_THROWS_WITH(assent::issue_approval(far, alice), Catch::Contains("/expires_at"));
  approval_claims bad_ext = sample_claims();
  bad_ext.ext = nlohmann::json::array();
  CHECK_THROWS_AS(assent::issue_approval(bad_ext, alice), std::invalid_argument);
  CHECK_THROWS_AS(assent::issue_approval(sample_claims(), key(seed_1, "", "alice")),
                  std::invalid_argument);
  CHECK_THROWS_AS(
      assent::issue_approval(sample_claims(), key(seed_1, std::string(257, 'k'), "alice")),
      std::invalid_argument);
}

TEST_CASE("cosign adds a signature over the same body bytes; every signature verifies",
          "[issue][cosign]") {
  const auto alice = key(seed_1, "alice-2026", "alice");
  const auto bob = key(seed_2, "bob-2026", "bob");
  assent::issue_options unbound;
  unbound.bind_approver = false;
  const std::string first = assent::issue_approval(sample_claims(), alice, unbound);
  std::string error = "stale";
  const auto second = assent::cosign(first, bob, &error);
  INFO(error);
  REQUIRE(second);
  CHECK(error.empty());
  const dsse::envelope a = parse_ok(first);
  const dsse::envelope b = parse_ok(*second);
  CHECK(b.payload == a.payload);
  CHECK(b.payload_type == a.payload_type);
  REQUIRE(b.signatures.size() == 2);
  CHECK(b.signatures[0].keyid == "alice-2026");
  CHECK(b.signatures[0].sig == a.signatures[0].sig);
  CHECK(b.signatures[1].keyid == "bob-2026");
  const bytes m = dsse::pae(b);
  CHECK(dsse::verify_signature(m, b.signatures[0], verifier_of_public_key(alice.public_key())));
  CHECK(dsse::verify_signature(m, b.signatures[1], verifier_of_public_key(bob.public_key())));
  CHECK_FALSE(dsse::verify_signature(m, b.signatures[1], verifier_of_public_key(alice.public_key())));
}

TEST_CASE(
    "cosign keeps a body it did not write byte for byte, whatever its spacing or base64 alphabet",
    "[issue][cosign]") {
  const auto alice = key(seed_1, "alice-2026", "");
  const auto bob = key(seed_2, "bob-2026", "bob");
  const std::string body =
      "{ \"id\": \"x\", \"project\": \"p\", \"environment\": \"e\",\n  \"spec_hash\": \"sha256:" +
      std::string(64, '0') +
      "\", \"capabilities\": [\"deploy\"], \"issued_at\": \"2026-11-21T10:00:00+01:00\","
      " \"expires_at\": \"2026-11-21T10:30:00Z\" }";
  const std::string type(dsse::approval_payload_type);
  dsse::envelope e;
  e.payload_type = type;
  e.payload.assign(body.begin(), body.end());
  const auto sig = alice.sign(dsse::pae(e));
  const std::string text = R"({"payload":")" + assent::base64url_encode(e.payload) +
                           R"(","payloadType":")" + type +
                           R"(","signatures":[{"keyid":"alice-2026","sig":")" +
                           assent::base64url_encode(sig) + R"("}]})";
  const auto out = assent::cosign(text, bob);
  REQUIRE(out);
  const dsse::envelope c = parse_ok(*out);
  CHECK(std::string(c.payload.begin(), c.payload.end()) == body);
  const bytes m = dsse::pae(c);
  CHECK(dsse::verify_signature(m, c.signatures[0], verifier_of_public_key(alice.public_key())));
  CHECK(dsse::verify_signature(m, c.signatures[1], verifier_of_public_key(bob.public_key())));
}

TEST_CASE(
    "cosign refuses a repeated keyid, a full list, a foreign approver and a malformed envelope",
    "[issue][cosign]") {
  const auto alice = key(seed_1, "alice-2026", "alice");
  const auto bob = key(seed_2, "bob-2026", "bob");
  std::string error;

  const std::string bound = assent::issue_approval(sample_claims(), alice);  // approver: alice
  CHECK_FALSE(assent::cosign(bound, alice, &error));
  CHECK(error.find("alice-2026") != std::string::npos);
  CHECK_FALSE(assent::cosign(bound, bob, &error));
  CHECK(error.find("approver \"alice\"") != std::string::npos);

  CHECK_FALSE(assent::cosign("{}", bob, &error));
  CHECK(error.find("missing_member") != std::string::npos);
  CHECK_FALSE(assent::cosign(R"({"payload":"","payloadType":"t","signatures":[]})", bob, &error));
  CHECK(error.find("no_signatures") != std::string::npos);

  // An approval body that is not valid claims is not co-signed.
  dsse::envelope junk;
  junk.payload_type = std::string(dsse::approval_payload_type);
  junk.payload = {'{', '}'};
  const auto s = alice.sign(dsse::pae(junk));
  junk.signatures.push_back({"alice-2026", bytes(s.begin(), s.end())});
  CHECK_FALSE(assent::cosign(dsse::serialize(junk), bob, &error));
  CHECK(error.find("/id: missing") != std::string::npos);
  // Another payload type is co-signed as a plain DSSE envelope.
  junk.payload_type = "application/vnd.example+json";
  CHECK(assent::cosign(dsse::serialize(junk), bob));

  // Sixteen signatures are the most an envelope may carry.
  assent::issue_options unbound;
  unbound.bind_approver = false;
  std::string text = assent::issue_approval(sample_claims(), alice, unbound);
  for (int i = 1; i < 16; ++i) {
    auto next = assent::cosign(text, key(seed_2, "k" + std::to_string(i), ""), &error);
    INFO(error);
    REQUIRE(next);
    text = *next;
  }
  CHECK(parse_ok(text).signatures.size() == 16);
  CHECK_FALSE(assent::cosign(text, key(seed_2, "k16", ""), &error));
  CHECK(error.find("16 signatures") != std::string::npos);
}

TEST_CASE("generate_approval_id gives distinct valid ids with 128 random bits", "[issue]") {
  const std::string a = assent::generate_approval_id();
  const std::string b = assent::generate_approval_id();
  CHECK(a != b);
  REQUIRE(a.size() == 36);
  CHECK(a.rfind("apv-", 0) == 0);
  CHECK(a.find_first_not_of("0123456789abcdef", 4) == std::string::npos);
  const auto c = assent::make_approval_claims("payments", "prod", "sha256:" + std::string(64, '1'),
                                              {"deploy"}, 1795255200, 900);
  CHECK(c.id.rfind("apv-", 0) == 0);
  CHECK(c.expires_at == 1795255200 + 900);
  CHECK(assent::parse_approval_claims(assent::to_json(c)).ok());
}

TEST_CASE("the documented example envelope is what issue_approval writes for its claims and key",
          "[issue][docs]") {
  // The doc's example was signed with the openssl command line and the RFC 8032 TEST 1 key;
  // Ed25519 is deterministic, so assent must write the very same bytes.
  std::string doc_envelope = doc_block("<!-- example: envelope -->");
  while (!doc_envelope.empty() && (doc_envelope.back() == '\n')) doc_envelope.pop_back();
  const dsse::envelope e = parse_ok(doc_envelope);
  const auto alice = key(seed_1, "alice-2026", "alice");
  CHECK(dsse::verify_signature(e, 0, verifier_of_public_key(alice.public_key())));
  const auto claims = assent::parse_approval_claims(byte_view(e.payload));
  INFO(claims.error);
  REQUIRE(claims.ok());
  CHECK(assent::issue_approval(*claims.claims, alice) == doc_envelope);

  std::string doc_pae = doc_block("<!-- example: pae -->");
  doc_pae.pop_back();  // the block's final newline is not part of the PAE
  const bytes m = dsse::pae(e);
  CHECK(std::string(m.begin(), m.end()) == doc_pae);
}

TEST_CASE("the documented openssl command-line recipe makes an approval assent accepts",
          "[issue][docs][openssl]") {
  if (std::system("openssl version > /dev/null 2>&1") != 0) {
    WARN("openssl command not found: recipe not run");
    return;
  }
  char dir_template[] = "/tmp/assent-recipe-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  REQUIRE(dir != nullptr);
  const std::string d(dir);
  {
    std::ofstream script(d + "/recipe.sh", std::ios::binary);
    script << "set -eu\n" << doc_block("<!-- recipe: openssl -->");
  }
  const int rc = std::system(("cd '" + d + "' && sh recipe.sh > recipe.log 2>&1").c_str());
  INFO(assent_test::read_file(d + "/recipe.log"));
  REQUIRE(rc == 0);

  const std::string pub = assent_test::read_file(d + "/approver.pub");
  REQUIRE(pub.size() == 32);
  ed25519::public_key pk{};
  for (std::size_t i = 0; i < 32; ++i) pk[i] = static_cast<std::uint8_t>(pub[i]);
  const dsse::envelope e = parse_ok(assent_test::read_file(d + "/approval.json"));
  CHECK(e.payload_type == dsse::approval_payload_type);
  REQUIRE(e.signatures.size() == 1);
  CHECK(e.signatures[0].keyid == "alice-2026");
  CHECK(dsse::verify_signature(e, 0, verifier_of_public_key(pk)));
  const bytes m = dsse::pae(e);
  CHECK(std::string(m.begin(), m.end()) == assent_test::read_file(d + "/pae.bin"));
  const auto claims = assent::parse_approval_claims(byte_view(e.payload));
  INFO(claims.error);
  CHECK(claims.ok());

  for (const char* f : {"approver.pem", "approver.pub", "claims.json", "pae.bin", "sig.bin",
                        "approval.json", "recipe.sh", "recipe.log", "approver.pub.pem"}) {
    (void)std::remove((d + "/" + f).c_str());
  }
  (void)rmdir(dir);
}
