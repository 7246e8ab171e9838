// governance_host: a small host that collects approvals for promotions.
//
// A promotion (a release going to prod) waits in a JSON state file while
// approvers submit signed approvals. Each command reads the file, acts and
// writes it back, as separate CLI runs or service requests would, so nothing
// survives only in memory. The promotion is "pending" until 2 of the 3
// approvers count: the promoter's own approval never does, and one person
// approving twice counts once. Exits non-zero on any unexpected outcome.
//
// What the host trusts, and why:
//   - The state file is shared by every command, possibly run at once by many processes, so
//     each read-modify-write holds an exclusive flock and each write replaces the file
//     atomically and durably (../common/safe_file.hpp). A failed write (a full disk, a quota)
//     leaves the previous state in place and the command fails; it never truncates the state.
//   - The state file is NOT trusted for anything that authorises. Anyone who can edit it could
//     write "approved", or rename the initiator so that the promoter's own approval counts.
//     So the host stores no status: each status check re-derives it from the signed approvals
//     on file. And the promotion's request (id, project, environment, release, initiator) is
//     the document the approvers sign (its spec hash): the initiator the host uses is the one
//     the approvers approved, and editing it in the file makes every approval stop matching.
//     Approvers must therefore check the initiator shown in the request they sign.
//   - Status is decided at each check, with the approvals' lifetimes: a promotion approved
//     yesterday is pending again once its approvals expire; the step that promotes checks
//     status right before it acts.
//
//   governance_host                                      the demo, in a temporary folder
//   governance_host --dir DIR setup                      keys for alice, carol, dave (admins
//                                                        and an owner) and bob (a developer)
//   governance_host --dir DIR open ID --initiator NAME --release RELEASE
//   governance_host --dir DIR approve ID --as NAME       NAME signs ID's request, submits it
//   governance_host --dir DIR status ID                  decides; prints "status: ..."
// Exit status: 0 done, 1 an unexpected demo outcome, 2 an error (nothing was changed).
#include <assent/assent.hpp>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "../common/safe_file.hpp"

namespace {

int failures = 0;
void expect(bool ok, const std::string& what) {
  if (!ok) ++failures;
  std::cout << "     " << (ok ? "ok: " : "UNEXPECTED: ") << what << "\n";
}
// A command that cannot complete: reported on stderr, exit status 2.
struct host_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Promotions to prod need 2 distinct approvers ranked admin or above, never the initiator.
const char* const policy_json = R"({"version": 1, "id": "promotions", "roles": ["developer", "admin", "owner"],
    "environments": {"prod": {"max_credential_lifetime_seconds": 86400, "actions": {"promote": {
      "approval": "required", "capabilities": ["promote"], "threshold": 2, "min_approver_role": "admin",
      "self_approval": false}}}}})";

// --- the state file ----------------------------------------------------------------------
// {"promotions": {"<id>": {"request": {"promotion", "project", "environment", "release",
//                                      "initiator"},
//                          "credentials": [<envelope>, ...],
//                          "approved_at_seq": <audit seq>}}}       (a note for operators only)
struct host {
  std::string dir;
  std::string state_path() const { return dir + "/promotions.json"; }
  std::string key_path(const std::string& name) const { return dir + "/keys/" + name + ".jwk"; }
};

nlohmann::json load_state(const host& h) {
  struct stat st {};
  if (::lstat(h.state_path().c_str(), &st) != 0 && errno == ENOENT) return {{"promotions", nlohmann::json::object()}};
  std::string error;
  const auto text = safe_file::read(h.state_path(), error);
  if (!text) throw host_error(error);
  auto state = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!state.is_object() || !state.contains("promotions") || !state["promotions"].is_object())
    throw host_error(h.state_path() + " is not a promotions state file");
  return state;
}

// Runs fn(state) with the state file locked against every other command, and saves the state
// when fn returns true. Without the lock two submitters would each read the same state, add
// their approval and write, and the second write would drop the first's approval.
template <typename F>
void update_state(const host& h, F&& fn) {
  std::string error;
  const auto lock = safe_file::exclusive_lock::acquire(h.state_path(), error);
  if (!lock) throw host_error(error);
  auto state = load_state(h);
  if (!fn(state)) return;
  if (auto err = safe_file::replace(h.state_path(), state.dump(2) + "\n"))
    throw host_error(*err + " (the previous state is unchanged)");
}

