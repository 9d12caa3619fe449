// Streams: connection slots, the handshake (SYN one latency out, the answer one latency back),
// in-order delivery of transmitted chunks, and close. How fast bytes leave is flows.cpp's job.
//
// A connection goes connecting -> accepted (the SYN reached a listener; the acceptor may send) ->
// established (the answer reached the initiator) and is freed once both ends are closed. Every
// event about a connection carries its generation, so events still in flight for a freed (and
// perhaps reused) slot are recognised and dropped.
#include <utility>
#include <algorithm>
#include <cmath>

#include "core/assert.hpp"
#include "sim/network.hpp"

namespace agora::sim {

std::uint32_t Network::new_connection() {
    std::uint32_t slot = 0;
    if (!free_connections_.empty()) {
        slot = free_connections_.back();
        free_connections_.pop_back();
    } else {
        // Slots are packed with a direction bit into 32 bits of an event argument.
        AGORA_ASSERT(connections_.size() < (std::uint32_t{1} << 31));
        slot = static_cast<std::uint32_t>(connections_.size());
        connections_.emplace_back();
    }
    AGORA_ASSERT(connections_[slot].state == ConnState::free);
    return slot;
}

void Network::free_connection(std::uint32_t slot) {
    for (std::uint32_t dir = 0; dir < 2; ++dir) {
        if (connections_[slot].flow[dir].active) stop_flow(slot, dir);
    }
    Connection& c = connections_[slot];
    const std::uint32_t generation = c.generation + 1 == 0 ? 1 : c.generation + 1;
    c = Connection{};  // also returns the queues' memory
    c.generation = generation;
    free_connections_.push_back(slot);
}

Network::Connection* Network::live(std::uint64_t ref) {
    const std::uint32_t slot = ref_slot(ref);
    if (slot >= connections_.size()) return nullptr;
    Connection& c = connections_[slot];
    if (c.state == ConnState::free || c.generation != ref_generation(ref)) return nullptr;
    return &c;
}

const Network::Connection* Network::live(StreamId s) const {
    if (!s.valid() || s.side > 1 || s.connection >= connections_.size()) return nullptr;
    const Connection& c = connections_[s.connection];
    if (c.state == ConnState::free || c.generation != s.generation) return nullptr;
    return &c;
}

Network::Connection* Network::live(StreamId s) {
    return const_cast<Connection*>(static_cast<const Network*>(this)->live(s));
}

StreamId Network::stream_id(std::uint64_t ref, std::uint32_t side) const {
    return StreamId{ref_slot(ref), ref_generation(ref), static_cast<std::uint8_t>(side)};
}

StreamId Network::connect(NodeIndex from_node, Address to) {
    const TimePoint now = queue_.now();
    const std::uint32_t slot = new_connection();
    Node& n = node(from_node);
    const std::uint16_t local_port = n.next_ephemeral;
    n.next_ephemeral = n.next_ephemeral == 65535 ? config_.ephemeral_port_min
                                                 : static_cast<std::uint16_t>(n.next_ephemeral + 1);
    Address from{n.ip, local_port};
    bool dropped = false;
    if (n.nat) {
        const auto external = n.nat->outbound(Protocol::tcp, local_port, to, now);
        dropped = !external;
        from.port = external.value_or(0);
    }
    Connection& c = connections_[slot];
    c.state = ConnState::connecting;
    c.open[0] = true;
    c.node[0] = from_node;
    c.address[0] = from;
    c.address[1] = to;
    c.started = now;
    const std::uint64_t ref = flow_ref(slot, c.generation, 0);
    const auto target = node_at(to.ip);
    if (!target || dropped) {
        // Nobody answers a SYN sent into the void: the initiator gives up after its timeout.
        schedule(now + config_.connect_timeout, connect_times_out, ref);
    } else {
        c.node[1] = *target;
        c.latency = latency(from_node, *target);
        const double p = 1 - (1 - n.config.loss) * (1 - node(*target).config.loss);
        const double rtt_s = 2 * std::chrono::duration<double>(c.latency).count();
        c.cap = p > 0 && rtt_s > 0 ? config_.tcp_mss * 1.22 / (rtt_s * std::sqrt(p))
                                   : std::numeric_limits<double>::infinity();
        schedule(now + c.latency, syn_arrives, ref);
    }
    return stream_id(ref, 0);
}

void Network::on_syn_arrives(std::uint64_t ref, TimePoint now) {
    Connection* c = live(ref);
    if (c == nullptr) return;  // the initiator gave up before the SYN arrived
    AGORA_ASSERT(c->state == ConnState::connecting);
    const NodeIndex target = c->node[1];
    Node& acceptor = node(target);
    std::uint16_t port = c->address[1].port;
    if (acceptor.nat) port = acceptor.nat->inbound(Protocol::tcp, port, c->address[0], now).value_or(0);
    if (port == 0) {
        schedule(std::max(now, c->started + config_.connect_timeout), connect_times_out, ref);
        return;
    }
    if (!std::binary_search(acceptor.tcp_ports.begin(), acceptor.tcp_ports.end(), port)) {
        schedule(now + c->latency, connect_refused, ref);  // the RST takes one latency back
        return;
    }
    c->state = ConnState::accepted;
    c->open[1] = true;
    const Address from = c->address[0];
    schedule(now + c->latency, connect_succeeds, ref);
    host_.on_stream_accepted(target, stream_id(ref, 1), from, port, now);
}

void Network::on_connect_result(std::uint64_t ref, CloseReason failure, bool ok, TimePoint now) {
    Connection* c = live(ref);
    if (c == nullptr || !c->open[0]) return;  // the initiator closed meanwhile
    const NodeIndex initiator = c->node[0];
    if (!ok) {
        free_connection(ref_slot(ref));
        host_.on_stream_closed(initiator, stream_id(ref, 0), failure, now);
        return;
    }
    AGORA_ASSERT(c->state == ConnState::accepted);
    c->state = ConnState::established;
    Flow& f = c->flow[0];
    if (!f.queued.empty()) transmit(ref_slot(ref), 0, now);
    account_written(f);
    const std::size_t written = static_cast<std::size_t>(std::exchange(f.written, 0));
    host_.on_stream_connected(initiator, stream_id(ref, 0), now);
    // Bytes sent before the connection was up are written now, as far as they fit.
    if (written > 0 && is_open(stream_id(ref, 0))) host_.on_stream_sent(initiator, stream_id(ref, 0), written, now);
}

bool Network::send(StreamId s, Bytes bytes) {
    Connection* c = live(s);
    if (c == nullptr || !c->open[s.side]) return false;
    if (bytes.empty()) return true;
    Flow& f = c->flow[s.side];
    const bool can_send = s.side == 1 || c->state == ConnState::established;
    if (can_send && !f.active && f.queued.empty() && bytes.size() <= config_.small_send_bytes_max) {
        // A small send on an idle stream (most requests and haves): what transmit() would do,
        // without passing the bytes through the queue. Written at once: nothing waits before it.
        f.written += f.unwritten + bytes.size();
        f.unwritten = 0;
        const std::size_t size = bytes.size();
        send_small(s.connection, s.side, {}, std::move(bytes), size, queue_.now());
        return true;
    }
    f.unwritten += bytes.size();
    f.queued.push(std::move(bytes));
    if (can_send && !f.active) transmit(s.connection, s.side, queue_.now());
    if (can_send) account_written(f);  // a socket takes nothing before it is connected
    return true;
}

std::size_t Network::take_written(StreamId s) {
    Connection* c = live(s);
    if (c == nullptr) return 0;
    return static_cast<std::size_t>(std::exchange(c->flow[s.side].written, 0));
}

// Sent bytes are written once at most socket_buffer_bytes of the queue wait for the link.
void Network::account_written(Flow& f) const {
    const std::uint64_t queued = f.queued.size();
    const std::uint64_t waiting = queued > config_.socket_buffer_bytes ? queued - config_.socket_buffer_bytes : 0;
    if (f.unwritten <= waiting) return;
    f.written += f.unwritten - waiting;
    f.unwritten = waiting;
}

bool Network::close(StreamId s) {
    Connection* c = live(s);
    if (c == nullptr || !c->open[s.side]) return false;
    const TimePoint now = queue_.now();
    c->open[s.side] = false;
    if (c->state == ConnState::connecting) {
        // The SYN is still on its way: abandon the attempt; the SYN's event is then stale.
        free_connection(s.connection);
        return true;
    }
    if (!c->open[1 - s.side]) {
        free_connection(s.connection);  // the other end had already closed too
        return true;
    }
    Flow& f = c->flow[s.side];
    if (f.active) {
        f.fin = true;  // after the queued bytes
    } else {
        // Bytes queued by an initiator that was never connected are abandoned with it.
        f.queued.clear();
        send_fin(s.connection, s.side, now);
    }
    return true;
}

// The FIN travels behind everything sent before it on this direction.
void Network::send_fin(std::uint32_t slot, std::uint32_t dir, TimePoint now) {
    Connection& c = connections_[slot];
    Flow& f = c.flow[dir];
    f.last_arrival = std::max(now + c.latency, f.last_arrival);
    schedule(f.last_arrival, fin_arrives, flow_ref(slot, c.generation, dir));
}

void Network::on_fin_arrives(std::uint64_t ref, TimePoint now) {
    Connection* c = live(ref);
    const std::uint32_t receiver = 1 - ref_dir(ref);
    if (c == nullptr || !c->open[receiver]) return;
    c->open[receiver] = false;
    const NodeIndex n = c->node[receiver];
    // The closer is gone, so is anything this end still had for it; with both ends closed, so is
    // the connection.
    free_connection(ref_slot(ref));
    host_.on_stream_closed(n, stream_id(ref, receiver), CloseReason::peer_closed, now);
}

void Network::on_data_arrives(std::uint32_t parcel, TimePoint now) {
    const std::uint64_t ref = parcels_[parcel].flow;
    const bool small = parcels_[parcel].small;
    // Moved out before the slot is reused: a host called with them may send, which may reuse
    // this very slot or grow the vector.
    std::vector<Part> parts = std::move(parcels_[parcel].parts);
    const Bytes bytes = take_parcel(parcel);
    const std::uint32_t receiver = 1 - ref_dir(ref);
    if (!bytes.empty()) {
        // A small send on an idle stream, carried as it was sent.
        Connection* c = live(ref);
        if (c == nullptr || !c->open[receiver]) return;
        const NodeIndex n = c->node[receiver];
        node(n).counters.stream_bytes_received += bytes.size();
        node(n).counters.small_bytes_received += bytes.size();
        host_.on_stream_data(n, stream_id(ref, receiver), bytes, now);
        return;
    }
    for (const auto& part : parts) {
        Connection* c = live(ref);
        if (c == nullptr || !c->open[receiver]) return;  // this end closed: the bytes are discarded
        const NodeIndex n = c->node[receiver];
        // Into a buffer kept for deliveries: hosts only read the bytes during the call, and no
        // delivery happens inside another.
        part.expand_into(delivery_);
        node(n).counters.stream_bytes_received += delivery_.size();
        if (small) node(n).counters.small_bytes_received += delivery_.size();
        host_.on_stream_data(n, stream_id(ref, receiver), delivery_, now);
    }
}

bool Network::is_open(StreamId s) const {
    const Connection* c = live(s);
    return c != nullptr && c->open[s.side];
}

NodeIndex Network::node_of(StreamId s) const {
    const Connection* c = live(s);
    AGORA_ASSERT(c != nullptr);
    return c->node[s.side];
}

Address Network::remote_address(StreamId s) const {
    const Connection* c = live(s);
    AGORA_ASSERT(c != nullptr);
    return c->address[1 - s.side];
}

std::uint64_t Network::queued_bytes(StreamId s) const {
    const Connection* c = live(s);
    if (c == nullptr) return 0;
    const Flow& f = c->flow[s.side];
    return f.queued.size();
}

double Network::send_rate(StreamId s) const {
    const Connection* c = live(s);
    return c == nullptr ? 0 : c->flow[s.side].rate;
}

}  // namespace agora::sim
