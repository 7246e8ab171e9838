// Property: for random policies, requests and credentials, respelling any string of the request
// or of a credential's claims — by case, white space, an invisible Unicode format character — or
// changing a value's JSON type never turns a deny into an allow. This is the fail-open class of
// confusable identities and unevaluable rules, tried wholesale instead of case by case.
#include <random>

#include "catch.hpp"
#include "decision_fixture.hpp"
#include "test_util.hpp"

namespace threat_property_test {
using namespace decision_fixture;

namespace {

using test_verifier = assent::verifier<assent::policy, assent::approval_claims, assent::fixed_clock>;

template <typename T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& from) {
  return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
}
bool coin(std::mt19937_64& rng, double p = 0.5) { return std::bernoulli_distribution(p)(rng); }

// One way a person or tool may spell a string differently.
std::string respell(std::mt19937_64& rng, std::string s) {
  static const std::vector<std::string> invisible = {"\xE2\x80\x8B", "\xC2\xAD", "\xEF\xBB\xBF", "\xE2\x80\x8D",
                                                     "\xE2\x81\xA0"};
  static const std::vector<std::string> spaces = {" ", "\t", "\n", "\xC2\xA0", std::string(1, '\0')};
  const std::size_t at = s.empty() ? 0 : std::uniform_int_distribution<std::size_t>(0, s.size())(rng);
  switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 0: {  // case
      bool changed = false;
      for (auto& c : s) {
        if (c >= 'a' && c <= 'z' && (coin(rng) || !changed)) {
          c = static_cast<char>(c - 'a' + 'A');
          changed = true;
        }
      }
      if (changed) return s;
      return s + "X";
    }
    case 1: return coin(rng) ? pick(rng, spaces) + s : s + pick(rng, spaces);
    case 2: return s.substr(0, at) + pick(rng, invisible) + s.substr(at);
    default: return s.substr(0, at) + pick(rng, spaces) + s.substr(at);
  }
}

// Another JSON type for the same fact: "true" for true, 1 for "1", ...
nlohmann::json retype(std::mt19937_64& rng, const nlohmann::json& v) {
  if (v.is_boolean()) return coin(rng) ? nlohmann::json(v.get<bool>() ? "true" : "false") : nlohmann::json(v.get<bool>() ? 1 : 0);
  if (v.is_number()) return nlohmann::json(v.dump());
  if (v.is_string()) return coin(rng) ? nlohmann::json(true) : nlohmann::json(1);
  return nlohmann::json("x");
}

struct random_case {
  nlohmann::json policy;
  assent::request req;
  std::vector<assent::approval_claims> claims;
  std::vector<std::string> kids;
};

random_case make_case(std::mt19937_64& rng) {
  random_case rc;
  rc.policy = acme_policy_document();
  auto& deploy = rc.policy["environments"]["prod"]["actions"]["deploy"];
  deploy["threshold"] = std::uniform_int_distribution<int>(1, 3)(rng);
  deploy["self_approval"] = coin(rng, 0.3);
  deploy["separation_of_duties"] = coin(rng);
  deploy["min_approver_role"] = pick(rng, std::vector<std::string>{"developer", "admin"});
  if (coin(rng, 0.3)) deploy.erase("min_initiator_role");
  rc.policy["environments"]["prod"]["rules"].push_back(
      {{"when", {{"region", "eu"}, {"risk_tier", {{"at_least", "medium"}}}}}, {"min_threshold", 3}});
  rc.req = deploy_request();
  rc.req.initiator = pick(rng, std::vector<std::string>{"bob", "alice", "dave", "frank"});
  rc.req.destination = pick(rng, std::vector<std::string>{"eu-west", "us-east", "hooks"});
  nlohmann::json attrs = nlohmann::json::object();
  if (coin(rng, 0.8)) attrs["risk_tier"] = pick(rng, std::vector<std::string>{"low", "medium", "high", "critical"});
  if (coin(rng)) attrs["modifies_code"] = coin(rng);
  if (coin(rng)) attrs["affects_production_traffic"] = coin(rng);
  if (coin(rng)) attrs["region"] = pick(rng, std::vector<std::string>{"eu", "us"});
  rc.req.attributes = attrs;
  const std::vector<std::string> all = {"alice-1", "bob-1", "carol-1", "dave-1", "erin-1", "frank-1"};
  for (const auto& kid : all) {
    if (!coin(rng, 0.45)) continue;
    const std::string principal = kid.substr(0, kid.find('-'));
    auto c = claims_for(principal, "c-" + kid);
    if (coin(rng, 0.3)) c.initiator = rc.req.initiator;
    if (coin(rng, 0.3)) c.destination = rc.req.destination;
    rc.claims.push_back(c);
    rc.kids.push_back(kid);
  }
  return rc;
}

