// libsodium as an independent encoder for the key tests, so they do not trust the code under
// test to build their input.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace assent_test {

/// base64url without padding (RFC 4648 §5, as JWKs use it), by libsodium.
inline std::string b64url(const std::uint8_t* data, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}
template <std::size_t N>
std::string b64url(const std::array<std::uint8_t, N>& a) {
  return b64url(a.data(), a.size());
}

}  // namespace assent_test
