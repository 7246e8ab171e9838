# Install rules: headers, exported targets (assent::assent), a package config
# that finds nlohmann_json for the consumer, an architecture-independent
# version file, a build-tree export and a pkg-config file.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ASSENT_CMAKE_INSTALL_DIR "${CMAKE_INSTALL_DATADIR}/cmake/assent"
    CACHE STRING "Where assentConfig.cmake is installed")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/assent" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(TARGETS assent EXPORT assentTargets)
install(EXPORT assentTargets NAMESPACE assent:: DESTINATION "${ASSENT_CMAKE_INSTALL_DIR}")
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/assent")

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/assentConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/assentConfig.cmake"
  INSTALL_DESTINATION "${ASSENT_CMAKE_INSTALL_DIR}")
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/assentConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion
  ARCH_INDEPENDENT)
install(FILES
  "${PROJECT_BINARY_DIR}/assentConfig.cmake"
  "${PROJECT_BINARY_DIR}/assentConfigVersion.cmake"
  DESTINATION "${ASSENT_CMAKE_INSTALL_DIR}")

# Build-tree export: find_package(assent) works against a build directory too.
export(EXPORT assentTargets NAMESPACE assent:: FILE "${PROJECT_BINARY_DIR}/assentTargets.cmake")

# pkg-config: headers plus nlohmann_json's flags. The prefix is found from where the .pc file
# lies (${pcfiledir}), so `cmake --install build --prefix P` gives a file that points into P, not
# into the prefix the build was configured with.
if(IS_ABSOLUTE "${CMAKE_INSTALL_DATADIR}")
  set(ASSENT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _assent_pc_up "/p/${CMAKE_INSTALL_DATADIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" _assent_pc_up "${_assent_pc_up}")
  set(ASSENT_PC_PREFIX "\${pcfiledir}/${_assent_pc_up}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(ASSENT_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(ASSENT_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/assent.pc.in" "${PROJECT_BINARY_DIR}/assent.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/assent.pc" DESTINATION "${CMAKE_INSTALL_DATADIR}/pkgconfig")
