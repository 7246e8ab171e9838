// governance_host: a small host that collects approvals for promotions.
//
// A promotion (a release going to prod) waits in a JSON state file while
// approvers submit signed approvals. Each command below reads the file, acts
// and writes it back, as separate CLI runs or service requests would, so
// nothing survives only in memory. The promotion stays "pending" until 2 of
// the 3 approvers count: the promoter's own approval never does, and one
// person approving twice counts once. Exits non-zero on any unexpected outcome.
#include <assent/assent.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

std::string dir;  // the temporary folder
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
// --- the state file ----------------------------------------------------------------------
// {"promotions": {"<id>": {"initiator", "project", "environment", "spec_hash", "status",
//                          "credentials": [<envelope>, ...], "decision_seq"}}}
std::string state_path() { return dir + "/promotions.json"; }
nlohmann::json load_state() {
  std::ifstream in(state_path());
  if (!in) return {{"promotions", nlohmann::json::object()}};
  return nlohmann::json::parse(in);  // throws on a corrupt file: main reports it
}
void save_state(const nlohmann::json& state) {  // write aside, then rename: never half a file
  std::ofstream(state_path() + ".tmp") << state.dump(2);
  if (std::rename((state_path() + ".tmp").c_str(), state_path().c_str()) != 0) ++failures;
}

// --- the commands ------------------------------------------------------------------------
void open_promotion(const std::string& id, const std::string& initiator, const std::string& project,
                    const std::string& environment, const std::string& spec_hash) {
  auto state = load_state();
  if (state["promotions"].contains(id)) throw std::runtime_error("promotion " + id + " is already open");
  state["promotions"][id] = {{"initiator", initiator}, {"project", project}, {"environment", environment},
                             {"spec_hash", spec_hash}, {"status", "pending"},
                             {"credentials", nlohmann::json::array()}, {"decision_seq", 0}};
  save_state(state);
}

// The host stores what it is given; judging it is the verifier's job, at each status check.
void submit_approval(const std::string& id, const std::string& envelope) {
  auto state = load_state();
  state["promotions"].at(id)["credentials"].push_back(envelope);
  save_state(state);
}

struct status_result {
  std::string status;
  assent::decision decision;
};

// Evaluates the stored approvals; on the first allow marks the promotion approved and records a
// host event that links the promotion to the decision's audit record.
status_result check_status(const assent::verifier<>& verifier, assent::audit_sink& log, const std::string& id) {
  auto state = load_state();
  auto& p = state["promotions"].at(id);
  const auto credentials = p.at("credentials").get<std::vector<std::string>>();
  std::cout << "   (state reloaded: " << credentials.size() << " approval(s) on file)\n";
  assent::request req;
  req.action = "promote";
  req.project = p.at("project").get<std::string>();
  req.environment = p.at("environment").get<std::string>();
  req.spec_hash = p.at("spec_hash").get<std::string>();
  req.initiator = p.at("initiator").get<std::string>();
  status_result out{p.at("status").get<std::string>(), verifier.decide(req, credentials)};
  const assent::decision& d = out.decision;
  for (const auto& a : d.approvals) std::cout << "   counted:     " << a.approver << "\n";
  for (const auto& r : d.rejected)
    std::cout << "   not counted: approval #" << r.index << " (key " << r.keyid.value_or("?")
              << "): " << assent::to_string(r.why) << "\n";
  if (d.allowed && out.status == "pending") {
    nlohmann::json approvers = nlohmann::json::array();
    for (const auto& a : d.approvals) approvers.push_back(a.approver);
    const auto receipt = log.append({{"type", "promotion_approved"}, {"promotion", id},
                                     {"decision_seq", d.audit_seq}, {"approvers", approvers}}, d.time);
    if (receipt.ok) {  // fail closed: not approved unless the approval is on record
      out.status = "approved";
      p["status"] = out.status;
      p["decision_seq"] = d.audit_seq;
    }
  }
  save_state(state);
  std::cout << "   status: " << out.status << " (" << d.approvals.size() << " counted, " << d.missing.approvals
            << " more needed)  [audit #" << d.audit_seq << "]\n";
  return out;
}

}  // namespace

