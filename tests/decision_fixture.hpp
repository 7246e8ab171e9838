// Shared fixture of the decision tests: people with keys, the example policy,
// a pinned clock, and helpers that mint real signed credentials.
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
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

// Host parts that fail the way real ones do: a KMS that times out, a policy service that throws,
// a claims reader whose lookup fails, a clock source that is gone, a claims type whose lazily
// loaded member throws where assent reads it.
class throwing_store final : public assent::key_store {
 public:
  assent::key_lookup find(std::string_view) const override { throw std::runtime_error("KMS timed out"); }
};

struct flaky_policy {
  const assent::policy& inner;
  bool throw_in_resolve = false;
  bool throw_in_revocation = false;
  // A host's own edit of the posture (a policy read from the host's configuration).
  std::function<void(assent::posture&)> edit_posture = {};
  [[nodiscard]] const std::string& id() const { return inner.id(); }
  [[nodiscard]] const std::string& hash() const { return inner.hash(); }
  [[nodiscard]] assent::posture_result resolve(const assent::request& r) const {
    if (throw_in_resolve) throw std::runtime_error("policy service down");
    auto out = inner.resolve(r);
    if (edit_posture && out.effective) edit_posture(*out.effective);
    return out;
  }
  [[nodiscard]] bool is_credential_revoked(std::string_view id) const {
    if (throw_in_revocation) throw std::runtime_error("revocation list unreadable");
    return inner.is_credential_revoked(id);
  }
  [[nodiscard]] bool is_key_revoked(std::string_view kid) const { return inner.is_key_revoked(kid); }
  [[nodiscard]] std::optional<std::uint32_t> highest_rank(const std::vector<std::string>& roles) const {
    return inner.highest_rank(roles);
  }
};

struct failing_clock {
  [[nodiscard]] std::int64_t now() const { throw std::runtime_error("no time source"); }
};

// Claims read by a host reader that fails (its ticket lookup timed out).
struct ticket_claims : assent::approval_claims {};

// Claims read leniently by a host's own from_json: every member taken as written, no checks.
struct lax_claims : assent::approval_claims {};

// Claims whose capability list is loaded lazily and fails when assent iterates it.
struct exploding_list {
  std::vector<std::string> items;
  [[nodiscard]] const std::string* begin() const { throw std::runtime_error("capability list failed to load"); }
  [[nodiscard]] const std::string* end() const { return items.data() + items.size(); }
};
struct exploding_claims : assent::approval_claims {
  exploding_list capabilities;
};

inline bool has_decision_reason(const assent::decision& d, assent::reason r) {
  return std::find(d.reasons.begin(), d.reasons.end(), r) != d.reasons.end();
}

inline bool has_rejection(const assent::decision& d, assent::reason r) {
  return std::any_of(d.rejected.begin(), d.rejected.end(), [&](const auto& x) { return x.why == r; });
}

}  // namespace decision_fixture

namespace assent {
template <>
struct claims_traits<decision_fixture::ticket_claims> {
  static basic_claims_result<decision_fixture::ticket_claims> parse(const nlohmann::json&) {
    throw std::runtime_error("ticket system timed out");
  }
};
template <>
struct claims_traits<decision_fixture::lax_claims> {
  static basic_claims_result<decision_fixture::lax_claims> parse(const nlohmann::json& j) noexcept {
    basic_claims_result<decision_fixture::lax_claims> out;
    try {
      decision_fixture::lax_claims c;
      c.id = j.at("id").get<std::string>();
      if (j.contains("approver")) c.approver = j.at("approver").get<std::string>();
      c.project = j.at("project").get<std::string>();
      c.environment = j.at("environment").get<std::string>();
      c.spec_hash = j.at("spec_hash").get<std::string>();
      c.capabilities = j.at("capabilities").get<std::vector<std::string>>();
      c.issued_at = *json::parse_rfc3339(j.at("issued_at").get<std::string>());
      c.expires_at = *json::parse_rfc3339(j.at("expires_at").get<std::string>());
      out.claims.emplace(std::move(c));
    } catch (const std::exception& e) {
      out.error = e.what();
    }
    return out;
  }
};
template <>
struct claims_traits<decision_fixture::exploding_claims> {
  static basic_claims_result<decision_fixture::exploding_claims> parse(const nlohmann::json& j) noexcept {
    basic_claims_result<decision_fixture::exploding_claims> out;
    auto plain = parse_approval_claims(j);
    if (!plain.claims) return out;
    decision_fixture::exploding_claims c;
    static_cast<approval_claims&>(c) = *plain.claims;
    c.capabilities.items = plain.claims->capabilities;
    out.claims.emplace(std::move(c));
    return out;
  }
};
}  // namespace assent
