/// @file
/// Trusted key sets as JWKS (RFC 7517 §5) of Ed25519 OKP keys (RFC 8037 §2), with assent's
/// members saying who holds each key and what it may approve:
///
///     {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "<base64url of 32 bytes>",
///                "kid": "alice-2026-11", "alg": "EdDSA", "use": "sig",
///                "principal": "alice", "roles": ["admin", "security_owner"],
///                "status": "active", "nbf": 1763683200, "exp": 1795219200,
///                "environments": ["prod", "staging"]}]}
///
/// A key set is the trust anchor, so loading is strict and every refusal names the key (its kid,
/// or its index when it has none) and the JSON Pointer of the fault:
/// - required: kty "OKP", crv "Ed25519", x (canonical unpadded base64url of a canonical point
///   of the prime-order subgroup: no small-order component, see
///   crypto::ed25519::is_prime_order_public_key_vartime), kid (1 to 256 characters, unique in the set), principal.
/// - optional: roles (distinct non-empty strings), status active (default) | retired (needs
///   retired_at) | revoked, nbf / exp / retired_at (integer seconds since the epoch, 0 to 2^53-1;
///   exp after nbf; retired_at only on a retired or revoked key), environments (a non-empty list;
///   absent means every environment), logs (a non-empty list of the audit log ids whose
///   checkpoints and exports the key may sign; absent means none).
/// - registered JWK members: alg must be "Ed25519" (RFC 9864) or "EdDSA" (RFC 8037, deprecated
///   by RFC 9864; still what assent writes, see docs/credential-format.md), use must be "sig",
///   key_ops must be ["verify"]
///   (RFC 7517 §4.2-4.4: a trusted public key only verifies); x5u, x5c, x5t, x5t#S256 are
///   type-checked and ignored (assent never fetches or validates certificates: the set itself is
///   the anchor).
/// - refused: private or symmetric key members (d, p, q, dp, dq, qi, oth, r, t, k: an operator
///   who pastes a private JWK into a trusted set must hear about it), two keys with one public key
///   (one holder could then count as two principals), an empty set, and unknown members, in the
///   set and in each key. RFC 7517 §4 and §5 say readers MUST ignore members they do not
///   understand; assent deliberately does not, because a typo ("role" for "roles",
///   "enviroments") would otherwise silently drop a constraint on what a key may approve.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/crypto/ed25519.hpp"
#include "assent/crypto/sha256.hpp"
#include "assent/encoding.hpp"
#include "assent/json/access.hpp"
#include "assent/json/strict_parse.hpp"
#include "assent/keys/key_record.hpp"
#include "assent/keys/key_store.hpp"

ASSENT_BEGIN_NAMESPACE

/// Why a key set or key file was refused.
struct key_load_error {
  std::string message;  ///< names the key (kid, or index) and says what is wrong
  std::string path;     ///< RFC 6901 JSON Pointer of the fault; "" for the whole document
};

/// The outcome of load_jwks: a filled, read-only store, or why the set was refused. A
/// default-constructed result is a failure.
struct jwks_result {
  std::shared_ptr<const memory_key_store> store;  ///< set exactly when the set was accepted
  key_load_error error;                           ///< meaningful when store is null

  /// True when store holds the keys.
  [[nodiscard]] bool ok() const noexcept { return store != nullptr; }
  /// Same as ok().
  explicit operator bool() const noexcept { return ok(); }
};

/// RFC 7638 JWK thumbprint of an Ed25519 key: base64url(SHA-256 of {"crv","kty","x"} in that
/// order, no whitespace), the members RFC 8037 §2 makes required for OKP keys.
[[nodiscard]] inline std::string jwk_thumbprint(const crypto::ed25519::public_key& key) {
  const std::string canonical = R"({"crv":"Ed25519","kty":"OKP","x":")" + base64url_encode(key) + "\"}";
  return base64url_encode(crypto::sha256::hash(canonical));
}

