// A user's program: includes the umbrella header and uses the library.
#include <assent/assent.hpp>
#include <iostream>

int main() {
  std::cout << "assent " << assent::version_string() << "\n";
  return 0;
}
