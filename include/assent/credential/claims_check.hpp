/// @file
/// The format rules every claims type obeys, whoever parsed it.
///
/// A host may read claims with its own type (claims_traits<Claims>::parse, usually its
/// from_json), to carry a member of its own. That type adds checks; it never removes assent's. So
/// the verifier checks the members it reads — id, approver, project, environment, spec hash,
/// capabilities, times, initiator, destination, the exception's owner — by the same rules as
/// assent's own reader (approval_claims.hpp, names.hpp), and a body that breaks one is
/// malformed_credential whatever the host's reader said.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "assent/config.hpp"
#include "assent/credential/approval_claims.hpp"
#include "assent/names.hpp"
#include "assent/spec_hash.hpp"

ASSENT_BEGIN_NAMESPACE
namespace detail {

// Why claims read by a host's type break assent's rules, or nullptr when they do not.
template <typename Claims>
[[nodiscard]] const char* claims_fault(const Claims& c) {
  if (!is_valid_claims_id(c.id)) return "id is not 1 to 128 of A-Z a-z 0-9 . _ : -";
  if (c.approver && !is_valid_name(*c.approver)) return "approver is not a valid name";
  if (!is_valid_name(c.project)) return "project is not a valid name";
  if (!is_valid_name(c.environment)) return "environment is not a valid name";
  if (!is_valid_spec_hash(c.spec_hash)) return "spec_hash is not sha256: and 64 lowercase hex digits";
  std::size_t count = 0;
  for (auto it = c.capabilities.begin(); it != c.capabilities.end(); ++it) {
    if (!is_valid_capability(*it)) return "a capability is not 1 to 64 of a-z 0-9 . _ -";
    for (auto earlier = c.capabilities.begin(); earlier != it; ++earlier)
      if (std::string_view(*earlier) == std::string_view(*it)) return "capabilities repeat";
    if (++count > claims_limits::max_capabilities) return "more than 32 capabilities";
  }
  if (count == 0) return "no capability";
  if (!(c.issued_at < c.expires_at)) return "expires_at is not after issued_at";
  if (c.not_before && !(*c.not_before < c.expires_at)) return "not_before is not before expires_at";
  if (c.initiator && !is_valid_name(*c.initiator)) return "initiator is not a valid name";
  if (c.destination && !is_valid_name(*c.destination)) return "destination is not a valid name";
  if (c.exception && (c.exception->kind != "break_glass" || !is_valid_name(c.exception->owner)))
    return "exception is not a break_glass exception with a valid owner";
  return nullptr;
}

}  // namespace detail
ASSENT_END_NAMESPACE
