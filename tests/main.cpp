// Catch2 2.x needs one translation unit to provide main(); 3.x links Catch2WithMain.
#if defined(ASSENT_CATCH2_NEEDS_MAIN)
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif
