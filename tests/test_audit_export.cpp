// Signed export of an audit log and its offline verification with a JWKS: what verifies, and
// every kind of refusal with its reason.
#include <sodium.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/audit/detail/dsse.hpp"
#include "assent/audit/export.hpp"
#include "assent/audit/file_sink.hpp"
#include "assent/audit/memory_sink.hpp"
#include "assent/keys/jwks.hpp"
#include "catch.hpp"
#include "test_audit_util.hpp"

namespace {

using namespace assent::audit;
using assent_audit_test::host_event;
using assent_audit_test::make_key;
using assent_audit_test::split_lines;
using assent_audit_test::t0;
using assent_audit_test::temp_dir;
using assent_audit_test::trust;

std::string log_of(std::uint64_t n) {
  memory_sink sink;
  for (std::uint64_t i = 1; i <= n; ++i) REQUIRE(sink.append(host_event(i), t0(static_cast<std::int64_t>(i))).ok);
  return sink.text();
}

// A JWKS written by hand (libsodium's base64url, not assent's), as an auditor would receive it.
std::string jwks_for(const assent::signing_key& key, const std::string& status = "active") {
  char x[64];
  sodium_bin2base64(x, sizeof x, key.public_key().data(), key.public_key().size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  nlohmann::json jwk = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", x},          {"kid", key.kid()},
                        {"alg", "EdDSA"}, {"use", "sig"},   {"principal", "audit-export"}, {"status", status}};
  if (status == "retired") jwk["retired_at"] = 1;
  return nlohmann::json{{"keys", {jwk}}}.dump();
}

// The payload of an export envelope (tests build forged ones from it).
nlohmann::json body_of(const std::string& envelope) {
  const auto e = nlohmann::json::parse(envelope);
  const auto raw = assent::base64_decode(e.at("payload").get<std::string>());
  REQUIRE(raw);
  return nlohmann::json::parse(std::string(raw->begin(), raw->end()));
}

std::string resign(const nlohmann::json& body, const assent::signing_key& key,
                   std::string_view type = export_payload_type) {
  const auto env = detail::dsse_sign(type, *assent::json::canonicalize(body), key);
  REQUIRE(env);
  return *env;
}

}  // namespace

TEST_CASE("a signed export verifies offline with a JWKS: signature, every record, chain, count and head",
          "[audit][export]") {
  const auto key = make_key(41, "export-key");
  const auto jwks = assent::load_jwks(jwks_for(*key));
  INFO(jwks.error.message);
  REQUIRE(jwks.ok());
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  {
    file_sink_options o;
    o.mode = durability::none;
    auto s = file_sink::open(path, o);
    REQUIRE(s.ok());
    for (std::uint64_t i = 1; i <= 6; ++i) REQUIRE(s.sink->append(host_event(i), t0()).ok);
  }
  const auto exp = export_log_file(path, "payments-prod", t0(3600), *key);
  INFO(exp.error);
  REQUIRE(exp.ok());
  CHECK(exp.verification.count == 6);

  std::vector<std::uint64_t> seen;
  const auto v = verify_export(*exp.envelope, *jwks.store, [&](const record_view& r) { seen.push_back(r.seq); });
  INFO(v.message);
  REQUIRE(v.ok());
  CHECK(v.keyid == "export-key");
  CHECK(v.log == "payments-prod");
  CHECK(v.exported_at == t0(3600));
  CHECK(v.count == 6);
  CHECK(v.head == verify_log_file(path).head);
  CHECK(seen == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6});

  // The body is exactly the documented shape, its records exactly the log's lines.
  const auto body = body_of(*exp.envelope);
  CHECK(body.size() == 5);
  CHECK(body.at("exported_at") == assent::json::format_rfc3339(t0(3600)));
  const auto lines = split_lines(assent_audit_test::read_file(path));
  REQUIRE(body.at("records").size() == lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) CHECK(*assent::json::canonicalize(body.at("records")[i]) == lines[i]);
}

TEST_CASE("an empty log exports as count 0 with the genesis head", "[audit][export]") {
  const auto key = make_key(41, "export-key");
  const auto exp = export_log_text("", "empty", t0(), *key);
  REQUIRE(exp.ok());
  const auto v = verify_export(*exp.envelope, *trust({key}));
  CHECK(v.ok());
  CHECK(v.count == 0);
  CHECK(v.head == genesis_hash);
}

