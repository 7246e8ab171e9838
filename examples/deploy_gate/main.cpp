// deploy_gate: how a deployment tool gates a rollout on approvals.
//
// The tool trusts the keys in a JWKS file that the security team edits at any
// time, writes every gate decision to a hash-chained audit log file, and asks
// one question before each rollout: gate(rollout). Shown: a deny with no
// approvals, an allow with 2 of 3 approvers, a deny once an approver's key is
// removed from the file, a deny once a key is revoked in it, and the audit log
// verified at the end. Exits non-zero if any outcome is not the expected one.
//
//   deploy_gate                   the demo, in a temporary folder removed afterwards
//   deploy_gate --publish FILE    publishes a fresh key set to FILE (exit 2, old set kept, if
//                                 it cannot be written)
//   deploy_gate --check FILE      loads FILE as the gate does (exit 1 if it does not load)
#include <assent/assent.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "../common/safe_file.hpp"

namespace {

// --- the integration: a key store over a JWKS file, reloaded when the file changes ----------
// assent's load_jwks_file does the strict parsing; this class adds *when* to read the file.
// Every lookup stat()s it: another inode, size or mtime means an operator replaced it, so it is
// read again before answering. A file that cannot be read or parsed makes the store answer
// "unavailable" (never "not found"), so assent denies with key_store_unavailable and a typo is
// not logged as an attack. Old keys are never served after a change: it may be a revocation.
class jwks_file_key_store final : public assent::key_store {
 public:
  explicit jwks_file_key_store(std::string path) : path_(std::move(path)) {}

  assent::key_lookup find(std::string_view keyid) const override {
    std::lock_guard<std::mutex> lock(mutex_);  // lookups may come from several threads
    refresh_locked();
    if (!keys_) return {assent::lookup_status::unavailable, nullptr};
    return keys_->find(keyid);
  }
  std::size_t loads() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return loads_;
  }

 private:
  void refresh_locked() const {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
      keys_.reset();
      seen_ = false;
      return;
    }
    if (seen_ && st.st_ino == ino_ && st.st_size == size_ && st.st_mtim.tv_sec == mtime_.tv_sec &&
        st.st_mtim.tv_nsec == mtime_.tv_nsec)
      return;  // unchanged: keep the parsed set
    seen_ = true;
    ino_ = st.st_ino;
    size_ = st.st_size;
    mtime_ = st.st_mtim;
    ++loads_;
    auto loaded = assent::load_jwks_file(path_);
    if (!loaded.ok()) std::cerr << "  (key store: " << loaded.error.message << ")\n";
    keys_ = loaded.store;  // null when refused: "unavailable"
  }

  std::string path_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const assent::memory_key_store> keys_;
  mutable bool seen_ = false;
  mutable ino_t ino_ = 0;
  mutable off_t size_ = 0;
  mutable timespec mtime_{};
  mutable std::size_t loads_ = 0;
};
// -----------------------------------------------------------------------------------------

// What the deployment tool knows about one rollout.
struct rollout {
  std::string service, environment, manifest, initiator;
  std::vector<std::string> initiator_roles;
  std::vector<std::string> approvals;  // DSSE envelopes collected for this rollout
};
struct gate_result {
  bool allowed = false;
  std::vector<std::string> reasons;  // human-readable, one per line
  assent::decision decision;
};

// The gate: builds assent's request from the rollout, decides, and explains.
class deploy_gate {
 public:
  deploy_gate(const assent::policy& p, const assent::key_store& keys, assent::audit_sink& log)
      : verifier_(p, keys, log) {}
  gate_result gate(const rollout& r) const {
    assent::request req;
    req.action = "deploy";
    req.project = r.service;
    req.environment = r.environment;
    req.spec_hash = assent::spec_hash_of_document(r.manifest).value_or("");  // bad JSON: malformed_request
    req.initiator = r.initiator;
    req.initiator_roles = r.initiator_roles;
    gate_result out{false, {}, verifier_.decide(req, r.approvals)};
    const assent::decision& d = out.decision;
    out.allowed = d.allowed;
    for (auto why : d.reasons) out.reasons.push_back(std::string(assent::to_string(why)));
    for (const auto& rej : d.rejected)
      out.reasons.push_back("approval #" + std::to_string(rej.index) + " (key " + rej.keyid.value_or("?") +
                            ") not counted: " + std::string(assent::to_string(rej.why)));
    if (d.missing.approvals > 0) out.reasons.push_back(std::to_string(d.missing.approvals) + " more approver(s) needed");
    return out;
  }

