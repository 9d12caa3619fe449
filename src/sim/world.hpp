// A simulated world: many agora nodes, each the real session::Engine (with its swarm, wire, DHT
// and tracker-client code), driven over the simulated network, disk and tracker on virtual time.
// This is the engine's second driver (DESIGN.md, "Sans-I/O cores"); io::SessionDriver is the
// first, and the two map the same actions:
//
//   Connect / Send / Close      -> sim::Network streams (a Close is reported back to the engine
//                                  as handle_closed at once, as the real driver does)
//   SendDatagram                -> a datagram from the node's DHT port
//   StoreBlock                  -> the node's simulated disk notes the block arrived, and whether
//                                  it matched the original (its bytes are not kept)
//   HashPiece / ReadBlock       -> the node's simulated disk: a queue with a throughput, checking
//                                  and serving the token content of content.hpp
//   Announce                    -> BEP 15 over the node's UDP port, through the real client
//                                  state machine (tracker/udp_announce.hpp), to the world's
//                                  SimTracker on a node of its own (add_tracker)
//   the engine's next_deadline  -> one timer event per node, moved when the deadline moves
//
// The invariant checker runs inside: every PieceVerified must be of a piece whose bytes matched
// the original, no node may read for upload a piece its disk does not hold, and every
// `invariant_interval` the network's own checks run (no node sends or receives above its
// capacity), the event queue's (EventQueue::check_invariants), and every node's requests are
// checked: none is still waiting past its timeout. The first broken invariant stops the run and
// is kept in failure().
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bitfield.hpp"
#include "core/handle_map.hpp"
#include "session/engine.hpp"
#include "sim/event_queue.hpp"
#include "sim/network.hpp"
#include "sim/tracker.hpp"
#include "tracker/udp_announce.hpp"

namespace agora::sim {

struct WorldConfig {
    std::uint64_t seed = 1;
    NetworkConfig network;
    // Template for every node's engine; peer_id, seed and listen_port are set per node.
    session::EngineConfig engine;
    std::uint16_t port = 6881;  // every node listens (TCP) and runs its DHT (UDP) here
    Duration invariant_interval = std::chrono::seconds(1);
    // How long a request may wait for its block before the run fails; 0: the engine's request
    // timeout plus two seconds (the swarm checks timeouts on a one-second tick).
    Duration request_limit{0};
};

struct NodeSpec {
    NodeConfig link;
    bool dht = false;
    // Disk throughput for hashing and reading, bytes/s; 0 is instant.
    std::uint64_t disk_bytes_per_s = 0;
    // Serves corrupt blocks (for scenarios about bad peers): every block it uploads is marked bad.
    bool corrupt = false;
    // Takes requests and never serves them (a stalling peer).
    bool silent = false;
    // Its NAT (link.nat) forwards its TCP and UDP port to it, as UPnP or NAT-PMP would ask.
    bool port_forwarded = false;
};

class World final : public Host, public EventSink {
public:
    explicit World(WorldConfig config);
    World(const World&) = delete;
    World& operator=(const World&) = delete;
    ~World();

    NodeIndex add_node(const NodeSpec& spec);
    // The node leaves: its connections close, its engine is gone, nothing listens at its address
    // (a crash, or a cable pulled: nobody is told).
    void remove_node(NodeIndex node);
    // The node quits as a client does when its user closes it: the engine shuts down (`stopped` to
    // its trackers, every connection closed) and the node stays on the network for `linger`, so
    // that those announces get through (libtorrent waits up to stop_tracker_timeout, 5 s), then is
    // removed. It is not alive() from the start.
    void leave(NodeIndex node, Duration linger = std::chrono::seconds(5));
    bool alive(NodeIndex node) const;
    std::size_t node_count() const { return nodes_.size(); }
    std::size_t alive_count() const { return alive_; }

    // A torrent whose content is `content` (content.hpp). A seed starts with every piece.
    TorrentHandle add_torrent(NodeIndex node, std::shared_ptr<const meta::TorrentInfo> info,
                                       std::uint32_t content, bool seed, session::AddTorrentOptions options = {});
    // Puts the simulated UDP tracker on a node of its own (no engine; `link` matters only for its
    // datagrams' loss) and returns its announce URL, "udp://IP:6969/announce". Once per world;
    // nodes reach it only through torrents that name it.
    std::string add_tracker(const NodeConfig& link = {});
    std::optional<NodeIndex> tracker_node() const { return tracker_node_; }
    // Starts the node's DHT bootstrap through these nodes (their DHT ports).
    void bootstrap_dht(NodeIndex node, const std::vector<NodeIndex>& through);
    session::Engine& engine(NodeIndex node);
    // Calls `f` with the node's engine and the time, then carries out what it asked for (for a
    // scenario's own requests: a DHT lookup, a torrent added later).
    void drive(NodeIndex node, const std::function<void(session::Engine&, TimePoint)>& f);
    session::Endpoint endpoint(NodeIndex node) const;

    // Runs events up to `until` (or until an invariant breaks); returns false if one broke.
    bool run_until(TimePoint until);
    // Runs while `keep_going()` is true (checked after every event), at most until `limit`.
    bool run_while(const std::function<bool()>& keep_going, TimePoint limit);
    TimePoint now() const { return queue_.now(); }
    const std::optional<std::string>& failure() const { return failure_; }

    EventQueue& queue() { return queue_; }
    Network& network() { return network_; }
    const Network& network() const { return network_; }
    const SimTracker& tracker() const { return tracker_; }