TEST_CASE("a log that does not verify is not exported", "[audit][export]") {
  const auto key = make_key(41, "export-key");
  auto lines = split_lines(log_of(3));
  std::swap(lines[0], lines[1]);
  const auto exp = export_log_text(lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n", "x", t0(), *key);
  CHECK_FALSE(exp.ok());
  CHECK(exp.verification.code == chain_errc::sequence_gap);
  CHECK(exp.error.find("record 1") != std::string::npos);
  const auto torn = export_log_text(log_of(2) + "{\"ev", "x", t0(), *key);
  CHECK_FALSE(torn.ok());
  CHECK(torn.verification.code == chain_errc::truncated_line);
  CHECK_FALSE(export_log_file("/nonexistent/audit.log", "x", t0(), *key).ok());
}

TEST_CASE("verify_export refuses untrusted, revoked or wrong-type signatures and a changed payload",
          "[audit][export]") {
  const auto key = make_key(41, "export-key");
  const auto other = make_key(42, "other-key");
  const auto keys = trust({key});
  const auto exp = export_log_text(log_of(3), "log", t0(), *key);
  REQUIRE(exp.ok());
  CHECK(verify_export(*exp.envelope, *keys).ok());

  CHECK(verify_export(*exp.envelope, *trust({other})).code == export_errc::signature_invalid);
  const auto revoked = assent::load_jwks(jwks_for(*key, "revoked"));
  REQUIRE(revoked.ok());
  CHECK(verify_export(*exp.envelope, *revoked.store).code == export_errc::signature_invalid);
  // A retired export key still vouches for exports it signed.
  const auto retired = assent::load_jwks(jwks_for(*key, "retired"));
  REQUIRE(retired.ok());
  CHECK(verify_export(*exp.envelope, *retired.store).ok());
  // A checkpoint is not an export, even when signed by the same key.
  const auto as_checkpoint = resign(body_of(*exp.envelope), *key, checkpoint_payload_type);
  CHECK(verify_export(as_checkpoint, *keys).code == export_errc::malformed);
  CHECK(verify_export("{}", *keys).code == export_errc::malformed);
  CHECK(verify_export("", *keys).code == export_errc::malformed);
  // Changing any payload byte breaks the signature (or the envelope).
  auto e = nlohmann::json::parse(*exp.envelope);
  std::string payload = e["payload"];
  payload[10] = payload[10] == 'A' ? 'B' : 'A';
  e["payload"] = payload;
  const auto v = verify_export(e.dump(), *keys);
  CHECK_FALSE(v.ok());
  CHECK((v.code == export_errc::signature_invalid || v.code == export_errc::malformed));
}

TEST_CASE("verify_export refuses a correctly signed body whose records, count or head do not hold",
          "[audit][export]") {
  const auto key = make_key(41, "export-key");
  const auto keys = trust({key});
  const auto exp = export_log_text(log_of(4), "log", t0(), *key);
  REQUIRE(exp.ok());
  const auto body = body_of(*exp.envelope);

  auto count = body;
  count["count"] = 3;
  CHECK(verify_export(resign(count, *key), *keys).code == export_errc::count_mismatch);

  auto head = body;
  head["head"] = std::string(genesis_hash);
  CHECK(verify_export(resign(head, *key), *keys).code == export_errc::head_mismatch);

  auto edited = body;
  edited["records"][2]["event"]["n"] = 99;
  const auto ve = verify_export(resign(edited, *key), *keys);
  CHECK(ve.code == export_errc::chain);
  CHECK(ve.chain.code == chain_errc::hash_mismatch);
  CHECK(ve.chain.bad_seq == 3);

  auto dropped = body;
  dropped["records"].erase(1);
  const auto vd = verify_export(resign(dropped, *key), *keys);
  CHECK(vd.code == export_errc::chain);
  CHECK(vd.chain.code == chain_errc::sequence_gap);
  CHECK(vd.chain.bad_seq == 2);

  auto not_record = body;
  not_record["records"][0] = "text";
  CHECK(verify_export(resign(not_record, *key), *keys).chain.code == chain_errc::malformed_line);

  auto extra = body;
  extra["note"] = "x";
  CHECK(verify_export(resign(extra, *key), *keys).code == export_errc::malformed);

  auto missing = body;
  missing.erase("log");
  CHECK(verify_export(resign(missing, *key), *keys).code == export_errc::malformed);

  // Same value, other bytes: a body that is not in canonical form is refused.
  const auto spaced = detail::dsse_sign(export_payload_type, body.dump(1), *key);
  REQUIRE(spaced);
  CHECK(verify_export(*spaced, *keys).code == export_errc::malformed);
}
