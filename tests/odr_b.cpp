// ...and in a second one. A non-inline definition in any header breaks the link.
#include <string>

#include "assent/assent.hpp"

namespace odr {
std::string version_from_b() { return assent::version_string(); }
}  // namespace odr