namespace detail {

// Members that carry private or symmetric key material in some key type (RFC 7518 §6.2.2, §6.3.2,
// §6.4; RFC 8037 §2). None belongs in a set of trusted public keys.
inline constexpr std::string_view jwk_private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "r", "t", "k"};

// The parts of one key that are common to public and private JWKs: kty, crv, x, alg, use, the
// x5* members. Reads them in a fixed order, so the first fault reported is the same every time.
inline std::optional<crypto::ed25519::public_key> read_okp_public(json::object_reader& r) {
  const std::string kty = r.required_string("kty");
  if (r.ok() && kty != "OKP") {
    r.fail("kty", json::access_errc::invalid_value,
           "must be \"OKP\" (an Ed25519 key, RFC 8037 section 2), got \"" + kty + "\"");
  }
  const std::string crv = r.required_string("crv");
  if (r.ok() && crv != "Ed25519") {
    r.fail("crv", json::access_errc::invalid_value, "must be \"Ed25519\", got \"" + crv + "\"");
  }
  const std::string x = r.required_string("x");
  std::optional<crypto::ed25519::public_key> key;
  if (r.ok()) {
    const auto decoded = base64url_decode(x);
    if (!decoded) {
      r.fail("x", json::access_errc::invalid_value, "not canonical unpadded base64url (RFC 7515 section 2)");
    } else if (decoded->size() != 32) {
      r.fail("x", json::access_errc::invalid_value,
             "must encode 32 bytes, got " + std::to_string(decoded->size()));
    } else {
      crypto::ed25519::public_key pk{};
      for (std::size_t i = 0; i < pk.size(); ++i) pk[i] = (*decoded)[i];
      if (!crypto::ed25519::is_valid_public_key(pk)) {
        r.fail("x", json::access_errc::invalid_value, "not a canonical Ed25519 point of large order");
      } else if (!crypto::ed25519::is_prime_order_public_key_vartime(pk)) {
        r.fail("x", json::access_errc::invalid_value, std::string(torsion_twin_error));
      } else {
        key = pk;
      }
    }
  }
  // RFC 9864 registers the fully-specified "Ed25519" and deprecates the polymorphic "EdDSA" of
  // RFC 8037 section 3.1; for an OKP Ed25519 key both name the same algorithm, and JOSE
  // libraries write either.
  const auto alg = r.optional_string("alg");
  if (alg && *alg != "Ed25519" && *alg != "EdDSA") {
    r.fail("alg", json::access_errc::invalid_value, "must be \"Ed25519\" (RFC 9864) or \"EdDSA\" (RFC 8037 section 3.1)");
  }
  const auto use = r.optional_string("use");
  if (use && *use != "sig") r.fail("use", json::access_errc::invalid_value, "must be \"sig\"");
  (void)r.optional_string("x5u");
  (void)r.optional_string_array("x5c", json::require_unique::no);
  (void)r.optional_string("x5t");
  (void)r.optional_string("x5t#S256");
  return r.ok() ? key : std::nullopt;
}

// assent's members (principal, roles, status, times, environments) into a spec.
inline void read_assent_members(json::object_reader& r, key_record_spec& spec, bool principal_required) {
  if (principal_required) {
    spec.principal = r.required_string("principal");
  } else {
    spec.principal = r.optional_string("principal").value_or(std::string());
  }
  spec.roles = r.optional_string_array("roles").value_or(std::vector<std::string>());
  const auto status = r.optional_string("status");
  if (status) {
    const auto parsed = parse_key_status(*status);
    if (parsed) {
      spec.status = *parsed;
    } else {
      r.fail("status", json::access_errc::invalid_value, "must be one of: active, retired, revoked");
    }
  }
  const auto seconds = [&](std::string_view name) -> std::optional<std::int64_t> {
    const auto v = r.optional_uint(name);
    if (!v) return std::nullopt;
    return static_cast<std::int64_t>(*v);  // at most 2^53 - 1
  };
  spec.not_before = seconds("nbf");
  spec.expires_at = seconds("exp");
  spec.retired_at = seconds("retired_at");
  spec.environments = r.optional_string_array("environments", json::require_unique::yes, json::allow_empty::no);
  spec.logs = r.optional_string_array("logs", json::require_unique::yes, json::allow_empty::no);
  if (!r.ok()) return;
  if (spec.status == key_status::retired && !spec.retired_at) {
    r.fail("retired_at", json::access_errc::missing, "a retired key needs retired_at");
  } else if (spec.status == key_status::active && spec.retired_at) {
    r.fail("retired_at", json::access_errc::invalid_value, "an active key cannot have retired_at (set status)");
  }
  if (spec.not_before && spec.expires_at && *spec.expires_at <= *spec.not_before) {
    r.fail("exp", json::access_errc::out_of_range, "must be later than nbf");
  }
}

