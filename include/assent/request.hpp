/// @file
/// What the host asks about: one action by one initiator it has authenticated.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/json/access.hpp"
#include "assent/json/detail/utf8.hpp"
#include "assent/json/strict_parse.hpp"
#include "assent/names.hpp"
#include "assent/spec_hash.hpp"

ASSENT_BEGIN_NAMESPACE

/// One request for a decision. The host authenticated the initiator; assent
/// trusts these fields as the host's statement, not a credential's.
struct request {
  std::string action;                          ///< e.g. "deploy", "replay.execute"
  std::string project;                         ///< e.g. "payments"
  std::string environment;                     ///< e.g. "prod"
  std::string spec_hash;                       ///< "sha256:<64 hex>" of the exact pipeline version
  std::string initiator;                       ///< principal taking the action
  std::vector<std::string> initiator_roles;    ///< roles the host vouches the initiator holds
  std::optional<std::string> destination;      ///< where the action goes (region, hook, ...)
  std::optional<std::string> source_environment;  ///< for replays: where the recorded run came from
  nlohmann::json attributes = nlohmann::json::object();  ///< facts rules match on (risk_tier, ...)
};

/// Bounds on a request's attributes: a request must always fit in its audit record.
namespace request_limits {
inline constexpr std::size_t max_attributes = 64;             ///< attributes in one request
inline constexpr std::size_t max_attribute_value_bytes = 1024;  ///< bytes of one string value
inline constexpr std::size_t max_initiator_roles = 64;        ///< roles the host vouches for
}  // namespace request_limits

/// Whether `v` may be a request attribute's value: a string (at most 1024 bytes of UTF-8 without
/// control characters), a boolean or a finite number (a fact rules can match, and the audit record
/// can hold in canonical form). Both parse_request and the verifier apply this rule.
[[nodiscard]] inline bool is_valid_attribute_value(const nlohmann::json& v) noexcept {
  if (v.is_number_float()) return std::isfinite(v.get<double>());
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > request_limits::max_attribute_value_bytes) return false;
    for (std::size_t i = 0; i < s.size();) {
      const std::int32_t cp = json::detail::next_scalar(s, i);
      if (cp < 0 || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return false;
    }
    return true;
  }
  return v.is_boolean() || (v.is_number() && json::number_is_exact(v));
}

/// The first fault of a request, as an RFC 6901 path and a message; nullopt when it is well
/// formed. Every name (action, project, environment, initiator, roles, destination, source
/// environment, attribute names) follows the name rule (names.hpp), so no second spelling of an
/// identity or a place can slip past a comparison; the spec hash is "sha256:" and 64 lowercase
/// hex digits; attributes are at most 64 flat facts. parse_request and the verifier both apply it.
[[nodiscard]] inline std::optional<std::pair<std::string, std::string>> request_fault(const request& req) {
  using fault = std::pair<std::string, std::string>;
  const auto name = [](const char* path, const std::string& v) -> std::optional<fault> {
    if (is_valid_name(v)) return std::nullopt;
    return fault{path, std::string(name_rule_text)};
  };
  if (auto f = name("/action", req.action)) return f;
  if (auto f = name("/project", req.project)) return f;
  if (auto f = name("/environment", req.environment)) return f;
  if (!is_valid_spec_hash(req.spec_hash)) return fault{"/spec_hash", "expected sha256: and 64 lowercase hex digits"};
  if (auto f = name("/initiator", req.initiator)) return f;
  if (req.initiator_roles.size() > request_limits::max_initiator_roles)
    return fault{"/initiator_roles", "more than 64 roles"};
  for (std::size_t i = 0; i < req.initiator_roles.size(); ++i)
    if (!is_valid_name(req.initiator_roles[i]))
      return fault{json::pointer_child("/initiator_roles", i), std::string(name_rule_text)};
  if (req.destination)
    if (auto f = name("/destination", *req.destination)) return f;
  if (req.source_environment)
    if (auto f = name("/source_environment", *req.source_environment)) return f;
  if (req.attributes.is_null()) return std::nullopt;
  if (!req.attributes.is_object()) return fault{"/attributes", "expected an object"};
  if (req.attributes.size() > request_limits::max_attributes) return fault{"/attributes", "more than 64 attributes"};
  for (const auto& item : req.attributes.items()) {
    if (!is_valid_name(item.key()))
      return fault{"/attributes", "attribute name \"" + item.key() + "\" " + std::string(name_rule_text)};
    if (!is_valid_attribute_value(item.value()))
      return fault{json::pointer_child("/attributes", item.key()),
                   "must be a string (at most 1024 bytes, no control characters), boolean or finite number"};
  }
  return std::nullopt;
}

/// A parsed request, or the JSON path and cause of the first fault. Default: a failure.
struct request_result {
  std::optional<request> value;  ///< present on success
  std::string path;              ///< RFC 6901 pointer of the fault
  std::string message;           ///< what is wrong there

  [[nodiscard]] bool ok() const noexcept { return value.has_value(); }
  /// "path: message".
  [[nodiscard]] std::string describe() const { return (path.empty() ? std::string("(root)") : path) + ": " + message; }
};

/// Reads a request document (the shape of docs/policy-reference.md); unknown members, members of
/// the wrong type and attribute values that are not flat facts are refused. The content rules
/// (names, spec hash, bounds: request_fault) are the verifier's, so that a request which breaks
/// them is still decided — a malformed_request deny — and recorded; call request_fault to report
/// them earlier, with their path.
[[nodiscard]] inline request_result parse_request(const nlohmann::json& doc) {
  request_result out;
  try {
    json::object_reader r(doc);
    request req;
    req.action = r.required_string("action");
    req.project = r.required_string("project");
    req.environment = r.required_string("environment");
    req.spec_hash = r.required_string("spec_hash");
    req.initiator = r.required_string("initiator");
    req.initiator_roles = r.optional_string_array("initiator_roles").value_or(std::vector<std::string>{});
    req.destination = r.optional_string("destination");
    req.source_environment = r.optional_string("source_environment");
    if (const auto* attrs = r.optional_value("attributes")) {
      if (!attrs->is_object()) {
        r.fail("attributes", json::access_errc::wrong_type, "expected an object");
      } else {
        for (const auto& item : attrs->items()) {
          if (!is_valid_attribute_value(item.value()))
            r.fail("attributes", json::access_errc::wrong_type,
                   "attribute \"" + item.key() + "\" must be a string (at most 1024 bytes, no control "
                   "characters), boolean or finite number");
        }
        req.attributes = *attrs;
      }
    }
    if (auto fault = r.finish()) {
      out.path = fault->path;
      out.message = std::string(json::to_string(fault->code)) + (fault->detail.empty() ? "" : ": " + fault->detail);
      return out;
    }
    out.value = std::move(req);
  } catch (const std::exception& e) {
    out.message = e.what();
  }
  return out;
}

/// Parses (strictly) and reads a request document.
[[nodiscard]] inline request_result parse_request(std::string_view text) {
  auto parsed = json::parse_strict(text);
  if (!parsed.ok()) {
    request_result out;
    out.message = "not valid JSON at byte " + std::to_string(parsed.error.offset) + ": " + parsed.error.message;
    return out;
  }
  return parse_request(*parsed.value);
}
/// Parses a request held in a string (avoids the json/string_view ambiguity).
[[nodiscard]] inline request_result parse_request(const std::string& text) { return parse_request(std::string_view(text)); }
/// Parses a request from a C string.
[[nodiscard]] inline request_result parse_request(const char* text) { return parse_request(std::string_view(text)); }

ASSENT_END_NAMESPACE
