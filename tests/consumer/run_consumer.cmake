# Builds and runs a small consumer project the way a user would, either
# against an installed copy (find_package) or by add_subdirectory.
# Inputs: ASSENT_SOURCE_DIR, WORK_DIR, MODE, CXX_COMPILER.
cmake_minimum_required(VERSION 3.16)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(consumer_src "${ASSENT_SOURCE_DIR}/tests/consumer/${MODE}")

if(MODE STREQUAL "find_package")
  set(prefix "${WORK_DIR}/prefix")
  # Configured for one prefix, installed into another (`cmake --install --prefix`, as packagers
  # and users with a private prefix do): every installed file must point into where it lies.
  run("${CMAKE_COMMAND}" -S "${ASSENT_SOURCE_DIR}" -B "${WORK_DIR}/assent-build"
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_INSTALL_PREFIX=${WORK_DIR}/configured-prefix
      -DASSENT_BUILD_TESTS=OFF -DASSENT_BUILD_EXAMPLES=OFF -DASSENT_BUILD_BENCH=OFF
      -DASSENT_INSTALL=ON)
  # The command-line tool is part of the install (keygen, approve and hash are in every workflow).
  run("${CMAKE_COMMAND}" --build "${WORK_DIR}/assent-build" --target assent-cli)
  run("${CMAKE_COMMAND}" --install "${WORK_DIR}/assent-build" --prefix "${prefix}")
  run("${prefix}/bin/assent" --version)
  foreach(f include/assent/assent.hpp include/assent/version.hpp
            share/cmake/assent/assentConfig.cmake share/cmake/assent/assentConfigVersion.cmake
            share/cmake/assent/assentTargets.cmake share/pkgconfig/assent.pc)
    if(NOT EXISTS "${prefix}/${f}")
      message(FATAL_ERROR "install is missing ${f}")
    endif()
  endforeach()
  # The pkg-config file must resolve (its Requires names nlohmann_json).
  find_program(PKG_CONFIG pkg-config)
  if(PKG_CONFIG)
    set(ENV{PKG_CONFIG_PATH} "${prefix}/share/pkgconfig")
    run("${PKG_CONFIG}" --cflags assent)
    string(STRIP "${last_output}" pc_cflags)
    if(NOT pc_cflags MATCHES "-I${prefix}/share/pkgconfig/\\.\\./\\.\\./include")
      message(FATAL_ERROR "pkg-config --cflags assent gave: ${pc_cflags}")
    endif()
    # A consumer built with nothing but pkg-config's flags.
    separate_arguments(pc_flags UNIX_COMMAND "${pc_cflags}")
    run("${CXX_COMPILER}" ${pc_flags} "${ASSENT_SOURCE_DIR}/tests/consumer/app.cpp" -o "${WORK_DIR}/app-pkg-config")
    run("${WORK_DIR}/app-pkg-config")
    if(NOT last_output MATCHES "assent [0-9]+\\.[0-9]+\\.[0-9]+")
      message(FATAL_ERROR "pkg-config consumer printed: ${last_output}")
    endif()
    if(EXISTS "${WORK_DIR}/configured-prefix")
      message(FATAL_ERROR "the install wrote into the configure-time prefix")
    endif()
  endif()
  run("${CMAKE_COMMAND}" -S "${consumer_src}" -B "${WORK_DIR}/app-build"
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix})
else()
  run("${CMAKE_COMMAND}" -S "${consumer_src}" -B "${WORK_DIR}/app-build"
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DASSENT_SOURCE_DIR=${ASSENT_SOURCE_DIR})
endif()

run("${CMAKE_COMMAND}" --build "${WORK_DIR}/app-build")
run("${WORK_DIR}/app-build/app")
if(NOT last_output MATCHES "assent [0-9]+\\.[0-9]+\\.[0-9]+")
  message(FATAL_ERROR "consumer app printed: ${last_output}")
endif()
message(STATUS "consumer (${MODE}) ok: ${last_output}")
