#include <string>

#include "assent/version.hpp"
#include "catch.hpp"

TEST_CASE("version string agrees with the version macros", "[version]") {
  const auto v = assent::version();
  const std::string expected =
      std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch);
  CHECK(expected == assent::version_string());
  CHECK(ASSENT_VERSION == v.major * 10000 + v.minor * 100 + v.patch);
}

TEST_CASE("public names live in a versioned inline namespace", "[version]") {
  // assent::v0::version_string and assent::version_string are one entity.
  CHECK(&assent::v0::version_string == &assent::version_string);
}
