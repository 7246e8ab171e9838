/// @file
/// The verifier: turns a request and its approval credentials into a
/// decision, and records it.
///
/// The order of checks is fixed and documented (docs/policy-reference.md):
///   1. the request itself (malformed_request, too_many_credentials);
///   2. overrides and posture (policy::resolve);
///   3. each credential: envelope, key, signature, then — only once the
///      signature verifies — the claims and their bindings;
///   4. the combination: distinct approvers, threshold, duties, break-glass;
///   5. the audit record: if it cannot be written, the decision is a deny
///      (decide_deferred: if it cannot be made durable by pending_decision::get).
/// One clock reading per decision. Nothing here throws: bad input is a reason, and a host part
/// that throws (key store, policy, claims reader, clock) is that part being unavailable, a deny
/// with its own reason that is recorded like any other.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "assent/audit/event.hpp"
#include "assent/audit/sink.hpp"
#include "assent/clock.hpp"
#include "assent/config.hpp"
#include "assent/credential/claims.hpp"
#include "assent/credential/claims_check.hpp"
#include "assent/crypto/sha256.hpp"
#include "assent/decision.hpp"
#include "assent/envelope.hpp"
#include "assent/keys/key_store.hpp"
#include "assent/policy/policy.hpp"
#include "assent/reason.hpp"
#include "assent/request.hpp"
#include "assent/spec_hash.hpp"
#include "assent/verifier/credential_cache.hpp"
#include "assent/verifier/duty_matching.hpp"
#include "assent/verifier/metrics.hpp"
#include "assent/verifier/pending_decision.hpp"
#include "assent/verifier/posture_check.hpp"
#include "assent/verifier/requirements.hpp"
#include "assent/verifier/signature_cache.hpp"

ASSENT_BEGIN_NAMESPACE

/// Settings of a verifier, fixed when it is built.
struct verifier_options {
  std::size_t max_credentials = 64;          ///< more in one decision: too_many_credentials
  dsse::envelope_limits envelope_limits{};   ///< size limits of each envelope
  /// 0: no caches. Otherwise the capacity of the cache of verified signatures and of the cache
  /// of parsed credentials beside it (verifier/signature_cache.hpp, credential_cache.hpp).
  std::size_t signature_cache_capacity = 0;
  /// Most Ed25519 verifications one decision performs; signatures past it are rejected with
  /// verification_budget_exhausted. Identical credentials and repeated (key, signature, body)
  /// triples are verified once per decision, so an unauthenticated sender can make a decision
  /// cost at most this many verifications, whatever it sends. 64 covers the largest threshold a
  /// policy can set (64) with one signature each.
  std::size_t max_verifications = 64;
};

namespace detail {
// Thrown inside the verifier only, by the wrappers around host parts, and caught in evaluate():
// it carries which part failed, so the deny names it.
struct host_part_failed {
  reason why;
};
// Wall-clock seconds for the record of a decision whose own clock failed: the record still says
// when it was written.
[[nodiscard]] inline std::int64_t wall_clock_seconds() noexcept { return system_clock{}.now(); }
}  // namespace detail

/// Decides requests against a policy, trusted keys and an audit sink.
///
/// Immutable once built and safe to call from many threads at once (the key
/// store and sink must be too). The policy, key store and sink are borrowed:
/// they must outlive the verifier.
template <typename Policy = policy, typename Claims = approval_claims, typename Clock = system_clock>
class verifier {
  static_assert(detail::check_verifier_arguments<Policy, Claims, Clock>());

 public:
  verifier(const Policy& pol, const key_store& keys, audit_sink& sink, verifier_options options = {},
           Clock clock = Clock{})
      : policy_(pol), keys_(keys), sink_(sink), options_(options), clock_(std::move(clock)) {
    if (options_.signature_cache_capacity != 0) {
      cache_ = std::make_unique<signature_cache>(options_.signature_cache_capacity);
      parsed_cache_ = std::make_unique<credential_cache<Claims>>(options_.signature_cache_capacity);
    }
  }