    // Observers; called from inside the run.
    std::function<void(NodeIndex, TorrentHandle, PieceIndex, TimePoint)> on_piece_verified;
    std::function<void(NodeIndex, const dht::Event&, TimePoint)> on_dht_event;
    std::function<void(NodeIndex, const std::string&, TimePoint)> on_log;

    // Host
    void on_datagram(NodeIndex node, std::uint16_t local_port, Address from, BytesView bytes, TimePoint now) override;
    void on_stream_connected(NodeIndex node, StreamId stream, TimePoint now) override;
    void on_stream_accepted(NodeIndex node, StreamId stream, Address from, std::uint16_t local_port,
                            TimePoint now) override;
    void on_stream_data(NodeIndex node, StreamId stream, BytesView bytes, TimePoint now) override;
    void on_stream_sent(NodeIndex node, StreamId stream, std::size_t bytes, TimePoint now) override;
    void on_stream_closed(NodeIndex node, StreamId stream, CloseReason reason, TimePoint now) override;
    // EventSink
    void on_event(std::uint32_t kind, std::uint64_t arg, TimePoint now) override;

private:
    enum Kind : std::uint32_t { timer, disk_done, announce_timer, check, depart };
    struct DiskTorrent {
        std::shared_ptr<const meta::TorrentInfo> info;
        std::uint32_t content = 0;
        Bitfield stored;  // pieces written after they matched the original
        // Blocks of pieces being downloaded, by absolute index: which arrived, and the SHA-1 of
        // each that did not match the original. The bytes are not kept: an honest block can be
        // made again from its token (content.hpp), which is all a piece check needs.
        Bitfield blocks_stored;
        std::map<std::uint32_t, Sha1> bad_blocks;
    };
    struct Node {
        std::unique_ptr<session::Engine> engine;
        NodeSpec spec;
        std::uint32_t generation = 0;  // bumped when the node leaves: its pending events are void
        bool leaving = false;          // shut down, lingering until `depart`
        EventHandle timer;
        TimePoint timer_at = TimePoint::max();
        HandleMap<StreamId> streams;  // engine peer -> stream
        std::map<std::uint32_t, DiskTorrent> disk;  // engine torrent -> its simulated storage
        TimePoint disk_free;                        // the disk is busy until then
        std::vector<std::uint32_t> announces;       // its UDP announces in flight (slots)
    };
    struct DiskJob {
        NodeIndex node;
        std::uint32_t generation = 0;
        bool hash = false;  // else a read
        TorrentHandle torrent;
        PeerHandle peer;
        PieceIndex piece;
        std::uint32_t offset = 0, length = 0;
        bool ok = false;
        std::vector<Sha1> block_digests;
    };
    // One announce to a UDP tracker, as io::SessionDriver runs it: the state machine's datagrams
    // go out from the node's UDP port, replies from the tracker's address come back to it.
    struct AnnounceJob {
        NodeIndex node;
        std::uint32_t generation = 0;
        TorrentHandle torrent;
        std::uint32_t tracker = 0;
        Address to;
        std::unique_ptr<tracker::UdpAnnounce> machine;
        EventHandle timer;
    };

    // Which engine peer a stream end is (streams are numbered by the network's connection slot).
    struct StreamPeer {
        std::uint32_t generation = 0;  // the stream's; 0: none
        std::uint32_t peer = 0;
    };
    std::optional<std::uint32_t> peer_of(StreamId s) const;
    void bind_stream(StreamId s, std::uint32_t peer);
    void unbind_stream(StreamId s);

    Node& node(NodeIndex n) { return nodes_[n.value]; }
    void pump(NodeIndex n, TimePoint now);
    void act(NodeIndex n, session::Action& action, TimePoint now);
    void store_block(NodeIndex n, const session::StoreBlock& block);
    void hash_piece(NodeIndex n, session::HashPiece& job, TimePoint now);
    void read_block(NodeIndex n, const session::ReadBlock& job, TimePoint now);
    void finish_disk_job(std::uint32_t job, TimePoint now);
    void start_announce(NodeIndex n, session::Announce& a, TimePoint now);
    void step_announce(std::uint32_t job, TimePoint now);
    void serve_block(Node& nd, TorrentHandle t, PeerHandle peer, PieceIndex piece, std::uint32_t offset,
                     std::uint32_t length, TimePoint now);
    TimePoint disk_time(Node& nd, std::int64_t bytes, TimePoint now);
    std::uint32_t new_slot(std::vector<std::uint32_t>& free, std::size_t size);
    void fail(std::string what);
    void check_requests(TimePoint now);
    std::uint64_t pack(NodeIndex n) const { return (std::uint64_t{nodes_[n.value].generation} << 32) | n.value; }

    WorldConfig config_;
    EventQueue queue_;
    Network network_;
    SimTracker tracker_;
    std::vector<Node> nodes_;
    std::size_t alive_ = 0;
    std::vector<DiskJob> jobs_;
    std::vector<std::uint32_t> free_jobs_;
    std::optional<NodeIndex> tracker_node_;
    std::vector<AnnounceJob> announces_;
    std::vector<std::uint32_t> free_announces_;
    std::uint64_t announces_started_ = 0;  // numbers each announce's transaction ids
    std::map<InfoHashV1, std::uint32_t> contents_;  // for magnets: which content a torrent holds
    std::vector<StreamPeer> stream_peers_;  // by connection * 2 + side
    // Disk work for an instant disk, done as soon as the engine's actions are drained (pump).
    std::deque<session::ReadBlock> ready_reads_;
    std::deque<DiskJob> ready_checks_;
    std::optional<std::string> failure_;
    Bytes scratch_;
};

}  // namespace agora::sim
