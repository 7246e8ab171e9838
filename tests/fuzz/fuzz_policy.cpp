// load_policy on arbitrary bytes: never crashes, leaks or throws; a fault names a JSON pointer
// and a cause. A policy it loads has a valid hash, which is the spec hash of the document as
// assent hash computes it (straight from the text), and loading the document's canonical form
// gives the same policy id and hash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "assent/json/jcs.hpp"
#include "assent/json/strict_parse.hpp"
#include "assent/policy/load.hpp"
#include "assent/spec_hash.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const assent::policy_result r = assent::load_policy(text);
  if (!r.ok()) {
    ASSENT_FUZZ_CHECK(!r.error.message.empty());
    ASSENT_FUZZ_CHECK(r.error.path.empty() || r.error.path[0] == '/');
    return 0;
  }
  const assent::policy& p = *r.value;
  ASSENT_FUZZ_CHECK(assent::is_valid_spec_hash(p.hash()));
  ASSENT_FUZZ_CHECK(!p.id().empty());

  // The policy hash is the document's spec hash, by either canonical writer.
  const auto doc = assent::hash_document(text);
  ASSENT_FUZZ_CHECK(doc.json && doc.hash == p.hash());

  // Its canonical form is the same policy.
  const auto parsed = assent::json::parse_strict(text);
  ASSENT_FUZZ_CHECK(parsed.ok());
  const auto canonical = assent::json::canonicalize(*parsed.value);
  ASSENT_FUZZ_CHECK(canonical.has_value());
  const assent::policy_result again = assent::load_policy(std::string_view(*canonical));
  ASSENT_FUZZ_CHECK(again.ok() && again.value->id() == p.id() && again.value->hash() == p.hash());
  return 0;
}
