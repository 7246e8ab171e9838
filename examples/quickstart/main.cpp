// quickstart: the main demo (README, first command). It grows with the
// library; everything it prints is computed when it runs.
#include <assent/assent.hpp>
#include <iostream>

int main() {
  std::cout << "assent " << assent::version_string() << "\n";
  return 0;
}
