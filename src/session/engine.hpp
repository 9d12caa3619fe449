// The engine: every torrent of a node and every peer connection, composed from the sans-I/O cores
// (DESIGN.md, session/). Drivers (io/ with real sockets, sim/ with a simulated network, tests)
// feed it events with `now` and carry out the actions it returns; it does no I/O itself.
//
// A connection goes: connecting (outgoing) -> handshaking -> attached to a torrent's swarm.
// The engine owns the BitTorrent handshake and message framing (wire/), the peer lists and
// tracker schedules; each torrent's swarm (swarm/Torrent) owns the peer protocol beyond that.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "core/bitfield.hpp"
#include "core/clock.hpp"
#include "core/handle_map.hpp"
#include "core/ids.hpp"
#include "core/poll_queue.hpp"
#include "core/rng.hpp"
#include "dht/node.hpp"
#include "meta/torrent_info.hpp"
#include "session/metadata_fetch.hpp"
#include "session/peer_list.hpp"
#include "swarm/torrent.hpp"
#include "tracker/http.hpp"
#include "wire/handshake.hpp"
#include "wire/message.hpp"

namespace agora::session {

struct EngineConfig {
    std::array<std::uint8_t, 20> peer_id{};
    std::uint16_t listen_port = 0;
    std::uint32_t max_peers_per_torrent = 50;
    std::uint32_t connect_attempts_in_flight_max = 8;
    Duration handshake_timeout = std::chrono::seconds(10);
    std::uint64_t seed = 1;
    bool log_peers = false;  // a Log action for every connection closed by us, with its reason
    // The Mainline DHT node (BEP 5): finds peers for every torrent and announces them.
    std::optional<dht::NodeConfig> dht;
    Duration dht_announce_interval = std::chrono::minutes(15);
    // An unfinished torrent with no connection at all and nobody left to dial asks its trackers
    // again this long after their last answer (or after the tracker's "min interval", if longer),
    // rather than at their interval (30 minutes is common). It happens to a node that cannot take
    // connections (behind a NAT, no port forward) when it joins before anyone it can reach: the
    // tracker's list held only peers it cannot dial either, and no one can dial it. rtorrent
    // likewise announces at the tracker's min interval while it has too few peers.
    Duration stranded_announce_interval = std::chrono::minutes(5);
    swarm::TorrentConfig torrent;
};

// ---- actions the engine asks of its driver ----
struct Connect { PeerHandle peer; Endpoint endpoint; };
struct Send { PeerHandle peer; Bytes bytes; };
struct Close { PeerHandle peer; std::string reason; };
// A block of a piece being downloaded, unverified: keep it (not in the files, never for upload)
// until HashPiece for its piece, or until the torrent is removed.
struct StoreBlock { TorrentHandle torrent; PieceIndex piece; std::uint32_t offset; Bytes data; };
// Every block of the piece was stored: hash them, write the piece if it passes, drop the stored
// blocks either way, and answer with handle_piece_checked.
struct HashPiece { TorrentHandle torrent; PieceIndex piece; bool block_digests; };
struct ReadBlock { TorrentHandle torrent; PeerHandle peer; PieceIndex piece; std::uint32_t offset; std::uint32_t length; };
struct Announce { TorrentHandle torrent; std::uint32_t tracker; std::string url; tracker::AnnounceRequest request; };
struct PieceVerified { TorrentHandle torrent; PieceIndex piece; };
// A magnet link's info dictionary arrived and matched its hash: the torrent is now whole.
struct MetadataReceived { TorrentHandle torrent; std::shared_ptr<const meta::TorrentInfo> info; };
struct Log { std::string line; };
// A DHT datagram to send over the node's UDP socket.
struct SendDatagram { dht::Endpoint to; Bytes bytes; };
// The result of a DHT query the driver (not a torrent) started through dht().
struct DhtEvent { dht::Event event; };
using Action = std::variant<Connect, Send, Close, StoreBlock, HashPiece, ReadBlock, Announce, PieceVerified, MetadataReceived, Log,
                            SendDatagram, DhtEvent>;

struct AddTorrentOptions {
    Bitfield have;                       // verified pieces (from a check or a resume record)
    std::vector<Endpoint> peers;         // to connect to at once (--peer, x.pe)
    std::vector<std::string> trackers;   // in addition to the torrent's own (magnet tr=), one tier each
    bool use_trackers = true;
    std::vector<std::uint8_t> piece_priorities;  // swarm::PiecePicker's levels; empty: all normal
    bool sequential = false;
};

class Engine {
public:
    Engine(EngineConfig config, TimePoint now);

