// quickstart: the main demo (README, first command).
//
// In a temporary folder it creates keys for three people, writes a policy and
// walks a production deploy and an incident replay through assent, then
// verifies, tampers with and exports the audit log. Everything printed is
// computed as it runs.
#include <assent/assent.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "../common/safe_file.hpp"

namespace {

std::string dir;  // the temporary folder

[[noreturn]] void die(const std::string& why) {
  std::cerr << "quickstart: " << why << "\n";
  std::exit(2);
}
// Checked, durable, mode 0600 (private keys among them): see ../common/safe_file.hpp.
void write_file(const std::string& name, const std::string& text) {
  if (auto err = safe_file::replace(dir + "/" + name, text)) die(*err);
}
std::string read_file(const std::string& name) {
  std::string error;
  auto text = safe_file::read(dir + "/" + name, error);
  if (!text) die(error);
  return *text;
}

assent::signing_key new_key(const std::string& kid, const std::string& principal) {
  assent::crypto::ed25519::seed seed{};
  if (!assent::crypto::os_random(seed)) die("the OS random generator failed");
  return assent::signing_key::from_seed(seed, kid, principal);
}

void show(const std::string& title, const assent::decision& d) {
  std::cout << "  " << title << "\n    -> " << (d.allowed ? "ALLOW" : "DENY");
  if (!d.reasons.empty()) {
    std::cout << " because";
    for (auto r : d.reasons) std::cout << " " << assent::to_string(r);
  }
  if (d.exception) std::cout << " (break-glass, review required)";
  std::cout << "   [audit record #" << d.audit_seq << "]\n";
  for (const auto& a : d.approvals) std::cout << "       counted:  " << a.approver << " (" << a.keyid << ")\n";
  for (const auto& r : d.rejected)
    std::cout << "       rejected: credential " << r.index << " by " << r.keyid.value_or("?") << ": "
              << assent::to_string(r.why) << "\n";
  if (!d.allowed && d.missing.approvals > 0) std::cout << "       still needed: " << d.missing.approvals << " approval(s)\n";
  for (const auto& c : d.missing.capabilities) std::cout << "       missing capability: " << c << "\n";
}

}  // namespace

