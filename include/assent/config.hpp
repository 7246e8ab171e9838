/// @file
/// Namespace and compiler plumbing shared by every assent header.
#pragma once

// Everything public lives in `assent::v0`, reachable as `assent::`. The
// versioned inline namespace makes two incompatible assent versions in one
// program a link error instead of a silent ODR violation. Internals live in
// `assent::detail` and carry no stability promise.
#define ASSENT_BEGIN_NAMESPACE \
  namespace assent {           \
  inline namespace v0 {
#define ASSENT_END_NAMESPACE \
  }                          \
  }

#if !defined(__cplusplus) || (__cplusplus < 201703L && !defined(_MSVC_LANG))
#error "assent needs C++17 or later"
#endif

#if defined(__GNUC__) || defined(__clang__)
#define ASSENT_ALWAYS_INLINE inline __attribute__((always_inline))
#define ASSENT_LIKELY(x) __builtin_expect(!!(x), 1)
#define ASSENT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define ASSENT_ALWAYS_INLINE inline
#define ASSENT_LIKELY(x) (x)
#define ASSENT_UNLIKELY(x) (x)
#endif

#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#define ASSENT_X86_64 1
#else
#define ASSENT_X86_64 0
#endif

// 64x64->128 multiplication is what makes radix-2^51 field arithmetic fast.
#if defined(__SIZEOF_INT128__)
#define ASSENT_HAS_INT128 1
#else
#define ASSENT_HAS_INT128 0
#endif