nlohmann::json& promotion(nlohmann::json& state, const std::string& id) {
  auto& all = state["promotions"];
  if (!all.contains(id) || !all[id].is_object()) throw host_error("no promotion " + id);
  return all[id];
}

// The request is what approvers sign: its spec hash binds every field, the initiator included.
std::string spec_hash_of(const nlohmann::json& request) {
  const auto hash = assent::spec_hash_of_document(request.dump());
  if (!hash) throw host_error("the promotion's request cannot be hashed");
  return *hash;
}

// --- the commands ------------------------------------------------------------------------
// The people and their keys. In a real deployment each approver keeps their own key (the
// `assent keygen` / `assent approve` commands) and the host holds only trusted.jwks.
void setup(const host& h) {
  std::filesystem::create_directories(h.dir + "/keys");
  std::filesystem::permissions(h.dir + "/keys", std::filesystem::perms::owner_all);
  assent::memory_key_store trusted;
  const std::pair<std::string, std::string> people[] = {
      {"alice", "admin"}, {"carol", "owner"}, {"dave", "admin"}, {"bob", "developer"}};
  for (const auto& [name, role] : people) {
    assent::crypto::ed25519::seed seed{};
    if (!assent::crypto::os_random(seed)) throw host_error("no randomness for a key");
    const auto key = assent::signing_key::from_seed(seed, name + "-1", name);
    if (auto err = safe_file::create_new(h.key_path(name), assent::to_private_jwk(key))) throw host_error(*err);
    assent::key_record_spec spec;
    spec.kid = key.kid();
    spec.public_key = key.public_key();
    spec.principal = name;
    spec.roles = {role};
    (void)trusted.add(*assent::key_record::create(spec).first);
  }
  if (auto err = safe_file::replace(h.dir + "/trusted.jwks", assent::to_jwks(trusted).dump(2), 0644))
    throw host_error(*err);
}

// `initiator` is who the host authenticated as opening the promotion (here: the argument).
void open_promotion(const host& h, const std::string& id, const std::string& initiator, const std::string& release) {
  update_state(h, [&](nlohmann::json& state) {
    if (state["promotions"].contains(id)) throw host_error("promotion " + id + " is already open");
    state["promotions"][id] = {
        {"request",
         {{"promotion", id}, {"project", "payments"}, {"environment", "prod"}, {"release", release},
          {"initiator", initiator}}},
        {"credentials", nlohmann::json::array()}};
    return true;
  });
}

// The host stores what it is given; judging it is the verifier's job, at each status check.
void submit_approval(const host& h, const std::string& id, const std::string& envelope) {
  update_state(h, [&](nlohmann::json& state) {
    auto& creds = promotion(state, id)["credentials"];
    if (!creds.is_array()) creds = nlohmann::json::array();
    creds.push_back(envelope);
    return true;
  });
}

// What `name` does to approve: read the request, check it (here: print it), sign its hash,
// and submit the signed approval.
void approve(const host& h, const std::string& id, const std::string& name) {
  nlohmann::json request;
  update_state(h, [&](nlohmann::json& state) {  // read only: returns false, nothing is written
    request = promotion(state, id)["request"];
    return false;
  });
  std::cout << "   " << name << " signs " << request.dump() << "\n";
  const auto key = assent::load_signing_key_file(h.key_path(name));
  if (!key.ok()) throw host_error(h.key_path(name) + ": " + key.error.message);
  auto c = assent::make_approval_claims(request.value("project", ""), request.value("environment", ""),
                                        spec_hash_of(request), {"promote"}, assent::system_clock{}.now(), 3600);
  submit_approval(h, id, assent::issue_approval(c, *key.key));
}

struct status_result {
  std::string status;  // "approved" or "pending"
  assent::decision decision;
};

