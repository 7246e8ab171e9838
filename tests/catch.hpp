// Catch2 2.x (Debian 12) and 3.x differ in header layout; tests include this.
#pragma once
#if ASSENT_CATCH_MAJOR == 3
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#else
#include <catch2/catch.hpp>
#endif
