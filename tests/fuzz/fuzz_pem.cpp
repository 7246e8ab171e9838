// DER and PEM Ed25519 keys: no crash and no sanitizer report on any input, every refusal says why,
// and DER's one-encoding-per-value holds: an accepted public key or 48-byte (v1) private key
// re-encodes to exactly the input bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "assent/keys/pem.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const assent::byte_view der(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;

  if (const auto pk = assent::parse_public_key_der(der, &error)) {
    const auto again = assent::to_public_key_der(*pk);
    ASSENT_FUZZ_CHECK(size == again.size() && std::memcmp(data, again.data(), size) == 0);
  } else {
    ASSENT_FUZZ_CHECK(!error.empty());
  }

  error.clear();
  if (const auto seed = assent::parse_private_key_der(der, &error)) {
    const auto again = assent::to_private_key_der(*seed);
    // v1 without attributes is the only 48-byte form; v2 and keys with attributes are longer.
    ASSENT_FUZZ_CHECK(size != again.size() || std::memcmp(data, again.data(), size) == 0);
    ASSENT_FUZZ_CHECK(assent::parse_private_key_der(again) == seed);
  } else {
    ASSENT_FUZZ_CHECK(!error.empty());
  }

  error.clear();
  if (const auto pk = assent::parse_public_key_pem(text, &error)) {
    ASSENT_FUZZ_CHECK(assent::parse_public_key_pem(assent::to_public_key_pem(*pk)) == pk);
  } else {
    ASSENT_FUZZ_CHECK(!error.empty());
  }

  error.clear();
  if (const auto seed = assent::parse_private_key_pem(text, &error)) {
    ASSENT_FUZZ_CHECK(assent::parse_private_key_pem(assent::to_private_key_pem(*seed)) == seed);
  } else {
    ASSENT_FUZZ_CHECK(!error.empty());
  }
  return 0;
}
