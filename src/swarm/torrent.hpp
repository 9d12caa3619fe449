// One torrent's swarm: the peers connected for it, what each has and wants, which blocks to ask
// whom for, whom to upload to, and verifying what arrives. A sans-I/O state machine
// (STYLE.md, practice 1): it is fed peer messages, disk completions and `now`, and returns
// outputs (bytes to send, blocks to keep, pieces to check and write, blocks to read, peers to drop, peers learned
// through PEX) through poll_output(). It never touches a socket, a file or a clock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/bitfield.hpp"
#include "core/clock.hpp"
#include "core/handle_map.hpp"
#include "core/ids.hpp"
#include "core/poll_queue.hpp"
#include "core/rng.hpp"
#include "meta/torrent_info.hpp"
#include "swarm/choker.hpp"
#include "swarm/peer.hpp"
#include "swarm/piece_picker.hpp"
#include "swarm/smart_ban.hpp"
#include "wire/extension.hpp"
#include "wire/message.hpp"
#include "wire/pex.hpp"

namespace agora::swarm {

struct TorrentConfig {
    // Regular unchoke slots at least (plus optimistic ones, one per five regular and at least one;
    // more while a fast uplink serves each unchoked peer well, choker.hpp). libtorrent's default
    // is 8 (Transmission's 14); with 4, a 100-leecher flash crowd in the simulator took 1.92x the
    // Kumar-Ross bound, with 8 1.57x: slow-uplink peers get served sooner when more peers are
    // unchoked at once.
    std::uint32_t unchoke_slots = 8;
    std::uint32_t request_queue_min = 16;   // blocks in flight per peer at the start
    std::uint32_t request_queue_max = 500;  // and at most (also capped by the peer's reqq)
    std::uint32_t our_reqq = 2000;          // requests we let a peer queue (Transmission reads this)
    Duration request_timeout = std::chrono::seconds(20);
    // BEP 3's reference client rechoked every 10 s (libtorrent 15 s, Transmission 10 s). Our rate
    // meter forgets in about two seconds (rate.hpp), so 5 s is still several of its time
    // constants, and the unchoke slots, which double at each rechoke while every unchoked peer is
    // served well (choker.hpp), reach the slow-uplink peers twice as soon. In the simulator's
    // flash crowd (scenarios/flash-crowd.toml) that brought the last leecher in sooner: 300
    // leechers, seeds 1-3, 70.6/68.0/70.2 s -> 67.0/64.0/67.2 s; 1,000 leechers, seed 1,
    // 70.9 -> 66.8 s.
    Duration rechoke_interval = std::chrono::seconds(5);
    Duration keepalive_interval = std::chrono::seconds(90);
    Duration inactivity_timeout = std::chrono::seconds(180);
    std::uint32_t reads_in_flight_per_peer = 8;  // disk reads queued for one peer's requests
    // Upload pacing, libtorrent's send buffer watermark: blocks are read for a peer only while the
    // bytes sent to it and not yet written by the driver (handle_sent) stay under half a second
    // of its upload rate, at least send_buffer_min and at most send_buffer_max. Without it every
    // block a peer asks for is read and queued at once: seconds of data waiting in memory, and a
    // choke that cannot take back what is queued. 0 turns pacing off.
    std::size_t send_buffer_min = 10 * 1024;  // libtorrent: send_buffer_low_watermark
    std::size_t send_buffer_max = 512 * 1024;
    std::size_t checking_bytes_max = 64u << 20;  // downloaded piece bytes waiting for the disk
    // Blocks of pieces being downloaded are held by the driver until their piece verifies; while
    // this many bytes of started pieces are held, peers are asked for the missing blocks of started pieces (several peers then
    // share a piece) and new pieces wait, except that a peer with nothing in flight may start
    // one. Without it, forty peers sending at once start a piece each, or two, and hold them all.
    std::size_t partial_bytes_max = 64u << 20;
    std::string client_name = "agora/0.1.0";
    std::uint16_t listen_port = 0;
    // BEP 11 peer exchange (never for private torrents, BEP 27). We send each peer that offers
    // ut_pex a first message (everyone connected) on the one-second tick after its extended
    // handshake, as libtorrent does, and then one per interval (BEP 11: at most one a minute)
    // with what changed. A newcomer so learns its neighbours' neighbours within seconds: in a
    // flash crowd, where the tracker's sample leaves some leechers with few peers and no fast ones,
    // a first message after a minute came after the fast leechers had finished. We take at most
    // one message from each peer per pex_accept_interval_min (a little under a minute, for
    // senders' jitter; libtorrent refuses floods the same way); the extra ones are ignored and
    // counted.
    Duration pex_interval = std::chrono::seconds(60);
    Duration pex_accept_interval_min = std::chrono::seconds(45);
};

// What the torrent asks its driver to do.
struct SendBytes { PeerHandle peer; Bytes bytes; };
struct DropPeer { PeerHandle peer; std::string reason; bool ban = false; };
// A block of a piece being downloaded, not yet verified: the driver keeps it (in memory, not in
// the files, and never for upload) until CheckPiece for its piece.
struct StoreBlock { PieceIndex piece; std::uint32_t offset; Bytes data; };
// Every block of the piece was stored: hash them, write the piece only if it passes, and drop
// the stored blocks either way.
struct CheckPiece { PieceIndex piece; };
struct ReadBlock { PeerHandle peer; PieceIndex piece; std::uint32_t offset; std::uint32_t length; };
struct PieceHad { PieceIndex piece; };                // verified and written (for resume records)
// Addresses (ip, port) a peer told us of with BEP 11 PEX, minus those already connected: worth
// dialing. At most limits::pex_added_per_family_max per address family from one message.
struct PeersLearned { std::vector<std::pair<std::string, std::uint16_t>> peers; };
// A peer (`voter`, its address) told us the address it sees us at (BEP 10 "yourip"), once per
// connection.
struct AddressSeen { std::string ip; std::string voter; };
using Output = std::variant<SendBytes, DropPeer, StoreBlock, CheckPiece, ReadBlock, PieceHad, PeersLearned, AddressSeen>;

struct TorrentStats {
    std::uint32_t pieces_had = 0;
    std::uint32_t pieces_total = 0;
    std::uint32_t pieces_in_memory = 0;    // partly downloaded pieces with blocks stored
    std::uint32_t peers = 0;
    std::uint32_t seeds = 0;
    std::uint64_t payload_downloaded = 0;  // verified-or-not payload bytes received
    std::uint64_t payload_uploaded = 0;
    std::uint64_t bytes_wasted = 0;        // in pieces that failed their hash
    std::uint32_t hash_failures = 0;
    double download_rate = 0;              // bytes/s over the last seconds
    double upload_rate = 0;
    bool complete = false;
    bool done = false;                     // every wanted piece had (complete, unless files are skipped)
    // BEP 11 ut_pex messages: sent, taken, ignored as malformed, ignored as too frequent.
    std::uint32_t pex_sent = 0;
    std::uint32_t pex_accepted = 0;
    std::uint32_t pex_malformed = 0;
    std::uint32_t pex_rate_limited = 0;
};

class Torrent {
public:
    Torrent(std::shared_ptr<const meta::TorrentInfo> info, Bitfield have, TorrentConfig config,
            std::unique_ptr<Choker> choker, std::uint64_t seed, TimePoint now);

