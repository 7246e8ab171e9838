/// @file
/// Approval claims: the signed body of an approval envelope (UTF-8 JSON).
///
/// Claims are read only after a signature over them verified (authenticate before
/// interpreting), and they are read strictly: one reading per body, every member known, every
/// string bounded, every rejection naming one reason with its JSON Pointer. What a claim says
/// about identity (`approver`) is checked against the key store by the verifier, never trusted.
/// docs/credential-format.md lists every member and rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/credential/approval_claims.hpp"
#include "assent/credential/detail/plain_claims.hpp"
#include "assent/json/access.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/strict_parse.hpp"
#include "assent/json/time.hpp"
#include "assent/spec_hash.hpp"

ASSENT_BEGIN_NAMESPACE

/// The outcome of reading claims of type Claims: the claims, or one reason. Default: failure.
template <typename Claims>
struct basic_claims_result {
  std::optional<Claims> claims;  ///< present exactly on success
  std::string error;             ///< "JSON Pointer: code: detail" on failure, empty on success
  /// The reader itself failed (a host's claims_traits<Claims>::parse threw), so nothing is known
  /// about the body: the verifier reports claims_unavailable instead of malformed_credential.
  bool reader_failed = false;

  /// True when claims are present.
  [[nodiscard]] bool ok() const noexcept { return claims.has_value(); }
  /// Same as ok().
  explicit operator bool() const noexcept { return ok(); }
};

/// The outcome of reading approval_claims.
using claims_result = basic_claims_result<approval_claims>;

namespace detail {

// Reads a string member and checks it as text; records the fault and returns nullopt if bad.
inline std::optional<std::string> read_text(json::object_reader& r, std::string_view name,
                                            bool required, text_kind kind, std::size_t max,
                                            json::allow_empty empty) {
  const std::size_t before = r.errors().size();
  std::optional<std::string> v = required
                                     ? std::optional<std::string>(r.required_string(name, empty))
                                     : r.optional_string(name, empty);
  if (r.errors().size() != before || !v) return std::nullopt;
  std::string fault = text_fault(*v, kind, max);
  if (!fault.empty()) {
    r.fail(name, json::access_errc::invalid_value, std::move(fault));
    return std::nullopt;
  }
  return v;
}

inline void read_exception(json::object_reader& x, exception_claim& out) {
  out.kind = x.required_choice("kind", {"break_glass"});
  out.owner =
      read_text(x, "owner", true, text_kind::name, claims_limits::max_name, json::allow_empty::no)
          .value_or("");
  out.reason = read_text(x, "reason", true, text_kind::free_text, claims_limits::max_text,
                         json::allow_empty::no)
                   .value_or("");
  out.incident = read_text(x, "incident", true, text_kind::label, claims_limits::max_name,
                           json::allow_empty::no)
                     .value_or("");
}

[[nodiscard]] inline claims_result read_claims(const nlohmann::json& j) {
  claims_result result;
  approval_claims c;
  json::object_reader r(j);
  if (!r.ok()) {
    result.error = json::describe(r.errors().front());
    return result;
  }
  using json::allow_empty;
  std::optional<json::access_error> element_fault;
  const auto name = [&](std::string_view member, bool required) {
    return read_text(r, member, required, text_kind::name, claims_limits::max_name,
                     allow_empty::no);
  };

  // Members are read in this order, and the first fault in it is the one reported.
  {
    const std::size_t before = r.errors().size();
    c.id = r.required_string("id");
    if (r.errors().size() == before) {
      if (!is_valid_claims_id(c.id))
        r.fail("id", json::access_errc::invalid_value, "must be 1 to 128 of A-Z a-z 0-9 . _ : -");
    }
  }
  c.approver = name("approver", false);
  c.project = name("project", true).value_or("");
  c.environment = name("environment", true).value_or("");
  {
    const std::size_t before = r.errors().size();
    c.spec_hash = r.required_string("spec_hash");
    if (r.errors().size() == before && !is_valid_spec_hash(c.spec_hash)) {
      r.fail("spec_hash", json::access_errc::invalid_value,
             "expected sha256: and 64 lowercase hex digits");
    }
  }
  {
    const std::size_t before = r.errors().size();
    c.capabilities =
        r.required_string_array("capabilities", json::require_unique::yes, allow_empty::no);
    if (r.errors().size() == before && r.ok()) {
      if (c.capabilities.size() > claims_limits::max_capabilities) {
        r.fail("capabilities", json::access_errc::out_of_range,
               "more than " + std::to_string(claims_limits::max_capabilities) + " capabilities");
      } else {
        for (std::size_t i = 0; i < c.capabilities.size(); ++i) {
          if (!is_valid_capability(c.capabilities[i])) {
            // object_reader::fail names members only; this fault belongs to an element. The
            // reader holds no fault yet (checked above), so this one precedes any later one.
            element_fault = json::access_error{json::access_errc::invalid_value,
                                               json::pointer_child(r.path_of("capabilities"), i),
                                               "must be 1 to 64 of a-z 0-9 . _ -"};
            break;
          }
        }
      }
    }
  }
  // An offset can carry a date-time just outside the years 0000-9999 (0000-01-01T00:00:00+01:00),
  // where it could not be written back in UTC: refuse it so every accepted instant round-trips.
  const auto read_time = [&](std::string_view member,
                             bool required) -> std::optional<std::int64_t> {
    const std::size_t before = r.errors().size();
    std::optional<std::int64_t> t =
        required ? std::optional<std::int64_t>(r.required_time(member)) : r.optional_time(member);
    if (r.errors().size() != before) return std::nullopt;
    if (t && !json::rfc3339_representable(*t)) {
      r.fail(member, json::access_errc::invalid_value, "outside the years 0000 to 9999 in UTC");
      return std::nullopt;
    }
    return t;
  };
  const std::size_t before_times = r.errors().size();
  c.issued_at = read_time("issued_at", true).value_or(0);
  c.expires_at = read_time("expires_at", true).value_or(0);
  c.not_before = read_time("not_before", false);
  const bool times_read = r.errors().size() == before_times;
  c.initiator = name("initiator", false);
  c.destination = name("destination", false);
  {
    exception_claim x;
    if (r.optional_object("exception", [&](json::object_reader& xr) { read_exception(xr, x); })) {
      c.exception = std::move(x);
    }
  }
  c.note =
      read_text(r, "note", false, text_kind::free_text, claims_limits::max_text, allow_empty::yes);
  if (const nlohmann::json* ext = r.optional_value("ext")) {
    if (!ext->is_object()) {
      r.fail("ext", json::access_errc::wrong_type,
             std::string("expected an object, got ") + ext->type_name());
    } else {
      std::string compact;
      try {
        compact = ext->dump();
      } catch (const nlohmann::json::type_error&) {  // a string that is not UTF-8 (built in code)
        r.fail("ext", json::access_errc::invalid_value, "holds a string that is not valid UTF-8");
      }
      if (r.ok() && compact.size() > claims_limits::max_ext) {
        r.fail("ext", json::access_errc::out_of_range,
               "longer than " + std::to_string(claims_limits::max_ext) + " bytes as compact JSON");
      }
      c.ext = *ext;
    }
  }

  // Relations between members, once each member is known to be well formed.
  if (times_read) {
    if (c.expires_at <= c.issued_at) {
      r.fail("expires_at", json::access_errc::invalid_value, "must be later than issued_at");
    } else if (c.not_before && *c.not_before >= c.expires_at) {
      r.fail("not_before", json::access_errc::invalid_value, "must be earlier than expires_at");
    }
  }

  std::optional<json::access_error> fault = r.finish();  // adds unknown members last
  if (element_fault) fault = std::move(element_fault);
  if (fault) {
    result.error = json::describe(*fault);
    return result;
  }
  result.claims = std::move(c);
  return result;
}

}  // namespace detail

