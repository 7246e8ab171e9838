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
  jwk["logs"] = {"payments-prod", "log"};  // the logs this key signs exports of
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
  const auto v = verify_export(*exp.envelope, *jwks.store, "payments-prod", [&](const record_view& r) { seen.push_back(r.seq); });
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
  const auto v = verify_export(*exp.envelope, *trust({key}), "empty");
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
  CHECK(verify_export(*exp.envelope, *keys, "log").ok());

  CHECK(verify_export(*exp.envelope, *trust({other}), "log").code == export_errc::signature_invalid);
  const auto revoked = assent::load_jwks(jwks_for(*key, "revoked"));
  REQUIRE(revoked.ok());
  CHECK(verify_export(*exp.envelope, *revoked.store, "log").code == export_errc::signature_invalid);
  // A retired export key still vouches for exports it signed.
  const auto retired = assent::load_jwks(jwks_for(*key, "retired"));
  REQUIRE(retired.ok());
  CHECK(verify_export(*exp.envelope, *retired.store, "log").ok());
  // A checkpoint is not an export, even when signed by the same key.
  const auto as_checkpoint = resign(body_of(*exp.envelope), *key, checkpoint_payload_type);
  CHECK(verify_export(as_checkpoint, *keys, "log").code == export_errc::malformed);
  CHECK(verify_export("{}", *keys, "log").code == export_errc::malformed);
  CHECK(verify_export("", *keys, "log").code == export_errc::malformed);
  // Changing any payload byte breaks the signature (or the envelope).
  auto e = nlohmann::json::parse(*exp.envelope);
  std::string payload = e["payload"];
  payload[10] = payload[10] == 'A' ? 'B' : 'A';
  e["payload"] = payload;
  const auto v = verify_export(e.dump(), *keys, "log");
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
  CHECK(verify_export(resign(count, *key), *keys, "log").code == export_errc::count_mismatch);

  auto head = body;
  head["head"] = std::string(genesis_hash);
  CHECK(verify_export(resign(head, *key), *keys, "log").code == export_errc::head_mismatch);

  auto edited = body;
  edited["records"][2]["event"]["n"] = 99;
  const auto ve = verify_export(resign(edited, *key), *keys, "log");
  CHECK(ve.code == export_errc::chain);
  CHECK(ve.chain.code == chain_errc::hash_mismatch);
  CHECK(ve.chain.bad_seq == 3);

  auto dropped = body;
  dropped["records"].erase(1);
  const auto vd = verify_export(resign(dropped, *key), *keys, "log");
  CHECK(vd.code == export_errc::chain);
  CHECK(vd.chain.code == chain_errc::sequence_gap);
  CHECK(vd.chain.bad_seq == 2);

  auto not_record = body;
  not_record["records"][0] = "text";
  CHECK(verify_export(resign(not_record, *key), *keys, "log").chain.code == chain_errc::malformed_line);

  auto extra = body;
  extra["note"] = "x";
  CHECK(verify_export(resign(extra, *key), *keys, "log").code == export_errc::malformed);

  auto missing = body;
  missing.erase("log");
  CHECK(verify_export(resign(missing, *key), *keys, "log").code == export_errc::malformed);

  // Same value, other bytes: a body that is not in canonical form is refused.
  const auto spaced = detail::dsse_sign(export_payload_type, body.dump(1), *key);
  REQUIRE(spaced);
  CHECK(verify_export(*spaced, *keys, "log").code == export_errc::malformed);
}

TEST_CASE("an export verifies only as the log its key is bound to and that it names", "[audit][export]") {
  const auto sandbox_key = make_key(43, "sandbox-log-key");
  const auto prod_key = make_key(44, "prod-log-key");
  // The auditors' key set: each log key bound to its own log, as a JWKS member "logs".
  auto member = [](const assent::signing_key& k, const std::string& log) {
    auto spec = assent::key_record_spec{};
    spec.kid = k.kid();
    spec.public_key = k.public_key();
    spec.principal = "audit-log";
    spec.logs = std::vector<std::string>{log};
    auto rec = assent::key_record::create(spec);
    REQUIRE(rec.first);
    return assent::to_public_jwk(*rec.first);
  };
  const auto jwks = assent::load_jwks(
      nlohmann::json{{"keys", {member(*sandbox_key, "sandbox"), member(*prod_key, "payments-prod")}}}.dump());
  INFO(jwks.error.message);
  REQUIRE(jwks.ok());
  CHECK(jwks.store->find("sandbox-log-key").record->logs() == std::vector<std::string>{"sandbox"});

  // The sandbox key signs an export that claims to be payments-prod: its key is not bound there.
  const auto forged = export_log_text(log_of(2), "payments-prod", t0(), *sandbox_key);
  REQUIRE(forged.ok());
  const auto v = verify_export(*forged.envelope, *jwks.store, "payments-prod");
  CHECK(v.code == export_errc::signature_invalid);
  CHECK(v.message.find("not bound to log \"payments-prod\"") != std::string::npos);
  // A real sandbox export does not verify as payments-prod either.
  const auto sandbox = export_log_text(log_of(2), "sandbox", t0(), *sandbox_key);
  REQUIRE(sandbox.ok());
  CHECK(verify_export(*sandbox.envelope, *jwks.store, "sandbox").ok());
  CHECK(verify_export(*sandbox.envelope, *jwks.store, "payments-prod").code == export_errc::signature_invalid);
  CHECK(verify_export(*sandbox.envelope, *jwks.store, "").code == export_errc::wrong_log);
  // A key bound to both logs: the body must still name the expected one.
  const auto both = trust({sandbox_key}, assent::key_status::active, std::vector<std::string>{"sandbox", "payments-prod"});
  const auto w = verify_export(*sandbox.envelope, *both, "payments-prod");
  CHECK(w.code == export_errc::wrong_log);
  CHECK(to_string(w.code) == "wrong_log");
  const auto prod = export_log_text(log_of(2), "payments-prod", t0(), *prod_key);
  REQUIRE(prod.ok());
  CHECK(verify_export(*prod.envelope, *jwks.store, "payments-prod").ok());
  // A key with no "logs" member signs for no log.
  CHECK(verify_export(*prod.envelope, *trust({prod_key}, assent::key_status::active, std::nullopt), "payments-prod").code ==
        export_errc::signature_invalid);
  // "logs" is checked like "environments": a non-empty list of distinct, non-empty ids.
  for (const char* bad : {R"([])", R"([""])", R"(["a","a"])", R"("a")"}) {
    auto jwk = member(*prod_key, "x");
    jwk["logs"] = nlohmann::json::parse(bad);
    CHECK_FALSE(assent::load_jwks(nlohmann::json{{"keys", {jwk}}}.dump()).ok());
  }
}
