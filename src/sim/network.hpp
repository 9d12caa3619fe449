// The simulated network: nodes with an IPv4 address, upload and download capacity, a loss rate
// and a NAT type, joined by a core that adds latency and never congests. It carries
//
//   datagrams: delivered after the pair's one-way latency unless lost. Loss is drawn from the
//     sending node's own rng stream, so one node's traffic never shifts another's losses.
//   streams (TCP-like): connected after one round trip (or refused, or timed out when nobody is
//     there or a NAT drops the SYN), then reliable and in order, at a rate set by max-min fair
//     sharing of every node's upload and download among the streams active through it.
//
// Bytes on a stream move as a fluid. A stream is active while it has bytes queued; whenever the
// set of active streams changes, the fair share of the nodes touched is recomputed (fair_share.hpp),
// each changed stream banks the bytes moved at its old rate, and its next completion is rescheduled.
// Queued bytes leave in chunks: whole sends while the chunk is under `chunk_bytes_max` (so under
// twice that), a larger send split; when a chunk has been transmitted, it reaches the receiver one
// latency later, in order, as the buffers that were sent (byte_queue.hpp: only their trailing
// zeros are kept as a count meanwhile). Between chunks nothing happens, which is what lets 10,000
// nodes run on one core: the cost is an event per chunk and a recomputation per change of the
// active set, never a tick per millisecond.
//
// Two things keep recomputations rare enough for large worlds:
//   - small sends skip the fluid model: a send of at most `small_send_bytes_max` on an idle stream
//     (a BitTorrent request, have, choke, a PEX message) is delivered after latency plus its size at
//     the link's full rate, without joining the fair share. Otherwise every request a downloader
//     sends would start and stop a flow, twice per 16 KiB block received.
//   - `rate_update_interval` > 0 batches recomputations onto a grid of that period: a stream that
//     starts waits for the next tick to get its rate, and capacity a drained stream frees is idle
//     until then. 50-100 ms is about TCP's own ramp-up time; 0 (the default) recomputes at the end
//     of the instant of every change, which is exact and what the unit tests use.
//
// Everything is deterministic from the world seed: no container's iteration order depends on a
// hash or an address, ties in time run in scheduling order (event_queue.hpp), and the fair share
// is computed in a fixed order.
//
// What is approximate, and why it is acceptable for testing a BitTorrent engine:
//   - no TCP dynamics: no slow start, no window limit from latency, no per-packet overhead. A
//     stream gets its fair share at once. The engine's choking and piece picking react on the
//     scale of seconds, where this is what TCP converges to. Loss does not drop stream bytes (TCP
//     retransmits them); it caps the stream's rate at what TCP sustains under loss p and round
//     trip RTT, MSS * 1.22 / (RTT * sqrt(p)) (Mathis, Semke, Mahdavi, Ott 1997), p being the
//     chance that a packet crosses either end's lossy access link.
//   - only access links congest; the core between them has infinite capacity.
//   - datagrams are assumed tiny (DHT packets are under 1,500 bytes and rate-limited by the DHT
//     itself): they take no capacity from streams and are not counted against upload capacity.
//   - a stream's latency is drawn once, at connect, and is the same both ways; datagrams draw it
//     per packet, so a jittery latency function reorders datagrams, never stream bytes.
//   - NAT admission is decided for a stream's SYN only; once open, a stream bypasses its NATs
//     (connection tracking keeps established TCP open for hours).
//   - small sends (above) take no capacity from bulk streams; they are counted apart.
//   - close() is graceful: bytes already queued are still sent, then the other end learns of the
//     close. Bytes the other end sends before it learns are carried and then discarded.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/rng.hpp"
#include "sim/address.hpp"
#include "sim/byte_queue.hpp"
#include "sim/event_queue.hpp"
#include "sim/fair_share.hpp"
#include "sim/nat.hpp"