  /// Decides one request; each credential is the bytes of one DSSE envelope.
  [[nodiscard]] decision decide(const request& req, const std::vector<std::string_view>& credentials) const {
    return decide(req, credentials.data(), credentials.size());
  }
  /// Decides one request; each credential is the bytes of one DSSE envelope.
  [[nodiscard]] decision decide(const request& req, const std::vector<std::string>& credentials) const {
    std::vector<std::string_view> views(credentials.begin(), credentials.end());
    return decide(req, views.data(), views.size());
  }

  /// Decides one request over `count` credentials starting at `credentials`.
  [[nodiscard]] decision decide(const request& req, const std::string_view* credentials,
                                std::size_t count) const {
    decision d = evaluate(req, credentials, count);
    const audit_receipt receipt = detail::guarded_sink_call(
        [&] { return sink_.append_canonical(audit::canonical_decision_event(d), d.time); });
    detail::settle_decision(d, receipt, metrics_);
    return d;
  }

  /// Decides one request like decide(), but hands its audit record to the sink without waiting
  /// for it to become durable (audit_sink::submit_canonical); the decision is released by
  /// pending_decision::get(), which waits. For a thread that keeps many decisions in flight, so
  /// that a group-commit sink can make all their records durable with one fdatasync.
  [[nodiscard]] pending_decision decide_deferred(const request& req,
                                                 const std::vector<std::string_view>& credentials) const {
    return decide_deferred(req, credentials.data(), credentials.size());
  }
  /// Decides one request like decide(), releasing it through pending_decision::get().
  [[nodiscard]] pending_decision decide_deferred(const request& req, const std::vector<std::string>& credentials) const {
    std::vector<std::string_view> views(credentials.begin(), credentials.end());
    return decide_deferred(req, views.data(), views.size());
  }
  /// Decides one request like decide(), releasing it through pending_decision::get().
  [[nodiscard]] pending_decision decide_deferred(const request& req, const std::string_view* credentials,
                                                 std::size_t count) const {
    decision d = evaluate(req, credentials, count);
    audit_ticket ticket = detail::guarded_submit(sink_, audit::canonical_decision_event(d), d.time);
    return pending_decision(std::move(d), std::move(ticket), sink_, metrics_);
  }

  /// Counters of what this verifier decided.
  [[nodiscard]] const governance_metrics& metrics() const noexcept { return metrics_; }
  /// The policy this verifier applies.
  [[nodiscard]] const Policy& policy_in_use() const noexcept { return policy_; }

 private:
  // Everything but the audit record: the decision as it will be recorded. Never throws: a host
  // part that throws denies with its reason, anything else (out of memory) with
  // evaluation_failed, and either way the decision is still recorded.
  [[nodiscard]] decision evaluate(const request& req, const std::string_view* credentials,
                                  std::size_t count) const noexcept {
    decision d;
    bool clock_ok = true;
    try {
      d.time = clock_.now();  // the one clock reading of this decision
    } catch (...) {
      d.time = detail::wall_clock_seconds();
      clock_ok = false;
    }
    try {
      d.action = req.action;
      d.project = req.project;
      d.environment = req.environment;
      d.spec_hash = req.spec_hash;
      d.initiator = req.initiator;
      d.destination = req.destination;
      d.source_environment = req.source_environment;
      // Without a trusted time no expiry or window can be checked: deny before reading anything.
      if (!clock_ok) throw detail::host_part_failed{reason::clock_unavailable};
      policy_call([&] {
        d.policy_id = policy_.id();
        d.policy_hash = policy_.hash();
      });
      decide_into(d, req, credentials, count);
    } catch (const detail::host_part_failed& failed) {
      deny_after_failure(d, failed.why);
    } catch (...) {
      deny_after_failure(d, reason::evaluation_failed);
    }
    if (!d.reasons.empty()) d.allowed = false;
    return d;
  }

  // A decision cut short: what it had accepted is void, and the deny names the failed part.
  static void deny_after_failure(decision& d, reason why) noexcept {
    d.allowed = false;
    d.approvals.clear();
    d.exception.reset();
    try {
      d.reasons.push_back(why);
    } catch (...) {  // out of memory: still a deny (allowed is false), recorded without its reason
    }
  }

