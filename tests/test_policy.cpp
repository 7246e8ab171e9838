// Policy documents: loading, validation with JSON paths, and the effective posture.
#include <optional>
#include <string>
#include <vector>

#include "assent/json/jcs.hpp"
#include "assent/keys/key_store.hpp"
#include "assent/policy/key_set_check.hpp"
#include "assent/policy/load.hpp"
#include "catch.hpp"
#include "test_util.hpp"

namespace {

nlohmann::json acme() {
  return nlohmann::json::parse(
      assent_test::read_file(std::string(ASSENT_TEST_DATA_DIR) + "/policy_acme.json"));
}

assent::policy load_ok(const nlohmann::json& doc) {
  auto r = assent::load_policy(doc);
  INFO(r.describe());
  REQUIRE(r.ok());
  return *r.value;
}

// Loads a variant of the example policy and returns the error path and message.
std::pair<std::string, std::string> load_error(const nlohmann::json& doc) {
  auto r = assent::load_policy(doc);
  REQUIRE_FALSE(r.ok());
  return {r.error.path, r.error.message};
}

assent::request policy_deploy_request() {
  assent::request req;
  req.action = "deploy";
  req.project = "payments";
  req.environment = "prod";
  req.spec_hash = "sha256:" + std::string(64, 'a');
  req.initiator = "bob";
  req.initiator_roles = {"developer"};
  req.destination = "eu-west";
  return req;
}

}  // namespace

TEST_CASE("policy loads the documented example", "[policy]") {
  const auto pol = load_ok(acme());
  CHECK(pol.id() == "acme-release-governance");
  CHECK(pol.role_rank("auditor") == 0u);
  CHECK(pol.role_rank("owner") == 3u);
  CHECK_FALSE(pol.role_rank("security_owner").has_value());  // a duty, not a ranked role
  REQUIRE(pol.environment("prod") != nullptr);
  CHECK(pol.environment("prod")->max_credential_lifetime_seconds == 3600);
  // staging inherits the defaults
  CHECK(pol.environment("staging")->max_credential_lifetime_seconds == 86400);
  CHECK(pol.environment("staging")->clock_skew_seconds == 60);
  CHECK(pol.hash().rfind("sha256:", 0) == 0);
  CHECK(pol.hash().size() == 7 + 64);
}

TEST_CASE("policy hash is the spec hash of the canonical form", "[policy]") {
  const auto a = load_ok(acme());
  // Re-serialised with other whitespace and member order: same canonical form, same hash.
  const auto reordered = nlohmann::json::parse(acme().dump(2));
  CHECK(load_ok(reordered).hash() == a.hash());
  auto changed = acme();
  changed["environments"]["prod"]["actions"]["deploy"]["threshold"] = 3;
  CHECK(load_ok(changed).hash() != a.hash());
  CHECK(a.hash() == assent::spec_hash_of_json(acme()).value());
}

TEST_CASE("policy ranks roles by their order, never alphabetically", "[policy]") {
  auto doc = acme();
  doc["roles"] = {"zeta", "alpha"};  // zeta ranks below alpha
  doc["environments"]["prod"]["actions"]["deploy"]["min_approver_role"] = "alpha";
  doc["environments"]["prod"]["actions"]["deploy"]["min_initiator_role"] = "zeta";
  const auto pol = load_ok(doc);
  CHECK(*pol.highest_rank(std::vector<std::string>{"zeta"}) < *pol.highest_rank(std::vector<std::string>{"alpha"}));
  auto req = policy_deploy_request();
  req.initiator_roles = {"zeta"};
  auto res = pol.resolve(req);
  REQUIRE(res.effective);
  CHECK(res.effective->min_approver_role == "alpha");
  CHECK(res.denials.empty());
}

TEST_CASE("policy posture: the rules add duties from the request's attributes", "[policy][rules]") {
  const auto pol = load_ok(acme());
  auto req = policy_deploy_request();
  SECTION("no attributes: no duties") {
    auto res = pol.resolve(req);
    REQUIRE(res.effective);
    CHECK(res.effective->required_duties.empty());
    CHECK(res.effective->threshold == 2);
    CHECK(res.effective->separation_of_duties);
  }
  SECTION("risk tier at least high") {
    req.attributes = {{"risk_tier", "critical"}, {"modifies_data_lineage", true}};
    auto res = pol.resolve(req);
    REQUIRE(res.effective);
    CHECK(res.effective->required_duties == std::vector<std::string>{"data_owner", "security_owner"});
  }
  SECTION("a lower tier or a false flag does not match") {
    req.attributes = {{"risk_tier", "medium"}, {"modifies_data_lineage", false}};
    auto res = pol.resolve(req);
    CHECK(res.effective->required_duties.empty());
  }
  SECTION("an attribute of another type does not match") {
    req.attributes = {{"modifies_code", "true"}};
    CHECK(pol.resolve(req).effective->required_duties.empty());
  }
  SECTION("an unknown tier does not match") {
    req.attributes = {{"risk_tier", "apocalyptic"}};
    CHECK(pol.resolve(req).effective->required_duties.empty());
  }
}