    // A peer that finished the handshake for this torrent. `key` names it for bans (ip:port, or
    // [ip6]:port). `outgoing`: we connected to it, so `key` is an address it accepts connections on
    // and PEX may pass on; an incoming peer is passed on only with the port its handshake names.
    void add_peer(PeerHandle peer, std::string key, bool outgoing, bool fast, bool extensions, TimePoint now);
    void remove_peer(PeerHandle peer, TimePoint now);
    bool has_peer(PeerHandle peer) const { return peers_.contains(peer.value); }

    void handle_message(PeerHandle peer, const wire::Message& message, TimePoint now);
    // The driver checked a piece it got from CheckPiece: `ok` means hashed right and written.
    void handle_piece_checked(PieceIndex piece, bool ok, std::vector<Sha1> block_digests, TimePoint now);
    // Whether the driver must send the SHA-1 of every block with a passing piece (smart ban needs
    // them only for pieces that failed before; a failing piece always needs them).
    bool wants_block_digests(PieceIndex piece) const { return smart_ban_.has_record(piece); }
    // `block` holds the bytes read (none when the read failed), with room for its message's header.
    void handle_block_read(PeerHandle peer, PieceIndex piece, std::uint32_t offset, wire::PieceBuffer block,
                           TimePoint now);
    // The driver wrote `bytes` more of what was sent to the peer (into the socket, real or
    // simulated): with pacing on, more blocks may be read for it.
    void handle_sent(PeerHandle peer, std::size_t bytes);
    void handle_timeout(TimePoint now);
    // When the oldest request still waiting for its block was sent (max when none): a driver's
    // check that every request is answered or given up within the request timeout.
    TimePoint oldest_request() const;
    TimePoint next_deadline() const;

