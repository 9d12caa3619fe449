#include "sim/links.hpp"

#include <algorithm>

#include "sim/seeds.hpp"

namespace agora::sim {

namespace {
constexpr std::uint64_t mbit(std::uint64_t m) { return m * 1'000'000 / 8; }
}  // namespace

std::vector<LinkClass> default_home_links() {
    return {
        {"adsl", 0.25, mbit(1), mbit(16)},
        {"vdsl", 0.35, mbit(10), mbit(50)},
        {"cable", 0.25, mbit(20), mbit(200)},
        {"fibre", 0.15, mbit(100), mbit(500)},
    };
}

const LinkClass& draw_link(const std::vector<LinkClass>& mix, Rng& rng) {
    AGORA_ASSERT(!mix.empty());
    double total = 0;
    for (const auto& c : mix) total += c.share;
    double x = uniform01(rng) * total;
    for (const auto& c : mix) {
        if (x < c.share) return c;
        x -= c.share;
    }
    return mix.back();
}

LatencyFn pair_latency(LatencyRange range, std::uint64_t world_seed) {
    const auto span = static_cast<std::uint64_t>((range.max - range.min).count()) + 1;
    const std::uint64_t salt = derive_seed(world_seed, Stream::topology, 0x4c4154ULL);  // "LAT"
    return [range, span, salt](NodeIndex a, NodeIndex b) {
        const auto lo = std::min(a.value, b.value), hi = std::max(a.value, b.value);
        const std::uint64_t h = mix64(salt ^ mix64((std::uint64_t{lo} << 32) | hi));
        return range.min + Duration(static_cast<Duration::rep>(h % span));
    };
}

}  // namespace agora::sim