// Decides on the approvals on file; the status is that decision, never a stored field. On the
// first allow it records a host event linking the promotion to the decision's audit record.
status_result check_status(const host& h, const assent::verifier<>& verifier, assent::audit_sink& log,
                           const std::string& id) {
  status_result out{"pending", {}};
  update_state(h, [&](nlohmann::json& state) {
    auto& p = promotion(state, id);
    const auto& request = p["request"];
    std::vector<std::string> credentials;
    if (p["credentials"].is_array())
      for (const auto& c : p["credentials"])
        if (c.is_string()) credentials.push_back(c.get<std::string>());
    std::cout << "   (state reloaded: " << credentials.size() << " approval(s) on file)\n";
    assent::request req;  // every field from the signed-over request document
    req.action = "promote";
    req.project = request.value("project", "");
    req.environment = request.value("environment", "");
    req.spec_hash = spec_hash_of(request);
    req.initiator = request.value("initiator", "");
    out.decision = verifier.decide(req, credentials);
    const assent::decision& d = out.decision;
    for (const auto& a : d.approvals) std::cout << "   counted:     " << a.approver << "\n";
    for (auto why : d.reasons) std::cout << "   reason:      " << assent::to_string(why) << "\n";
    for (const auto& r : d.rejected)
      std::cout << "   not counted: approval #" << r.index << " (key " << r.keyid.value_or("?")
                << "): " << assent::to_string(r.why) << "\n";
    if (d.allowed) out.status = "approved";
    std::cout << "   status: " << out.status << " (" << d.approvals.size() << " counted, " << d.missing.approvals
              << " more needed)  [audit #" << d.audit_seq << "]\n";
    if (!d.allowed || p.contains("approved_at_seq")) return false;
    nlohmann::json approvers = nlohmann::json::array();
    for (const auto& a : d.approvals) approvers.push_back(a.approver);
    const auto receipt = log.append({{"type", "promotion_approved"}, {"promotion", id},
                                     {"decision_seq", d.audit_seq}, {"approvers", approvers}}, d.time);
    if (!receipt.ok) return false;  // the decision stands; the note is retried at the next check
    p["approved_at_seq"] = d.audit_seq;
    return true;
  });
  return out;
}

// The trusted keys and the audit log, as each command process opens them.
struct governance {
  assent::policy policy;
  std::shared_ptr<const assent::memory_key_store> keys;
};
governance load_governance(const host& h) {
  auto policy = assent::load_policy(policy_json);
  auto keys = assent::load_jwks_file(h.dir + "/trusted.jwks");
  if (!policy.ok()) throw host_error("policy: " + policy.error.message);
  if (!keys.ok()) throw host_error(keys.error.message);
  return {*policy.value, keys.store};
}

// One command run in DIR, as a CLI or a service request would run it.
int run_command(const host& h, const std::vector<std::string>& args) {
  auto option = [&](const std::string& name) -> std::string {
    for (std::size_t i = 2; i + 1 < args.size(); ++i)
      if (args[i] == name) return args[i + 1];
    throw host_error("missing " + name);
  };
  const std::string& cmd = args[0];
  if (cmd == "setup" && args.size() == 1) {
    setup(h);
  } else if (cmd == "open" && args.size() == 6) {
    open_promotion(h, args[1], option("--initiator"), option("--release"));
  } else if (cmd == "approve" && args.size() == 4) {
    approve(h, args[1], option("--as"));
  } else if (cmd == "status" && args.size() == 2) {
    const auto g = load_governance(h);
    // One writer per audit log: file_sink refuses a second, so status checks from several
    // processes take turns on a lock of their own (always taken before the state lock).
    std::string error;
    const auto turn = safe_file::exclusive_lock::acquire(h.dir + "/audit.jsonl", error);
    if (!turn) throw host_error(error);
    auto opened = assent::audit::file_sink::open(h.dir + "/audit.jsonl");
    if (!opened.ok()) throw host_error(opened.error);
    const assent::verifier<> verifier(g.policy, *g.keys, *opened.sink);
    (void)check_status(h, verifier, *opened.sink, args[1]);
    if (auto err = opened.sink->close()) throw host_error("closing the audit log: " + *err);
  } else {
    throw host_error("usage: governance_host [--dir DIR (setup | open ID --initiator NAME --release RELEASE |"
                     " approve ID --as NAME | status ID)]");
  }
  return 0;
}