namespace agora::sim {

using NodeIndex = StrongIndex<struct SimNodeTag>;

// One end of a stream. The two ends of a connection share `connection` and `generation` and
// differ in `side`. Generations make a stale id (its connection closed, the slot reused) harmless.
struct StreamId {
    std::uint32_t connection = 0;
    std::uint32_t generation = 0;  // 0: no stream
    std::uint8_t side = 0;         // 0: the end that connected, 1: the end that accepted
    auto operator<=>(const StreamId&) const = default;
    bool valid() const { return generation != 0; }
};

enum class CloseReason : std::uint8_t {
    peer_closed,  // the other end called close() (or its connect was abandoned)
    refused,      // connect: the host is there but nothing listens on the port
    timed_out,    // connect: nobody at that address, or a NAT dropped the SYN
};
const char* to_string(CloseReason reason);

// What the network delivers to nodes; the simulator's engine driver implements it (one object for
// all nodes, told which node each event is for). Calls come from inside EventQueue::run_next with
// the event's time as `now`. A host may call back into the Network (send, close, connect) from
// them; `bytes` is valid only during the call.
class Host {
public:
    virtual void on_datagram(NodeIndex node, std::uint16_t local_port, Address from, BytesView bytes,
                             TimePoint now) = 0;
    // An outgoing connect() completed; the stream may now send.
    virtual void on_stream_connected(NodeIndex node, StreamId stream, TimePoint now) = 0;
    // Someone connected to a port this node listens on. `from` is their address as the network
    // sees it: behind a NAT, the NAT's external address and port.
    virtual void on_stream_accepted(NodeIndex node, StreamId stream, Address from, std::uint16_t local_port,
                                    TimePoint now) = 0;
    virtual void on_stream_data(NodeIndex node, StreamId stream, BytesView bytes, TimePoint now) = 0;
    // `bytes` more of what this end sent now fit in its socket's send buffer, as the link
    // transmitted a chunk (a TCP socket's write completing; NetworkConfig::socket_buffer_bytes).
    // Called while this end is open (and at connect, for bytes sent before). What fits at once
    // when sent is not reported here: the sender takes it with take_written() after send(), so a
    // host is never called from its send.
    virtual void on_stream_sent(NodeIndex, StreamId, std::size_t /*bytes*/, TimePoint) {}
    // The stream is gone (the peer closed, or the connect failed). No more calls for it follow.
    virtual void on_stream_closed(NodeIndex node, StreamId stream, CloseReason reason, TimePoint now) = 0;

protected:
    ~Host() = default;
};

// One-way latency from a node to another. Must be a pure function of its arguments (or draw from
// its own seeded rng) for a run to replay. Called per datagram and once per connect.
using LatencyFn = std::function<Duration(NodeIndex from, NodeIndex to)>;

struct NetworkConfig {
    std::uint32_t first_ip = make_ip(10, 0, 0, 1);  // node i gets first_ip + i
    LatencyFn latency{};                              // empty: default_latency everywhere
    Duration default_latency = std::chrono::milliseconds(25);
    // Granularity of stream delivery: smaller is closer to TCP, larger is fewer events. 32 KiB is two
    // BitTorrent blocks: a piece message is never split into many deliveries.
    std::uint32_t chunk_bytes_max = 32 * 1024;
    // Sends this small on an idle stream bypass the fair share (one packet's worth).
    std::uint32_t small_send_bytes_max = 1400;
    // A TCP socket's send buffer: sent bytes count as written (a write completing) once no more
    // than this many wait for the link. Linux starts a socket at 16 KiB (net.ipv4.tcp_wmem). It
    // keeps the link busy between a sender's writes, as the kernel does: a sender that writes only
    // when its previous write completed would otherwise leave its stream idle between blocks.
    std::uint32_t socket_buffer_bytes = 16 * 1024;
    Duration rate_update_interval{0};
    Duration connect_timeout = std::chrono::seconds(10);
    std::uint32_t tcp_mss = 1460;  // bytes, for the rate of a stream under loss
    Duration nat_mapping_timeout = std::chrono::seconds(120);
    std::uint16_t ephemeral_port_min = 49152;
};

struct NodeConfig {
    std::uint64_t upload_bytes_per_s = 1'000'000;
    std::uint64_t download_bytes_per_s = 10'000'000;
    double loss = 0;  // probability that a datagram from or to this node is lost
    NatType nat = NatType::none;
};

struct NodeCounters {
    std::uint64_t stream_bytes_sent = 0;      // counted when a chunk has been transmitted
    std::uint64_t stream_bytes_received = 0;  // counted when it is delivered
    std::uint64_t small_bytes_sent = 0;       // of stream_bytes_sent, small sends (outside the fair share)
    std::uint64_t small_bytes_received = 0;   // of stream_bytes_received, small sends
    std::uint64_t datagrams_sent = 0;
    std::uint64_t datagram_bytes_sent = 0;
    std::uint64_t datagrams_received = 0;
    std::uint64_t datagrams_lost = 0;     // sent by this node, lost to the loss rate
    std::uint64_t datagrams_dropped = 0;  // sent by this node to nobody, or dropped on arrival here
};

class Network final : public EventSink {
public:
    // `queue` and `host` must outlive the network. `world_seed` derives each node's loss stream.
    Network(EventQueue& queue, Host& host, NetworkConfig config, std::uint64_t world_seed);
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;
    ~Network();

