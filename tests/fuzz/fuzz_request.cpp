// parse_request on arbitrary bytes: never crashes, leaks or throws; a fault names a cause. A
// request it reads has attributes every reader reads alike (json/number.hpp), so they have a
// canonical form (the audit record holds it); and reading the document's canonical form gives
// the same request.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "assent/json/jcs.hpp"
#include "assent/json/number.hpp"
#include "assent/json/strict_parse.hpp"
#include "assent/request.hpp"
#include "fuzz_check.hpp"

namespace {

bool same_request(const assent::request& a, const assent::request& b) {
  return a.action == b.action && a.project == b.project && a.environment == b.environment &&
         a.spec_hash == b.spec_hash && a.initiator == b.initiator && a.initiator_roles == b.initiator_roles &&
         a.destination == b.destination && a.source_environment == b.source_environment &&
         assent::json::canonicalize(a.attributes) == assent::json::canonicalize(b.attributes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const assent::request_result r = assent::parse_request(text);
  if (!r.ok()) {
    ASSENT_FUZZ_CHECK(!r.message.empty());
    ASSENT_FUZZ_CHECK(r.path.empty() || r.path[0] == '/');
    return 0;
  }
  const assent::request& req = *r.value;
  ASSENT_FUZZ_CHECK(req.attributes.is_object());
  ASSENT_FUZZ_CHECK(!assent::json::inexact_number_path(req.attributes));
  for (const auto& item : req.attributes.items()) ASSENT_FUZZ_CHECK(assent::is_valid_attribute_value(item.value()));
  ASSENT_FUZZ_CHECK(assent::json::canonicalize(req.attributes).has_value());

  const auto parsed = assent::json::parse_strict(text);
  ASSENT_FUZZ_CHECK(parsed.ok());
  const auto canonical = assent::json::canonicalize(*parsed.value);
  ASSENT_FUZZ_CHECK(canonical.has_value());
  const assent::request_result again = assent::parse_request(std::string_view(*canonical));
  ASSENT_FUZZ_CHECK(again.ok() && same_request(*again.value, req));
  return 0;
}
