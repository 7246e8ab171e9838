# Checks that a documentation page quotes a compiled example verbatim: the
# lines between "// begin: NAME" and "// end: NAME" in EXAMPLE, with their
# common two-space indent removed, must appear in DOC.
# Inputs: EXAMPLE, DOC, NAME.
file(READ "${EXAMPLE}" example_text)
file(READ "${DOC}" doc_text)
string(FIND "${example_text}" "// begin: ${NAME}\n" begin_at)
string(FIND "${example_text}" "  // end: ${NAME}" end_at)
if(begin_at EQUAL -1 OR end_at EQUAL -1)
  message(FATAL_ERROR "${EXAMPLE}: markers for '${NAME}' not found")
endif()
string(LENGTH "// begin: ${NAME}\n" marker_length)
math(EXPR start "${begin_at} + ${marker_length}")
math(EXPR length "${end_at} - ${start}")
string(SUBSTRING "${example_text}" ${start} ${length} snippet)
string(REGEX REPLACE "(^|\n)  " "\\1" snippet "${snippet}")
string(FIND "${doc_text}" "${snippet}" found_at)
if(found_at EQUAL -1)
  message(FATAL_ERROR "${DOC} does not quote the current '${NAME}' snippet of ${EXAMPLE}:\n${snippet}")
endif()
message(STATUS "${DOC} quotes '${NAME}' from ${EXAMPLE}")
