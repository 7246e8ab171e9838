// replay_engine: an incident-replay engine that asks assent before each replay.
//
// A replay re-runs a recorded incident. A dry run has no side effects, so the
// policy lets anyone start one (it is still audited). Execute mode touches
// production for real, so it needs an approval that covers both
// replay.execute and replay.elevated, and only runs recorded in prod may be
// replayed that way (source_environments). Exits non-zero if any outcome is
// not the expected one. The last step drains a queue of dry runs on one thread with
// decide_deferred, so one fdatasync of the file log covers many decisions.
//
// The rule the engine shows: read the recording ONCE, hash those bytes for the request, and
// replay those same bytes. Reading the file again to execute it (or to hash it) lets whoever
// can write the file swap it between the two reads, so an approval of one recording would run
// another (step 6 plays that race out).
//
//   replay_engine                 the demo, in a temporary folder removed afterwards
//   replay_engine --dir DIR       the demo in DIR (kept), e.g. on a full disk: exits 2 with why
//   replay_engine --race N        N execute replays while another thread keeps swapping the
//                                 recording on disk; exits 1 if any replay ran bytes other
//                                 than the approved ones
#include <assent/assent.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../common/safe_file.hpp"

namespace {

std::string dir;  // the working folder
int failures = 0;
// Removes a temporary working folder however main returns (not one given with --dir).
struct remove_dir_at_exit {
  bool armed = false;
  ~remove_dir_at_exit() {
    std::error_code ignored;
    if (armed) std::filesystem::remove_all(dir, ignored);
  }
};
// Setup steps that must not fail; a failure (a full disk, say) ends the program with exit 2.
struct setup_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void write_file(const std::string& name, const std::string& text) {
  if (auto err = safe_file::replace(dir + "/" + name, text)) throw setup_error(*err);
}
std::string read_file(const std::string& name) {
  std::string error;
  auto text = safe_file::read(dir + "/" + name, error);
  if (!text) throw setup_error(error);
  return *text;
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
// How the engine reads a recording: safe_file::read (no symlinks, regular files only). The demo
// passes a reader that races the way an attacker would.
using recording_reader = std::function<std::optional<std::string>(const std::string& path, std::string& error)>;

// What one replay() did: the decision, and the steps it replayed (none unless allowed).
struct replay_outcome {
  assent::decision decision;
  std::vector<std::string> replayed_steps;
};

class replay_engine {
 public:
  explicit replay_engine(const assent::verifier<>& v,
                         recording_reader read = [](const std::string& path, std::string& error) {
                           return safe_file::read(path, error);
                         })
      : verifier_(v), read_(std::move(read)) {}

  // What assent is asked before a replay of `recording` (the bytes of inc's recording, as read
  // once) into prod in `mode`.
  static assent::request request_for(const incident& inc, const std::string& recording, replay_mode mode,
                                     const std::string& operator_name) {
    assent::request req;
    // The mode is the action: the policy gives each mode its own rules.
    req.action = mode == replay_mode::dry_run ? "replay.dry_run" : "replay.execute";
    req.project = inc.project;
    req.environment = "prod";                        // where the replay runs
    req.source_environment = inc.source_environment;  // where the run was recorded
    req.spec_hash = assent::spec_hash_of_document(recording).value_or("");  // bad JSON: malformed_request
    req.initiator = operator_name;
    return req;
  }

  // Replays `inc` into prod in `mode` if assent allows it.
  replay_outcome replay(const incident& inc, replay_mode mode, const std::string& operator_name,
                        const std::vector<std::string>& approvals) const {
    replay_outcome out;
    // The one read: these bytes are hashed for the decision and are the bytes replayed.
    std::string error;
    const std::optional<std::string> recording = read_(dir + "/" + inc.recording_file, error);
    if (!recording) {  // nothing to decide on: out.decision is a deny by default
      std::cout << "   -> cannot replay " << inc.id << ": " << error << "\n";
      return out;
    }
    const assent::request req = request_for(inc, *recording, mode, operator_name);
    out.decision = verifier_.decide(req, approvals);
    const assent::decision& d = out.decision;

    std::cout << "   -> " << (d.allowed ? "ALLOW" : "DENY") << " " << req.action << " of " << inc.id
              << " (recorded in " << inc.source_environment << ")  [audit #" << d.audit_seq << "]\n";
    for (const auto& a : d.approvals) std::cout << "      counted: " << a.approver << "'s approval\n";
    for (auto why : d.reasons) std::cout << "      reason: " << assent::to_string(why) << "\n";
    for (const auto& r : d.rejected)
      std::cout << "      approval #" << r.index << " not counted: " << assent::to_string(r.why) << "\n";
    for (const auto& c : d.missing.capabilities) std::cout << "      missing capability: " << c << "\n";
    if (d.allowed) {
      const auto doc = nlohmann::json::parse(*recording, nullptr, /*allow_exceptions=*/false);
      if (doc.is_object() && doc.contains("steps") && doc["steps"].is_array())
        for (const auto& step : doc["steps"]) out.replayed_steps.push_back(step.dump());
      std::cout << "      replaying " << out.replayed_steps.size() << " recorded steps"
                << (mode == replay_mode::dry_run ? " with side effects suppressed\n" : " for real\n");
    }
    return out;
  }

 private:
  const assent::verifier<>& verifier_;
  recording_reader read_;
};
// ------------------------------------------------------------------------------------------

const char* const inc7_recording =
    R"({"incident": "INC-7", "steps": ["drain eu-west", "replay 1200 payments", "restore"]})";
// What mallory, who can write the recordings folder, wants run under alice's approval of INC-7.
const char* const mallory_recording = R"({"incident": "INC-7", "steps": ["drop table payments"]})";

}  // namespace

namespace {

// --race N: one thread keeps swapping INC-7's recording between the approved bytes and
// mallory's (write aside, rename over: each read sees one whole file) while this thread runs N
// execute replays with alice's approval of the approved bytes. Returns how many replays ran
// anything else; it must be 0 however the swaps and the reads interleave.
int race(int n, const replay_engine& engine, const incident& inc, const std::vector<std::string>& approval,
         const std::vector<std::string>& approved_steps) {
  std::atomic<bool> stop{false};
  std::thread attacker([&] {
    const std::string target = dir + "/" + inc.recording_file, aside = target + ".swap";
    for (bool evil = true; !stop.load(); evil = !evil) {
      std::ofstream(aside, std::ios::trunc) << (evil ? mallory_recording : inc7_recording);  // no fsync: the
      std::rename(aside.c_str(), target.c_str());  // attacker needs no durability
    }
  });
  int wrong = 0, allowed = 0;
  for (int i = 0; i < n; ++i) {
    const replay_outcome r = engine.replay(inc, replay_mode::execute, "bob", approval);
    if (r.decision.allowed) ++allowed;
    if (r.decision.allowed && r.replayed_steps != approved_steps) ++wrong;
  }
  stop = true;
  attacker.join();
  std::cerr << "race: " << allowed << " of " << n << " replays allowed\n";
  return wrong;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::vector<std::string> args(argv + 1, argv + argc);
  int race_runs = 0;
  remove_dir_at_exit cleanup;
  if (args.size() == 2 && args[0] == "--dir") {
    dir = args[1];
  } else if (args.size() == 2 && args[0] == "--race") {
    race_runs = std::max(1, std::atoi(args[1].c_str()));
  } else if (!args.empty()) {
    std::cerr << "usage: replay_engine [--dir DIR | --race N]\n";
    return 2;
  }
  if (dir.empty()) {
    char tmpl[] = "/tmp/assent-replay-engine-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return 2;
    dir = tmpl;
    cleanup.armed = true;
  }
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
  write_file("inc-7.json", inc7_recording);
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

  // What alice signs for one recording, covering the given capabilities: she reviewed these
  // bytes (in a real setup, fetched once and shown to her, not re-read from the shared folder).
  auto approve = [&](const std::string& recording, std::vector<std::string> caps) {
    const auto hash = *assent::spec_hash_of_document(recording);
    return assent::issue_approval(
        assent::make_approval_claims("payments", "prod", hash, std::move(caps), assent::system_clock{}.now(), 900), alice);
  };
  const std::vector<std::string> inc7_steps = {R"("drain eu-west")", R"("replay 1200 payments")", R"("restore")"};

  if (race_runs > 0) {
    std::cout.setstate(std::ios::failbit);  // the per-replay lines would drown the result
    const int wrong = race(race_runs, engine, inc7, {approve(inc7_recording, {"replay.execute", "replay.elevated"})},
                           inc7_steps);
    std::cout.clear();
    std::cout << "race: " << race_runs << " execute replays under a swapping recording, " << wrong
              << " ran bytes other than the approved ones\n";
    return wrong == 0 ? 0 : 1;
  }

  std::cout << "\n1. bob dry-runs INC-7, no approval\n";
  auto r = engine.replay(inc7, replay_mode::dry_run, "bob", {});
  expect(r.decision.allowed && !r.decision.approval_required, "a dry run needs no approval");

  std::cout << "2. bob executes INC-7, no approval\n";
  r = engine.replay(inc7, replay_mode::execute, "bob", {});
  expect(!r.decision.allowed && r.decision.has_reason(assent::reason::threshold_not_met),
         "execute mode needs an approval");

  std::cout << "3. bob executes INC-7; alice approved replay.execute only\n";
  r = engine.replay(inc7, replay_mode::execute, "bob", {approve(inc7_recording, {"replay.execute"})});
  expect(!r.decision.allowed && r.decision.has_reason(assent::reason::insufficient_capabilities) &&
             r.decision.missing.capabilities == std::vector<std::string>{"replay.elevated"},
         "rejected: insufficient_capabilities, replay.elevated missing");

  std::cout << "4. bob executes INC-9 (recorded in staging); alice approved both capabilities\n";
  r = engine.replay(inc9, replay_mode::execute, "bob",
                    {approve(read_file("inc-9.json"), {"replay.execute", "replay.elevated"})});
  expect(!r.decision.allowed && r.decision.has_reason(assent::reason::wrong_source_environment) &&
             r.decision.approvals.size() == 1,
         "alice's approval counts, yet denied: wrong_source_environment");

  std::cout << "5. bob executes INC-7; alice approved replay.execute + replay.elevated\n";
  const std::string alice_ok = approve(inc7_recording, {"replay.execute", "replay.elevated"});
  r = engine.replay(inc7, replay_mode::execute, "bob", {alice_ok});
  expect(r.decision.allowed && r.decision.approvals.size() == 1 && r.decision.approvals[0].approver == "alice" &&
             r.replayed_steps == inc7_steps,
         "allowed, approved by alice, INC-7's 3 steps replayed");

  // mallory can write the recordings folder. She puts her recording at inc-7.json and swaps
  // the approved one back the moment the engine has read the file: had the engine read the file
  // again to hash it, the hash would match alice's approval and mallory's steps would run.
  std::cout << "6. bob executes INC-7 again while mallory swaps the file right after each read\n";
  write_file("inc-7.json", mallory_recording);
  const replay_engine raced(verifier, [](const std::string& path, std::string& error) {
    auto bytes = safe_file::read(path, error);
    if (auto err = safe_file::replace(path, inc7_recording)) throw setup_error(*err);  // mallory's swap
    return bytes;
  });
  r = raced.replay(inc7, replay_mode::execute, "bob", {alice_ok});
  expect(!r.decision.allowed && r.decision.has_reason(assent::reason::spec_hash_mismatch) && r.replayed_steps.empty(),
         "denied: the bytes read are not the approved ones (spec_hash_mismatch); nothing replayed");

  // Every attempt, allowed or not, is one record of the hash-chained log.
  const auto verified = assent::audit::verify_log_text(audit.text());
  std::cout << "7. Audit: " << assent::audit::to_string(verified.code) << ", " << verified.count << " records\n";
  expect(verified.ok() && verified.count == 6, "6 replay attempts recorded in an intact chain");

  // The nightly regression run: 64 dry runs from a queue, on one thread, into a file log with
  // group commit. Deciding one at a time would cost one fdatasync per replay; decide_deferred
  // keeps up to 16 decisions in flight, and each replay starts only once get() has its record
  // on disk.
  std::cout << "8. The nightly queue: 64 dry runs of INC-7 on one thread, 16 decisions in flight\n";
  auto log = assent::audit::file_sink::open(dir + "/replay-audit.jsonl");  // durability::group
  if (!log.ok()) throw setup_error(log.error);
  const assent::verifier<> nightly(*policy.value, *keys.store, *log.sink);
  // The queue's recording is read once, up front, and every dry run replays those bytes.
  const assent::request dry_run =
      replay_engine::request_for(inc7, read_file("inc-7.json"), replay_mode::dry_run, "nightly");
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
} catch (const setup_error& e) {  // a file that cannot be written or read: a full disk, say
  std::cerr << "replay_engine: " << e.what() << "\n";
  return 2;
}
