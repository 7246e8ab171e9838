// The host's request document: strict parsing with JSON paths.
#include <string>

#include "assent/request.hpp"
#include "catch.hpp"

TEST_CASE("request parses the documented shape", "[request]") {
  const std::string text = R"({"action": "deploy", "project": "payments", "environment": "prod",
    "spec_hash": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "initiator": "bob",
    "initiator_roles": ["developer"], "destination": "eu-west", "source_environment": "prod",
    "attributes": {"risk_tier": "high", "modifies_data_lineage": false, "services": 3}})";
  const auto r = assent::parse_request(std::string_view(text));
  INFO(r.describe());
  REQUIRE(r.ok());
  CHECK(r.value->action == "deploy");
  CHECK(r.value->initiator_roles == std::vector<std::string>{"developer"});
  CHECK(r.value->destination == "eu-west");
  CHECK(r.value->source_environment == "prod");
  CHECK(r.value->attributes["risk_tier"] == "high");
  CHECK(r.value->attributes["services"] == 3);
}

TEST_CASE("request refuses bad documents with the JSON path", "[request][errors]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"project":"p","environment":"e","spec_hash":"h","initiator":"i"})", "/action"},
      {R"({"action":1,"project":"p","environment":"e","spec_hash":"h","initiator":"i"})", "/action"},
      {R"({"action":"a","project":"p","environment":"e","spec_hash":"h","initiator":"i","initator_roles":[]})",
       "/initator_roles"},
      {R"({"action":"a","project":"p","environment":"e","spec_hash":"h","initiator":"i","attributes":[]})", "/attributes"},
      {R"({"action":"a","project":"p","environment":"e","spec_hash":"h","initiator":"i","attributes":{"x":{}}})",
       "/spec_hash"},
      {R"({"action":"a","project":"p","environment":"e","initiator":"i","attributes":{"x":{}},
           "spec_hash":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})",
       "/attributes/x"},
      {R"({"action":"a","project":"p","environment":"Prod","initiator":"i",
           "spec_hash":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})",
       "/environment"},
      {R"({"action":"a","project":"p","environment":"e","initiator":"i","initiator_roles":["dev", "Dev"],
           "spec_hash":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})",
       "/initiator_roles/1"},
      {R"({"action":"a","project":"p","environment":"e","initiator":"i","attributes":{"Risk":"x"},
           "spec_hash":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})",
       "/attributes"},
      {R"({"action":"a","project":"","environment":"e","spec_hash":"h","initiator":"i"})", "/project"},
  };
  for (const auto& [text, path] : cases) {
    const auto r = assent::parse_request(std::string_view(text));
    INFO(text);
    CHECK_FALSE(r.ok());
    CHECK(r.path == path);
  }
  const auto dup = assent::parse_request(std::string_view(R"({"action":"a","action":"b"})"));
  CHECK_FALSE(dup.ok());
  CHECK(dup.message.find("duplicate") != std::string::npos);
}