// How an error names a key: by kid when it has a usable one, else by its index.
inline std::string jwks_key_name(const nlohmann::json& key, std::size_t index) {
  if (key.is_object()) {
    const auto it = key.find("kid");
    if (it != key.end() && it->is_string()) {
      const auto& kid = it->get_ref<const std::string&>();
      // Quoted as a JSON string, so a quote or control character in a kid cannot garble a log line.
      if (!kid.empty() && kid.size() <= 256) {
        return "key " + nlohmann::json(kid).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      }
    }
  }
  return "key #" + std::to_string(index) + " (no kid)";
}

inline jwks_result jwks_fail(std::string message, std::string path) {
  jwks_result out;
  out.error.message = std::move(message);
  out.error.path = std::move(path);
  return out;
}

inline jwks_result load_jwks_unguarded(std::string_view json_text) {
  auto parsed = json::parse_strict(json_text);
  if (!parsed) {
    return jwks_fail("key set is not strict JSON: " + std::string(json::to_string(parsed.error.code)) +
                         " at byte " + std::to_string(parsed.error.offset) + ": " + parsed.error.message,
                     "");
  }
  const nlohmann::json& doc = *parsed.value;
  const nlohmann::json* keys = nullptr;
  {
    json::object_reader top(doc);
    keys = top.required_value("keys");
    if (auto e = top.finish()) return jwks_fail("key set: " + json::describe(*e), e->path);
  }
  if (!keys->is_array()) {
    return jwks_fail(std::string("key set: /keys: wrong_type: expected an array, got ") + keys->type_name(), "/keys");
  }
  if (keys->empty()) return jwks_fail("key set: /keys: empty: a trusted key set must hold a key", "/keys");

  auto store = std::make_shared<memory_key_store>();
  std::map<crypto::ed25519::public_key, std::size_t> seen_keys;  // public key -> index
  std::map<std::string, std::size_t, std::less<>> seen_kids;     // kid -> index
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const nlohmann::json& k = (*keys)[i];
    const std::string path = json::pointer_child("/keys", i);
    const std::string name = jwks_key_name(k, i);
    json::object_reader r(k, path);
    key_record_spec spec;
    std::optional<crypto::ed25519::public_key> pk;
    if (r.ok()) {
      for (const std::string_view member : jwk_private_members) {
        if (r.optional_value(member) != nullptr) {
          r.fail(member, json::access_errc::invalid_value,
                 "private key material in a trusted key set: publish only the public key (kty, crv, x)");
          break;
        }
      }
      if (r.ok()) pk = read_okp_public(r);
      if (r.ok()) {
        spec.kid = r.required_string("kid");
        if (r.ok() && spec.kid.size() > 256) r.fail("kid", json::access_errc::out_of_range, "must be 1 to 256 characters");
        const auto ops = r.optional_string_array("key_ops");
        if (ops && (ops->size() != 1 || (*ops)[0] != "verify")) {
          r.fail("key_ops", json::access_errc::invalid_value, "must be [\"verify\"] for a trusted public key");
        }
        read_assent_members(r, spec, true);
      }
    }
    if (auto e = r.finish()) return jwks_fail(name + ": " + json::describe(*e), e->path);
    spec.public_key = *pk;

    const auto kid_seen = seen_kids.find(spec.kid);
    if (kid_seen != seen_kids.end()) {
      return jwks_fail(name + ": " + path + "/kid: duplicate kid (also at " +
                           json::pointer_child("/keys", kid_seen->second) + ")",
                       path + "/kid");
    }
    const auto key_seen = seen_keys.find(spec.public_key);
    if (key_seen != seen_keys.end()) {
      return jwks_fail(name + ": " + path + "/x: the same public key as " +
                           jwks_key_name((*keys)[key_seen->second], key_seen->second) +
                           " (one key holder would count as two)",
                       path + "/x");
    }
    seen_kids.emplace(spec.kid, i);
    seen_keys.emplace(spec.public_key, i);

    auto [record, why] = key_record::create(std::move(spec));
    if (!record) return jwks_fail(why + " (" + path + ")", path);
    if (auto dup = store->add(std::move(*record))) return jwks_fail(*dup, path);
  }
  jwks_result out;
  out.store = std::move(store);
  return out;
}

}  // namespace detail

