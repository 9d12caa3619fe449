#include "sim/flash_crowd.hpp"

#include <algorithm>
#include <cmath>

#include "sim/content.hpp"
#include "sim/seeds.hpp"
#include "sim/stats.hpp"
#include "sim/world.hpp"

namespace agora::sim {

double kumar_ross_bound(double file_bytes, double seed_upload, const std::vector<LeecherResult>& leechers) {
    if (leechers.empty()) return 0;
    double upload_sum = seed_upload;
    double download_min = static_cast<double>(leechers.front().download);
    for (const auto& l : leechers) {
        upload_sum += static_cast<double>(l.upload);
        download_min = std::min(download_min, static_cast<double>(l.download));
    }
    const double n = static_cast<double>(leechers.size());
    return std::max({file_bytes / seed_upload, file_bytes / download_min, n * file_bytes / upload_sum});
}

WorldConfig swarm_world(std::uint64_t world_seed, const LatencyRange& latency, std::uint32_t max_peers) {
    WorldConfig wc;
    wc.seed = world_seed;
    wc.network.latency = pair_latency(latency, world_seed);
    wc.network.rate_update_interval = std::chrono::milliseconds(50);
    wc.engine.max_peers_per_torrent = max_peers;
    return wc;
}

FlashCrowdResult run_flash_crowd(const FlashCrowdConfig& config, std::uint64_t world_seed,
                                 const std::function<void(const Progress&)>& progress) {
    FlashCrowdResult result;
    result.config = config;
    result.world_seed = world_seed;

    World world(swarm_world(world_seed, config.latency, config.max_peers));

    const std::uint32_t content = 1;
    auto info = make_torrent(content, "flash-crowd.bin", config.file_bytes, config.piece_length,
                             {world.add_tracker()});
    AGORA_ASSERT(info);  // the scenario's own sizes were checked when it was read
    result.pieces = (*info)->layout.piece_count();

    NodeSpec seed_spec;
    seed_spec.link = {config.seed_upload, config.seed_download, config.loss, NatType::none};
    const NodeIndex seed = world.add_node(seed_spec);
    world.add_torrent(seed, *info, content, true);

    // Who arrives when, and on which link: drawn up front from the topology and workload streams.
    Rng topology = stream_rng(world_seed, Stream::topology, 0);
    Rng workload = stream_rng(world_seed, Stream::workload, 0);
    struct Arrival {
        TimePoint at;
        LinkClass link;
    };
    std::vector<Arrival> arrivals;
    for (std::uint32_t i = 0; i < config.leechers; ++i) {
        const auto offset = config.arrival_window.count() > 0
                                ? Duration(static_cast<Duration::rep>(workload.below(
                                      static_cast<std::uint64_t>(config.arrival_window.count()))))
                                : Duration(0);
        arrivals.push_back({TimePoint{offset}, draw_link(config.links, topology)});
    }
    std::stable_sort(arrivals.begin(), arrivals.end(), [](const Arrival& a, const Arrival& b) { return a.at < b.at; });

    std::vector<std::uint32_t> verified;  // per node index
    std::vector<NodeIndex> leecher_nodes;
    std::uint32_t completed = 0;
    world.on_piece_verified = [&](NodeIndex n, TorrentHandle, PieceIndex, TimePoint now) {
        if (n.value >= verified.size()) verified.resize(n.value + 1, 0);
        if (++verified[n.value] != result.pieces) return;
        ++completed;
        auto& l = result.leechers[n.value - seed.value - 1];  // leechers are the nodes after the seed
        l.completed_s = seconds(now) - l.arrived_s;
    };

    std::size_t next_arrival = 0;
    auto admit_due = [&](TimePoint now) {
        while (next_arrival < arrivals.size() && arrivals[next_arrival].at <= now) {
            const auto& a = arrivals[next_arrival++];
            NodeSpec spec;
            spec.link = {a.link.upload, a.link.download, config.loss, a.link.nat};
            spec.port_forwarded = a.link.port_forward;
            const NodeIndex n = world.add_node(spec);
            LeecherResult l;
            l.node = n.value;
            l.link = a.link.name;
            l.upload = a.link.upload;
            l.download = a.link.download;
            l.arrived_s = seconds(now);
            result.leechers.push_back(l);
            leecher_nodes.push_back(n);
            world.add_torrent(n, *info, content, false);
        }
    };

    const TimePoint limit = TimePoint{config.time_limit};
    std::uint64_t last_received = 0, last_seed_sent = 0;
    TimePoint t{};
    admit_due(t);
    while (world.failure() == std::nullopt) {
        const TimePoint next = t + config.sample_interval;
        // Arrivals inside the interval are admitted at their own time.
        while (next_arrival < arrivals.size() && arrivals[next_arrival].at < next) {
            if (!world.run_until(arrivals[next_arrival].at)) break;
            admit_due(world.now());
        }
        if (!world.run_until(next)) break;
        t = next;
        std::uint64_t received = 0;
        for (std::size_t i = 0; i < world.node_count(); ++i)
            received += world.network().counters(NodeIndex{static_cast<std::uint32_t>(i)}).stream_bytes_received;
        const std::uint64_t seed_sent = world.network().counters(seed).stream_bytes_sent;
        const double dt = seconds(config.sample_interval);
        result.series.push_back({seconds(t), completed, static_cast<std::uint32_t>(world.alive_count()),
                                 static_cast<double>(received - last_received) / dt,
                                 static_cast<double>(seed_sent - last_seed_sent) / dt});
        last_received = received;
        last_seed_sent = seed_sent;
        if (progress)
            progress({seconds(t), world.queue().events_processed(), world.alive_count(), completed, config.leechers});
        if ((completed == config.leechers && next_arrival == arrivals.size()) || t >= limit) break;
    }

    result.failure = world.failure();
    result.completed = completed;
    result.events = world.queue().events_processed();
    result.simulated_s = seconds(world.now());
    std::vector<double> times;
    for (auto& l : result.leechers) {
        const auto& c = world.network().counters(NodeIndex{l.node});
        l.bytes_sent = c.stream_bytes_sent;
        l.bytes_received = c.stream_bytes_received;
        if (l.completed_s) times.push_back(*l.completed_s);
    }
    result.swarm_s = completed == config.leechers && !times.empty() ? *std::max_element(times.begin(), times.end())
                                                                    : result.simulated_s;
    double sum = 0;
    for (double x : times) sum += x;
    result.mean_s = times.empty() ? 0 : sum / static_cast<double>(times.size());
    result.median_s = quantile(times, 0.5);
    result.p90_s = quantile(times, 0.9);
    const double f = static_cast<double>(config.file_bytes);
    result.server_s = static_cast<double>(config.leechers) * f / static_cast<double>(config.seed_upload);
    result.bound_s = kumar_ross_bound(f, static_cast<double>(config.seed_upload), result.leechers);
    result.ratio_to_bound = result.bound_s > 0 ? result.swarm_s / result.bound_s : 0;
    return result;
}

}  // namespace agora::sim
