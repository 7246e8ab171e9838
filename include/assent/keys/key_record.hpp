/// @file
/// A trusted signing key and what the key set says about its holder.
///
/// Identity and roles come from here, never from a credential: the key set is
/// the trust anchor. Records are built by a validating factory (no raw structs),
/// so a record that exists is well formed: a canonical Ed25519 point of the
/// prime-order subgroup, a principal, a known status.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "assent/config.hpp"
#include "assent/names.hpp"
#include "assent/crypto/ed25519.hpp"

ASSENT_BEGIN_NAMESPACE

/// Where a key is in its lifecycle.
enum class key_status : std::uint8_t {
  active = 0,   ///< may sign
  retired = 1,  ///< planned rotation: valid only for credentials issued before retired_at
  revoked = 2,  ///< compromise: nothing it signed is valid, whenever it was issued
};

/// "active", "retired" or "revoked".
[[nodiscard]] constexpr std::string_view to_string(key_status s) noexcept {
  switch (s) {
    case key_status::active: return "active";
    case key_status::retired: return "retired";
    case key_status::revoked: return "revoked";
  }
  return "revoked";
}

/// The status a string names, if any.
[[nodiscard]] constexpr std::optional<key_status> parse_key_status(std::string_view s) noexcept {
  if (s == "active") return key_status::active;
  if (s == "retired") return key_status::retired;
  if (s == "revoked") return key_status::revoked;
  return std::nullopt;
}

namespace detail {
// Why a key with a small-order component is refused (one text for every loader).
inline constexpr std::string_view torsion_twin_error =
    "public key is not in the prime-order subgroup ([L]A is not the identity): a key with a small-order "
    "component verifies signatures made with another key's secret";
}  // namespace detail

/// Everything needed to build a key record; validated by key_record::create.
struct key_record_spec {
  std::string kid;                                  ///< key id, as envelopes name it
  crypto::ed25519::public_key public_key{};         ///< 32-byte Ed25519 public key
  std::string principal;                            ///< who holds the key
  std::vector<std::string> roles;                   ///< roles and duties the principal holds
  key_status status = key_status::active;           ///< lifecycle state
  std::optional<std::int64_t> not_before;           ///< JWT-style nbf, seconds since the epoch
  std::optional<std::int64_t> expires_at;           ///< JWT-style exp, seconds since the epoch
  std::optional<std::int64_t> retired_at;           ///< required when status is retired
  std::optional<std::vector<std::string>> environments;  ///< absent: every environment
  /// Audit logs whose checkpoints and exports the key may sign; absent: none (not a log key).
  std::optional<std::vector<std::string>> logs;
};

/// A validated trusted key. Immutable; shared between threads.
class key_record {
 public:
  /// Builds a record, or returns why the spec is not acceptable (error text names the kid).
  [[nodiscard]] static std::pair<std::optional<key_record>, std::string> create(key_record_spec spec) {
    auto fail = [&](const std::string& why) {
      return std::pair<std::optional<key_record>, std::string>{std::nullopt,
                                                               "key \"" + spec.kid + "\": " + why};
    };
    if (!is_valid_keyid(spec.kid)) return fail(std::string("kid ") + std::string(keyid_rule_text));
    if (spec.principal.empty()) return fail("principal is required");
    // One spelling per identity (names.hpp): "Alice" beside "alice" would count one person twice.
    if (!is_valid_name(spec.principal)) return fail("principal " + std::string(name_rule_text));
    for (const auto& role : spec.roles)
      if (!is_valid_name(role)) return fail("role \"" + role + "\" " + std::string(name_rule_text));
    if (spec.environments)
      for (const auto& env : *spec.environments)
        if (!is_valid_name(env)) return fail("environment \"" + env + "\" " + std::string(name_rule_text));
    auto vk = crypto::ed25519::verifying_key::from_bytes(spec.public_key);
    if (!vk) return fail("public key is not a canonical Ed25519 point of large order");
    if (!crypto::ed25519::is_prime_order_public_key_vartime(spec.public_key))
      return fail(std::string(detail::torsion_twin_error));
    if (spec.status == key_status::retired && !spec.retired_at)
      return fail("a retired key needs retired_at");
    if (spec.not_before && spec.expires_at && *spec.expires_at <= *spec.not_before)
      return fail("exp must be later than nbf");
    if (spec.logs && (spec.logs->empty() || std::find(spec.logs->begin(), spec.logs->end(), "") != spec.logs->end()))
      return fail("logs must name at least one log, none empty");
    std::sort(spec.roles.begin(), spec.roles.end());
    if (std::adjacent_find(spec.roles.begin(), spec.roles.end()) != spec.roles.end())
      return fail("roles must be unique");
    return {key_record(std::move(spec), std::move(*vk)), std::string()};
  }

  [[nodiscard]] const std::string& kid() const noexcept { return spec_.kid; }
  [[nodiscard]] const crypto::ed25519::public_key& public_key() const noexcept { return spec_.public_key; }
  /// The decoded key, ready for repeated verification.
  [[nodiscard]] const crypto::ed25519::verifying_key& verifier() const noexcept { return verifier_; }
  [[nodiscard]] const std::string& principal() const noexcept { return spec_.principal; }
  /// Roles and duties, sorted.
  [[nodiscard]] const std::vector<std::string>& roles() const noexcept { return spec_.roles; }
  [[nodiscard]] bool has_role(std::string_view role) const noexcept {
    return std::binary_search(spec_.roles.begin(), spec_.roles.end(), role);
  }
  [[nodiscard]] key_status status() const noexcept { return spec_.status; }
  [[nodiscard]] const std::optional<std::int64_t>& not_before() const noexcept { return spec_.not_before; }
  [[nodiscard]] const std::optional<std::int64_t>& expires_at() const noexcept { return spec_.expires_at; }
  [[nodiscard]] const std::optional<std::int64_t>& retired_at() const noexcept { return spec_.retired_at; }
  [[nodiscard]] const std::optional<std::vector<std::string>>& environments() const noexcept {
    return spec_.environments;
  }
  /// Audit logs the key may sign for (absent: none).
  [[nodiscard]] const std::optional<std::vector<std::string>>& logs() const noexcept { return spec_.logs; }
  /// True when the key may sign checkpoints and exports of this log: only logs it is bound to,
  /// so one log's key cannot vouch for another log.
  [[nodiscard]] bool allows_log(std::string_view log) const noexcept {
    if (!spec_.logs || log.empty()) return false;
    return std::find(spec_.logs->begin(), spec_.logs->end(), log) != spec_.logs->end();
  }
  /// True when the key may approve for this environment.
  [[nodiscard]] bool allows_environment(std::string_view env) const noexcept {
    if (!spec_.environments) return true;
    return std::find(spec_.environments->begin(), spec_.environments->end(), env) !=
           spec_.environments->end();
  }

 private:
  key_record(key_record_spec spec, crypto::ed25519::verifying_key vk)
      : spec_(std::move(spec)), verifier_(std::move(vk)) {}
  key_record_spec spec_;
  crypto::ed25519::verifying_key verifier_;
};

ASSENT_END_NAMESPACE