    // ---- nodes ----
    NodeIndex add_node(const NodeConfig& config);
    std::size_t node_count() const { return nodes_.size(); }
    std::uint32_t ip(NodeIndex node) const;
    std::optional<NodeIndex> node_at(std::uint32_t ip) const;
    const NodeConfig& node_config(NodeIndex node) const;
    const NodeCounters& counters(NodeIndex node) const;
    NatBox* nat(NodeIndex node);  // null for a node with a public address
    void listen(NodeIndex node, std::uint16_t port);  // accept streams on this TCP port
    void bind(NodeIndex node, std::uint16_t port);    // receive datagrams on this UDP port
    void unlisten(NodeIndex node, std::uint16_t port);  // connects to the port are refused again
    // Nothing listens or is bound on the node any more (it left): connects are refused, datagrams
    // dropped. Its open streams are the caller's to close.
    void close_ports(NodeIndex node);
    // A static mapping on the node's NAT (UPnP / NAT-PMP). Nothing to do for a public node.
    void forward_port(NodeIndex node, Protocol protocol, std::uint16_t port);

    // ---- datagrams ----
    void send_datagram(NodeIndex node, std::uint16_t local_port, Address to, Bytes bytes);

    // ---- streams ----
    // Starts a connection; the result comes as on_stream_connected or on_stream_closed.
    StreamId connect(NodeIndex node, Address to);
    // Queues bytes; false if the stream is closed (or the id stale). Bytes queued before the stream
    // is connected leave when it is.
    bool send(StreamId stream, Bytes bytes);
    // Bytes sent on the stream that fit in its socket buffer since the last call or on_stream_sent
    // (a write that completed at once); the rest is reported by on_stream_sent as it fits.
    std::size_t take_written(StreamId stream);
    // Closes this end (graceful, see above). False if it was not open.
    bool close(StreamId stream);
    bool is_open(StreamId stream) const;
    NodeIndex node_of(StreamId stream) const;
    // The other end's address, as this end sees it.
    Address remote_address(StreamId stream) const;
    // Bytes queued on this end and not yet transmitted (what a driver uses for backpressure).
    std::uint64_t queued_bytes(StreamId stream) const;
    // The rate, in bytes/s, at which this end is sending now (0 when idle).
    double send_rate(StreamId stream) const;

