/// @file
/// Compile-time checks of the verifier's template arguments, each failing
/// with its own readable message instead of a page of template errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "assent/config.hpp"
#include "assent/policy/policy.hpp"
#include "assent/request.hpp"

ASSENT_BEGIN_NAMESPACE
namespace detail {

template <typename...>
using void_t = void;

// Clock: `now()` gives UTC seconds.
template <typename C, typename = void>
struct clock_has_now : std::false_type {};
template <typename C>
struct clock_has_now<C, void_t<decltype(std::declval<const C&>().now())>>
    : std::is_convertible<decltype(std::declval<const C&>().now()), std::int64_t> {};

// Policy: the members the verifier calls.
template <typename P, typename = void>
struct policy_has_identity : std::false_type {};
template <typename P>
struct policy_has_identity<P, void_t<decltype(std::string(std::declval<const P&>().id())),
                                     decltype(std::string(std::declval<const P&>().hash()))>>
    : std::true_type {};
template <typename P, typename = void>
struct policy_has_resolve : std::false_type {};
template <typename P>
struct policy_has_resolve<P, void_t<decltype(std::declval<const P&>().resolve(std::declval<const request&>()))>>
    : std::is_same<decltype(std::declval<const P&>().resolve(std::declval<const request&>())), posture_result> {};
template <typename P, typename = void>
struct policy_has_revocation : std::false_type {};
template <typename P>
struct policy_has_revocation<
    P, void_t<decltype(bool(std::declval<const P&>().is_credential_revoked(std::string_view()))),
              decltype(bool(std::declval<const P&>().is_key_revoked(std::string_view())))>> : std::true_type {};
template <typename P, typename = void>
struct policy_has_ranks : std::false_type {};
template <typename P>
struct policy_has_ranks<P, void_t<decltype(std::optional<std::uint32_t>(
                               std::declval<const P&>().highest_rank(std::declval<const std::vector<std::string>&>())))>>
    : std::true_type {};

// Claims: the members the binding checks read.
#define ASSENT_DETAIL_CLAIMS_MEMBER(name)                                                 \
  template <typename C, typename = void>                                                  \
  struct claims_has_##name : std::false_type {};                                          \
  template <typename C>                                                                   \
  struct claims_has_##name<C, void_t<decltype(std::declval<const C&>().name)>> : std::true_type {};
ASSENT_DETAIL_CLAIMS_MEMBER(id)
ASSENT_DETAIL_CLAIMS_MEMBER(approver)
ASSENT_DETAIL_CLAIMS_MEMBER(project)
ASSENT_DETAIL_CLAIMS_MEMBER(environment)
ASSENT_DETAIL_CLAIMS_MEMBER(spec_hash)
ASSENT_DETAIL_CLAIMS_MEMBER(capabilities)
ASSENT_DETAIL_CLAIMS_MEMBER(issued_at)
ASSENT_DETAIL_CLAIMS_MEMBER(expires_at)
ASSENT_DETAIL_CLAIMS_MEMBER(not_before)
ASSENT_DETAIL_CLAIMS_MEMBER(initiator)
ASSENT_DETAIL_CLAIMS_MEMBER(destination)
ASSENT_DETAIL_CLAIMS_MEMBER(exception)
#undef ASSENT_DETAIL_CLAIMS_MEMBER

template <typename Policy, typename Claims, typename Clock>
constexpr bool check_verifier_arguments() {
  static_assert(clock_has_now<Clock>::value,
                "assent::verifier: Clock must have `now() const` returning UTC seconds (std::int64_t)");
  static_assert(policy_has_identity<Policy>::value,
                "assent::verifier: Policy must have `id() const` and `hash() const` returning strings");
  static_assert(policy_has_resolve<Policy>::value,
                "assent::verifier: Policy must have `posture_result resolve(const assent::request&) const`");
  static_assert(policy_has_revocation<Policy>::value,
                "assent::verifier: Policy must have `is_credential_revoked(std::string_view) const` and "
                "`is_key_revoked(std::string_view) const`");
  static_assert(policy_has_ranks<Policy>::value,
                "assent::verifier: Policy must have `highest_rank(const std::vector<std::string>&) const` "
                "returning std::optional<std::uint32_t>");
  static_assert(claims_has_id<Claims>::value, "assent::verifier: Claims needs a member `id` (std::string)");
  static_assert(claims_has_approver<Claims>::value,
                "assent::verifier: Claims needs a member `approver` (std::optional<std::string>)");
  static_assert(claims_has_project<Claims>::value, "assent::verifier: Claims needs a member `project`");
  static_assert(claims_has_environment<Claims>::value, "assent::verifier: Claims needs a member `environment`");
  static_assert(claims_has_spec_hash<Claims>::value, "assent::verifier: Claims needs a member `spec_hash`");
  static_assert(claims_has_capabilities<Claims>::value,
                "assent::verifier: Claims needs a member `capabilities` (std::vector<std::string>)");
  static_assert(claims_has_issued_at<Claims>::value && claims_has_expires_at<Claims>::value,
                "assent::verifier: Claims needs members `issued_at` and `expires_at` (UTC seconds)");
  static_assert(claims_has_not_before<Claims>::value,
                "assent::verifier: Claims needs a member `not_before` (std::optional<std::int64_t>)");
  static_assert(claims_has_initiator<Claims>::value && claims_has_destination<Claims>::value,
                "assent::verifier: Claims needs members `initiator` and `destination` (std::optional<std::string>)");
  static_assert(claims_has_exception<Claims>::value,
                "assent::verifier: Claims needs a member `exception` (std::optional<exception_claim>)");
  return true;
}

}  // namespace detail
ASSENT_END_NAMESPACE