    TorrentHandle add_torrent(std::shared_ptr<const meta::TorrentInfo> info, AddTorrentOptions options, TimePoint now);
    // A torrent known only by its info-hash(es) (a magnet link): the info dictionary is fetched
    // from peers first (BEP 9), then it runs like any other. torrent() is null until then.
    TorrentHandle add_magnet(InfoHashes hashes, AddTorrentOptions options, TimePoint now);
    // Announces `stopped` to its trackers, closes its connections and forgets the torrent. Disk
    // completions and tracker replies still in flight for it are ignored when they come back.
    void remove_torrent(TorrentHandle t, TimePoint now);
    // Announce `stopped` to every tracker, close every connection and stop the DHT (no more
    // answers, queries or lookups; its table stays readable, for saving), as libtorrent's session
    // does when it is aborted. The driver then waits for the announces, with a short deadline.
    void shutdown(TimePoint now);

    // ---- events from the driver ----
    void handle_connected(PeerHandle peer, TimePoint now);           // an outgoing Connect succeeded
    PeerHandle handle_accepted(Endpoint from, TimePoint now);         // an incoming connection
    void handle_data(PeerHandle peer, BytesView bytes, TimePoint now);
    // `bytes` more of what was sent on the connection have been written (to the socket, onto the
    // wire): the torrent paces its uploads by this (swarm::TorrentConfig::send_buffer_min). A driver
    // must report every byte of every Send, in any grouping.
    void handle_sent(PeerHandle peer, std::size_t bytes, TimePoint now);
    void handle_closed(PeerHandle peer, const std::string& reason, TimePoint now);  // failed connect too
    void handle_piece_checked(TorrentHandle t, PieceIndex piece, bool ok, std::vector<Sha1> block_digests,
                              TimePoint now);
    // The block a ReadBlock asked for, read into the buffer its piece message is sent from (an
    // empty buffer when the read failed).
    void handle_block_read(TorrentHandle t, PeerHandle peer, PieceIndex piece, std::uint32_t offset,
                           wire::PieceBuffer block, TimePoint now);
    void handle_announce_reply(TorrentHandle t, std::uint32_t tracker, const Result<tracker::AnnounceResponse>& reply,
                               TimePoint now);
    void handle_timeout(TimePoint now);
    TimePoint next_deadline() const;
    // Starts the DHT node's bootstrap through these routers (and the known nodes), and the lookups
    // of torrents that were waiting for someone to ask.
    void bootstrap_dht(std::vector<dht::Endpoint> routers, TimePoint now);
    // A datagram for the DHT node (ignored when the DHT is off).
    void handle_datagram(const dht::Endpoint& from, BytesView bytes, TimePoint now);
    // Peers found outside the engine (Local Service Discovery) for the torrent with this v1 hash.
    void add_peers(const InfoHashV1& hash, const std::vector<Endpoint>& peers, TimePoint now);

    // The DHT node, for queries the driver makes itself (`agora dht ...`); null when off. Their
    // results come back as DhtEvent actions.
    dht::Node* dht() { return dht_.get(); }
    const dht::Node* dht() const { return dht_.get(); }
    // v1 hashes of every torrent, for Local Service Discovery announcements.
    std::vector<InfoHashV1> announce_hashes() const;

    std::optional<Action> poll_action();

    // What to download of a torrent whose metadata is known (see swarm::Torrent). Ignored for a
    // magnet still fetching its metadata, and for a vector of the wrong size.
    void set_priorities(TorrentHandle t, std::vector<std::uint8_t> piece_priorities, TimePoint now);
    void set_sequential(TorrentHandle t, bool on, TimePoint now);

