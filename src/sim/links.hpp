// Who the simulated nodes are: a mix of access links, and the latency between any two of them.
// Scenarios draw each node's link from the mix and its pair latencies from a range, both from the
// world seed's topology stream, so the same seed gives the same population.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/rng.hpp"
#include "sim/network.hpp"

namespace agora::sim {

struct LinkClass {
    std::string name;
    double share = 1;  // relative weight in the mix
    std::uint64_t upload = 0, download = 0;  // bytes/s
    // The NAT in front of each node of the class (none: a public address). Behind any of the four
    // types a node takes no unsolicited TCP connection, as a home router without a port forward.
    NatType nat = NatType::none;
    // The NAT forwards the node's listening port to it (UPnP, NAT-PMP, or by hand), so others can
    // dial it at the NAT's address. Meaningless without a NAT.
    bool port_forward = false;
};

// Home access links as they are commonly sold (megabits per second, down/up): ADSL 16/1,
// VDSL 50/10, cable 200/20, fibre 500/100. Shares are a rough picture of a mixed population.
std::vector<LinkClass> default_home_links();

// Picks a class by weight.
const LinkClass& draw_link(const std::vector<LinkClass>& mix, Rng& rng);

// One-way latency between two nodes, uniform in [min, max], the same both ways, a pure function
// of (seed, pair): no table, so it costs nothing per pair for 100,000 nodes.
struct LatencyRange {
    Duration min = std::chrono::milliseconds(10);
    Duration max = std::chrono::milliseconds(50);
};
LatencyFn pair_latency(LatencyRange range, std::uint64_t world_seed);

}  // namespace agora::sim
