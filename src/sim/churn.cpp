#include "sim/churn.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/content.hpp"
#include "sim/seeds.hpp"
#include "sim/world.hpp"

namespace agora::sim {

namespace {

Duration from_seconds(double s) { return Duration(static_cast<Duration::rep>(s * 1e6)); }

// (0, 1]: never 0, so logarithms and powers of it are finite.
double open_uniform(Rng& rng) { return 1.0 - uniform01(rng); }

}  // namespace

ChurnResult run_churn(const ChurnConfig& config, std::uint64_t world_seed,
                      const std::function<void(const Progress&)>& progress) {
    ChurnResult result;
    result.config = config;
    result.world_seed = world_seed;

    WorldConfig wc = swarm_world(world_seed, config.latency, config.max_peers);
    wc.engine.dht = dht::NodeConfig{};
    World world(std::move(wc));

    const std::uint32_t content = 1;
    auto info = make_torrent(content, "churn.bin", config.file_bytes, config.piece_length, {world.add_tracker()});
    AGORA_ASSERT(info);
    const std::uint32_t pieces = (*info)->layout.piece_count();

    NodeSpec seed_spec;
    seed_spec.dht = true;
    seed_spec.link = {config.seed_upload, config.seed_download, config.loss, NatType::none};
    const NodeIndex seed = world.add_node(seed_spec);
    world.add_torrent(seed, *info, content, true);

    Rng topology = stream_rng(world_seed, Stream::topology, 0);
    Rng churn = stream_rng(world_seed, Stream::churn, 0);
    Rng workload = stream_rng(world_seed, Stream::workload, 0);

    // Who is here: alive leechers (the seed never leaves), in a list with positions for removal.
    std::vector<std::uint32_t> alive;
    std::vector<std::uint32_t> position;  // by node index
    std::vector<std::uint32_t> verified;  // by node index
    std::vector<bool> complete;
    std::multimap<TimePoint, std::uint32_t> leaving;  // session ends
    auto add_leecher = [&](TimePoint now) {
        const LinkClass& link = draw_link(config.links, topology);
        NodeSpec spec;
        spec.dht = true;
        spec.link = {link.upload, link.download, config.loss, link.nat};
        spec.port_forwarded = link.port_forward;
        const NodeIndex n = world.add_node(spec);
        position.resize(n.value + 1, 0);
        verified.resize(n.value + 1, 0);
        complete.resize(n.value + 1, false);
        position[n.value] = static_cast<std::uint32_t>(alive.size());
        alive.push_back(n.value);
        ++result.arrived;
        world.add_torrent(n, *info, content, false);
        std::vector<NodeIndex> through{seed};
        for (int k = 0; k < 2 && !alive.empty(); ++k) {
            const auto other = alive[churn.below(alive.size())];
            if (other != n.value) through.push_back(NodeIndex{other});
        }
        world.bootstrap_dht(n, through);
        const double stay = seconds(config.session_min) / std::pow(open_uniform(churn), 1.0 / config.session_shape);
        leaving.emplace(now + from_seconds(stay), n.value);
    };
    auto remove_leecher = [&](std::uint32_t n) {
        if (!world.alive(NodeIndex{n})) return;
        if (!complete[n]) ++result.left_incomplete;
        world.leave(NodeIndex{n});  // it quits: its trackers are told, as a client's are
        const std::uint32_t at = position[n];
        alive[at] = alive.back();
        position[alive[at]] = at;
        alive.pop_back();
    };
    world.on_piece_verified = [&](NodeIndex n, TorrentHandle, PieceIndex, TimePoint) {
        if (!world.alive(n)) return;  // quitting: what it finishes now does not count
        if (n.value >= verified.size() || ++verified[n.value] != pieces) return;
        complete[n.value] = true;
        ++result.completed;
    };

    // Lookups in flight: (node, query) -> when it started and the closest live node's id then.
    struct Pending {
        dht::NodeId truth;
    };
    std::map<std::pair<std::uint32_t, dht::QueryId>, Pending> pending;
    std::uint32_t interval_lookups = 0, interval_found = 0;
    world.on_dht_event = [&](NodeIndex n, const dht::Event& e, TimePoint) {
        const auto* done = std::get_if<dht::QueryDone>(&e);
        if (!done) return;
        const auto it = pending.find({n.value, done->query});
        if (it == pending.end()) return;
        ++interval_lookups;
        if (done->ok && !done->closest.empty() && done->closest.front().id == it->second.truth) ++interval_found;
        pending.erase(it);
    };
    auto start_lookups = [&] {
        std::vector<dht::NodeId> ids{world.engine(seed).dht()->id()};
        for (const auto n : alive) ids.push_back(world.engine(NodeIndex{n}).dht()->id());
        for (std::uint32_t i = 0; i < config.lookups_per_interval && !alive.empty(); ++i) {
            const auto from = alive[workload.below(alive.size())];
            dht::NodeId target;
            for (auto& b : target.bytes) b = static_cast<std::uint8_t>(workload.next());
            dht::NodeId truth = ids.front();
            for (const auto& id : ids)
                if (dht::closer(id, truth, target)) truth = id;
            world.drive(NodeIndex{from}, [&](session::Engine& e, TimePoint now) {
                pending[{from, e.dht()->find_node(target, now)}] = Pending{truth};
            });
        }
    };

    for (std::uint32_t i = 0; i < config.initial; ++i) add_leecher(TimePoint{});
    TimePoint next_arrival = config.arrivals_per_s > 0
                                 ? TimePoint{from_seconds(-std::log(open_uniform(churn)) / config.arrivals_per_s)}
                                 : TimePoint::max();
    TimePoint next_sample = TimePoint{config.lookup_interval};
    bool departed = false;
    const TimePoint end{config.duration};
    std::uint64_t last_received = 0;
    std::uint32_t left_total = 0;
    while (!world.failure() && world.now() < end) {
        TimePoint next = std::min({next_sample, next_arrival, end});
        if (!leaving.empty()) next = std::min(next, leaving.begin()->first);
        if (!departed) next = std::min(next, TimePoint{config.departure_at});
        if (!world.run_until(next)) break;
        const TimePoint now = world.now();
        while (!leaving.empty() && leaving.begin()->first <= now) {
            const auto n = leaving.begin()->second;
            leaving.erase(leaving.begin());
            if (world.alive(NodeIndex{n})) ++left_total;
            remove_leecher(n);
        }
        if (!departed && now >= TimePoint{config.departure_at}) {
            departed = true;
            const std::size_t half = alive.size() / 2;
            for (std::size_t k = 0; k < half; ++k) {
                remove_leecher(alive[churn.below(alive.size())]);
                ++left_total;
            }
            result.departed_at_once = static_cast<std::uint32_t>(half);
        }
        while (next_arrival <= now) {
            add_leecher(now);
            next_arrival = next_arrival + from_seconds(-std::log(open_uniform(churn)) / config.arrivals_per_s);
        }
        if (now >= next_sample) {
            std::uint64_t received = 0;
            for (std::uint32_t i = 0; i < world.node_count(); ++i)
                received += world.network().counters(NodeIndex{i}).stream_bytes_received;
            result.series.push_back({seconds(now), static_cast<std::uint32_t>(world.alive_count()), result.arrived,
                                     left_total, result.completed, interval_lookups, interval_found,
                                     static_cast<double>(received - last_received) /
                                         std::chrono::duration<double>(config.lookup_interval).count()});
            last_received = received;
            interval_lookups = interval_found = 0;
            // Lookups of nodes that left never end; they are not counted.
            std::erase_if(pending, [&](const auto& p) { return !world.alive(NodeIndex{p.first.first}); });
            start_lookups();
            next_sample = now + config.lookup_interval;
            if (progress)
                progress({seconds(now), world.queue().events_processed(), world.alive_count(), result.completed,
                          result.arrived});
        }
    }
    result.failure = world.failure();
    result.events = world.queue().events_processed();
    result.simulated_s = seconds(world.now());

    // Lookup success before the departure (its second half, once the DHT has settled), over the
    // three intervals after it, at the end; recovery: the first time after it from which three
    // intervals in a row (sixty lookups by default, not one lucky interval) are back within five
    // points of before.
    auto rate = [&](double from, double to) {
        std::uint32_t l = 0, f = 0;
        for (const auto& s : result.series)
            if (s.t > from && s.t <= to) {
                l += s.lookups;
                f += s.found;
            }
        return l == 0 ? 0.0 : static_cast<double>(f) / l;
    };
    const double depart_s = seconds(config.departure_at);
    const double step_s = std::chrono::duration<double>(config.lookup_interval).count();
    result.found_before = rate(depart_s / 2, depart_s);
    result.found_after = rate(depart_s, depart_s + 3 * step_s);
    result.found_end = rate(result.simulated_s * 0.75, result.simulated_s);
    for (const auto& s : result.series) {
        const double from = s.t - step_s;  // the interval this sample closes
        if (from < depart_s || s.t + 2 * step_s > result.simulated_s) continue;
        if (rate(from, s.t + 2 * step_s) >= result.found_before - 0.05) {
            result.recovery_s = from - depart_s;
            break;
        }
    }
    return result;
}

}  // namespace agora::sim
