/// @file
/// The single source of truth for assent's version: CMake parses these three
/// macros into `project()`, so a release bumps exactly one place.
#pragma once

#define ASSENT_VERSION_MAJOR 0
#define ASSENT_VERSION_MINOR 1
#define ASSENT_VERSION_PATCH 0

/// Version as one integer (major * 10000 + minor * 100 + patch), for `#if`.
#define ASSENT_VERSION (ASSENT_VERSION_MAJOR * 10000 + ASSENT_VERSION_MINOR * 100 + ASSENT_VERSION_PATCH)

#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE

/// The library version as "major.minor.patch".
[[nodiscard]] constexpr const char* version_string() noexcept { return "0.1.0"; }

/// The library version, split.
struct version_info {
  int major;
  int minor;
  int patch;
};

/// The version the headers in use were released as.
[[nodiscard]] constexpr version_info version() noexcept {
  return {ASSENT_VERSION_MAJOR, ASSENT_VERSION_MINOR, ASSENT_VERSION_PATCH};
}

ASSENT_END_NAMESPACE
