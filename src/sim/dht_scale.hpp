// The dht-scale scenario: N agora nodes join a Mainline DHT (each bootstrapping through the first
// node and two earlier arrivals), the network settles, then random nodes look up random targets.
// What it shows is Kademlia's claim: a lookup costs about log2(N) hops and a few dozen messages,
// and finds the node truly closest to its target. The ground truth is known here (every live
// node's id), so "found" means the lookup's closest answer is the closest node that exists.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "sim/flash_crowd.hpp"
#include "sim/links.hpp"

namespace agora::sim {

struct DhtScaleConfig {
    std::uint32_t nodes = 1000;
    std::uint32_t lookups = 1000;
    Duration join_window = std::chrono::seconds(120);   // arrivals spread uniformly over it
    Duration settle = std::chrono::seconds(300);        // after the last arrival, before lookups
    Duration lookup_window = std::chrono::seconds(60);  // lookups spread uniformly over it
    LatencyRange latency;
    double loss = 0;
    std::uint64_t upload = 1'250'000, download = 6'250'000;  // every node: 10/50 Mbit/s
};

struct LookupRecord {
    std::uint32_t node = 0;
    double started_s = 0;
    bool ok = false;        // the lookup completed with answers
    bool found = false;     // its closest answer is the closest live node to the target
    std::uint32_t hops = 0;
    std::uint32_t messages = 0;  // queries sent
    std::uint32_t replied = 0;
    double latency_s = 0;
};

struct DhtScaleResult {
    DhtScaleConfig config;
    std::uint64_t world_seed = 0;
    std::vector<LookupRecord> lookups;
    std::uint32_t finished = 0, found = 0;
    double mean_table_nodes = 0;  // routing table size, averaged over nodes, when lookups start
    std::uint64_t events = 0;
    double simulated_s = 0;
    std::optional<std::string> failure;
};

DhtScaleResult run_dht_scale(const DhtScaleConfig& config, std::uint64_t world_seed,
                             const std::function<void(const Progress&)>& progress = {});

}  // namespace agora::sim