    // ---- state, for progress displays ----
    const swarm::Torrent* torrent(TorrentHandle t) const;
    std::vector<TorrentHandle> torrents() const;
    // The torrent a connection is for (known once its handshake named one).
    std::optional<TorrentHandle> torrent_of(PeerHandle peer) const;

private:
    struct Tracker {
        std::string url;
        std::uint32_t tier = 0;
        TimePoint next_announce;
        TimePoint last_answer;  // of the last announce that succeeded
        Duration interval = std::chrono::seconds(1800);
        Duration min_interval{0};  // the tracker's "min interval", if it sent one: never sooner
        bool in_flight = false;
        bool started_sent = false;
        bool completed_sent = false;
        std::uint32_t failures = 0;
        std::string tracker_id;
    };
    struct TorrentSlot {
        std::array<std::uint8_t, 20> key{};   // the info-hash as handshakes carry it
        InfoHashes hashes;
        std::unique_ptr<MetadataFetch> metadata;  // while a magnet's info dictionary is missing
        std::unique_ptr<swarm::Torrent> swarm;
        PeerList peers;
        std::vector<Tracker> trackers;
        bool was_complete = false;
        TimePoint next_dht;
    };
    enum class ConnState { connecting, handshaking, active };
    struct Connection {
        ConnState state = ConnState::connecting;
        bool outgoing = false;
        Endpoint endpoint;
        std::optional<TorrentHandle> torrent;
        wire::MessageReader reader;
        Bytes handshake_buffer;
        bool handshake_sent = false;
        bool closing = false;  // Close was asked for; gone at handle_closed
        TimePoint started;
        bool fast = false;
        bool extensions = false;
        std::uint8_t ut_metadata_id = 0;  // the peer's id for ut_metadata
        Bytes stash;  // what the peer said before we had the metadata, re-encoded, for the swarm
    };

    void send_handshake(PeerHandle peer, Connection& c, TorrentHandle t);
    void on_metadata_message(PeerHandle peer, Connection& c, TorrentSlot& slot, const wire::Message& m, TimePoint now);
    void request_metadata(PeerHandle peer, Connection& c, TorrentSlot& slot, TimePoint now);
    void metadata_complete(TorrentHandle t, TimePoint now);
    TorrentHandle add_slot(InfoHashes hashes, const std::vector<meta::Tracker>& trackers, AddTorrentOptions& options,
                           TimePoint now);
    void on_handshake(PeerHandle peer, Connection& c, const wire::Handshake& hs, TimePoint now);
    void close(PeerHandle peer, std::string reason);
    void vote_our_address(const std::string& ip, const std::string& voter);
    // The torrent's connection to close to make room for `newcomer` (BEP 40): the one of lowest
    // priority, if that is lower than the newcomer's. Nothing while our address is unknown.
    std::optional<PeerHandle> replaceable_by(TorrentHandle t, const Endpoint& newcomer) const;
    void drain(TorrentHandle t, TimePoint now);
    void connect_more(TorrentHandle t, TimePoint now);
    void announce_due(TorrentHandle t, TimePoint now, bool force_event);
    // Unfinished, with no connection in any state (see EngineConfig::stranded_announce_interval).
    bool stranded_torrent(TorrentHandle t) const;
    void announce_stopped(TorrentHandle t);
    std::optional<TorrentHandle> torrent_for_hash(const std::array<std::uint8_t, 20>& hash) const;
    tracker::AnnounceRequest announce_request(TorrentHandle t, tracker::Event event) const;

    void dht_due(TimePoint now);
    void drain_dht();

    EngineConfig config_;
    Rng rng_;
    std::unique_ptr<dht::Node> dht_;
    std::map<dht::QueryId, TorrentHandle> dht_lookups_;  // the torrents' own get_peers lookups
    TimePoint last_now_;
    std::map<std::uint32_t, TorrentSlot> torrents_;
    HandleMap<Connection> connections_;
    std::set<std::string> banned_;  // ip:port keys
    // The address peers see us at (BEP 10 "yourip"): the answer given by the most distinct peer
    // addresses wins (as the DHT counts its votes), so one peer reconnecting cannot outvote the
    // rest; a few distinct answers are counted, later ones ignored. For BEP 40 priorities.
    static constexpr std::size_t address_candidates_max = 8;
    static constexpr std::size_t address_voters_max = 32;  // per answer: past this it has won anyway
    std::map<std::string, std::set<std::string>> address_votes_;
    std::string our_address_;
    std::uint32_t next_torrent_ = 0;
    std::uint32_t next_peer_ = 0;
    PollQueue<Action> actions_;
    TimePoint next_housekeeping_;
    bool shutting_down_ = false;
};

}  // namespace agora::session
