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
       "/attributes"},
      {R"({"action":"a","project":"","environment":"e","spec_hash":"h","initiator":"i"})", "/project"},
  };
  for (const auto& [text, path] : cases) {
    const auto r = assent::parse_request(std::string_view(text));
    INFO(text);
    CHECK_FALSE(r.ok());
    CHECK(r.path == path);
  }
  // Content rules are request_fault's (the verifier's): the document parses, its fault has a path.
  const std::string hash = "sha256:" + std::string(64, 'a');
  const std::vector<std::pair<std::string, std::string>> content = {
      {R"({"action":"a","project":"p","environment":"e","spec_hash":"h","initiator":"i"})", "/spec_hash"},
      {R"({"action":"a","project":"p","environment":"Prod","initiator":"i","spec_hash":")" + hash + "\"}", "/environment"},
      {R"({"action":"a","project":"p","environment":"e","initiator":"i","initiator_roles":["dev","Dev"],"spec_hash":")" +
           hash + "\"}",
       "/initiator_roles/1"},
      {R"({"action":"a","project":"p","environment":"e","initiator":"i","attributes":{"Risk":"x"},"spec_hash":")" +
           hash + "\"}",
       "/attributes"},
      {R"({"action":"a","project":"p","environment":"e","initiator":"alice ","spec_hash":")" + hash + "\"}", "/initiator"},
  };
  for (const auto& [text, path] : content) {
    INFO(text);
    const auto r = assent::parse_request(std::string_view(text));
    REQUIRE(r.ok());
    const auto fault = assent::request_fault(*r.value);
    REQUIRE(fault.has_value());
    CHECK(fault->first == path);
  }
  const auto dup = assent::parse_request(std::string_view(R"({"action":"a","action":"b"})"));
  CHECK_FALSE(dup.ok());
  CHECK(dup.message.find("duplicate") != std::string::npos);
}
