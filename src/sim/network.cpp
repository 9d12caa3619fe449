// Nodes, datagrams, event dispatch and the invariant check. Streams are in streams.cpp, the fluid
// transfer and the fair share in flows.cpp.
#include "sim/network.hpp"

#include <algorithm>

#include "core/assert.hpp"
#include "sim/seeds.hpp"

namespace agora::sim {

const char* to_string(CloseReason reason) {
    switch (reason) {
        case CloseReason::peer_closed: return "peer closed";
        case CloseReason::refused: return "connection refused";
        case CloseReason::timed_out: return "connection timed out";
    }
    return "?";
}

Network::Network(EventQueue& queue, Host& host, NetworkConfig config, std::uint64_t world_seed)
    : queue_(queue), host_(host), config_(std::move(config)), world_seed_(world_seed) {
    AGORA_ASSERT(config_.chunk_bytes_max > 0);
    AGORA_ASSERT(config_.default_latency >= Duration::zero());
}

Network::~Network() = default;

NodeIndex Network::add_node(const NodeConfig& config) {
    AGORA_ASSERT(config.upload_bytes_per_s > 0 && config.download_bytes_per_s > 0);
    AGORA_ASSERT(config.loss >= 0 && config.loss <= 1);
    // Addresses are first_ip + index, so finding a node by address needs no table at all.
    AGORA_ASSERT(nodes_.size() < std::uint64_t{UINT32_MAX} - config_.first_ip);
    const NodeIndex index{static_cast<std::uint32_t>(nodes_.size())};
    Node& n = nodes_.emplace_back();
    n.config = config;
    n.ip = config_.first_ip + index.value;
    n.rng = stream_rng(world_seed_, Stream::network, index.value);
    n.added = queue_.now();
    n.next_ephemeral = config_.ephemeral_port_min;
    if (config.nat != NatType::none) n.nat = std::make_unique<NatBox>(config.nat, config_.nat_mapping_timeout);
    return index;
}

std::uint32_t Network::ip(NodeIndex n) const { return node(n).ip; }

std::optional<NodeIndex> Network::node_at(std::uint32_t ip) const {
    if (ip < config_.first_ip || ip - config_.first_ip >= nodes_.size()) return std::nullopt;
    return NodeIndex{ip - config_.first_ip};
}

const NodeConfig& Network::node_config(NodeIndex n) const { return node(n).config; }
const NodeCounters& Network::counters(NodeIndex n) const { return node(n).counters; }
NatBox* Network::nat(NodeIndex n) { return node(n).nat.get(); }

namespace {
void insert_sorted(std::vector<std::uint16_t>& ports, std::uint16_t port) {
    const auto at = std::lower_bound(ports.begin(), ports.end(), port);
    if (at == ports.end() || *at != port) ports.insert(at, port);
}
bool contains_sorted(const std::vector<std::uint16_t>& ports, std::uint16_t port) {
    return std::binary_search(ports.begin(), ports.end(), port);
}
}  // namespace

void Network::listen(NodeIndex n, std::uint16_t port) { insert_sorted(node(n).tcp_ports, port); }
void Network::bind(NodeIndex n, std::uint16_t port) { insert_sorted(node(n).udp_ports, port); }
void Network::unlisten(NodeIndex n, std::uint16_t port) { std::erase(node(n).tcp_ports, port); }
void Network::close_ports(NodeIndex n) {
    node(n).tcp_ports.clear();
    node(n).udp_ports.clear();
}

void Network::forward_port(NodeIndex n, Protocol protocol, std::uint16_t port) {
    if (NatBox* box = nat(n)) box->forward(protocol, port);
}

Duration Network::latency(NodeIndex from, NodeIndex to) const {
    const Duration d = config_.latency ? config_.latency(from, to) : config_.default_latency;
    AGORA_ASSERT(d >= Duration::zero());
    return d;
}

void Network::schedule(TimePoint at, Kind kind, std::uint64_t arg) {
    queue_.schedule_at(at, Event{this, kind, arg});
}

std::uint32_t Network::new_parcel() {
    if (!free_parcels_.empty()) {
        const std::uint32_t p = free_parcels_.back();
        free_parcels_.pop_back();
        return p;
    }
    AGORA_ASSERT(parcels_.size() < UINT32_MAX);
    parcels_.emplace_back();
    return static_cast<std::uint32_t>(parcels_.size() - 1);
}

// Moves the bytes out before the slot is reused: a host called with them may send, which may
// reuse this very slot or grow the vector under a view.
Bytes Network::take_parcel(std::uint32_t parcel) {
    Bytes bytes = std::move(parcels_[parcel].bytes);
    parcels_[parcel] = Parcel{};
    free_parcels_.push_back(parcel);
    return bytes;
}

void Network::send_datagram(NodeIndex from_node, std::uint16_t local_port, Address to, Bytes bytes) {
    const TimePoint now = queue_.now();
    Node& sender = node(from_node);
    ++sender.counters.datagrams_sent;
    sender.counters.datagram_bytes_sent += bytes.size();
    Address from{sender.ip, local_port};
    if (sender.nat) {
        const auto external = sender.nat->outbound(Protocol::udp, local_port, to, now);
        if (!external) {
            ++sender.counters.datagrams_dropped;
            return;
        }
        from.port = *external;
    }
    const auto target = node_at(to.ip);
    if (!target) {
        ++sender.counters.datagrams_dropped;
        return;
    }
    // A datagram crosses two access links; it survives only if neither loses it.
    const double survive = (1 - sender.config.loss) * (1 - node(*target).config.loss);
    if (survive < 1 && uniform01(sender.rng) >= survive) {
        ++sender.counters.datagrams_lost;
        return;
    }
    const std::uint32_t p = new_parcel();
    parcels_[p] = Parcel{std::move(bytes), {}, from, to, *target, 0, false};
    schedule(now + latency(from_node, *target), datagram_arrives, p);
}

void Network::on_datagram_arrives(std::uint32_t parcel, TimePoint now) {
    const Address from = parcels_[parcel].from;
    const Address to = parcels_[parcel].to;
    const NodeIndex target = parcels_[parcel].target;
    Node& receiver = node(target);
    std::uint16_t port = to.port;
    if (receiver.nat) {
        const auto internal = receiver.nat->inbound(Protocol::udp, to.port, from, now);
        port = internal.value_or(0);
    }
    if (port == 0 || !contains_sorted(receiver.udp_ports, port)) {
        ++receiver.counters.datagrams_dropped;
        take_parcel(parcel);
        return;
    }
    ++receiver.counters.datagrams_received;
    const Bytes bytes = take_parcel(parcel);
    host_.on_datagram(target, port, from, bytes, now);
}

void Network::on_event(std::uint32_t kind, std::uint64_t arg, TimePoint now) {
    switch (static_cast<Kind>(kind)) {
        case datagram_arrives: on_datagram_arrives(static_cast<std::uint32_t>(arg), now); return;
        case syn_arrives: on_syn_arrives(arg, now); return;
        case connect_succeeds: on_connect_result(arg, CloseReason::peer_closed, true, now); return;
        case connect_refused: on_connect_result(arg, CloseReason::refused, false, now); return;
        case connect_times_out: on_connect_result(arg, CloseReason::timed_out, false, now); return;
        case chunk_sent: on_chunk_sent(arg, now); return;
        case data_arrives: on_data_arrives(static_cast<std::uint32_t>(arg), now); return;
        case fin_arrives: on_fin_arrives(arg, now); return;
        case recompute: on_recompute(now); return;
    }
    AGORA_ASSERT(false);
}

std::optional<std::string> Network::check_invariants() const {
    const TimePoint now = queue_.now();
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const Node& n = nodes_[i];
        const std::string who = "node " + std::to_string(i) + " (" + format_ip(n.ip) + "): ";
        const double elapsed_s = std::chrono::duration<double>(now - n.added).count();
        const double slack = 2.0 * config_.chunk_bytes_max;  // a chunk may reach almost twice the max
        // Chunks are counted when their transmission ends, which the rounding of completion times
        // only delays, so the count never runs ahead of capacity * time.
        const std::uint64_t sent = n.counters.stream_bytes_sent - n.counters.small_bytes_sent;
        const std::uint64_t received = n.counters.stream_bytes_received - n.counters.small_bytes_received;
        if (static_cast<double>(sent) >
            static_cast<double>(n.config.upload_bytes_per_s) * elapsed_s + slack) {
            return who + "sent " + std::to_string(sent) + " stream bytes in " +
                   std::to_string(elapsed_s) + " s, over its upload capacity";
        }
        if (static_cast<double>(received) >
            static_cast<double>(n.config.download_bytes_per_s) * elapsed_s + slack) {
            return who + "received " + std::to_string(received) + " stream bytes in " +
                   std::to_string(elapsed_s) + " s, over its download capacity";
        }
        double up = 0;
        double down = 0;
        for (const std::uint32_t f : n.out_active) up += connections_[f >> 1].flow[f & 1].rate;
        for (const std::uint32_t f : n.in_active) down += connections_[f >> 1].flow[f & 1].rate;
        const double tolerance = 1 + 1e-9;
        if (up > static_cast<double>(n.config.upload_bytes_per_s) * tolerance) {
            return who + "streams allocated " + std::to_string(up) + " B/s of upload capacity " +
                   std::to_string(n.config.upload_bytes_per_s);
        }
        if (down > static_cast<double>(n.config.download_bytes_per_s) * tolerance) {
            return who + "streams allocated " + std::to_string(down) + " B/s of download capacity " +
                   std::to_string(n.config.download_bytes_per_s);
        }
    }
    return check_flows();
}

}  // namespace agora::sim
