// A small, fast, seeded PRNG (xoshiro256**, seeded through splitmix64). Every core owns one,
// seeded from its configuration, so a run is reproducible from its seed (STYLE.md, practice 2).
// Not for secrets: keys and tokens come from libsodium or the OS in io/.
#pragma once

#include <cstdint>

#include "core/assert.hpp"

namespace agora {

class Rng {
    __extension__ using U128 = unsigned __int128;  // GCC and clang; __extension__ keeps -pedantic quiet

public:
    explicit Rng(std::uint64_t seed) {
        for (auto& s : s_) s = splitmix(seed);
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform in [0, bound), bound > 0, without modulo bias (Lemire's method).
    std::uint64_t below(std::uint64_t bound) {
        AGORA_ASSERT(bound > 0);
        U128 m = static_cast<U128>(next()) * bound;
        auto low = static_cast<std::uint64_t>(m);
        if (low < bound) {
            const std::uint64_t threshold = -bound % bound;
            while (low < threshold) {
                m = static_cast<U128>(next()) * bound;
                low = static_cast<std::uint64_t>(m);
            }
        }
        return static_cast<std::uint64_t>(m >> 64);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t splitmix(std::uint64_t& x) {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint64_t s_[4];
};

}  // namespace agora
