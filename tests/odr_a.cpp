// ODR test, first half: the umbrella header in one translation unit...
#include "assent/assent.hpp"

#include "catch.hpp"

namespace odr {
std::string version_from_b();
}

TEST_CASE("two translation units include the umbrella header and link together", "[odr]") {
  CHECK(odr::version_from_b() == assent::version_string());
}