TEST_CASE("policy posture: an empty when always matches (model-owner default)", "[policy][rules]") {
  auto doc = acme();
  doc["environments"]["prod"]["rules"].push_back({{"when", nlohmann::json::object()}, {"require_duties", {"model_owner"}}});
  const auto pol = load_ok(doc);
  CHECK(pol.resolve(policy_deploy_request()).effective->required_duties == std::vector<std::string>{"model_owner"});
}

TEST_CASE("policy posture: a hardened destination only tightens", "[policy][hardened]") {
  auto doc = acme();
  auto& deploy = doc["environments"]["prod"]["actions"]["deploy"];
  deploy["threshold"] = 1;
  deploy["self_approval"] = true;
  const auto pol = load_ok(doc);
  auto req = policy_deploy_request();
  req.destination = "hooks";
  auto res = pol.resolve(req);
  REQUIRE(res.effective);
  CHECK(res.effective->hardened);
  CHECK(res.effective->threshold == 2);
  CHECK_FALSE(res.effective->self_approval);
  req.destination = "eu-west";
  res = pol.resolve(req);
  CHECK_FALSE(res.effective->hardened);
  CHECK(res.effective->threshold == 1);
  CHECK(res.effective->self_approval);
}

TEST_CASE("policy posture: decision-level denials", "[policy]") {
  auto doc = acme();
  SECTION("unknown environment and action") {
    const auto pol = load_ok(doc);
    auto req = policy_deploy_request();
    req.environment = "qa";
    CHECK(pol.resolve(req).denials == std::vector<assent::reason>{assent::reason::unknown_environment});
    req.environment = "prod";
    req.action = "launch_missiles";
    CHECK(pol.resolve(req).denials == std::vector<assent::reason>{assent::reason::unknown_action});
  }
  SECTION("forbidden") {
    auto req = policy_deploy_request();
    req.action = "delete_project";
    CHECK(load_ok(doc).resolve(req).denials == std::vector<assent::reason>{assent::reason::action_forbidden});
  }
  SECTION("frozen environment and disabled capability") {
    doc["overrides"]["frozen_environments"] = {"prod"};
    doc["overrides"]["disabled_capabilities"] = {"deploy"};
    auto res = load_ok(doc).resolve(policy_deploy_request());
    CHECK(res.denials == std::vector<assent::reason>{assent::reason::environment_frozen, assent::reason::capability_disabled});
  }
  SECTION("initiator rank, destination, source environment") {
    const auto pol = load_ok(doc);
    auto req = policy_deploy_request();
    req.initiator_roles = {"auditor"};
    req.destination = "mars";
    auto res = pol.resolve(req);
    CHECK(res.denials == std::vector<assent::reason>{assent::reason::initiator_role_too_low,
                                                     assent::reason::destination_not_allowed});
    req = policy_deploy_request();
    req.destination.reset();
    CHECK(pol.resolve(req).denials == std::vector<assent::reason>{assent::reason::destination_not_allowed});
    req = policy_deploy_request();
    req.action = "replay.execute";
    req.source_environment = "staging";
    CHECK(pol.resolve(req).denials == std::vector<assent::reason>{assent::reason::wrong_source_environment});
    req.source_environment = "prod";
    CHECK(pol.resolve(req).denials.empty());
  }
}

