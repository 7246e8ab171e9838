// Shared fixture of the decision tests: people with keys, the example policy,
// a pinned clock, and helpers that mint real signed credentials.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "assent/assent.hpp"
#include "assent/credential/claims.hpp"
#include "assent/credential/issue.hpp"
#include "assent/envelope.hpp"
#include "assent/json/time.hpp"
#include "assent/keys/key_store.hpp"
#include "assent/keys/signing_key.hpp"
#include "assent/policy/load.hpp"
#include "assent/verifier.hpp"

namespace decision_fixture {

// 2026-11-21T10:30:00Z: every scenario decides at this instant.
inline constexpr std::int64_t now = 1763721000;
inline const std::string spec = "sha256:" + std::string(64, 'c');

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline nlohmann::json acme_policy_document() {
  return nlohmann::json::parse(read_text(std::string(ASSENT_TEST_DATA_DIR) + "/policy_acme.json"));
}

inline assent::policy load(const nlohmann::json& doc) {
  auto r = assent::load_policy(doc);
  if (!r.ok()) throw std::runtime_error("fixture policy does not load: " + r.describe());
  return *r.value;
}

// A seed derived from a name, so keys are stable across runs.
inline assent::crypto::ed25519::seed seed_for(const std::string& name) {
  auto digest = assent::crypto::sha256::hash(assent::byte_view("assent-test-seed:" + name));
  assent::crypto::ed25519::seed s{};
  std::copy(digest.begin(), digest.end(), s.begin());
  return s;
}

struct person {
  std::string kid;
  std::string principal;
  std::vector<std::string> roles;
};

// A sink that keeps events, and can be told to fail.
class recording_sink final : public assent::audit_sink {
 public:
  assent::audit_receipt append(const nlohmann::json& event, std::int64_t time) override {
    std::lock_guard<std::mutex> lock(mutex_);
    assent::audit_receipt r;
    if (fail) {
      r.error = "disk full (simulated)";
      return r;
    }
    events.push_back(event);
    times.push_back(time);
    r.ok = true;
    r.seq = events.size();
    r.hash = "sha256:" + std::string(64, '0');
    return r;
  }
  bool fail = false;
  std::vector<nlohmann::json> events;
  std::vector<std::int64_t> times;

 private:
  std::mutex mutex_;
};

// A store that cannot answer (an outage).
class unavailable_store final : public assent::key_store {
 public:
  assent::key_lookup find(std::string_view) const override { return {}; }
};

struct world {
  std::map<std::string, assent::signing_key> keys;  // by kid
  std::map<std::string, assent::key_record_spec> specs;
  assent::memory_key_store store;

  world() {
    add({"alice-1", "alice", {"admin", "security_owner"}});
    add({"alice-2", "alice", {"admin", "security_owner"}});  // a second key of the same person
    add({"bob-1", "bob", {"developer"}});
    add({"carol-1", "carol", {"owner", "release_owner"}});
    add({"dave-1", "dave", {"admin", "data_owner", "software_owner"}});
    add({"erin-1", "erin", {"admin"}});
    add({"frank-1", "frank", {"developer", "security_owner"}});
  }

  void add(const person& p, const std::function<void(assent::key_record_spec&)>& tweak = {}) {
    auto key = assent::signing_key::from_seed(seed_for(p.kid), p.kid, p.principal);
    assent::key_record_spec ks;
    ks.kid = p.kid;
    ks.public_key = key.public_key();
    ks.principal = p.principal;
    ks.roles = p.roles;
    if (tweak) tweak(ks);
    specs[p.kid] = ks;
    auto rec = assent::key_record::create(ks);
    if (!rec.first) throw std::runtime_error(rec.second);
    (void)store.add(std::move(*rec.first));
    keys.emplace(p.kid, std::move(key));
  }

  // A store with one key's record changed (status, window, environments).
  assent::memory_key_store store_with(const std::string& kid,
                                      const std::function<void(assent::key_record_spec&)>& tweak) const {
    assent::memory_key_store s;
    for (const auto& [k, entry] : specs) {
      auto copy = entry;
      if (k == kid) tweak(copy);
      auto rec = assent::key_record::create(copy);
      if (!rec.first) throw std::runtime_error(rec.second);
      (void)s.add(std::move(*rec.first));
    }
    return s;
  }

  // A signing key nobody trusts.
  static assent::signing_key stranger() {
    return assent::signing_key::from_seed(seed_for("mallory"), "mallory-1", "mallory");
  }
};

// Valid claims for the standard production deploy, signed by `principal`.
inline assent::approval_claims claims_for(const std::string& principal, const std::string& id) {
  assent::approval_claims c;
  c.id = id;
  c.approver = principal;
  c.project = "payments";
  c.environment = "prod";
  c.spec_hash = spec;
  c.capabilities = {"deploy"};
  c.issued_at = now - 600;
  c.expires_at = now + 1800;
  return c;
}

inline std::string sign(const assent::approval_claims& c, const assent::signing_key& key) {
  return assent::issue_approval(c, key);
}

// Signs claims exactly as given, bypassing the issuer's own checks (tests of what the
// verifier refuses need envelopes a careful issuer would never make).
inline std::string forge(const assent::approval_claims& c, const assent::signing_key& key) {
  assent::dsse::envelope e;
  e.payload_type = std::string(assent::dsse::approval_payload_type);
  const std::string body = assent::to_json(c).dump();
  e.payload.assign(body.begin(), body.end());
  const auto sig = key.sign(assent::byte_view(assent::dsse::pae(e)));
  e.signatures.push_back({key.kid(), assent::bytes(sig.begin(), sig.end())});
  return assent::dsse::serialize(e);
}

inline assent::request deploy_request() {
  assent::request req;
  req.action = "deploy";
  req.project = "payments";
  req.environment = "prod";
  req.spec_hash = spec;
  req.initiator = "bob";
  req.initiator_roles = {"developer"};
  req.destination = "eu-west";
  return req;
}

inline bool has_decision_reason(const assent::decision& d, assent::reason r) {
  return std::find(d.reasons.begin(), d.reasons.end(), r) != d.reasons.end();
}

inline bool has_rejection(const assent::decision& d, assent::reason r) {
  return std::any_of(d.rejected.begin(), d.rejected.end(), [&](const auto& x) { return x.why == r; });
}

}  // namespace decision_fixture
