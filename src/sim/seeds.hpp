// One world seed, many independent random streams (STYLE.md, practice 14: one seed derives
// topology, links, disks and workload). Each node gets its own stream per purpose, so adding a
// node, or a draw in one part of the model, does not shift the numbers every other part sees:
// a failure found with seed S still replays after an unrelated part of the simulator changed.
//
// Why a mixer and not `world_seed + index`: Rng seeds its four state words from consecutive
// splitmix64 outputs, so seeds that differ by splitmix's increment would give streams whose states
// overlap. Hashing (world seed, purpose, index) through the splitmix64 finalizer twice spreads
// neighbouring indices over the whole 64-bit space first.
#pragma once

#include <cstdint>

#include "core/rng.hpp"

namespace agora::sim {

// What a stream is for; part of the derivation so that, say, a node's network stream and its
// engine's stream never coincide.
enum class Stream : std::uint64_t {
    network = 1,   // datagram loss, per sending node
    engine = 2,    // session::EngineConfig::seed, per node
    topology = 3,  // latencies, capacities, NAT types when a scenario draws them
    workload = 4,  // which node adds which torrent when
    churn = 5,     // when nodes leave and come back
    disk = 6,      // simulated disk faults
};

// The splitmix64 finalizer (Steele, Lea, Flood 2014): a bijection on 64 bits with full avalanche.
constexpr std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

constexpr std::uint64_t derive_seed(std::uint64_t world_seed, Stream stream, std::uint64_t index) {
    const std::uint64_t golden = 0x9e3779b97f4a7c15ULL;
    const std::uint64_t a = mix64(world_seed + golden * static_cast<std::uint64_t>(stream));
    return mix64(a ^ mix64(index + golden));
}

inline Rng stream_rng(std::uint64_t world_seed, Stream stream, std::uint64_t index) {
    return Rng(derive_seed(world_seed, stream, index));
}

// A uniform double in [0, 1) from the top 53 bits, for probabilities.
inline double uniform01(Rng& rng) { return static_cast<double>(rng.next() >> 11) * 0x1.0p-53; }

}  // namespace agora::sim
