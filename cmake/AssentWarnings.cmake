# Warning flags for assent's own executables (tests, examples, bench), never
# pushed onto consumers through the INTERFACE target.
add_library(assent_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(assent_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    $<$<BOOL:${ASSENT_WARNINGS_AS_ERRORS}>:-Werror>)
  # GCC 12's flow analysis is confused by the sanitizers' instrumentation: with
  # -fsanitize it reports std::function members inside libstdc++'s <regex>
  # (pulled in by Catch2's runner) as "maybe uninitialized". The warning is
  # false there and stays on in every build without sanitizers, which is where
  # it can find real bugs.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_FLAGS MATCHES "-fsanitize")
    target_compile_options(assent_warnings INTERFACE -Wno-maybe-uninitialized)
  endif()
elseif(MSVC)
  target_compile_options(assent_warnings INTERFACE /W4 $<$<BOOL:${ASSENT_WARNINGS_AS_ERRORS}>:/WX>)
endif()