int main() {
  char tmpl[] = "/tmp/assent-quickstart-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) die("cannot create a temporary folder");
  dir = tmpl;
  std::cout << "assent " << assent::version_string() << " quickstart, working in " << dir << "\n\n";

  // 1. Keys for three people, and a trusted key set (JWKS) holding their public halves.
  std::cout << "1. Keys: alice (admin), carol (owner), bob (developer, who will deploy)\n";
  const auto alice = new_key("alice-2026-11", "alice");
  const auto carol = new_key("carol-2026-11", "carol");
  const auto bob = new_key("bob-2026-11", "bob");
  const auto log_key = new_key("audit-log-1", "audit");
  assent::memory_key_store trusted;
  auto trust = [&](const assent::signing_key& k, std::vector<std::string> roles,
                   std::optional<std::vector<std::string>> logs = std::nullopt) {
    assent::key_record_spec spec;
    spec.kid = k.kid();
    spec.public_key = k.public_key();
    spec.principal = k.principal();
    spec.roles = std::move(roles);
    spec.logs = std::move(logs);  // the audit logs a key may sign checkpoints and exports of
    auto rec = assent::key_record::create(spec);
    if (!rec.first) die(rec.second);
    if (auto err = trusted.add(std::move(*rec.first))) die(*err);
    write_file(k.kid() + ".private.jwk", assent::to_private_jwk(k));
  };
  trust(alice, {"admin", "security_owner"});
  trust(carol, {"owner", "release_owner"});
  trust(bob, {"developer"});
  trust(log_key, {"auditor"}, std::vector<std::string>{"quickstart"});
  write_file("trusted.jwks", assent::to_jwks(trusted).dump(2));
  auto keys = assent::load_jwks_file(dir + "/trusted.jwks");  // read back as a host would
  if (!keys.ok()) die("trusted.jwks: " + keys.error.message);
  std::cout << "   wrote " << dir << "/trusted.jwks with " << keys.store->size() << " public keys\n\n";

  // 2. The governance policy.
  std::cout << "2. Policy: prod deploys need 2 distinct approvers ranked admin or above, never the\n"
               "   initiator; dry-run replays need no approval; execute-mode replays need\n"
               "   replay.execute + replay.elevated.\n";
  write_file("policy.json", R"({
  "version": 1,
  "id": "quickstart-governance",
  "roles": ["developer", "admin", "owner"],
  "duties": ["security_owner", "release_owner"],
  "environments": {
    "prod": {
      "max_credential_lifetime_seconds": 3600,
      "actions": {
        "deploy": {"approval": "required", "capabilities": ["deploy"], "threshold": 2,
                   "min_approver_role": "admin", "min_initiator_role": "developer"},
        "replay.dry_run": {"approval": "none"},
        "replay.execute": {"approval": "required", "capabilities": ["replay.execute", "replay.elevated"],
                           "source_environments": ["prod"]}
      }
    }
  }
})");
  auto policy = assent::load_policy(std::string_view(read_file("policy.json")));
  if (!policy.ok()) die("policy.json: " + policy.describe());
  std::cout << "   policy " << policy.value->id() << " " << policy.value->hash() << "\n\n";

  // 3. The audit log: hash-chained JSON Lines, fsync'd, with signed checkpoints.
  assent::audit::file_sink_options log_options;
  log_options.log_id = "quickstart";
  log_options.checkpoint_key = std::make_shared<assent::signing_key>(log_key);
  auto opened = assent::audit::file_sink::open(dir + "/audit.jsonl", log_options);
  if (!opened.ok()) die("audit log: " + opened.error);
  auto& audit_log = *opened.sink;
  assent::verifier<> verifier(*policy.value, *keys.store, audit_log);

  // The exact pipeline version being deployed, and the request bob's deploy tool makes.
  const std::string pipeline = R"({"pipeline": "payments", "steps": ["build", "test", "ship"], "version": 42})";
  const std::string spec_hash = *assent::spec_hash_of_document(pipeline);
  assent::request deploy;
  deploy.action = "deploy";
  deploy.project = "payments";
  deploy.environment = "prod";
  deploy.spec_hash = spec_hash;
  deploy.initiator = "bob";
  deploy.initiator_roles = {"developer"};

  const std::int64_t now = assent::system_clock{}.now();
  auto approve = [&](const assent::signing_key& k, const std::string& id, const std::string& hash,
                     std::vector<std::string> caps) {
    assent::approval_claims c;
    c.id = id;
    c.project = "payments";
    c.environment = "prod";
    c.spec_hash = hash;
    c.capabilities = std::move(caps);
    c.issued_at = now;
    c.expires_at = now + 30 * 60;
    return assent::issue_approval(c, k);  // a DSSE envelope, signed with Ed25519
  };

  std::cout << "3. A production deploy of pipeline " << spec_hash.substr(0, 19) << "...\n";
  show("with no approvals", verifier.decide(deploy, std::vector<std::string>{}));
  show("bob approves his own deploy",
       verifier.decide(deploy, std::vector<std::string>{approve(bob, "apv-bob", spec_hash, {"deploy"})}));
  const std::string other_version = *assent::spec_hash_of_document(R"({"pipeline": "payments", "version": 41})");
  show("alice approved an older pipeline version, carol this one",
       verifier.decide(deploy, std::vector<std::string>{approve(alice, "apv-old", other_version, {"deploy"}),
                                                        approve(carol, "apv-carol", spec_hash, {"deploy"})}));
  const auto allowed = verifier.decide(deploy, std::vector<std::string>{approve(alice, "apv-alice", spec_hash, {"deploy"}),
                                                                        approve(carol, "apv-carol", spec_hash, {"deploy"})});
  show("alice and carol approve (2 of 3)", allowed);
  std::cout << "\n";

  std::cout << "4. Replaying an incident\n";
  assent::request replay = deploy;
  replay.action = "replay.dry_run";
  replay.source_environment = "prod";
  show("dry run, no approval", verifier.decide(replay, std::vector<std::string>{}));
  replay.action = "replay.execute";
  show("execute mode, alice approves replay.execute only",
       verifier.decide(replay, std::vector<std::string>{approve(alice, "apv-r1", spec_hash, {"replay.execute"})}));
  show("execute mode, alice approves with elevated coverage",
       verifier.decide(replay, std::vector<std::string>{
                                   approve(alice, "apv-r2", spec_hash, {"replay.execute", "replay.elevated"})}));
  std::cout << "\n";

  // 5. The audit trail.
  if (auto err = audit_log.close()) die("closing the audit log: " + *err);
  std::cout << "5. The audit log " << dir << "/audit.jsonl\n";
  auto checkpoint = assent::audit::read_checkpoint_file(dir + "/audit.jsonl.checkpoint", *keys.store, "quickstart");
  if (!checkpoint.ok()) die("checkpoint: " + checkpoint.error);
  auto verified = assent::audit::verify_log_file(dir + "/audit.jsonl", checkpoint.value);
  std::cout << "   verify: " << (verified.ok() ? "OK" : "FAILED") << ", " << verified.count
            << " records, head " << verified.head.substr(0, 23) << "..., signed checkpoint by "
            << checkpoint.keyid << "\n";

  std::string tampered = read_file("audit.jsonl");
  const auto at = tampered.find("\"decision\":\"allow\"");
  if (at == std::string::npos) die("no allow in the log");
  tampered.replace(at, 18, "\"decision\":\"deny\"");
  write_file("audit-tampered.jsonl", tampered);
  auto broken = assent::audit::verify_log_file(dir + "/audit-tampered.jsonl", checkpoint.value);
  std::cout << "   a copy with one allow changed to deny: " << (broken.ok() ? "NOT DETECTED" : "detected")
            << " at record #" << broken.bad_seq << " (" << assent::audit::to_string(broken.code) << ")\n";

  auto exported = assent::audit::export_log_file(dir + "/audit.jsonl", "quickstart", now, log_key, checkpoint.value);
  if (!exported.ok()) die("export: " + exported.error);
  write_file("audit-export.dsse.json", *exported.envelope);
  auto check = assent::audit::verify_export(read_file("audit-export.dsse.json"), *keys.store, "quickstart");
  std::cout << "   signed export: " << (check.ok() ? "verified" : "FAILED") << " offline with trusted.jwks, "
            << check.count << " records, signed by " << check.keyid << "\n\n";

  const bool as_expected = allowed.allowed && verified.ok() && !broken.ok() && check.ok();
  std::cout << (as_expected ? "Done." : "Something did not go as expected.") << " Files are in " << dir << "\n";
  return as_expected ? 0 : 1;
}