    // ---- checks and statistics ----
    // The first broken invariant, described, or nothing. Cheap enough to run every simulated
    // second: O(nodes + connections). Checks that no node's streams are allocated more than its
    // capacity, that no node has sent or received more stream bytes than capacity * time since it
    // was added (plus one chunk), and that the active-stream bookkeeping is consistent.
    std::optional<std::string> check_invariants() const;
    std::uint64_t recomputations() const { return recomputations_; }
    std::uint64_t flows_recomputed() const { return flows_recomputed_; }
    std::size_t connections_open() const { return connections_.size() - free_connections_.size(); }
    // Streams sending from this node now. Chunks are counted when their transmission ends, so over
    // a window starting at t, a node's sent bytes (less small sends) are at most upload * window +
    // 2 * chunk_bytes_max * active_sends(node) at t: each stream active at t may finish a chunk it began.
    std::size_t active_sends(NodeIndex node) const { return nodes_[node.value].out_active.size(); }

    void on_event(std::uint32_t kind, std::uint64_t arg, TimePoint now) override;

private:
    enum Kind : std::uint32_t {
        datagram_arrives,   // arg: parcel
        syn_arrives,        // arg: connection ref
        connect_succeeds,   // arg: connection ref
        connect_refused,    // arg: connection ref
        connect_times_out,  // arg: connection ref
        chunk_sent,         // arg: flow ref
        data_arrives,       // arg: parcel
        fin_arrives,        // arg: flow ref (the direction the FIN travels)
        recompute,          // arg: unused
    };
    enum class ConnState : std::uint8_t { free, connecting, accepted, established };
    // One direction of a connection: what side `dir` sends to the other side.
    struct Flow {
        ByteQueue queued;            // not yet transmitted
        std::uint32_t chunk = 0;     // bytes in transmission, from the front; 0 when idle
        double done = 0;             // of the chunk, bytes transmitted as of `updated`
        double rate = 0;             // bytes/s
        TimePoint updated;
        TimePoint last_arrival;      // of anything sent on it: later sends never arrive earlier
        EventHandle completion;
        std::uint32_t out_pos = 0;   // index in the sender's out_active
        std::uint32_t in_pos = 0;    // index in the receiver's in_active
        std::uint32_t seen = 0;      // recomputation stamp
        bool active = false;
        bool fin = false;            // the end closed: tell the other end once the queue drains
        std::uint64_t unwritten = 0; // queued bytes beyond the socket buffer (not yet written)
        std::uint64_t written = 0;   // written, not yet reported to the host
    };
    struct Connection {
        std::uint32_t generation = 1;
        ConnState state = ConnState::free;
        bool open[2] = {false, false};
        NodeIndex node[2];
        Address address[2];          // where side s is, as the other side sees it
        Duration latency{0};         // one way, both directions
        double cap = std::numeric_limits<double>::infinity();  // TCP's rate under the pair's loss
        TimePoint started;
        Flow flow[2];
    };
    struct Node {
        NodeConfig config;
        std::uint32_t ip = 0;
        Rng rng{0};
        NodeCounters counters;
        TimePoint added;
        std::vector<std::uint32_t> out_active;  // flow refs sending from here
        std::vector<std::uint32_t> in_active;   // flow refs arriving here
        std::vector<std::uint16_t> tcp_ports;   // sorted
        std::vector<std::uint16_t> udp_ports;   // sorted
        std::unique_ptr<NatBox> nat;
        std::uint16_t next_ephemeral = 0;
        bool dirty = false;
        std::uint32_t stamp[2] = {0, 0};  // recomputation that visited the upload / download
        std::uint32_t local[2] = {0, 0};  // their resource index in it
    };
    // Bytes in flight on the wire: a datagram, or a transmitted chunk of a stream.
    struct Parcel {
        Bytes bytes;             // datagram, or a small send on an idle stream
        std::vector<Part> parts;  // stream chunk, as it was sent
        Address from, to;      // datagram
        NodeIndex target;      // datagram
        std::uint64_t flow = 0;  // stream chunk: flow ref
        bool small = false;      // stream: a small send, outside the fair share
    };

