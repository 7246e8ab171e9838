// The verifier's caches (signature_cache_capacity > 0): a cached decision is the same decision,
// record for record, and nothing about trust is cached — a key revoked, removed or added after
// a credential was cached takes effect on the very next decision of the same verifier.
#include <string>
#include <vector>

#include "assent/audit/memory_sink.hpp"
#include "assent/verifier.hpp"
#include "catch.hpp"
#include "decision_fixture.hpp"

// A named namespace keeps the using-directive out of the other files of a unity batch.
namespace decision_cache_test {
using namespace decision_fixture;
using assent::reason;

namespace {
using cache_test_verifier = assent::verifier<assent::policy, assent::approval_claims, assent::fixed_clock>;

// A key store whose contents the test swaps while one verifier keeps using it.
class switchable_store final : public assent::key_store {
 public:
  explicit switchable_store(const assent::key_store& initial) : current_(&initial) {}
  void use(const assent::key_store& s) { current_ = &s; }
  [[nodiscard]] assent::key_lookup find(std::string_view keyid) const override { return current_->find(keyid); }

 private:
  const assent::key_store* current_;
};

assent::verifier_options cached_options() {
  assent::verifier_options o;
  o.signature_cache_capacity = 64;
  return o;
}

}  // namespace

TEST_CASE("a cached decision is the uncached decision, byte for byte in the audit log", "[decision][cache]") {
  world w;
  const auto pol = load(acme_policy_document());
  assent::audit::memory_sink cold_log, warm_log;
  cache_test_verifier cold(pol, w.store, cold_log, {}, assent::fixed_clock{now});
  cache_test_verifier warm(pol, w.store, warm_log, cached_options(), assent::fixed_clock{now});

  auto expired = claims_for("dave", "a4");
  expired.expires_at = now - 1;
  auto other_spec = claims_for("erin", "a5");
  other_spec.spec_hash = "sha256:" + std::string(64, 'e');
  assent::dsse::envelope not_claims;
  not_claims.payload_type = std::string(assent::dsse::approval_payload_type);
  const std::string body = R"({"id":"x"})";
  not_claims.payload.assign(body.begin(), body.end());
  (void)assent::dsse::add_signature(not_claims, w.keys.at("carol-1"));

  const std::vector<std::vector<std::string>> cases = {
      {sign(claims_for("alice", "a1"), w.keys.at("alice-1")), sign(claims_for("erin", "a2"), w.keys.at("erin-1"))},
      {sign(claims_for("alice", "a1"), w.keys.at("alice-1")), sign(claims_for("alice", "a3"), w.keys.at("alice-2"))},
      {forge(expired, w.keys.at("dave-1")), sign(claims_for("mallory", "m1"), world::stranger())},
      {forge(other_spec, w.keys.at("erin-1")), assent::dsse::serialize(not_claims), "not an envelope"},
  };
  for (int round = 0; round < 3; ++round) {  // round 0 fills the caches; rounds 1 and 2 hit them
    for (const auto& creds : cases) {
      const auto a = cold.decide(deploy_request(), creds);
      const auto b = warm.decide(deploy_request(), creds);
      CHECK(assent::to_json(a) == assent::to_json(b));
    }
  }
  CHECK(cold_log.size() == 12);
  CHECK(cold_log.text() == warm_log.text());
  // The cases cover what they should.
  const auto bad = cold.decide(deploy_request(), cases[3]);
  CHECK(has_rejection(bad, reason::spec_hash_mismatch));
  CHECK(has_rejection(bad, reason::malformed_credential));
  CHECK(has_rejection(bad, reason::malformed_envelope));
}

TEST_CASE("keys revoked, removed or added after caching take effect on the next decision", "[decision][cache]") {
  world w;
  const auto pol = load(acme_policy_document());
  switchable_store keys(w.store);
  assent::audit::memory_sink log;
  cache_test_verifier v(pol, keys, log, cached_options(), assent::fixed_clock{now});
  const std::vector<std::string> creds = {sign(claims_for("alice", "a1"), w.keys.at("alice-1")),
                                          sign(claims_for("erin", "a2"), w.keys.at("erin-1"))};
  REQUIRE(v.decide(deploy_request(), creds).allowed);
  REQUIRE(v.decide(deploy_request(), creds).allowed);  // now cached

  const auto revoked = w.store_with("alice-1", [](auto& k) { k.status = assent::key_status::revoked; });
  keys.use(revoked);
  auto d = v.decide(deploy_request(), creds);
  CHECK_FALSE(d.allowed);
  CHECK(has_rejection(d, reason::key_revoked));

  assent::memory_key_store without_alice;
  w.store.for_each([&](const assent::key_record& k) {
    if (k.kid() != "alice-1") (void)without_alice.add(k);
  });
  keys.use(without_alice);
  d = v.decide(deploy_request(), creds);
  CHECK_FALSE(d.allowed);
  CHECK(has_rejection(d, reason::unknown_key));

  // A credential first seen while its key was unknown is accepted once the key is trusted.
  keys.use(without_alice);
  const std::vector<std::string> fresh = {sign(claims_for("alice", "a9"), w.keys.at("alice-1")), creds[1]};
  CHECK_FALSE(v.decide(deploy_request(), fresh).allowed);
  keys.use(w.store);
  CHECK(v.decide(deploy_request(), fresh).allowed);
  CHECK(v.decide(deploy_request(), creds).allowed);
}

TEST_CASE("the credential cache keeps entries per exact envelope bytes", "[decision][cache]") {
  assent::credential_cache<assent::approval_claims> cache(4);
  const auto k1 = assent::crypto::sha256::hash(assent::byte_view(std::string_view("envelope one")));
  const auto k2 = assent::crypto::sha256::hash(assent::byte_view(std::string_view("envelope two")));
  CHECK(cache.find(k1) == nullptr);
  auto entry = std::make_shared<assent::parsed_credential<assent::approval_claims>>();
  entry->envelope.payload_type = "t";
  cache.insert(k1, entry);
  REQUIRE(cache.find(k1) != nullptr);
  CHECK(cache.find(k1)->envelope.payload_type == "t");
  CHECK(cache.find(k2) == nullptr);
  // Many more keys than capacity: entries are evicted, never mixed up.
  for (int i = 0; i < 100; ++i) {
    const std::string name = std::to_string(i);
    const auto k = assent::crypto::sha256::hash(assent::byte_view(std::string_view(name)));
    auto e = std::make_shared<assent::parsed_credential<assent::approval_claims>>();
    e->envelope.payload_type = std::to_string(i);
    cache.insert(k, e);
  }
  for (int i = 0; i < 100; ++i) {
    const std::string name = std::to_string(i);
    const auto k = assent::crypto::sha256::hash(assent::byte_view(std::string_view(name)));
    const auto found = cache.find(k);
    if (found) CHECK(found->envelope.payload_type == std::to_string(i));
  }
}

}  // namespace decision_cache_test
