// custom_audit_sink: send every decision's audit event where you need it.
//
// A sink receives one event per decision and must say honestly whether it
// stored it: assent denies any decision whose record could not be written
// (fail closed). This one forwards events as JSON lines to a stream (stand-in
// for a message queue or a SIEM) and fails when the stream does.
#include <assent/assent.hpp>
#include <iostream>
#include <mutex>
#include <sstream>

// --- the extension point: about fifteen lines --------------------------------
class stream_sink final : public assent::audit_sink {
 public:
  explicit stream_sink(std::ostream& out) : out_(out) {}
  assent::audit_receipt append(const nlohmann::json& event, std::int64_t time) override {
    std::lock_guard<std::mutex> lock(mutex_);
    assent::audit_receipt receipt;
    out_ << nlohmann::json{{"time", assent::json::format_rfc3339(time)}, {"event", event}}.dump() << "\n";
    out_.flush();
    receipt.ok = static_cast<bool>(out_);
    receipt.seq = receipt.ok ? ++count_ : 0;
    if (!receipt.ok) receipt.error = "stream write failed";
    return receipt;
  }

 private:
  std::mutex mutex_;
  std::ostream& out_;
  std::uint64_t count_ = 0;
};
// ------------------------------------------------------------------------------

int main() {
  auto policy = assent::load_policy(std::string_view(R"({
    "version": 1, "id": "custom-sink-demo", "roles": ["developer"],
    "environments": {"staging": {"actions": {"replay.dry_run": {"approval": "none"}}}}})"));
  if (!policy.ok()) {
    std::cerr << policy.describe() << "\n";
    return 2;
  }
  assent::memory_key_store no_keys;
  assent::request req;
  req.action = "replay.dry_run";
  req.project = "payments";
  req.environment = "staging";
  req.spec_hash = assent::spec_hash_of_bytes(assent::byte_view(std::string_view("replay of run 7")));
  req.initiator = "bob";

  std::ostringstream queue;
  stream_sink healthy(queue);
  auto ok = assent::verifier<>(*policy.value, no_keys, healthy).decide(req, std::vector<std::string>{});
  std::cout << "sink healthy: " << (ok.allowed ? "allow" : "deny") << ", forwarded: " << queue.str();

  std::ostringstream broken;
  broken.setstate(std::ios::badbit);  // the queue is down
  stream_sink failing(broken);
  auto closed = assent::verifier<>(*policy.value, no_keys, failing).decide(req, std::vector<std::string>{});
  std::cout << "sink failing: " << (closed.allowed ? "allow" : "deny");
  for (auto r : closed.reasons) std::cout << " (" << assent::to_string(r) << ")";
  std::cout << "\n";
  return ok.allowed && !closed.allowed ? 0 : 1;
}