    // Refs pack (generation, slot, direction) into an event's 64-bit argument.
    static std::uint64_t flow_ref(std::uint32_t slot, std::uint32_t generation, std::uint32_t dir) {
        return (std::uint64_t{generation} << 32) | (slot << 1) | dir;
    }
    static std::uint32_t ref_slot(std::uint64_t ref) { return static_cast<std::uint32_t>(ref & 0xffffffffu) >> 1; }
    static std::uint32_t ref_dir(std::uint64_t ref) { return static_cast<std::uint32_t>(ref & 1u); }
    static std::uint32_t ref_generation(std::uint64_t ref) { return static_cast<std::uint32_t>(ref >> 32); }
    Connection* live(std::uint64_t ref);
    const Connection* live(StreamId stream) const;
    Connection* live(StreamId stream);
    StreamId stream_id(std::uint64_t ref, std::uint32_t side) const;

    Node& node(NodeIndex n) { return nodes_[n.value]; }
    const Node& node(NodeIndex n) const { return nodes_[n.value]; }
    Duration latency(NodeIndex from, NodeIndex to) const;
    std::uint32_t new_parcel();
    Bytes take_parcel(std::uint32_t parcel);
    void schedule(TimePoint at, Kind kind, std::uint64_t arg);

    // datagrams (network.cpp)
    void on_datagram_arrives(std::uint32_t parcel, TimePoint now);

    // connections (streams.cpp)
    std::uint32_t new_connection();
    void free_connection(std::uint32_t slot);
    void on_syn_arrives(std::uint64_t ref, TimePoint now);
    void on_connect_result(std::uint64_t ref, CloseReason failure, bool ok, TimePoint now);
    void on_data_arrives(std::uint32_t parcel, TimePoint now);
    void on_fin_arrives(std::uint64_t ref, TimePoint now);
    void send_fin(std::uint32_t slot, std::uint32_t dir, TimePoint now);
    void send_small(std::uint32_t slot, std::uint32_t dir, std::vector<Part> parts, Bytes bytes, std::size_t size,
                    TimePoint now);
    void deliver(std::uint32_t slot, std::uint32_t dir, std::vector<Part> parts, Bytes bytes, std::size_t size,
                 Duration transmission, bool small, TimePoint now);
    void transmit(std::uint32_t slot, std::uint32_t dir, TimePoint now);

    // fluid transfer and fair share (flows.cpp)
    void start_flow(std::uint32_t slot, std::uint32_t dir, TimePoint now);
    void stop_flow(std::uint32_t slot, std::uint32_t dir);
    void account_written(Flow& f) const;
    void schedule_completion(std::uint32_t slot, std::uint32_t dir, TimePoint now);
    void on_chunk_sent(std::uint64_t ref, TimePoint now);
    void mark_dirty(NodeIndex n);
    void on_recompute(TimePoint now);
    void visit(NodeIndex n, std::uint32_t resource);
    NodeIndex sender_of(std::uint32_t flow) const;
    NodeIndex receiver_of(std::uint32_t flow) const;
    Flow& flow_at(std::uint32_t flow) { return connections_[flow >> 1].flow[flow & 1]; }
    std::optional<std::string> check_flows() const;

    EventQueue& queue_;
    Host& host_;
    NetworkConfig config_;
    std::uint64_t world_seed_;
    std::vector<Node> nodes_;
    std::vector<Connection> connections_;
    std::vector<std::uint32_t> free_connections_;
    std::vector<Parcel> parcels_;
    std::vector<std::uint32_t> free_parcels_;
    Bytes delivery_;  // the bytes of the stream part being delivered

    // Recomputation state: nodes whose active streams changed since the last one, and scratch.
    std::vector<NodeIndex> dirty_;
    bool recompute_pending_ = false;
    std::uint32_t stamp_ = 0;
    struct Resource {
        NodeIndex node;
        std::uint32_t kind;  // 0: upload, 1: download
    };
    std::vector<Resource> resources_;
    std::vector<std::uint32_t> component_flows_;  // flow refs without generation: slot * 2 + dir
    std::vector<double> capacity_;
    std::vector<FairShareFlow> problem_;
    std::vector<double> rates_;
    FairShareSolver solver_;
    std::uint64_t recomputations_ = 0;
    std::uint64_t flows_recomputed_ = 0;
};

}  // namespace agora::sim