/// Reads approval claims from a JSON value. Never throws; on failure the error names the first
/// fault (docs/credential-format.md gives the order). The `approver` rule (equal to the signing
/// key's principal) needs the key and is the verifier's. (A template only so that a string or a
/// byte vector, which convert to both nlohmann::json and byte_view, picks the byte overload.)
template <typename Json,
          typename std::enable_if<std::is_same<Json, nlohmann::json>::value, int>::type = 0>
[[nodiscard]] claims_result parse_approval_claims(const Json& j) noexcept {
  try {
    return detail::read_claims(j);
  } catch (...) {  // only std::bad_alloc can reach here
    return {};
  }
}

/// The claims as a JSON object: times as RFC 3339 UTC ("2026-11-21T10:00:00Z"), optional
/// members only when present, ext unless it is null. parse_approval_claims reads it back
/// unchanged when the claims are valid.
[[nodiscard]] inline nlohmann::json to_json(const approval_claims& c) {
  nlohmann::json j = nlohmann::json::object();
  j["id"] = c.id;
  if (c.approver) j["approver"] = *c.approver;
  j["project"] = c.project;
  j["environment"] = c.environment;
  j["spec_hash"] = c.spec_hash;
  j["capabilities"] = c.capabilities;
  j["issued_at"] = json::format_rfc3339(c.issued_at);
  j["expires_at"] = json::format_rfc3339(c.expires_at);
  if (c.not_before) j["not_before"] = json::format_rfc3339(*c.not_before);
  if (c.initiator) j["initiator"] = *c.initiator;
  if (c.destination) j["destination"] = *c.destination;
  if (c.exception) {
    j["exception"] = nlohmann::json{{"kind", c.exception->kind},
                                    {"owner", c.exception->owner},
                                    {"reason", c.exception->reason},
                                    {"incident", c.exception->incident}};
  }
  if (c.note) j["note"] = *c.note;
  if (!c.ext.is_null()) j["ext"] = c.ext;  // a non-object is written, and refused when read
  return j;
}

