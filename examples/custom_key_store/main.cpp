// custom_key_store: plug your own directory of trusted keys into assent.
//
// A key store answers one question: "which trusted key is this keyid?". Here
// the keys live in a (simulated) company directory service that can be down;
// the store tells assent "unavailable" instead of "not found", so an outage is
// never logged as an attack and the decision is still a clear deny.
#include <assent/assent.hpp>
#include <iostream>
#include <map>
#include <mutex>

// --- the extension point: about twenty lines ---------------------------------
class directory_key_store final : public assent::key_store {
 public:
  // The directory pushes updates (rotation, revocation); lookups run concurrently.
  void publish(assent::key_record record) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string kid = record.kid();
    keys_[kid] = std::make_shared<const assent::key_record>(std::move(record));
  }
  void set_reachable(bool up) {
    std::lock_guard<std::mutex> lock(mutex_);
    reachable_ = up;
  }
  assent::key_lookup find(std::string_view keyid) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!reachable_) return {assent::lookup_status::unavailable, nullptr};
    auto it = keys_.find(std::string(keyid));
    if (it == keys_.end()) return {assent::lookup_status::not_found, nullptr};
    return {assent::lookup_status::found, it->second};
  }

 private:
  mutable std::mutex mutex_;
  bool reachable_ = true;
  std::map<std::string, std::shared_ptr<const assent::key_record>> keys_;
};
// ------------------------------------------------------------------------------

int main() {
  // One approver with a fresh key.
  assent::crypto::ed25519::seed seed{};
  if (!assent::crypto::os_random(seed)) return 2;
  const auto alice = assent::signing_key::from_seed(seed, "alice-2026-11", "alice");
  assent::key_record_spec spec;
  spec.kid = alice.kid();
  spec.public_key = alice.public_key();
  spec.principal = "alice";
  spec.roles = {"admin"};
  auto record = assent::key_record::create(spec);
  if (!record.first) {
    std::cerr << record.second << "\n";
    return 2;
  }
  directory_key_store store;
  store.publish(std::move(*record.first));

  auto policy = assent::load_policy(std::string_view(R"({
    "version": 1, "id": "custom-store-demo", "roles": ["developer", "admin"],
    "environments": {"prod": {"actions": {"deploy": {
      "approval": "required", "capabilities": ["deploy"], "min_approver_role": "admin"}}}}})"));
  if (!policy.ok()) {
    std::cerr << policy.describe() << "\n";
    return 2;
  }

  const std::int64_t now = assent::system_clock{}.now();
  assent::approval_claims claims;
  claims.id = "apv-demo-1";
  claims.project = "payments";
  claims.environment = "prod";
  claims.spec_hash = *assent::spec_hash_of_document(R"({"pipeline": "payments", "version": 42})");
  claims.capabilities = {"deploy"};
  claims.issued_at = now;
  claims.expires_at = now + 900;
  const std::string credential = assent::issue_approval(claims, alice);

  assent::request req;
  req.action = "deploy";
  req.project = "payments";
  req.environment = "prod";
  req.spec_hash = claims.spec_hash;
  req.initiator = "bob";

  assent::audit::memory_sink audit;
  assent::verifier<> verifier(*policy.value, store, audit);
  auto up = verifier.decide(req, std::vector<std::string>{credential});
  std::cout << "directory reachable:   " << (up.allowed ? "allow" : "deny") << "\n";

  store.set_reachable(false);
  auto down = verifier.decide(req, std::vector<std::string>{credential});
  std::cout << "directory unreachable: " << (down.allowed ? "allow" : "deny");
  for (const auto& r : down.rejected) std::cout << " (credential " << r.index << ": " << assent::to_string(r.why) << ")";
  std::cout << "\n";
  return up.allowed && !down.allowed ? 0 : 1;
}
