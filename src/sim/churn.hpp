// The churn scenario: a swarm and a DHT whose members come and go. Every node runs the real
// engine with the DHT on and the torrent added (a permanent seed holds it first). Leechers keep
// arriving (Poisson) and each stays for a heavy-tailed session (Pareto), then leaves without a
// word, as real peers do; at one moment half of the nodes alive leave at once. Meanwhile random
// nodes look up random targets. What it shows: how many arrivals complete the download, how often
// lookups still find the closest live node, and how long the network takes to recover from losing
// half its members.
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

struct ChurnConfig {
    std::uint32_t initial = 200;                      // leechers present at time 0
    double arrivals_per_s = 1;                        // then Poisson arrivals
    Duration session_min = std::chrono::seconds(60);  // Pareto scale: the shortest stay
    double session_shape = 1.5;                       // Pareto shape: heavy tail, finite mean
    Duration departure_at = std::chrono::seconds(300);  // half of those alive leave at once
    Duration duration = std::chrono::seconds(900);
    Duration lookup_interval = std::chrono::seconds(10);
    std::uint32_t lookups_per_interval = 20;
    std::int64_t file_bytes = 20LL << 20;
    std::int64_t piece_length = 0;
    std::uint64_t seed_upload = 10'000'000, seed_download = 10'000'000;
    std::vector<LinkClass> links = default_home_links();
    LatencyRange latency;
    double loss = 0;
    std::uint32_t max_peers = 50;
};

struct ChurnSample {
    double t = 0;
    std::uint32_t alive = 0, arrived = 0, left = 0, completed = 0;
    std::uint32_t lookups = 0, found = 0;  // lookups that ended in this interval
    double download_rate = 0;              // bytes/s over the interval, all nodes
};

struct ChurnResult {
    ChurnConfig config;
    std::uint64_t world_seed = 0;
    std::uint32_t arrived = 0;         // leechers, the initial ones included
    std::uint32_t completed = 0;       // of those, completed the download (before leaving, or by the end)
    std::uint32_t left_incomplete = 0;
    std::uint32_t departed_at_once = 0;
    double found_before = 0;   // lookup success before the mass departure
    double found_after = 0;    // over the three intervals after it
    double found_end = 0;      // over the last quarter of the run
    std::optional<double> recovery_s;  // from the departure until lookups succeed as before
    std::uint64_t events = 0;
    double simulated_s = 0;
    std::optional<std::string> failure;
    std::vector<ChurnSample> series;
};

ChurnResult run_churn(const ChurnConfig& config, std::uint64_t world_seed,
                      const std::function<void(const Progress&)>& progress = {});

}  // namespace agora::sim
