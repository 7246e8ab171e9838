// parse_approval_claims on arbitrary bytes: never crashes, leaks or throws; whatever it accepts
// writes back (to_json) to claims it accepts again, unchanged, whether read as a JSON value or as
// the compact text an issuer signs. The plain (tree-free) reader agrees with the full one.
#include <cstddef>
#include <cstdint>
#include <string>

#include "assent/credential/claims.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto r = assent::parse_approval_claims(assent::byte_view(data, size));
  // The plain reader (no JSON tree) may only accept what the full reader accepts, with the same
  // values; and parse_approval_claims answers as the full reader, fault for fault.
  const auto tree = assent::detail::parse_claims_tree<assent::approval_claims>(assent::byte_view(data, size));
  ASSENT_FUZZ_CHECK(r.ok() == tree.ok() && r.error == tree.error);
  {
    assent::approval_claims plain;
    if (assent::detail::read_plain_claims(std::string_view(reinterpret_cast<const char*>(data), size), plain)) {
      ASSENT_FUZZ_CHECK(tree.ok() && assent::to_json(plain) == assent::to_json(*tree.claims));
    }
  }
  if (!r.ok()) {
    ASSENT_FUZZ_CHECK(!r.error.empty());
    return 0;
  }
  const assent::approval_claims& c = *r.claims;
  ASSENT_FUZZ_CHECK(!c.id.empty() && !c.project.empty() && !c.environment.empty() &&
                    !c.capabilities.empty());
  ASSENT_FUZZ_CHECK(c.expires_at > c.issued_at);
  ASSENT_FUZZ_CHECK(!c.not_before || *c.not_before < c.expires_at);
  ASSENT_FUZZ_CHECK(c.ext.is_null() || c.ext.is_object());

  const nlohmann::json j = assent::to_json(c);
  const auto again = assent::parse_approval_claims(j);
  ASSENT_FUZZ_CHECK(again.ok());
  ASSENT_FUZZ_CHECK(assent::to_json(*again.claims) == j);

  const std::string body = j.dump();
  const auto from_text = assent::parse_approval_claims(assent::byte_view(body));
  ASSENT_FUZZ_CHECK(from_text.ok());
  ASSENT_FUZZ_CHECK(assent::to_json(*from_text.claims) == j);
  ASSENT_FUZZ_CHECK(assent::to_json(*from_text.claims).dump() == body);
  return 0;
}