    std::optional<Output> poll_output();

    // What to download: one priority per piece (PiecePicker::skip ... high; empty: all normal),
    // and whether in order (streaming). Interest and requests follow at once.
    void set_priorities(std::vector<std::uint8_t> piece_priorities, TimePoint now);
    void set_sequential(bool on, TimePoint now);
    const PiecePicker& picker() const { return picker_; }

    TorrentStats stats() const;
    const meta::TorrentInfo& info() const { return *info_; }
    const Bitfield& have() const { return picker_.have(); }
    bool complete() const { return picker_.is_complete(); }
    bool done() const { return picker_.is_done(); }  // every wanted piece had
    bool is_seed_peer(PeerHandle p) const;
    // The addresses of the connected peers: as connected, and where each says it listens. Sorted.
    std::vector<Contact> connected_contacts() const;

private:
    enum class Timer { tick, rechoke, count };
    struct PexEntry { Contact contact; std::uint8_t flags = 0; };

    void send(Peer& p, const wire::Message& m);
    void drop(PeerHandle peer, std::string reason, bool ban = false);
    void on_have(Peer& p, std::uint32_t piece);
    void on_request(Peer& p, const wire::Request& r, TimePoint now);
    void on_piece(Peer& p, const wire::Piece& m);
    void on_extended(Peer& p, const wire::Extended& m);
    void on_extended_handshake(Peer& p, const wire::ExtendedHandshake& hs);
    void on_pex(Peer& p, BytesView payload);
    void send_due_pex(TimePoint now);
    void send_pex_to(Peer& p, const std::vector<PexEntry>& connected);
    std::optional<PexEntry> pex_entry(const Peer& p) const;
    void update_interest(Peer& p);
    void wants_changed(TimePoint now);
    void fill_requests(Peer& p, TimePoint now);
    void issue_reads(Peer& p);
    std::size_t send_buffer(const Peer& p) const;
    void rechoke(TimePoint now);
    void fill_unchoke_slots(TimePoint now);
    void check_invariants() const;
    std::uint32_t queue_target(const Peer& p) const;
    Peer* find(PeerHandle h);

    std::shared_ptr<const meta::TorrentInfo> info_;
    TorrentConfig config_;
    std::unique_ptr<Choker> choker_;
    Rng rng_;
    PiecePicker picker_;
    SmartBan smart_ban_;
    HandleMap<Peer> peers_;  // by PeerHandle value
    std::uint32_t unchoke_slots_chosen_ = 0;  // peers the last rechoke unchoked
    // Who sent each block of a piece being downloaded (for smart ban and parole). The blocks
    // themselves are with the driver (StoreBlock) until the piece is checked: nothing unverified
    // is ever written to the files or uploaded.
    struct PieceSources {
        std::vector<std::string> sources;  // by block; empty until the first block arrives
        std::size_t checking_bytes = 0;    // the piece's size, once handed over for checking
    };
    std::size_t checking_bytes_ = 0;       // piece bytes handed to the driver, not yet checked
    std::uint32_t pieces_in_memory_ = 0;   // started pieces with blocks stored (partial_bytes_max)
    std::map<std::uint32_t, PieceSources> downloading_;
    // Room kept for a verified piece's outputs: a have to each of up to 50 peers (the engine's
    // default limit), and the piece itself.
    PollQueue<Output, 64> outputs_;
    TimePoint timers_[static_cast<int>(Timer::count)];
    TorrentStats totals_;
    TimePoint now_;  // of the input being handled
};

}  // namespace agora::swarm