 private:
  assent::verifier<> verifier_;
};

std::string dir;
int failures = 0;
// Removes the temporary folder however main returns.
struct remove_dir_at_exit {
  ~remove_dir_at_exit() {
    std::error_code ignored;
    if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
  }
};

void expect(bool ok, const std::string& what) {
  if (!ok) ++failures;
  std::cout << "     " << (ok ? "ok: " : "UNEXPECTED: ") << what << "\n";
}
void show(const gate_result& g) {
  std::cout << "   -> " << (g.allowed ? "ALLOW" : "DENY") << "  [audit #" << g.decision.audit_seq << "]\n";
  for (const auto& a : g.decision.approvals) std::cout << "      counted: " << a.approver << " (key " << a.keyid << ")\n";
  for (const auto& r : g.reasons) std::cout << "      " << r << "\n";
}

// The security team's edit: replace the whole set atomically and durably (a reader sees the old
// file or the new one, never half of one; also a new inode, which the store notices). A write
// that fails (a full disk) leaves the old set in place and is reported: the team must know
// that a revocation did not land.
std::optional<std::string> publish_jwks(const std::string& path, const std::map<std::string, assent::key_record_spec>& people) {
  assent::memory_key_store set;
  for (const auto& entry : people) (void)set.add(*assent::key_record::create(entry.second).first);
  return safe_file::replace(path, assent::to_jwks(set).dump(2), 0644);  // public keys: world-readable
}

// Approvers alice, carol, dave: fresh keys; the public halves go into trusted.jwks.
void make_team(std::map<std::string, assent::signing_key>& keys, std::map<std::string, assent::key_record_spec>& people) {
  const std::pair<std::string, std::string> team[] = {{"alice", "admin"}, {"carol", "owner"}, {"dave", "admin"}};
  for (const auto& [name, role] : team) {
    assent::crypto::ed25519::seed seed{};
    if (!assent::crypto::os_random(seed)) throw std::runtime_error("no randomness for a key");
    keys.emplace(name, assent::signing_key::from_seed(seed, name + "-1", name));
    assent::key_record_spec spec;
    spec.kid = name + "-1";
    spec.public_key = keys.at(name).public_key();
    spec.principal = name;
    spec.roles = {role};
    people[name] = spec;
  }
}

