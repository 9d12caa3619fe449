#include "sim/dht_scale.hpp"

#include <algorithm>
#include <map>

#include "sim/seeds.hpp"
#include "sim/world.hpp"

namespace agora::sim {

namespace {

TimePoint at(Duration d) { return TimePoint{d}; }

Duration uniform(Rng& rng, Duration window) {
    return Duration(static_cast<Duration::rep>(rng.below(static_cast<std::uint64_t>(std::max<Duration::rep>(1, window.count())))));
}

// The id among `ids` closest to `target` by XOR.
dht::NodeId closest(const std::vector<dht::NodeId>& ids, const dht::NodeId& target) {
    dht::NodeId best = ids.front();
    for (const auto& id : ids)
        if (dht::closer(id, best, target)) best = id;
    return best;
}

}  // namespace

DhtScaleResult run_dht_scale(const DhtScaleConfig& config, std::uint64_t world_seed,
                             const std::function<void(const Progress&)>& progress) {
    DhtScaleResult result;
    result.config = config;
    result.world_seed = world_seed;

    WorldConfig wc;
    wc.seed = world_seed;
    wc.network.latency = pair_latency(config.latency, world_seed);
    wc.engine.dht = dht::NodeConfig{};
    World world(std::move(wc));

    NodeSpec spec;
    spec.dht = true;
    spec.link = {config.upload, config.download, config.loss, NatType::none};

    // Arrivals: node 0 at time 0 (everyone's first contact), the rest spread over the window.
    Rng workload = stream_rng(world_seed, Stream::workload, 0);
    std::vector<TimePoint> joins(config.nodes);
    for (std::uint32_t i = 1; i < config.nodes; ++i) joins[i] = at(uniform(workload, config.join_window));
    std::sort(joins.begin(), joins.end());
    const TimePoint lookups_from = at(config.join_window + config.settle);
    struct Planned {
        TimePoint when;
        std::uint32_t node;
        dht::NodeId target;
    };
    std::vector<Planned> plan;
    for (std::uint32_t i = 0; i < config.lookups; ++i) {
        Planned p{lookups_from + uniform(workload, config.lookup_window),
                  static_cast<std::uint32_t>(workload.below(config.nodes)), {}};
        for (auto& b : p.target.bytes) b = static_cast<std::uint8_t>(workload.next());
        plan.push_back(p);
    }
    std::stable_sort(plan.begin(), plan.end(), [](const Planned& a, const Planned& b) { return a.when < b.when; });

    std::map<std::pair<std::uint32_t, dht::QueryId>, std::uint32_t> pending;  // (node, query) -> record
    std::vector<dht::NodeId> truth;  // per record: the closest live node to its target
    world.on_dht_event = [&](NodeIndex n, const dht::Event& e, TimePoint now) {
        const auto* done = std::get_if<dht::QueryDone>(&e);
        if (!done) return;
        const auto it = pending.find({n.value, done->query});
        if (it == pending.end()) return;
        LookupRecord& r = result.lookups[it->second];
        r.ok = done->ok;
        r.hops = static_cast<std::uint32_t>(done->hops);
        r.messages = static_cast<std::uint32_t>(done->sent);
        r.replied = static_cast<std::uint32_t>(done->replied);
        r.latency_s = seconds(now) - r.started_s;
        r.found = done->ok && !done->closest.empty() && done->closest.front().id == truth[it->second];
        ++result.finished;
        result.found += r.found ? 1 : 0;
        pending.erase(it);
    };

    auto report = [&] {
        if (progress)
            progress({seconds(world.now()), world.queue().events_processed(), world.alive_count(), result.finished,
                      config.lookups});
    };
    const Duration step = std::chrono::seconds(1);
    // Joins, one simulated second at a time.
    Rng contacts = stream_rng(world_seed, Stream::topology, 0);
    std::size_t joined = 0;
    TimePoint t{};
    while (joined < joins.size() && !world.failure()) {
        while (joined < joins.size() && joins[joined] <= t) {
            if (!world.run_until(joins[joined])) break;
            const NodeIndex n = world.add_node(spec);
            if (n.value > 0) {
                std::vector<NodeIndex> through{NodeIndex{0}};
                for (int k = 0; k < 2 && n.value > 1; ++k)
                    through.push_back(NodeIndex{static_cast<std::uint32_t>(1 + contacts.below(n.value - 1))});
                world.bootstrap_dht(n, through);
            }
            ++joined;
        }
        t = t + step;
        if (joined < joins.size() && !world.run_until(std::min(t, joins[joined]))) break;
        report();
    }
    // Settle, then the lookups at their times.
    while (!world.failure() && world.now() + step < lookups_from) {
        world.run_until(world.now() + step);
        report();
    }
    world.run_until(lookups_from);
    std::vector<dht::NodeId> ids;
    double table_nodes = 0;
    for (std::uint32_t i = 0; i < world.node_count(); ++i) {
        const auto* d = world.engine(NodeIndex{i}).dht();
        ids.push_back(d->id());
        table_nodes += static_cast<double>(d->status(world.now()).nodes4);
    }
    result.mean_table_nodes = table_nodes / static_cast<double>(std::max<std::size_t>(1, world.node_count()));
    for (const auto& p : plan) {
        if (!world.run_until(p.when)) break;
        const auto record = static_cast<std::uint32_t>(result.lookups.size());
        result.lookups.push_back(LookupRecord{p.node, seconds(p.when), false, false, 0, 0, 0, 0});
        truth.push_back(closest(ids, p.target));
        world.drive(NodeIndex{p.node}, [&](session::Engine& e, TimePoint now) {
            pending[{p.node, e.dht()->find_node(p.target, now)}] = record;
        });
    }
    // Every lookup ends (answers or timeouts) well within a minute.
    const TimePoint limit = world.now() + std::chrono::seconds(120);
    while (!world.failure() && !pending.empty() && world.now() < limit) {
        world.run_until(world.now() + step);
        report();
    }
    result.failure = world.failure();
    if (!result.failure && !pending.empty())
        result.failure = std::to_string(pending.size()) + " lookups never ended (every request must be answered or time out)";
    result.events = world.queue().events_processed();
    result.simulated_s = seconds(world.now());
    return result;
}

}  // namespace agora::sim
