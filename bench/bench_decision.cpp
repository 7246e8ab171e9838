// Decisions end to end: envelope, key, Ed25519, claims, bindings, policy, audit record.
//
// decision_1of1   one credential, in-memory key store and audit sink. Impls:
//                 "assent"; "reference", the way a host writes the check by hand today (nlohmann
//                 DOM parse of envelope and payload, base64 decode, libsodium verify, the same
//                 field checks); "ed25519_verify", assent's bare verify of the same PAE bytes
//                 (target: decision at most 1.2x this, i.e. its ratio column at least 0.83).
// decision_2of3   three credentials, threshold 2: all three are verified (scales linearly).
// decision_warm   the same credential again with the signature cache on; impl "cold" is the
//                 same verifier without a cache (target: cold/assent at least 10).
#include <sodium.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "assent/assent.hpp"
#include "harness.hpp"

namespace {

constexpr std::int64_t now = 1763721000;  // 2026-11-21T10:30:00Z

struct setup {
  std::vector<assent::signing_key> keys;
  assent::memory_key_store store;
  std::map<std::string, std::array<std::uint8_t, 32>> reference_keys;  // kid -> public key
  std::optional<assent::policy> one, two;
  assent::request req;
  std::vector<std::string> creds;  // three credentials from three admins

  setup() {
    if (sodium_init() < 0) std::abort();
    const char* names[] = {"alice", "dave", "erin"};
    for (const char* name : names) {
      auto seed = assent::crypto::sha256::hash(assent::byte_view(std::string_view(name)));
      keys.push_back(assent::signing_key::from_seed(seed, std::string(name) + "-1", name));
      assent::key_record_spec spec;
      spec.kid = keys.back().kid();
      spec.public_key = keys.back().public_key();
      spec.principal = name;
      spec.roles = {"admin"};
      (void)store.add(*assent::key_record::create(spec).first);
      reference_keys[spec.kid] = spec.public_key;
    }
    auto doc = [](int threshold) {
      return R"({"version": 1, "id": "bench", "roles": ["developer", "admin"],
        "environments": {"prod": {"max_credential_lifetime_seconds": 3600, "actions": {"deploy": {
        "approval": "required", "capabilities": ["deploy"], "min_approver_role": "admin",
        "threshold": )" + std::to_string(threshold) + "}}}}}";
    };
    one = *assent::load_policy(std::string_view(doc(1))).value;
    two = *assent::load_policy(std::string_view(doc(2))).value;
    req.action = "deploy";
    req.project = "payments";
    req.environment = "prod";
    req.spec_hash = "sha256:" + std::string(64, 'c');
    req.initiator = "bob";
    for (std::size_t i = 0; i < keys.size(); ++i) {
      assent::approval_claims c;
      c.id = "apv-bench-" + std::to_string(i);
      c.project = "payments";
      c.environment = "prod";
      c.spec_hash = req.spec_hash;
      c.capabilities = {"deploy"};
      c.issued_at = now - 600;
      c.expires_at = now + 1800;
      c.note = "benchmark approval for the payments pipeline";
      creds.push_back(assent::issue_approval(c, keys[i]));
    }
  }
};

setup& world() {
  static setup s;
  return s;
}

using bench_verifier = assent::verifier<assent::policy, assent::approval_claims, assent::fixed_clock>;

// n decisions of the bench request over the first `credentials` credentials, into an in-memory
// sink, with the verifier's caches at `cache_capacity` (0: off).
void decide_loop(const assent::policy& pol, std::size_t credentials, std::size_t cache_capacity, std::uint64_t n) {
  auto& w = world();
  assent::audit::memory_sink sink;
  assent::verifier_options opts;
  opts.signature_cache_capacity = cache_capacity;
  bench_verifier v(pol, w.store, sink, opts, assent::fixed_clock{now});
  const std::vector<std::string_view> creds(w.creds.begin(), w.creds.begin() + static_cast<std::ptrdiff_t>(credentials));
  for (std::uint64_t i = 0; i < n; ++i) assent_bench::keep(v.decide(w.req, creds).allowed);
}