int main() try {
  char tmpl[] = "/tmp/assent-governance-host-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 2;
  dir = tmpl;
  const remove_dir_at_exit cleanup;
  std::cout << "governance_host: working in " << dir << "\n\n";

  // Three approvers and bob, a developer who promotes releases (and also holds a key).
  std::map<std::string, assent::signing_key> keys;
  assent::memory_key_store trusted;
  const std::pair<std::string, std::string> people[] = {
      {"alice", "admin"}, {"carol", "owner"}, {"dave", "admin"}, {"bob", "developer"}};
  for (const auto& [name, role] : people) {
    assent::crypto::ed25519::seed seed{};
    if (!assent::crypto::os_random(seed)) return 2;
    keys.emplace(name, assent::signing_key::from_seed(seed, name + "-1", name));
    assent::key_record_spec spec;
    spec.kid = name + "-1";
    spec.public_key = keys.at(name).public_key();
    spec.principal = name;
    spec.roles = {role};
    (void)trusted.add(*assent::key_record::create(spec).first);
  }

  // Promotions to prod need 2 distinct approvers ranked admin or above, never the initiator.
  auto policy = assent::load_policy(R"({"version": 1, "id": "promotions", "roles": ["developer", "admin", "owner"],
    "environments": {"prod": {"max_credential_lifetime_seconds": 86400, "actions": {"promote": {
      "approval": "required", "capabilities": ["promote"], "threshold": 2, "min_approver_role": "admin",
      "self_approval": false}}}}})");
  auto opened = assent::audit::file_sink::open(dir + "/audit.jsonl");
  if (!policy.ok() || !opened.ok()) return 2;
  const assent::verifier<> verifier(*policy.value, trusted, *opened.sink);

  const std::string spec_hash = *assent::spec_hash_of_document(R"({"release": "payments-4.2.0", "from": "staging"})");
  auto approve = [&](const std::string& who) {  // a fresh credential each time (new id)
    auto c = assent::make_approval_claims("payments", "prod", spec_hash, {"promote"}, assent::system_clock{}.now(), 3600);
    return assent::issue_approval(c, keys.at(who));
  };

  std::cout << "1. bob opens promotion prm-1: payments-4.2.0 to prod\n";
  open_promotion("prm-1", "bob", "payments", "prod", spec_hash);
  auto s = check_status(verifier, *opened.sink, "prm-1");
  expect(s.status == "pending" && s.decision.has_reason(assent::reason::threshold_not_met), "pending, no approvals yet");

  std::cout << "2. bob approves his own promotion\n";
  submit_approval("prm-1", approve("bob"));
  s = check_status(verifier, *opened.sink, "prm-1");
  expect(s.status == "pending" && s.decision.has_reason(assent::reason::self_approval), "bob's approval: self_approval");

  std::cout << "3. alice approves\n";
  submit_approval("prm-1", approve("alice"));
  s = check_status(verifier, *opened.sink, "prm-1");
  expect(s.status == "pending" && s.decision.approvals.size() == 1, "pending with 1 of 2");

  std::cout << "4. alice approves again (a second credential)\n";
  submit_approval("prm-1", approve("alice"));
  s = check_status(verifier, *opened.sink, "prm-1");
  expect(s.status == "pending" && s.decision.approvals.size() == 1 &&
             s.decision.has_reason(assent::reason::duplicate_approver),
         "still 1 of 2: duplicate_approver");

  std::cout << "5. carol approves\n";
  submit_approval("prm-1", approve("carol"));
  s = check_status(verifier, *opened.sink, "prm-1");
  expect(s.status == "approved" && s.decision.allowed, "approved by alice and carol");

  std::cout << "6. A fresh read of " << state_path() << "\n";
  const auto saved = load_state()["promotions"]["prm-1"];
  std::cout << "   prm-1: " << saved["status"].get<std::string>() << ", " << saved["credentials"].size()
            << " approvals on file, decided at audit #" << saved["decision_seq"] << "\n";
  expect(saved["status"] == "approved" && saved["decision_seq"] == s.decision.audit_seq, "the approval persisted");

  // The log holds every status check and the host's promotion_approved event, chained.
  if (auto err = opened.sink->close()) std::cerr << "closing the log: " << *err << "\n";
  std::cout << "7. Audit log\n";
  std::string last_type;
  const auto verified = assent::audit::verify_log_file(dir + "/audit.jsonl", std::nullopt, [&](const auto& rec) {
    last_type = rec.event->at("type").template get<std::string>();
    std::cout << "   #" << rec.seq << " " << last_type << " " << rec.event->value("decision", rec.event->dump()) << "\n";
  });
  std::cout << "   verify: " << assent::audit::to_string(verified.code) << ", " << verified.count << " records\n";
  expect(verified.ok() && verified.count == 6 && last_type == "promotion_approved",
         "5 decisions and the host event, intact");

  std::cout << (failures == 0 ? "\nAll outcomes as expected.\n" : "\nSOME OUTCOMES WERE NOT AS EXPECTED.\n");
  return failures == 0 ? 0 : 1;
} catch (const std::exception& e) {  // a corrupt state file, a missing promotion
  std::cerr << "governance_host: " << e.what() << "\n";
  return 2;
}
