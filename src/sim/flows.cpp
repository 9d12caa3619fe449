// The fluid transfer of stream bytes and the max-min fair share that sets its rates.
//
// A flow (one direction of a stream) is active while it has bytes queued. Each active flow has a
// rate, the chunk it is transmitting, how much of that chunk was done at `updated`, and one
// pending completion event. Rates change only when the set of active flows changes, and then only
// for flows whose rate really moved: they bank what they did at the old rate and reschedule.
//
// Which rates can change: max-min allocations of separate connected components (nodes linked by
// active flows, each node split into an upload and a download resource) are independent, so only
// the component of the nodes whose flows changed is recomputed, at cost O(F log R) for its F flows
// and R resources; flows whose rate did not move keep their completion event.
//
// The cost to watch: in a well-mixed swarm the component is the whole swarm, so each start or end
// of a bulk flow costs O(active flows). Measured (Release, one core; 8 streams per node, each fed
// 16-64 KiB every 0.5-2.5 s, so flows start and stop constantly): 1,000 nodes recomputing at every
// change ran 30 simulated seconds in 88 s (146,000 recomputations of ~3,400 flows, ~0.2 us per
// flow); with rate_update_interval = 100 ms, 5 s; 10,000 nodes and 80,000 streams, 10 simulated
// seconds in 8 s and 1.5 GB, most of it copying payload bytes. Hence the interval for large worlds.
// Small sends (network.hpp) keep BitTorrent's requests and haves from starting flows at all.
#include <utility>
#include <algorithm>
#include <cmath>

#include "core/assert.hpp"
#include "sim/network.hpp"