/// Loads a trusted key set (see the file comment for the format and what is refused). Never
/// throws: running out of memory is reported as an error too.
[[nodiscard]] inline jwks_result load_jwks(std::string_view json_text) noexcept {
  try {
    return detail::load_jwks_unguarded(json_text);
  } catch (...) {
    jwks_result out;
    try {
      out.error.message = "key set: out of memory";
    } catch (...) {
    }
    return out;
  }
}

/// Reads a key set file and loads it with load_jwks. Never throws.
[[nodiscard]] inline jwks_result load_jwks_file(const std::string& path) noexcept {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) return detail::jwks_fail("key set file \"" + path + "\": cannot open", "");
    // Read at most one byte more than parse_strict accepts, so a huge file is not slurped.
    const std::size_t limit = json::parse_limits{}.max_bytes;
    std::string text;
    char chunk[4096];
    while (text.size() <= limit && (in.read(chunk, sizeof chunk) || in.gcount() > 0)) {
      text.append(chunk, static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) return detail::jwks_fail("key set file \"" + path + "\": read error", "");
    jwks_result out = load_jwks(text);
    if (!out) out.error.message = "key set file \"" + path + "\": " + out.error.message;
    return out;
  } catch (...) {
    jwks_result out;
    try {
      out.error.message = "key set file: out of memory";
    } catch (...) {
    }
    return out;
  }
}

/// The public JWK of a trusted key with assent's members; load_jwks reads it back to an equal
/// record. Member names are ASCII and numbers integers below 2^53, so json::canonicalize (RFC
/// 8785) gives the same bytes any JCS implementation would.
[[nodiscard]] inline nlohmann::json to_public_jwk(const key_record& record) {
  nlohmann::json jwk = nlohmann::json::object();
  jwk["kty"] = "OKP";
  jwk["crv"] = "Ed25519";
  jwk["x"] = base64url_encode(record.public_key());
  jwk["kid"] = record.kid();
  jwk["alg"] = "EdDSA";
  jwk["use"] = "sig";
  jwk["principal"] = record.principal();
  jwk["roles"] = record.roles();
  jwk["status"] = std::string(to_string(record.status()));
  if (record.not_before()) jwk["nbf"] = *record.not_before();
  if (record.expires_at()) jwk["exp"] = *record.expires_at();
  if (record.retired_at()) jwk["retired_at"] = *record.retired_at();
  if (record.environments()) jwk["environments"] = *record.environments();
  if (record.logs()) jwk["logs"] = *record.logs();
  return jwk;
}

/// The JWKS of every key in a store, ordered by kid.
[[nodiscard]] inline nlohmann::json to_jwks(const memory_key_store& store) {
  nlohmann::json keys = nlohmann::json::array();
  store.for_each([&](const key_record& record) { keys.push_back(to_public_jwk(record)); });
  nlohmann::json set = nlohmann::json::object();
  set["keys"] = std::move(keys);
  return set;
}

ASSENT_END_NAMESPACE
