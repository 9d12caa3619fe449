// Assertions that stay on in every build: a failed one is a bug in agora, never a bad input.
// Bad input from outside is a typed error (see result.hpp); only our own broken invariants stop here.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace agora::detail {
[[noreturn]] inline void assert_fail(const char* expr, const char* file, int line) {
    std::fprintf(stderr, "agora: assertion failed: %s (%s:%d)\n", expr, file, line);
    std::abort();
}
}  // namespace agora::detail

#define AGORA_ASSERT(expr) \
    ((expr) ? static_cast<void>(0) : ::agora::detail::assert_fail(#expr, __FILE__, __LINE__))
