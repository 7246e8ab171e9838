// Trusted key sets and private JWKs: no crash and no sanitizer report on any input, every refusal
// says why, and whatever loads round-trips (export, canonicalize, reload gives the same keys).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "assent/json/jcs.hpp"
#include "assent/keys/jwks.hpp"
#include "assent/keys/private_key.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto set = assent::load_jwks(text);
  if (set.ok()) {
    ASSENT_FUZZ_CHECK(set.store->size() > 0);
    set.store->for_each([](const assent::key_record& r) {
      ASSENT_FUZZ_CHECK(assent::crypto::ed25519::is_valid_public_key(r.public_key()));
      ASSENT_FUZZ_CHECK(!r.principal().empty());
    });
    const auto exported = assent::to_jwks(*set.store);
    const auto canonical = assent::json::canonicalize(exported);
    ASSENT_FUZZ_CHECK(canonical.has_value());
    const auto again = assent::load_jwks(*canonical);
    ASSENT_FUZZ_CHECK(again.ok());
    ASSENT_FUZZ_CHECK(assent::to_jwks(*again.store) == exported);
  } else {
    ASSENT_FUZZ_CHECK(!set.error.message.empty());
  }

  const auto key = assent::load_signing_key(text);
  if (key.ok()) {
    const auto again = assent::load_private_jwk(assent::to_private_jwk(*key.key));
    ASSENT_FUZZ_CHECK(again.ok());
    ASSENT_FUZZ_CHECK(again.key->seed() == key.key->seed());
    ASSENT_FUZZ_CHECK(again.key->kid() == key.key->kid());
    ASSENT_FUZZ_CHECK(again.key->principal() == key.key->principal());
  } else {
    ASSENT_FUZZ_CHECK(!key.error.message.empty());
  }
  return 0;
}
