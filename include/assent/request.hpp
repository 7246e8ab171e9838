/// @file
/// What the host asks about: one action by one initiator it has authenticated.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"

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

ASSENT_END_NAMESPACE