// The demo: every command in turn, in one process, on a fresh folder.
int demo(const host& h) {
  setup(h);
  const auto g = load_governance(h);
  auto opened = assent::audit::file_sink::open(h.dir + "/audit.jsonl");
  if (!opened.ok()) throw host_error(opened.error);
  const assent::verifier<> verifier(g.policy, *g.keys, *opened.sink);

  std::cout << "1. bob opens promotion prm-1: payments-4.2.0 to prod\n";
  open_promotion(h, "prm-1", "bob", "payments-4.2.0");
  auto s = check_status(h, verifier, *opened.sink, "prm-1");
  expect(s.status == "pending" && s.decision.has_reason(assent::reason::threshold_not_met), "pending, no approvals yet");

  std::cout << "2. bob approves his own promotion\n";
  approve(h, "prm-1", "bob");
  s = check_status(h, verifier, *opened.sink, "prm-1");
  expect(s.status == "pending" && s.decision.has_reason(assent::reason::self_approval), "bob's approval: self_approval");

  std::cout << "3. alice approves\n";
  approve(h, "prm-1", "alice");
  s = check_status(h, verifier, *opened.sink, "prm-1");
  expect(s.status == "pending" && s.decision.approvals.size() == 1, "pending with 1 of 2");

  std::cout << "4. alice approves again (a second credential)\n";
  approve(h, "prm-1", "alice");
  s = check_status(h, verifier, *opened.sink, "prm-1");
  expect(s.status == "pending" && s.decision.approvals.size() == 1 &&
             s.decision.has_reason(assent::reason::duplicate_approver),
         "still 1 of 2: duplicate_approver");

  // Someone who can write the state file marks prm-1 approved and names another initiator, so
  // that bob's own approval would count as the second. Neither field decides anything.
  std::cout << "5. mallory edits " << h.state_path() << ": status approved, initiator mallory\n";
  std::string error;
  const auto before = safe_file::read(h.state_path(), error);
  if (!before) throw host_error(error);
  update_state(h, [](nlohmann::json& state) {
    state["promotions"]["prm-1"]["status"] = "approved";
    state["promotions"]["prm-1"]["request"]["initiator"] = "mallory";
    return true;
  });
  s = check_status(h, verifier, *opened.sink, "prm-1");
  expect(s.status == "pending" && s.decision.approvals.empty() && s.decision.has_reason(assent::reason::spec_hash_mismatch),
         "still pending: no approval matches the edited request (spec_hash_mismatch)");
  if (auto err = safe_file::replace(h.state_path(), *before)) throw host_error(*err);  // undo the edit

  std::cout << "6. carol approves\n";
  approve(h, "prm-1", "carol");
  s = check_status(h, verifier, *opened.sink, "prm-1");
  expect(s.status == "approved" && s.decision.allowed, "approved by alice and carol");

  std::cout << "7. A fresh check re-derives the status from the approvals on file\n";
  s = check_status(h, verifier, *opened.sink, "prm-1");
  expect(s.status == "approved" && s.decision.approvals.size() == 2, "still approved, by the same two");

  // The log holds every status check and the host's one promotion_approved event, chained.
  if (auto err = opened.sink->close()) std::cerr << "closing the log: " << *err << "\n";
  std::cout << "8. Audit log\n";
  std::string last_type;
  int events = 0;
  const auto verified = assent::audit::verify_log_file(h.dir + "/audit.jsonl", std::nullopt, [&](const auto& rec) {
    last_type = rec.event->at("type").template get<std::string>();
    if (last_type == "promotion_approved") ++events;
    std::cout << "   #" << rec.seq << " " << last_type << " " << rec.event->value("decision", rec.event->dump()) << "\n";
  });
  std::cout << "   verify: " << assent::audit::to_string(verified.code) << ", " << verified.count << " records\n";
  expect(verified.ok() && verified.count == 8 && events == 1, "7 decisions and one host event, intact");

  std::cout << (failures == 0 ? "\nAll outcomes as expected.\n" : "\nSOME OUTCOMES WERE NOT AS EXPECTED.\n");
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 3 && args[0] == "--dir") return run_command(host{args[1]}, {args.begin() + 2, args.end()});
  if (!args.empty()) return run_command(host{}, {"--help"});

  char tmpl[] = "/tmp/assent-governance-host-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 2;
  struct remove_at_exit {  // however demo() returns
    std::string dir;
    ~remove_at_exit() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } const cleanup{tmpl};
  std::cout << "governance_host: working in " << cleanup.dir << "\n\n";
  return demo(host{cleanup.dir});
} catch (const std::exception& e) {  // a file that cannot be written, a corrupt state, no such promotion
  std::cerr << "governance_host: " << e.what() << "\n";
  return 2;
}
