// first_decision: the smallest complete use of assent (quoted in docs/getting-started.md).
#include <assent/assent.hpp>
#include <iostream>

int main() {
  // Trusted keys and policy normally come from files: load_jwks_file, load_policy.
  assent::crypto::ed25519::seed seed{};
  if (!assent::crypto::os_random(seed)) return 2;
  const auto alice = assent::signing_key::from_seed(seed, "alice-1", "alice");
  assent::key_record_spec spec;
  spec.kid = "alice-1";
  spec.public_key = alice.public_key();
  spec.principal = "alice";
  spec.roles = {"admin"};
  assent::memory_key_store keys;
  (void)keys.add(*assent::key_record::create(spec).first);
  const auto policy = assent::load_policy(std::string_view(R"({"version": 1, "id": "demo",
    "roles": ["admin"], "environments": {"prod": {"actions": {"deploy": {
    "approval": "required", "capabilities": ["deploy"]}}}}})"));

  // begin: first decision
  assent::request req;
  req.action = "deploy";
  req.project = "payments";
  req.environment = "prod";
  req.spec_hash = assent::spec_hash_of_bytes(assent::byte_view(std::string_view("pipeline v42")));
  req.initiator = "bob";

  assent::approval_claims claims;  // what alice signs (normally: `assent approve`)
  claims.id = "apv-1";
  claims.project = req.project;
  claims.environment = req.environment;
  claims.spec_hash = req.spec_hash;
  claims.capabilities = {"deploy"};
  claims.issued_at = assent::system_clock{}.now();
  claims.expires_at = claims.issued_at + 1800;
  const std::string credential = assent::issue_approval(claims, alice);

  assent::audit::memory_sink audit;  // production: assent::audit::file_sink
  assent::verifier<> verifier(*policy.value, keys, audit);
  const assent::decision d = verifier.decide(req, std::vector<std::string>{credential});
  std::cout << assent::to_json(d).dump(2) << "\n";
  // end: first decision
  return d.allowed ? 0 : 1;
}