namespace agora::sim {

NodeIndex Network::sender_of(std::uint32_t f) const { return connections_[f >> 1].node[f & 1]; }
NodeIndex Network::receiver_of(std::uint32_t f) const { return connections_[f >> 1].node[1 - (f & 1)]; }

void Network::mark_dirty(NodeIndex n) {
    Node& nd = node(n);
    if (!nd.dirty) {
        nd.dirty = true;
        dirty_.push_back(n);
    }
    if (!recompute_pending_) {
        recompute_pending_ = true;
        // On the grid of rate_update_interval (every world's ticks fall at the same times, whatever
        // happened before), or at the end of this instant.
        const TimePoint now = queue_.now();
        TimePoint at = now;
        const Duration interval = config_.rate_update_interval;
        if (interval > Duration::zero()) {
            const Duration into = now.since_epoch % interval;
            if (into != Duration::zero()) at = now + (interval - into);
        }
        schedule(at, recompute, 0);
    }
}

// Sends what an idle flow has queued: a small send goes straight out at the link's full rate,
// anything larger joins the fair share.
void Network::transmit(std::uint32_t slot, std::uint32_t dir, TimePoint now) {
    Connection& c = connections_[slot];
    Flow& f = c.flow[dir];
    AGORA_ASSERT(!f.active && !f.queued.empty());
    const std::size_t size = f.queued.size();
    if (size > config_.small_send_bytes_max) {
        start_flow(slot, dir, now);
        return;
    }
    std::vector<Part> parts;
    f.queued.take(size, parts);
    f.queued.clear();
    send_small(slot, dir, std::move(parts), {}, size, now);
}

// Puts a small send (queued parts, or bytes sent on an idle stream) on the wire at the link's
// full rate, outside the fair share.
void Network::send_small(std::uint32_t slot, std::uint32_t dir, std::vector<Part> parts, Bytes bytes, std::size_t size,
                         TimePoint now) {
    const Connection& c = connections_[slot];
    const double rate = static_cast<double>(std::min(node(c.node[dir]).config.upload_bytes_per_s,
                                                     node(c.node[1 - dir]).config.download_bytes_per_s));
    const Duration transmission{static_cast<std::int64_t>(std::ceil(static_cast<double>(size) / rate * 1e6))};
    deliver(slot, dir, std::move(parts), std::move(bytes), size, transmission, true, now);
}

// Puts bytes on the wire towards the other side: they arrive after `transmission` and one
// latency, and never before anything sent earlier on this direction. What was queued comes as
// `parts`; a small send on an idle stream as `bytes`, never queued.
void Network::deliver(std::uint32_t slot, std::uint32_t dir, std::vector<Part> parts, Bytes bytes, std::size_t size,
                      Duration transmission, bool small, TimePoint now) {
    Connection& c = connections_[slot];
    Flow& f = c.flow[dir];
    NodeCounters& counters = node(c.node[dir]).counters;
    counters.stream_bytes_sent += size;
    if (small) counters.small_bytes_sent += size;
    f.last_arrival = std::max(now + transmission + c.latency, f.last_arrival);
    const std::uint32_t p = new_parcel();
    Parcel& parcel = parcels_[p];
    parcel.parts = std::move(parts);
    parcel.bytes = std::move(bytes);
    parcel.flow = flow_ref(slot, c.generation, dir);
    parcel.small = small;
    schedule(f.last_arrival, data_arrives, p);
}

void Network::start_flow(std::uint32_t slot, std::uint32_t dir, TimePoint now) {
    Connection& c = connections_[slot];
    Flow& f = c.flow[dir];
    AGORA_ASSERT(!f.active && !f.queued.empty());
    const std::uint32_t ref = slot * 2 + dir;
    f.active = true;
    f.chunk = static_cast<std::uint32_t>(f.queued.next_chunk(config_.chunk_bytes_max));
    f.done = 0;
    f.rate = 0;  // until the next recomputation (this instant, or the next tick of the interval)
    f.updated = now;
    Node& sender = node(c.node[dir]);
    f.out_pos = static_cast<std::uint32_t>(sender.out_active.size());
    sender.out_active.push_back(ref);
    Node& receiver = node(c.node[1 - dir]);
    f.in_pos = static_cast<std::uint32_t>(receiver.in_active.size());
    receiver.in_active.push_back(ref);
    mark_dirty(c.node[dir]);
    mark_dirty(c.node[1 - dir]);
}

void Network::stop_flow(std::uint32_t slot, std::uint32_t dir) {
    Connection& c = connections_[slot];
    Flow& f = c.flow[dir];
    AGORA_ASSERT(f.active);
    queue_.cancel(f.completion);
    f.completion = EventHandle{};
    // Swap-remove from both nodes' lists, telling the flow that moved where it now is.
    std::vector<std::uint32_t>& out = node(c.node[dir]).out_active;
    const std::uint32_t moved_out = out.back();
    out[f.out_pos] = moved_out;
    flow_at(moved_out).out_pos = f.out_pos;
    out.pop_back();
    std::vector<std::uint32_t>& in = node(c.node[1 - dir]).in_active;
    const std::uint32_t moved_in = in.back();
    in[f.in_pos] = moved_in;
    flow_at(moved_in).in_pos = f.in_pos;
    in.pop_back();
    f.active = false;
    f.rate = 0;
    f.chunk = 0;
    f.done = 0;
    mark_dirty(c.node[dir]);
    mark_dirty(c.node[1 - dir]);
}

void Network::schedule_completion(std::uint32_t slot, std::uint32_t dir, TimePoint now) {
    Connection& c = connections_[slot];
    Flow& f = c.flow[dir];
    AGORA_ASSERT(f.active && f.rate > 0);
    const double remaining = static_cast<double>(f.chunk) - f.done;
    // Rounded up to the microsecond, so a chunk never arrives before the fluid would have
    // carried it, and the upload invariant holds without slack for rounding.
    double us = remaining <= 0 ? 0 : std::ceil(remaining / f.rate * 1e6);
    us = std::min(us, 1e15);  // about 30 years: effectively never, without overflowing
    f.completion = queue_.schedule_at(now + Duration{static_cast<std::int64_t>(us)},
                                      Event{this, chunk_sent, flow_ref(slot, c.generation, dir)});
}

void Network::on_chunk_sent(std::uint64_t ref, TimePoint now) {
    Connection* c = live(ref);
    AGORA_ASSERT(c != nullptr);  // freeing a connection cancels its completions
    const std::uint32_t slot = ref_slot(ref);
    const std::uint32_t dir = ref_dir(ref);
    Flow& f = c->flow[dir];
    AGORA_ASSERT(f.active && f.chunk > 0);
    f.completion = EventHandle{};
    const std::uint32_t sent = f.chunk;
    std::vector<Part> parts;
    f.queued.take(sent, parts);
    deliver(slot, dir, std::move(parts), {}, sent, Duration::zero(), false, now);

    if (!f.queued.empty()) {
        f.chunk = static_cast<std::uint32_t>(f.queued.next_chunk(config_.chunk_bytes_max));
        f.done = 0;
        f.updated = now;
        schedule_completion(slot, dir, now);  // same active set, same rate
    } else {
        // Drained: idle streams hold no buffer (there may be hundreds of thousands of them).
        f.queued.clear();
        stop_flow(slot, dir);
        if (f.fin) send_fin(slot, dir, now);  // after the last chunk, at the same arrival time
    }
    // Last, with the flow consistent: the host may send on this stream from the call.
    account_written(f);
    if (c->open[dir] && f.written > 0)
        host_.on_stream_sent(c->node[dir], stream_id(ref, dir), static_cast<std::size_t>(std::exchange(f.written, 0)), now);
}

void Network::visit(NodeIndex n, std::uint32_t resource) {
    Node& nd = node(n);
    if (nd.stamp[resource] == stamp_) return;
    nd.stamp[resource] = stamp_;
    nd.local[resource] = static_cast<std::uint32_t>(resources_.size());
    resources_.push_back(Resource{n, resource});
}

void Network::on_recompute(TimePoint now) {
    recompute_pending_ = false;
    if (++stamp_ == 0) {
        // The stamp wrapped: clear every mark once, so none of them can look current by accident.
        for (Node& n : nodes_) n.stamp[0] = n.stamp[1] = 0;
        for (Connection& c : connections_) c.flow[0].seen = c.flow[1].seen = 0;
        stamp_ = 1;
    }
    resources_.clear();
    component_flows_.clear();
    for (const NodeIndex n : dirty_) {
        node(n).dirty = false;
        visit(n, 0);
        visit(n, 1);
    }
    dirty_.clear();
    // Breadth-first over resources: an upload leads to the downloads its flows reach, a download
    // to the uploads its flows come from.
    for (std::size_t i = 0; i < resources_.size(); ++i) {
        const Resource r = resources_[i];
        const std::vector<std::uint32_t>& list = r.kind == 0 ? node(r.node).out_active : node(r.node).in_active;
        for (const std::uint32_t f : list) {
            Flow& fl = flow_at(f);
            if (fl.seen == stamp_) continue;
            fl.seen = stamp_;
            component_flows_.push_back(f);
            if (r.kind == 0) visit(receiver_of(f), 1);
            else visit(sender_of(f), 0);
        }
    }
    ++recomputations_;
    if (component_flows_.empty()) return;

    capacity_.resize(resources_.size());
    for (std::size_t i = 0; i < resources_.size(); ++i) {
        const NodeConfig& cfg = node(resources_[i].node).config;
        capacity_[i] = static_cast<double>(resources_[i].kind == 0 ? cfg.upload_bytes_per_s : cfg.download_bytes_per_s);
    }
    problem_.resize(component_flows_.size());
    for (std::size_t i = 0; i < component_flows_.size(); ++i) {
        const std::uint32_t f = component_flows_[i];
        problem_[i] = FairShareFlow{node(sender_of(f)).local[0], node(receiver_of(f)).local[1], connections_[f >> 1].cap};
    }
    rates_.resize(component_flows_.size());
    solver_.solve(capacity_, problem_, rates_);
    flows_recomputed_ += component_flows_.size();

    for (std::size_t i = 0; i < component_flows_.size(); ++i) {
        const std::uint32_t f = component_flows_[i];
        Flow& fl = flow_at(f);
        const double rate = rates_[i];
        AGORA_ASSERT(fl.active && rate > 0);
        if (fl.rate > 0 && std::abs(rate - fl.rate) <= 1e-12 * fl.rate) continue;  // keeps its event
        const double elapsed_s = std::chrono::duration<double>(now - fl.updated).count();
        fl.done = std::min(static_cast<double>(fl.chunk), fl.done + fl.rate * elapsed_s);
        fl.updated = now;
        fl.rate = rate;
        queue_.cancel(fl.completion);
        schedule_completion(f >> 1, f & 1, now);
    }
}

std::optional<std::string> Network::check_flows() const {
    for (std::size_t n = 0; n < nodes_.size(); ++n) {
        const Node& nd = nodes_[n];
        for (std::size_t i = 0; i < nd.out_active.size(); ++i) {
            const std::uint32_t f = nd.out_active[i];
            const Flow& fl = connections_[f >> 1].flow[f & 1];
            if (!fl.active || fl.out_pos != i || connections_[f >> 1].node[f & 1].value != n) {
                return "node " + std::to_string(n) + ": out_active list is inconsistent";
            }
        }
        for (std::size_t i = 0; i < nd.in_active.size(); ++i) {
            const std::uint32_t f = nd.in_active[i];
            const Flow& fl = connections_[f >> 1].flow[f & 1];
            if (!fl.active || fl.in_pos != i || connections_[f >> 1].node[1 - (f & 1)].value != n) {
                return "node " + std::to_string(n) + ": in_active list is inconsistent";
            }
        }
    }
    for (std::size_t slot = 0; slot < connections_.size(); ++slot) {
        const Connection& c = connections_[slot];
        for (std::uint32_t dir = 0; dir < 2; ++dir) {
            const Flow& f = c.flow[dir];
            const auto which = [&] { return "connection " + std::to_string(slot) + " direction " + std::to_string(dir); };
            if (c.state == ConnState::free && (f.active || !f.queued.empty())) return which() + ": free but busy";
            if (!f.active) {
                if (f.rate != 0 || queue_.pending(f.completion)) return which() + ": idle with a rate or an event";
                continue;
            }
            if (f.chunk == 0 || f.chunk > f.queued.size()) return which() + ": active without a chunk";
            // Between a change and the end of its instant, new flows wait for their rate.
            if (!recompute_pending_ && (f.rate <= 0 || !queue_.pending(f.completion))) {
                return which() + ": active without a rate or a completion";
            }
        }
    }
    return std::nullopt;
}

}  // namespace agora::sim
