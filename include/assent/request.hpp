/// @file
/// What the host asks about: one action by one initiator it has authenticated.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/json/access.hpp"
#include "assent/json/strict_parse.hpp"

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

/// Whether `v` may be a request attribute's value: a string, a boolean or a finite number (a
/// fact rules can match, and the audit record can hold in canonical form). Both parse_request
/// and the verifier apply this rule.
[[nodiscard]] inline bool is_valid_attribute_value(const nlohmann::json& v) noexcept {
  if (v.is_number_float()) return std::isfinite(v.get<double>());
  return v.is_string() || v.is_boolean() || (v.is_number() && json::number_is_exact(v));
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

/// Reads a request document (the shape of docs/policy-reference.md); unknown members are refused.
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
          const auto& v = item.value();
          if (!is_valid_attribute_value(v))
            r.fail("attributes", json::access_errc::wrong_type,
                   "attribute \"" + item.key() + "\" must be a string, boolean or number");
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