TEST_CASE("policy loading reports the JSON path of each fault", "[policy][errors]") {
  auto doc = acme();
  auto& deploy = doc["environments"]["prod"]["actions"]["deploy"];
  std::string expected_path;
  SECTION("unknown approver role") {
    deploy["min_approver_role"] = "emperor";
    expected_path = "/environments/prod/actions/deploy/min_approver_role";
  }
  SECTION("unknown initiator role") {
    deploy["min_initiator_role"] = "intern";
    expected_path = "/environments/prod/actions/deploy/min_initiator_role";
  }
  SECTION("threshold below 1") {
    deploy["threshold"] = 0;
    expected_path = "/environments/prod/actions/deploy/threshold";
  }
  SECTION("threshold of the wrong type") {
    deploy["threshold"] = "2";
    expected_path = "/environments/prod/actions/deploy/threshold";
  }
  SECTION("misspelt member") {
    deploy["treshold"] = 2;
    expected_path = "/environments/prod/actions/deploy/treshold";
  }
  SECTION("unknown duty in a rule") {
    doc["environments"]["prod"]["rules"][0]["require_duties"] = {"chief_vibes_officer"};
    expected_path = "/environments/prod/rules/0/require_duties";
  }
  SECTION("unknown tier in a rule") {
    doc["environments"]["prod"]["rules"][0]["when"]["risk_tier"]["at_least"] = "spicy";
    expected_path = "/environments/prod/rules/0/when/risk_tier";
  }
  SECTION("unknown source environment") {
    doc["environments"]["prod"]["actions"]["replay.execute"]["source_environments"] = {"qa"};
    expected_path = "/environments/prod/actions/replay.execute/source_environments";
  }
  SECTION("unknown frozen environment") {
    doc["overrides"]["frozen_environments"] = {"qa"};
    expected_path = "/overrides/frozen_environments";
  }
  SECTION("a required action without capabilities") {
    deploy.erase("capabilities");
    expected_path = "/environments/prod/actions/deploy/capabilities";
  }
  SECTION("approval settings on an action that needs none") {
    doc["environments"]["prod"]["actions"]["replay.dry_run"]["threshold"] = 1;
    expected_path = "/environments/prod/actions/replay.dry_run/threshold";
  }
  SECTION("a hardened destination that is not a destination") {
    deploy["hardened_destinations"] = {"moon"};
    expected_path = "/environments/prod/actions/deploy/hardened_destinations";
  }
  SECTION("bad approval mode") {
    deploy["approval"] = "maybe";
    expected_path = "/environments/prod/actions/deploy/approval";
  }
  SECTION("a rule that requires nothing") {
    doc["environments"]["prod"]["rules"][0].erase("require_duties");
    expected_path = "/environments/prod/rules/0/require_duties";
  }
  SECTION("missing id") {
    doc.erase("id");
    expected_path = "/id";
  }
  SECTION("unsupported version") {
    doc["version"] = 2;
    expected_path = "/version";
  }
  SECTION("break-glass without owners") {
    doc["environments"]["prod"]["break_glass"].erase("owners");
    expected_path = "/environments/prod/break_glass/owners";
  }
  const auto [path, message] = load_error(doc);
  INFO(message);
  CHECK(path == expected_path);
  CHECK_FALSE(message.empty());
}

TEST_CASE("policy text with duplicate members is refused", "[policy][errors]") {
  const std::string text = R"({"version":1,"id":"a","id":"b","roles":["r"],"environments":{}})";
  auto r = assent::load_policy(std::string_view(text));
  CHECK_FALSE(r.ok());
  CHECK(r.describe().find("duplicate") != std::string::npos);
}

TEST_CASE("policy defaults are the safe ones", "[policy]") {
  const nlohmann::json doc = {
      {"version", 1},
      {"id", "minimal"},
      {"roles", {"member"}},
      {"environments", {{"dev", {{"actions", {{"deploy", {{"approval", "required"}, {"capabilities", {"deploy"}}}}}}}}}}};
  const auto pol = load_ok(doc);
  assent::request req = policy_deploy_request();
  req.environment = "dev";
  req.destination.reset();
  auto res = pol.resolve(req);
  REQUIRE(res.effective);
  CHECK(res.denials.empty());
  CHECK(res.effective->threshold == 1);
  CHECK_FALSE(res.effective->self_approval);
  CHECK_FALSE(res.effective->separation_of_duties);
  CHECK_FALSE(res.effective->break_glass.allowed);
  CHECK(res.effective->clock_skew_seconds == 60);
  CHECK(res.effective->max_credential_lifetime_seconds == 86400);
}

TEST_CASE("check_key_set lists key roles and environments the policy does not name", "[policy][keys]") {
  const auto pol = assent::load_policy(std::string(R"({"version":1,"id":"p","roles":["developer","admin"],
    "duties":["security_owner"],"environments":{"prod":{"actions":{"deploy":{"approval":"none"}}}}})"));
  REQUIRE(pol.ok());
  const auto key = [](const std::string& kid, std::vector<std::string> roles,
                      std::optional<std::vector<std::string>> envs) {
    assent::key_record_spec spec;
    spec.kid = kid;
    spec.principal = kid;
    spec.roles = std::move(roles);
    spec.environments = std::move(envs);
    spec.public_key = assent::crypto::ed25519::secret_key::from_seed(assent::crypto::ed25519::seed{}).public_bytes();
    auto rec = assent::key_record::create(spec);
    REQUIRE(rec.first.has_value());
    return *rec.first;
  };
  assent::memory_key_store agreeing;
  REQUIRE_FALSE(agreeing.add(key("a", {"admin", "security_owner"}, std::vector<std::string>{"prod"})));
  CHECK(assent::check_key_set(*pol.value, agreeing).empty());
  assent::memory_key_store typo;
  REQUIRE_FALSE(typo.add(key("b", {"amdin"}, std::vector<std::string>{"prod", "qa"})));
  const auto found = assent::check_key_set(*pol.value, typo);
  REQUIRE(found.size() == 2);
  CHECK((found[0].kid == "b" && found[0].member == "roles" && found[0].value == "amdin"));
  CHECK((found[1].member == "environments" && found[1].value == "qa"));
}
