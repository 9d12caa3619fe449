// The flash-crowd scenario: one seed holds a file, N leechers arrive at once (or spread over a
// window), everyone runs the real engine. What it shows is the claim P2P rests on: the swarm's
// completion time grows far slower than a server's N·F/u_s, and stays near the Kumar–Ross lower
// bound max(F/u_s, F/d_min, N·F/(u_s + Σu_i)) (Kumar and Ross, "Peer-assisted file distribution:
// the minimum distribution time", 2006), which no distribution scheme can beat.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "sim/links.hpp"
#include "sim/world.hpp"

namespace agora::sim {

struct FlashCrowdConfig {
    std::uint32_t leechers = 10;
    std::int64_t file_bytes = 100LL << 20;
    std::int64_t piece_length = 0;  // 0: libtorrent's choice for the size
    std::uint64_t seed_upload = 10'000'000;      // bytes/s
    std::uint64_t seed_download = 10'000'000;
    std::vector<LinkClass> links = default_home_links();
    LatencyRange latency;
    double loss = 0;
    Duration arrival_window{0};  // leechers arrive uniformly over it; 0: all at time 0
    Duration time_limit = std::chrono::hours(4);
    Duration sample_interval = std::chrono::seconds(1);
    std::uint32_t max_peers = 50;  // per torrent, per node
};

struct LeecherResult {
    std::uint32_t node = 0;
    std::string link;
    std::uint64_t upload = 0, download = 0;  // capacities, bytes/s
    double arrived_s = 0;
    std::optional<double> completed_s;  // time from its arrival to its last piece verified
    std::uint64_t bytes_sent = 0, bytes_received = 0;
};

struct Sample {
    double t = 0;
    std::uint32_t completed = 0;
    std::uint32_t alive = 0;
    double download_rate = 0;  // bytes/s summed over every node, over the last interval
    double seed_upload_rate = 0;
};

struct FlashCrowdResult {
    FlashCrowdConfig config;
    std::uint64_t world_seed = 0;
    std::uint32_t pieces = 0;
    std::uint32_t completed = 0;
    double swarm_s = 0;        // until the last leecher completed (or the limit)
    double mean_s = 0, median_s = 0, p90_s = 0;
    double server_s = 0;       // N·F/u_s
    double bound_s = 0;        // Kumar–Ross
    double ratio_to_bound = 0;
    std::uint64_t events = 0;
    double simulated_s = 0;
    std::optional<std::string> failure;  // an invariant that broke
    std::vector<LeecherResult> leechers;
    std::vector<Sample> series;
};

// The world a swarm scenario runs in: pair latencies drawn from `latency`, fair shares recomputed
// on a 50 ms grid (about TCP's own ramp-up time, and what keeps thousands of streams affordable,
// network.hpp), `max_peers` connections per torrent per node.
WorldConfig swarm_world(std::uint64_t world_seed, const LatencyRange& latency, std::uint32_t max_peers);

struct Progress {
    double simulated_s = 0;
    std::uint64_t events = 0;
    std::size_t alive = 0;
    std::uint32_t completed = 0;
    std::uint32_t of = 0;
};

FlashCrowdResult run_flash_crowd(const FlashCrowdConfig& config, std::uint64_t world_seed,
                                 const std::function<void(const Progress&)>& progress = {});

// The Kumar–Ross minimum distribution time for the leechers' capacities.
double kumar_ross_bound(double file_bytes, double seed_upload, const std::vector<LeecherResult>& leechers);

}  // namespace agora::sim
