// replay_engine: an incident-replay engine that asks assent before each replay.
//
// A replay re-runs a recorded incident. A dry run has no side effects, so the
// policy lets anyone start one (it is still audited). Execute mode touches
// production for real, so it needs an approval that covers both
// replay.execute and replay.elevated, and only runs recorded in prod may be
// replayed that way (source_environments). Exits non-zero if any outcome is
// not the expected one. The last step drains a queue of dry runs on one thread with
// decide_deferred, so one fdatasync of the file log covers many decisions.
#include <assent/assent.hpp>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
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

void write_file(const std::string& name, const std::string& text) { std::ofstream(dir + "/" + name) << text; }
std::string read_file(const std::string& name) {
  std::ifstream in(dir + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void expect(bool ok, const std::string& what) {
  if (!ok) ++failures;
  std::cout << "     " << (ok ? "ok: " : "UNEXPECTED: ") << what << "\n";
}
// A recorded incident: where it was recorded, and the recording itself (a JSON document whose
// spec hash is what approvers approve, so an approval covers exactly this recording).
struct incident {
  std::string id, project, source_environment, recording_file;
};
enum class replay_mode { dry_run, execute };

// --- the integration ---------------------------------------------------------------------
class replay_engine {
 public:
  explicit replay_engine(const assent::verifier<>& v) : verifier_(v) {}

  // What assent is asked before a replay of `inc` into prod in `mode`.
  static assent::request request_for(const incident& inc, replay_mode mode, const std::string& operator_name) {
    assent::request req;
    // The mode is the action: the policy gives each mode its own rules.
    req.action = mode == replay_mode::dry_run ? "replay.dry_run" : "replay.execute";
    req.project = inc.project;
    req.environment = "prod";                        // where the replay runs
    req.source_environment = inc.source_environment;  // where the run was recorded
    req.spec_hash = assent::spec_hash_of_document(read_file(inc.recording_file)).value_or("");
    req.initiator = operator_name;
    return req;
  }

  // Replays `inc` into prod in `mode` if assent allows it; returns the decision.
  assent::decision replay(const incident& inc, replay_mode mode, const std::string& operator_name,
                          const std::vector<std::string>& approvals) const {
    const std::string recording = read_file(inc.recording_file);
    const assent::request req = request_for(inc, mode, operator_name);
    const assent::decision d = verifier_.decide(req, approvals);

    std::cout << "   -> " << (d.allowed ? "ALLOW" : "DENY") << " " << req.action << " of " << inc.id
              << " (recorded in " << inc.source_environment << ")  [audit #" << d.audit_seq << "]\n";
    for (const auto& a : d.approvals) std::cout << "      counted: " << a.approver << "'s approval\n";
    for (auto why : d.reasons) std::cout << "      reason: " << assent::to_string(why) << "\n";
    for (const auto& r : d.rejected)
      std::cout << "      approval #" << r.index << " not counted: " << assent::to_string(r.why) << "\n";
    for (const auto& c : d.missing.capabilities) std::cout << "      missing capability: " << c << "\n";
    if (d.allowed) {
      const auto steps = nlohmann::json::parse(recording).at("steps").size();
      std::cout << "      replaying " << steps << " recorded steps"
                << (mode == replay_mode::dry_run ? " with side effects suppressed\n" : " for real\n");
    }
    return d;
  }

 private:
  const assent::verifier<>& verifier_;
};
// ------------------------------------------------------------------------------------------

}  // namespace

int main() {
  char tmpl[] = "/tmp/assent-replay-engine-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 2;
  dir = tmpl;
  const remove_dir_at_exit cleanup;
  std::cout << "replay_engine: working in " << dir << "\n";

  // alice is the incident commander: the only one whose approval counts for execute mode.
  assent::crypto::ed25519::seed seed{};
  if (!assent::crypto::os_random(seed)) return 2;
  const auto alice = assent::signing_key::from_seed(seed, "alice-1", "alice");
  assent::key_record_spec spec;
  spec.kid = alice.kid();
  spec.public_key = alice.public_key();
  spec.principal = "alice";
  spec.roles = {"incident_commander"};
  assent::memory_key_store set;
  (void)set.add(*assent::key_record::create(spec).first);
  write_file("trusted.jwks", assent::to_jwks(set).dump(2));

  write_file("policy.json", R"({
  "version": 1, "id": "incident-replay", "roles": ["engineer", "incident_commander"],
  "environments": {
    "staging": {"actions": {"replay.dry_run": {"approval": "none"}}},
    "prod": {
      "max_credential_lifetime_seconds": 3600,
      "actions": {
        "replay.dry_run": {"approval": "none"},
        "replay.execute": {"approval": "required", "capabilities": ["replay.execute", "replay.elevated"],
                           "min_approver_role": "incident_commander", "source_environments": ["prod"]}
      }
    }
  }
})");
  // Two recordings: an outage captured in prod, and a test incident captured in staging.
  write_file("inc-7.json", R"({"incident": "INC-7", "steps": ["drain eu-west", "replay 1200 payments", "restore"]})");
  write_file("inc-9.json", R"({"incident": "INC-9", "steps": ["replay 40 payments"]})");
  const incident inc7{"INC-7", "payments", "prod", "inc-7.json"};
  const incident inc9{"INC-9", "payments", "staging", "inc-9.json"};

  // Read everything back from disk, as the engine would at start-up.
  auto keys = assent::load_jwks_file(dir + "/trusted.jwks");
  auto policy = assent::load_policy(read_file("policy.json"));
  if (!keys.ok() || !policy.ok()) return 2;
  assent::audit::memory_sink audit;  // production: assent::audit::file_sink
  const assent::verifier<> verifier(*policy.value, *keys.store, audit);
  const replay_engine engine(verifier);

  // What alice signs for one recording, covering the given capabilities.
  auto approve = [&](const incident& inc, std::vector<std::string> caps) {
    const auto hash = *assent::spec_hash_of_document(read_file(inc.recording_file));
    return assent::issue_approval(
        assent::make_approval_claims(inc.project, "prod", hash, std::move(caps), assent::system_clock{}.now(), 900), alice);
  };

  std::cout << "\n1. bob dry-runs INC-7, no approval\n";
  auto d = engine.replay(inc7, replay_mode::dry_run, "bob", {});
  expect(d.allowed && !d.approval_required, "a dry run needs no approval");

  std::cout << "2. bob executes INC-7, no approval\n";
  d = engine.replay(inc7, replay_mode::execute, "bob", {});
  expect(!d.allowed && d.has_reason(assent::reason::threshold_not_met), "execute mode needs an approval");

  std::cout << "3. bob executes INC-7; alice approved replay.execute only\n";
  d = engine.replay(inc7, replay_mode::execute, "bob", {approve(inc7, {"replay.execute"})});
  expect(!d.allowed && d.has_reason(assent::reason::insufficient_capabilities) &&
             d.missing.capabilities == std::vector<std::string>{"replay.elevated"},
         "rejected: insufficient_capabilities, replay.elevated missing");

  std::cout << "4. bob executes INC-9 (recorded in staging); alice approved both capabilities\n";
  d = engine.replay(inc9, replay_mode::execute, "bob", {approve(inc9, {"replay.execute", "replay.elevated"})});
  expect(!d.allowed && d.has_reason(assent::reason::wrong_source_environment) && d.approvals.size() == 1,
         "alice's approval counts, yet denied: wrong_source_environment");

  std::cout << "5. bob executes INC-7; alice approved replay.execute + replay.elevated\n";
  d = engine.replay(inc7, replay_mode::execute, "bob", {approve(inc7, {"replay.execute", "replay.elevated"})});
  expect(d.allowed && d.approvals.size() == 1 && d.approvals[0].approver == "alice", "allowed, approved by alice");

  // Every attempt, allowed or not, is one record of the hash-chained log.
  const auto verified = assent::audit::verify_log_text(audit.text());
  std::cout << "6. Audit: " << assent::audit::to_string(verified.code) << ", " << verified.count << " records\n";
  expect(verified.ok() && verified.count == 5, "5 replay attempts recorded in an intact chain");

  // The nightly regression run: 64 dry runs from a queue, on one thread, into a file log with
  // group commit. Deciding one at a time would cost one fdatasync per replay; decide_deferred
  // keeps up to 16 decisions in flight, and each replay starts only once get() has its record
  // on disk.
  std::cout << "7. The nightly queue: 64 dry runs of INC-7 on one thread, 16 decisions in flight\n";
  auto log = assent::audit::file_sink::open(dir + "/replay-audit.jsonl");  // durability::group
  if (!log.ok()) return 2;
  const assent::verifier<> nightly(*policy.value, *keys.store, *log.sink);
  const assent::request dry_run = replay_engine::request_for(inc7, replay_mode::dry_run, "nightly");
  std::deque<assent::pending_decision> in_flight;
  int started = 0;
  const auto start_oldest = [&] {
    const assent::decision& done = in_flight.front().get();  // waits until its record is durable
    if (done.allowed && done.audit_seq != 0) ++started;      // ... the replay would start here
    in_flight.pop_front();
  };
  for (int i = 0; i < 64; ++i) {
    if (in_flight.size() == 16) start_oldest();
    in_flight.push_back(nightly.decide_deferred(dry_run, std::vector<std::string>{}));
  }
  while (!in_flight.empty()) start_oldest();
  const auto closed = log.sink->close();
  const auto nightly_log = assent::audit::verify_log_file(dir + "/replay-audit.jsonl");
  std::cout << "   " << started << " replays started; file log: " << assent::audit::to_string(nightly_log.code) << ", "
            << nightly_log.count << " records\n";
  expect(!closed && started == 64 && nightly_log.ok() && nightly_log.count == 64,
         "64 dry runs started, each after its record was durable");

  std::cout << (failures == 0 ? "\nAll outcomes as expected.\n" : "\nSOME OUTCOMES WERE NOT AS EXPECTED.\n");
  return failures == 0 ? 0 : 1;
}