// --publish FILE / --check FILE: one publish or one load, as the security team's tool and the
// gate do them; the tests run many at once, and on a full disk.
int run_command(const std::vector<std::string>& args) {
  if (args.size() == 2 && args[0] == "--publish") {
    std::map<std::string, assent::signing_key> keys;
    std::map<std::string, assent::key_record_spec> people;
    make_team(keys, people);
    if (auto err = publish_jwks(args[1], people)) {
      std::cerr << "deploy_gate: " << *err << " (the previous key set is unchanged)\n";
      return 2;
    }
    return 0;
  }
  if (args.size() == 2 && args[0] == "--check") {
    const auto loaded = assent::load_jwks_file(args[1]);
    if (!loaded.ok()) {
      std::cerr << "deploy_gate: " << loaded.error.message << "\n";
      return 1;
    }
    std::cout << loaded.store->size() << " keys\n";
    return 0;
  }
  std::cerr << "usage: deploy_gate [--publish FILE | --check FILE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc > 1) return run_command({argv + 1, argv + argc});
  char tmpl[] = "/tmp/assent-deploy-gate-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 2;
  dir = tmpl;
  const remove_dir_at_exit cleanup;
  std::cout << "deploy_gate: working in " << dir << "\n";
  const std::string jwks_path = dir + "/trusted.jwks";
  auto publish = [&](const std::map<std::string, assent::key_record_spec>& people) {
    if (auto err = publish_jwks(jwks_path, people)) throw std::runtime_error(*err);
  };

  std::map<std::string, assent::signing_key> keys;
  std::map<std::string, assent::key_record_spec> people;
  make_team(keys, people);
  publish(people);

  // Prod deploys need 2 distinct approvers ranked admin or above (2 of the 3).
  auto policy = assent::load_policy(R"({"version": 1, "id": "deploy-gate", "roles": ["developer", "admin", "owner"],
    "environments": {"prod": {"max_credential_lifetime_seconds": 3600, "actions": {"deploy": {
      "approval": "required", "capabilities": ["deploy"], "threshold": 2, "min_approver_role": "admin",
      "min_initiator_role": "developer"}}}}})");
  auto opened = assent::audit::file_sink::open(dir + "/audit.jsonl");
  if (!policy.ok() || !opened.ok()) return 2;
  jwks_file_key_store store(jwks_path);
  const deploy_gate gate(*policy.value, store, *opened.sink);

  rollout r{"payments", "prod", R"({"service": "payments", "image": "payments:4.2.0", "replicas": 6})", "bob",
            {"developer"}, {}};
  const std::string spec_hash = *assent::spec_hash_of_document(r.manifest);
  auto approve = [&](const std::string& who) {  // what `assent approve` would hand the approver
    auto c = assent::make_approval_claims("payments", "prod", spec_hash, {"deploy"}, assent::system_clock{}.now(), 1800);
    return assent::issue_approval(c, keys.at(who));
  };
  std::cout << "bob rolls out payments:4.2.0 to prod (" << spec_hash.substr(0, 19) << "...)\n\n";

  std::cout << "1. No approvals yet\n";
  auto g = gate.gate(r);
  show(g);
  expect(!g.allowed && g.decision.has_reason(assent::reason::threshold_not_met), "denied: threshold_not_met");

  std::cout << "2. alice and carol approve\n";
  r.approvals = {approve("alice"), approve("carol")};
  g = gate.gate(r);
  show(g);
  expect(g.allowed && g.decision.approvals.size() == 2, "allowed with 2 of 3 approvers");

  std::cout << "3. Security removes carol's key from trusted.jwks (she left the team)\n";
  people.erase("carol");
  publish(people);
  g = gate.gate(r);  // the same two approvals as in step 2
  show(g);
  expect(!g.allowed && g.decision.has_reason(assent::reason::unknown_key), "carol's approval: unknown_key");
  expect(store.loads() == 2, "the store re-read the changed file (loads: " + std::to_string(store.loads()) + ")");

  std::cout << "4. dave approves instead of carol\n";
  r.approvals = {approve("alice"), approve("dave")};
  g = gate.gate(r);
  show(g);
  expect(g.allowed, "allowed with alice and dave");

  std::cout << "5. dave's laptop is stolen: his key is marked \"revoked\" in trusted.jwks\n";
  people["dave"].status = assent::key_status::revoked;
  publish(people);
  g = gate.gate(r);  // the same two approvals as in step 4
  show(g);
  expect(!g.allowed && g.decision.has_reason(assent::reason::key_revoked), "dave's approval: key_revoked");

  // The audit trail: every gate call above is one record; verify the whole chain.
  const std::uint64_t last_seq = g.decision.audit_seq;
  const std::string last_hash = g.decision.audit_hash;
  if (auto err = opened.sink->close()) std::cerr << "closing the log: " << *err << "\n";
  const auto verified = assent::audit::verify_log_file(dir + "/audit.jsonl");
  std::cout << "6. Audit log " << dir << "/audit.jsonl\n  verify: "
            << assent::audit::to_string(verified.code) << ", " << verified.count << " records, head "
            << verified.head.substr(0, 23) << "...\n";
  expect(verified.ok() && verified.count == 5 && last_seq == 5 && verified.head == last_hash,
         "intact chain of 5 decisions ending at the last gate call");

  std::cout << (failures == 0 ? "\nAll outcomes as expected.\n" : "\nSOME OUTCOMES WERE NOT AS EXPECTED.\n");
  return failures == 0 ? 0 : 1;
} catch (const std::exception& e) {  // a key set that cannot be published: a full disk, say
  std::cerr << "deploy_gate: " << e.what() << "\n";
  return 2;
}