/// nlohmann interop (`nlohmann::json j = claims;`).
inline void to_json(nlohmann::json& j, const approval_claims& c) {
  j = to_json(c);
}

/// nlohmann interop (`j.get<approval_claims>()`): throws std::invalid_argument with the reason
/// on invalid claims. Verification never calls it; it uses parse_approval_claims.
inline void from_json(const nlohmann::json& j, approval_claims& c) {
  claims_result r = parse_approval_claims(j);
  if (!r.claims)
    throw std::invalid_argument(r.error.empty() ? std::string("invalid approval claims") : r.error);
  c = std::move(*r.claims);
}

/// How the verifier reads a claims type from a body's JSON. The primary template takes a host's
/// own type through nlohmann's from_json (`j.get<Claims>()`), turning any exception into an
/// error; specialise it to read without exceptions.
template <typename Claims>
struct claims_traits {
  /// Reads Claims from a JSON value; never throws.
  [[nodiscard]] static basic_claims_result<Claims> parse(const nlohmann::json& j) noexcept {
    basic_claims_result<Claims> r;
    try {
      r.claims.emplace(j.template get<Claims>());
    } catch (const std::exception& e) {
      r.claims.reset();
      try {
        r.error = std::string("(root): invalid_value: ") + e.what();
      } catch (...) {  // out of memory while describing the fault: the failure stands
      }
    } catch (...) {
      r.claims.reset();
    }
    return r;
  }
};

/// assent's own claims are read by parse_approval_claims (no exceptions involved).
template <>
struct claims_traits<approval_claims> {
  /// Reads approval_claims from a JSON value; never throws.
  [[nodiscard]] static claims_result parse(const nlohmann::json& j) noexcept {
    return parse_approval_claims(j);
  }
};

namespace detail {

// The full reader: strict JSON into a tree, then claims_traits<Claims>::parse. Never throws.
template <typename Claims>
[[nodiscard]] basic_claims_result<Claims> parse_claims_tree(byte_view payload) noexcept {
  // Each path builds its own result: a result that holds no claims is never moved from, which
  // keeps GCC 12 from a false "maybe uninitialized" on a host's claims type at -O2.
  try {
    json::parse_limits limits;
    limits.max_bytes = claims_limits::max_body;
    limits.max_depth = claims_limits::max_depth;
    json::parse_result doc = json::parse_strict(payload.as_chars(), limits);
    if (doc) {
      // claims_traits<Claims>::parse promises not to throw; a host's specialisation that throws
      // anyway (a lookup it depends on timed out) is a reader that failed, not a bad body.
      try {
        return claims_traits<Claims>::parse(*doc.value);
      } catch (...) {
        basic_claims_result<Claims> failed;
        failed.reader_failed = true;
        return failed;
      }
    }
    basic_claims_result<Claims> refused;
    refused.error = "(root): " + std::string(json::to_string(doc.error.code)) + ": byte " +
                    std::to_string(doc.error.offset) + ": " + doc.error.message;
    return refused;
  } catch (...) {  // only std::bad_alloc can reach here
    return basic_claims_result<Claims>{};
  }
}

}  // namespace detail

/// Reads claims of any type from body bytes: strict JSON first (as for approval_claims), then
/// claims_traits<Claims>::parse. Never throws. approval_claims in their plain form (no escapes,
/// no exception, no ext) are read without a tree (detail/plain_claims.hpp), with the same result.
template <typename Claims>
[[nodiscard]] basic_claims_result<Claims> parse_claims(byte_view payload) noexcept {
  if constexpr (std::is_same<Claims, approval_claims>::value) {
    try {
      approval_claims c;
      if (detail::read_plain_claims(payload.as_chars(), c)) {
        claims_result plain;
        plain.claims.emplace(std::move(c));
        return plain;
      }
    } catch (...) {  // only std::bad_alloc: the full reader reports it the same way
      return claims_result{};
    }
  }
  return detail::parse_claims_tree<Claims>(payload);
}

/// Reads approval claims from the body bytes of an envelope: strict JSON (duplicate member
/// names, BOM, trailing bytes refused; bounded by claims_limits), then the rules above.
[[nodiscard]] inline claims_result parse_approval_claims(byte_view payload) noexcept {
  return parse_claims<approval_claims>(payload);
}

ASSENT_END_NAMESPACE