// Every string a mutation can reach: request members and attributes, claims members.
enum class target : int { action, project, environment, initiator, role, destination, attribute_value,
                          attribute_type, claims_approver, claims_project, claims_environment,
                          claims_initiator, claims_destination, claims_capability, count };

}  // namespace

TEST_CASE("property: respelling or retyping any request or claims string never turns a deny into an allow",
          "[threat][decision][property][names]") {
  world w;
  std::mt19937_64 rng(assent_test::differential_seed() ^ 0x6e616d6573ULL);
  const std::size_t cases = assent_test::differential_count() * 4;
  std::size_t denies = 0, mutated_denies = 0;
  for (std::size_t iteration = 0; iteration < cases; ++iteration) {
    const auto rc = make_case(rng);
    const auto pol = load(rc.policy);
    recording_sink sink;
    test_verifier v(pol, w.store, sink, {}, assent::fixed_clock{now});
    const auto decide = [&](const assent::request& req, const std::vector<assent::approval_claims>& claims) {
      std::vector<std::string> creds;
      for (std::size_t i = 0; i < claims.size(); ++i) creds.push_back(forge(claims[i], w.keys.at(rc.kids[i])));
      return v.decide(req, creds);
    };
    const auto original = decide(rc.req, rc.claims);
    if (original.allowed) continue;
    ++denies;
    for (int m = 0; m < 12; ++m) {
      auto req = rc.req;
      auto claims = rc.claims;
      const auto t = static_cast<target>(std::uniform_int_distribution<int>(0, static_cast<int>(target::count) - 1)(rng));
      auto* c = claims.empty() ? nullptr : &claims[std::uniform_int_distribution<std::size_t>(0, claims.size() - 1)(rng)];
      switch (t) {
        case target::action: req.action = respell(rng, req.action); break;
        case target::project: req.project = respell(rng, req.project); break;
        case target::environment: req.environment = respell(rng, req.environment); break;
        case target::initiator: req.initiator = respell(rng, req.initiator); break;
        case target::role:
          req.initiator_roles = {respell(rng, req.initiator_roles.empty() ? "developer" : req.initiator_roles[0])};
          break;
        case target::destination: req.destination = respell(rng, req.destination.value_or("hooks")); break;
        case target::attribute_value:
        case target::attribute_type: {
          if (req.attributes.empty()) req.attributes["risk_tier"] = "high";
          auto it = req.attributes.begin();
          std::advance(it, std::uniform_int_distribution<std::ptrdiff_t>(
                               0, static_cast<std::ptrdiff_t>(req.attributes.size()) - 1)(rng));
          if (t == target::attribute_value && it->is_string()) *it = respell(rng, it->get<std::string>());
          else *it = retype(rng, *it);
          break;
        }
        case target::claims_approver: if (c) c->approver = respell(rng, c->approver.value_or("alice")); break;
        case target::claims_project: if (c) c->project = respell(rng, c->project); break;
        case target::claims_environment: if (c) c->environment = respell(rng, c->environment); break;
        case target::claims_initiator: if (c) c->initiator = respell(rng, c->initiator.value_or(req.initiator)); break;
        case target::claims_destination:
          if (c) c->destination = respell(rng, c->destination.value_or(req.destination.value_or("hooks")));
          break;
        case target::claims_capability: if (c) c->capabilities = {respell(rng, "deploy")}; break;
        case target::count: break;
      }
      const auto d = decide(req, claims);
      ++mutated_denies;
      INFO("iteration " << iteration << " mutation " << static_cast<int>(t) << "\npolicy deploy "
                        << rc.policy["environments"]["prod"]["actions"]["deploy"].dump() << "\noriginal "
                        << to_json(original).dump() << "\nmutated " << to_json(d).dump());
      CHECK_FALSE(d.allowed);
    }
  }
  // The generator must produce denies worth mutating, or the property proves nothing.
  CHECK(denies > cases / 4);
  CHECK(mutated_denies >= denies * 12);
}

}  // namespace threat_property_test