  // Calls the policy; any throw from it means the policy is unavailable.
  template <typename F>
  decltype(auto) policy_call(F&& f) const {
    try {
      return f();
    } catch (...) {
      throw detail::host_part_failed{reason::policy_unavailable};
    }
  }

  // An approval that passed every per-credential check.
  struct candidate {
    std::size_t index;
    std::shared_ptr<const key_record> key;
    std::size_t claims_slot;         // into the per-decision claims list
    std::vector<std::string> roles;  // the principal's roles over all its accepted keys (sorted)
  };

  // One decision's bookkeeping of signature verifications (see max_verifications).
  struct verification_memo {
    struct entry {
      std::shared_ptr<const key_record> key;  // shared: a host store may hand out fresh records
      const dsse::envelope* env;
      std::size_t signature;
      bool ok;
    };
    std::vector<entry> done;
    std::size_t spent = 0;
  };
  enum class signature_verdict : std::uint8_t { ok, bad, over_budget };

  // For each credential, the index of an earlier one with the same bytes, if any. Only credentials
  // of equal length can be equal, so only those are hashed: a typical decision hashes nothing.
  [[nodiscard]] static std::vector<std::optional<std::size_t>> find_repeats(const std::string_view* credentials,
                                                                            std::size_t count) {
    std::vector<std::optional<std::size_t>> first(count);
    std::vector<std::size_t> order(count);
    for (std::size_t i = 0; i < count; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return credentials[a].size() != credentials[b].size() ? credentials[a].size() < credentials[b].size() : a < b;
    });
    std::vector<std::pair<crypto::sha256::digest_type, std::size_t>> group;
    for (std::size_t lo = 0; lo < count;) {
      std::size_t hi = lo + 1;
      while (hi < count && credentials[order[hi]].size() == credentials[order[lo]].size()) ++hi;
      if (hi - lo > 1) {
        group.clear();
        for (std::size_t k = lo; k < hi; ++k) {
          const std::size_t i = order[k];  // ascending index within a group
          const auto digest = crypto::sha256::hash(byte_view(credentials[i]));
          const auto it = std::find_if(group.begin(), group.end(), [&](const auto& g) { return g.first == digest; });
          if (it != group.end()) first[i] = it->second;
          else group.emplace_back(digest, i);
        }
      }
      lo = hi;
    }
    return first;
  }

  void decide_into(decision& d, const request& req, const std::string_view* credentials,
                   std::size_t count) const {
    if (request_fault(req)) {
      d.reasons.push_back(reason::malformed_request);
      return;
    }
    // Only well-formed attributes are echoed: they go into the audit record.
    if (req.attributes.is_object() && !req.attributes.empty()) d.attributes = req.attributes;
    if (count > options_.max_credentials) {
      d.reasons.push_back(reason::too_many_credentials);
      return;
    }
    posture_result resolved = policy_call([&] { return policy_.resolve(req); });
    d.reasons = resolved.denials;
    if (!resolved.effective) return;
    const posture& p = *resolved.effective;
    // A host policy type's posture is enforced only as it reads (verifier/posture_check.hpp).
    if (detail::posture_fault(p, [&](const std::string& role) {
          return policy_call([&] { return policy_.highest_rank(std::vector<std::string>{role}); });
        }) != nullptr) {
      d.reasons.push_back(reason::invalid_posture);
      return;
    }
    d.approval_required = p.approval == approval_mode::required;
    d.approvals_required = d.approval_required ? p.threshold : 0;
    d.capabilities_required = p.capabilities;

    // Per credential: authenticate, then bind. Accepted approvals split into
    // normal ones and break-glass exceptions.
    // Claims of accepted approvals, pointing into parsed credentials that `held` keeps alive
    // (no copy per approval).
    std::vector<const Claims*> claims_list;
    std::vector<std::shared_ptr<const parsed_credential<Claims>>> held;
    std::vector<candidate> normal, exceptions;
    bool exception_presented = false;
    // An envelope sent twice is read and verified once (the first); every parsed envelope stays
    // alive for the decision, because the verification memo points into it.
    const std::vector<std::optional<std::size_t>> repeats = find_repeats(credentials, count);
    std::vector<std::shared_ptr<const parsed_credential<Claims>>> alive;
    verification_memo memo;
    for (std::size_t i = 0; i < count; ++i) {
      if (repeats[i]) {
        reject(d, i, std::nullopt, std::nullopt, reason::duplicate_credential);
        continue;
      }
      evaluate_credential(d, req, p, i, credentials[i], claims_list, held, alive, memo, normal, exceptions,
                          exception_presented);
    }

    // Distinct principals: a second credential of a principal already counted
    // is a duplicate (two keys of one person count once).
    dedupe(d, normal, claims_list);
    dedupe(d, exceptions, claims_list);
    for (const auto* list : {&normal, &exceptions})
      for (const auto& c : *list) metrics_.observe_approval_age(d.time - claims_list[c.claims_slot]->issued_at);

    if (p.approval != approval_mode::required) {
      d.approvals = to_approvals(normal, claims_list, false);
      if (d.reasons.empty()) d.allowed = true;
      return;
    }

    const auto normal_count = static_cast<std::uint32_t>(normal.size());
    const std::vector<std::size_t> missing_duties =
        uncovered(normal, p.required_duties, p.separation_of_duties);
    const bool normal_ok = normal_count >= p.threshold && missing_duties.empty();

    bool break_glass_ok = false;
    if (!normal_ok && p.break_glass.allowed && !exceptions.empty())
      break_glass_ok = static_cast<std::uint32_t>(exceptions.size()) >= p.break_glass.threshold;

    d.approvals = to_approvals(normal, claims_list, false);
    if (normal_ok) {
      if (d.reasons.empty()) d.allowed = true;
      return;
    }
    if (break_glass_ok) {
      auto extra = to_approvals(exceptions, claims_list, true);
      d.approvals.insert(d.approvals.end(), extra.begin(), extra.end());
      exception_use use;
      const auto& first = *claims_list[exceptions.front().claims_slot]->exception;
      use.kind = first.kind;
      use.owner = first.owner;
      use.incident = first.incident;
      use.reason = first.reason;
      for (const auto& c : exceptions) use.credential_ids.push_back(claims_list[c.claims_slot]->id);
      d.exception = std::move(use);
      if (d.reasons.empty()) d.allowed = true;
      return;
    }

    if (normal_count < p.threshold) {
      d.reasons.push_back(reason::threshold_not_met);
      d.missing.approvals = p.threshold - normal_count;
    }
    if (!missing_duties.empty()) {
      d.reasons.push_back(reason::required_duty_missing);
      for (auto idx : missing_duties) d.missing.duties.push_back(p.required_duties[idx]);
    }
    if (exception_presented && !p.break_glass.allowed) d.reasons.push_back(reason::break_glass_not_allowed);
  }

  // Rejects one row and keeps the metrics honest.
  static void reject(decision& d, std::size_t index, std::optional<std::string> id,
                     std::optional<std::string> keyid, reason why) {
    d.rejected.push_back({index, std::move(id), std::move(keyid), why});
  }

  void evaluate_credential(decision& d, const request& req, const posture& p, std::size_t index,
                           std::string_view credential, std::vector<const Claims*>& claims_list,
                           std::vector<std::shared_ptr<const parsed_credential<Claims>>>& held,
                           std::vector<std::shared_ptr<const parsed_credential<Claims>>>& alive,
                           verification_memo& memo, std::vector<candidate>& normal,
                           std::vector<candidate>& exceptions, bool& exception_presented) const {
    // With the caches on, the envelope's digest keys both: a credential seen before is neither
    // parsed nor read again (verifier/credential_cache.hpp), only re-checked.
    std::optional<crypto::sha256::digest_type> envelope_digest;
    typename credential_cache<Claims>::value_type cached;
    if (parsed_cache_) {
      envelope_digest = crypto::sha256::hash(byte_view(credential));
      cached = parsed_cache_->find(*envelope_digest);
    }
    std::shared_ptr<parsed_credential<Claims>> fresh;
    if (!cached) {
      // 1. Envelope syntax only: payload type, payload bytes, keyids.
      auto parsed = dsse::parse_envelope(credential, options_.envelope_limits);
      if (!parsed.ok()) {
        reject(d, index, std::nullopt, std::nullopt, reason::malformed_envelope);
        return;
      }
      fresh = std::make_shared<parsed_credential<Claims>>();
      fresh->envelope = std::move(*parsed.value);
    }
    alive.push_back(cached ? cached : fresh);
    const dsse::envelope& env = cached ? cached->envelope : fresh->envelope;
    if (env.payload_type != dsse::approval_payload_type) {
      reject(d, index, std::nullopt, std::nullopt, reason::unsupported_payload_type);
      return;
    }

    // 2. Key and signature, for every signature (co-signers of one body).
    std::vector<std::shared_ptr<const key_record>> signers;
    bytes pae_bytes;
    for (std::size_t s = 0; s < env.signatures.size(); ++s) {
      const auto& sig = env.signatures[s];
      key_lookup found = find_key(keys_, sig.keyid);
      if (found.status == lookup_status::unavailable) {
        reject(d, index, std::nullopt, sig.keyid, reason::key_store_unavailable);
        continue;
      }
      if (found.status != lookup_status::found || !found.record) {
        reject(d, index, std::nullopt, sig.keyid, reason::unknown_key);
        continue;
      }
      const signature_verdict verdict = verify_once(memo, env, s, found.record, envelope_digest, pae_bytes);
      if (verdict != signature_verdict::ok) {
        reject(d, index, std::nullopt, sig.keyid,
               verdict == signature_verdict::bad ? reason::bad_signature : reason::verification_budget_exhausted);
        continue;
      }
      signers.push_back(std::move(found.record));
    }
    if (signers.empty()) return;

    // 3. Only now is the payload read: it is authenticated. Only authenticated credentials
    // enter the cache.
    bool reader_failed = false;
    if (fresh) {
      auto parsed_claims = assent::parse_claims<Claims>(byte_view(fresh->envelope.payload));
      reader_failed = parsed_claims.reader_failed;
      fresh->claims = std::move(parsed_claims.claims);
      // A host's claims type adds checks, never removes assent's (credential/claims_check.hpp);
      // assent's own reader has applied them already.
      if constexpr (!std::is_same<Claims, approval_claims>::value) {
        if (fresh->claims && detail::claims_fault(*fresh->claims) != nullptr) fresh->claims.reset();
      }
      // A reader that failed says nothing about the body: never cache that as its reading.
      if (parsed_cache_ && !reader_failed && credential.size() <= credential_cache<Claims>::max_cached_bytes)
        parsed_cache_->insert(*envelope_digest, fresh);
    }
    const std::shared_ptr<const parsed_credential<Claims>> entry = cached ? cached : fresh;
    const std::optional<Claims>& claims = entry->claims;
    for (const auto& key : signers) {
      // Key lifecycle first: a revoked key's statements are worthless whatever they say.
      if (key->status() == key_status::revoked || policy_call([&] { return policy_.is_key_revoked(key->kid()); })) {
        reject(d, index, std::nullopt, key->kid(), reason::key_revoked);
        continue;
      }
      if (key->expires_at() && d.time >= *key->expires_at()) {
        reject(d, index, std::nullopt, key->kid(), reason::key_expired);
        continue;
      }
      if (key->not_before() && d.time + p.clock_skew_seconds < *key->not_before()) {
        reject(d, index, std::nullopt, key->kid(), reason::key_not_yet_valid);
        continue;
      }
      if (!claims) {
        reject(d, index, std::nullopt, key->kid(),
               reader_failed ? reason::claims_unavailable : reason::malformed_credential);
        continue;
      }
      const Claims& c = *claims;
      reason why = bind(req, p, d.time, *key, c);
      if (why == reason::none && c.exception) {
        exception_presented = true;
        why = break_glass_check(p, *key, c);
      }
      if (why != reason::none) {
        if (why == reason::insufficient_capabilities) note_missing_capabilities(d, p, c);
        reject(d, index, c.id, key->kid(), why);
        continue;
      }
      if (held.empty() || held.back() != entry) held.push_back(entry);
      claims_list.push_back(&c);
      const candidate cand{index, key, claims_list.size() - 1, key->roles()};
      (c.exception ? exceptions : normal).push_back(cand);
    }
  }

  // What an approval lacked, so the decision can say which capabilities to ask for.
  static void note_missing_capabilities(decision& d, const posture& p, const Claims& c) {
    for (const auto& cap : p.capabilities) {
      if (std::find(c.capabilities.begin(), c.capabilities.end(), cap) != c.capabilities.end()) continue;
      auto& m = d.missing.capabilities;
      if (std::find(m.begin(), m.end(), cap) == m.end()) m.insert(std::upper_bound(m.begin(), m.end(), cap), cap);
    }
  }

  // Ed25519 over the PAE of the bytes as received, at most once per (key, signature, body) in a
  // decision and within its budget; through the cache when enabled. `digest` (of the envelope's
  // bytes) is set exactly when the caches are on.
  signature_verdict verify_once(verification_memo& memo, const dsse::envelope& env, std::size_t s,
                                const std::shared_ptr<const key_record>& record,
                                const std::optional<crypto::sha256::digest_type>& digest, bytes& pae_bytes) const {
    const key_record& key = *record;
    const auto& sig = env.signatures[s].sig;
    if (sig.size() != crypto::ed25519::signature_size) return signature_verdict::bad;
    signature_cache::key_type cache_key{};
    if (cache_) {
      cache_key = signature_cache::make_key(*digest, s, key.public_key());
      if (cache_->contains(cache_key)) return signature_verdict::ok;
    }
    // The same key's same signature over the same body, seen earlier in this decision (in another
    // envelope that spells it differently): its verdict, failures included, without paying again.
    for (const auto& e : memo.done) {
      const auto& other = *e.env;
      if (e.key->public_key() == key.public_key() && other.signatures[e.signature].sig == sig &&
          other.payload_type == env.payload_type && other.payload == env.payload)
        return e.ok ? signature_verdict::ok : signature_verdict::bad;
    }
    if (memo.spent >= options_.max_verifications) return signature_verdict::over_budget;
    ++memo.spent;
    if (pae_bytes.empty()) pae_bytes = dsse::pae(env.payload_type, env.payload);
    crypto::ed25519::signature sig_arr{};
    std::copy(sig.begin(), sig.end(), sig_arr.begin());
    const bool ok = key.verifier().verify(sig_arr, byte_view(pae_bytes));
    memo.done.push_back({record, &env, s, ok});
    if (ok && cache_) cache_->insert(cache_key);
    return ok ? signature_verdict::ok : signature_verdict::bad;
  }

  // The bindings of one authenticated approval to this request, in the
  // documented order. Returns reason::none when it binds.
  [[nodiscard]] reason bind(const request& req, const posture& p, std::int64_t now, const key_record& key,
                            const Claims& c) const {
    if (key.status() == key_status::retired && key.retired_at() && c.issued_at >= *key.retired_at())
      return reason::key_retired;
    if (!key.allows_environment(req.environment)) return reason::key_environment_not_allowed;
    if (c.approver && *c.approver != key.principal()) return reason::approver_mismatch;
    if (policy_call([&] { return policy_.is_credential_revoked(c.id); })) return reason::credential_revoked;
    if (c.spec_hash != req.spec_hash) return reason::spec_hash_mismatch;
    if (c.environment != req.environment) return reason::wrong_environment;
    if (c.project != req.project) return reason::wrong_project;
    if (c.not_before && now + p.clock_skew_seconds < *c.not_before) return reason::not_yet_valid;
    // Expiry gets no skew allowance: an approval is never stretched past what its approver signed.
    if (now >= c.expires_at) return reason::expired;
    if (c.issued_at > now + p.clock_skew_seconds) return reason::issued_in_future;
    if (c.expires_at - c.issued_at > p.max_credential_lifetime_seconds) return reason::lifetime_exceeds_policy;
    for (const auto& cap : p.capabilities) {
      if (std::find(c.capabilities.begin(), c.capabilities.end(), cap) == c.capabilities.end())
        return reason::insufficient_capabilities;
    }
    if (c.initiator && *c.initiator != req.initiator) return reason::initiator_mismatch;
    if (c.destination && (!req.destination || *c.destination != *req.destination))
      return reason::destination_mismatch;
    if (!p.self_approval && key.principal() == req.initiator) return reason::self_approval;
    if (p.min_approver_rank) {
      auto rank = policy_call([&] { return policy_.highest_rank(key.roles()); });
      if (!rank || *rank < *p.min_approver_rank) return reason::approver_role_too_low;
    }
    return reason::none;
  }

  // Break-glass: counts only where allowed, from a listed owner, short-lived,
  // within the break-glass capabilities.
  [[nodiscard]] static reason break_glass_check(const posture& p, const key_record& key, const Claims& c) {
    const auto& bg = p.break_glass;
    if (!bg.allowed) return reason::break_glass_rejected;
    if (std::find(bg.owners.begin(), bg.owners.end(), key.principal()) == bg.owners.end())
      return reason::break_glass_rejected;
    if (c.exception->owner != key.principal()) return reason::break_glass_rejected;
    if (c.expires_at - c.issued_at > bg.max_lifetime_seconds) return reason::break_glass_rejected;
    for (const auto& cap : c.capabilities) {
      if (std::find(bg.capabilities.begin(), bg.capabilities.end(), cap) == bg.capabilities.end())
        return reason::break_glass_rejected;
    }
    return reason::none;
  }

  // Keeps the first approval of each principal; later ones are duplicates. The
  // principal's roles are the union over all its accepted keys, so which key
  // came first never changes which duties are covered.
  static void dedupe(decision& d, std::vector<candidate>& list, const std::vector<const Claims*>& claims) {
    std::vector<candidate> kept;
    for (auto& c : list) {
      auto it = std::find_if(kept.begin(), kept.end(), [&](const candidate& k) {
        return k.key->principal() == c.key->principal();
      });
      if (it != kept.end()) {
        std::vector<std::string> merged;
        std::set_union(it->roles.begin(), it->roles.end(), c.roles.begin(), c.roles.end(), std::back_inserter(merged));
        it->roles = std::move(merged);
        d.rejected.push_back({c.index, claims[c.claims_slot]->id, c.key->kid(), reason::duplicate_approver});
      } else {
        kept.push_back(std::move(c));
      }
    }
    list = std::move(kept);
  }

  [[nodiscard]] static std::vector<std::size_t> uncovered(const std::vector<candidate>& approvers,
                                                           const std::vector<std::string>& duties,
                                                           bool separation) {
    std::vector<std::vector<bool>> holds(approvers.size(), std::vector<bool>(duties.size(), false));
    for (std::size_t a = 0; a < approvers.size(); ++a)
      for (std::size_t k = 0; k < duties.size(); ++k) holds[a][k] = std::binary_search(approvers[a].roles.begin(), approvers[a].roles.end(), duties[k]);
    return detail::uncovered_duties(holds, duties.size(), separation);
  }

  [[nodiscard]] static std::vector<accepted_approval> to_approvals(const std::vector<candidate>& list,
                                                                   const std::vector<const Claims*>& claims,
                                                                   bool exception) {
    std::vector<accepted_approval> out;
    for (const auto& c : list) {
      out.push_back({c.index, claims[c.claims_slot]->id, c.key->principal(), c.key->kid(), c.roles, exception,
                     static_cast<std::int64_t>(claims[c.claims_slot]->issued_at)});
    }
    return out;
  }

  const Policy& policy_;
  const key_store& keys_;
  audit_sink& sink_;
  verifier_options options_;
  Clock clock_;
  std::unique_ptr<signature_cache> cache_;
  std::unique_ptr<credential_cache<Claims>> parsed_cache_;  // on with cache_, same capacity
  mutable governance_metrics metrics_;
};

ASSENT_END_NAMESPACE