// The hand-written check a host would write today, with libsodium doing the signature.
bool reference_decide(const std::string& credential, const assent::request& req,
                      const std::map<std::string, std::array<std::uint8_t, 32>>& keys) {
  nlohmann::json env = nlohmann::json::parse(credential, nullptr, false);
  if (env.is_discarded() || !env.is_object()) return false;
  const auto& type = env["payloadType"].get_ref<const std::string&>();
  if (type != "application/vnd.assent.approval.v1+json") return false;
  const auto& payload_b64 = env["payload"].get_ref<const std::string&>();
  std::vector<unsigned char> payload(payload_b64.size());
  std::size_t payload_len = 0;
  if (sodium_base642bin(payload.data(), payload.size(), payload_b64.data(), payload_b64.size(), nullptr,
                        &payload_len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return false;
  payload.resize(payload_len);
  const auto& sig_entry = env["signatures"][0];
  const auto& keyid = sig_entry["keyid"].get_ref<const std::string&>();
  auto key = keys.find(keyid);
  if (key == keys.end()) return false;
  const auto& sig_b64 = sig_entry["sig"].get_ref<const std::string&>();
  unsigned char sig[64];
  std::size_t sig_len = 0;
  if (sodium_base642bin(sig, sizeof sig, sig_b64.data(), sig_b64.size(), nullptr, &sig_len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      sig_len != 64)
    return false;
  std::string pae = "DSSEv1 " + std::to_string(type.size()) + " " + type + " " + std::to_string(payload.size()) + " ";
  pae.append(reinterpret_cast<const char*>(payload.data()), payload.size());
  if (crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(pae.data()), pae.size(),
                                  key->second.data()) != 0)
    return false;
  nlohmann::json claims = nlohmann::json::parse(payload.begin(), payload.end(), nullptr, false);
  if (claims.is_discarded()) return false;
  if (claims["spec_hash"] != req.spec_hash || claims["environment"] != req.environment ||
      claims["project"] != req.project)
    return false;
  auto issued = assent::json::parse_rfc3339(claims["issued_at"].get_ref<const std::string&>());
  auto expires = assent::json::parse_rfc3339(claims["expires_at"].get_ref<const std::string&>());
  if (!issued || !expires || now >= *expires || *issued > now + 60 || *expires - *issued > 3600) return false;
  const auto& caps = claims["capabilities"];
  return std::find(caps.begin(), caps.end(), "deploy") != caps.end();
}

const bool registered_1of1 = assent_bench::add({
    "decision_1of1",
    {
        {"assent",
         [](std::uint64_t n) { decide_loop(*world().one, 1, 0, n); }},
        {"reference",
         [](std::uint64_t n) {
           auto& w = world();
           for (std::uint64_t i = 0; i < n; ++i) assent_bench::keep(reference_decide(w.creds[0], w.req, w.reference_keys));
         }},
        {"ed25519_verify",
         [](std::uint64_t n) {
           auto& w = world();
           static const auto env = *assent::dsse::parse_envelope(w.creds[0]).value;
           static const auto pae = assent::dsse::pae(env);
           static const auto vk = *assent::crypto::ed25519::verifying_key::from_bytes(w.keys[0].public_key());
           assent::crypto::ed25519::signature sig{};
           std::memcpy(sig.data(), env.signatures[0].sig.data(), sig.size());
           for (std::uint64_t i = 0; i < n; ++i) assent_bench::keep(vk.verify(sig, assent::byte_view(pae)));
         }},
    },
    0,
});

const bool registered_2of3 = assent_bench::add({
    "decision_2of3",
    {
        {"assent",
         [](std::uint64_t n) { decide_loop(*world().two, 3, 0, n); }},
        {"reference",
         [](std::uint64_t n) {
           auto& w = world();
           for (std::uint64_t i = 0; i < n; ++i) {
             int ok = 0;
             for (const auto& c : w.creds) ok += reference_decide(c, w.req, w.reference_keys) ? 1 : 0;
             assent_bench::keep(ok >= 2);
           }
         }},
    },
    0,
});

const bool registered_warm = assent_bench::add({
    "decision_warm",
    {
        {"assent",
         [](std::uint64_t n) { decide_loop(*world().one, 1, 1024, n); }},
        {"cold",
         [](std::uint64_t n) { decide_loop(*world().one, 1, 0, n); }},
    },
    0,
});

}  // namespace
