# Warning flags for assent's own executables (tests, examples, bench), never
# pushed onto consumers through the INTERFACE target.
add_library(assent_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(assent_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    $<$<BOOL:${ASSENT_WARNINGS_AS_ERRORS}>:-Werror>)
elseif(MSVC)
  target_compile_options(assent_warnings INTERFACE /W4 $<$<BOOL:${ASSENT_WARNINGS_AS_ERRORS}>:/WX>)
endif()
