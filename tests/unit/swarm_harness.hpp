// An in-process network for engines (the sans-I/O seam at work): engines and scripted raw peers
// exchange bytes through queues, disk actions run against in-memory data, and time is virtual.
// Invariant checked on every delivery: no engine ever sends a block of a piece it has not
// verified.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <tuple>

#include "core/limits.hpp"
#include "io/piece_hasher.hpp"
#include "session/engine.hpp"
#include "storage/verify_plan.hpp"
#include "wire/handshake.hpp"
#include "wire/message.hpp"

namespace agora::test {

// A peer written by a test: gets the bytes sent to it, answers through `send`.
class RawPeer {
public:
    virtual ~RawPeer() = default;
    virtual void on_bytes(BytesView bytes) = 0;
    std::function<void(Bytes)> send;
    bool closed = false;
};

// A raw peer that speaks the protocol: answers the engine's handshake (its peer id filled with
// `id`, the extension bit as asked), says what it says first (on_handshake), then hands over
// each message the engine sends.
class ProtocolPeer : public RawPeer {
public:
    void on_bytes(BytesView bytes) final {
        if (!handshaken_) {
            pending_ += bytes;
            auto hs = wire::decode_handshake(pending_);
            if (!hs.ok() || !*hs) return;
            handshaken_ = true;
            wire::Handshake reply = **hs;
            reply.peer_id.fill(id_);
            reply.set_extensions(extensions_);
            send(wire::encode_handshake(reply));
            on_handshake();
            reader_.feed(BytesView(pending_).substr(wire::handshake_bytes));
        } else {
            reader_.feed(bytes);
        }
        for (;;) {
            auto m = reader_.next();
            if (!m.ok() || !*m) return;
            on_message(**m);
        }
    }

protected:
    ProtocolPeer(char id, bool extensions) : id_(id), extensions_(extensions) {}
    virtual void on_handshake() {}
    virtual void on_message(const wire::Message& m) = 0;

private:
    char id_;
    bool extensions_;
    bool handshaken_ = false;
    Bytes pending_;
    wire::MessageReader reader_;
};

class Network {
public:
    struct Node {
        std::unique_ptr<session::Engine> engine;
        std::shared_ptr<const meta::TorrentInfo> info;
        Bytes data;  // the torrent's linear byte space
        std::map<std::uint32_t, Bytes> partial;  // pieces being downloaded (StoreBlock), by index
        TorrentHandle torrent;
        std::uint16_t port = 0;
        std::vector<std::string> logs;
    };

    TimePoint now{std::chrono::seconds(1)};
    std::vector<std::unique_ptr<Node>> nodes;
    std::map<std::uint16_t, std::unique_ptr<RawPeer>> raw_peers;  // by port
    std::uint64_t pieces_sent_unverified = 0;
    // Whether engines are told their sends were written (Engine::handle_sent) when the bytes are
    // delivered. Off, the reports wait in `withheld` until release_sent(): a socket that stopped
    // draining.
    bool report_sent = true;
    // Applied to the configuration of every node added after it is set.
    std::function<void(session::EngineConfig&)> configure;
    // Called after every delivery: for checks on state between messages.
    std::function<void()> observe;

    void release_sent() {
        for (auto& [n, peer, bytes] : withheld_) n->engine->handle_sent(peer, bytes, now);
        withheld_.clear();
    }

    // A node holding `have` of `data` (pieces not had are zeroed in its copy).
    Node& add_node(std::shared_ptr<const meta::TorrentInfo> info, const Bytes& data, const Bitfield& have,
                   std::vector<session::Endpoint> peers = {}) {
        auto n = new_node();
        n->info = info;
        n->data = Bytes(data.size(), '\0');
        for (std::uint32_t p = 0; p < have.size(); ++p)
            if (have.get(p)) {
                const auto off = static_cast<std::size_t>(info->layout.piece_offset(PieceIndex(p)));
                const auto len = static_cast<std::size_t>(info->layout.piece_size(PieceIndex(p)));
                std::memcpy(n->data.data() + off, data.data() + off, len);
            }
        session::AddTorrentOptions options;
        options.have = have;
        options.peers = std::move(peers);
        options.use_trackers = false;
        n->torrent = n->engine->add_torrent(info, options, now);
        nodes.push_back(std::move(n));
        return *nodes.back();
    }

    // A node that knows only the info-hashes (a magnet link): it fetches the metadata from peers.
    Node& add_magnet_node(InfoHashes hashes, std::vector<session::Endpoint> peers) {
        auto n = new_node();
        session::AddTorrentOptions options;
        options.peers = std::move(peers);
        options.use_trackers = false;
        n->torrent = n->engine->add_magnet(hashes, options, now);
        nodes.push_back(std::move(n));
        return *nodes.back();
    }

    void add_raw_peer(std::uint16_t port, std::unique_ptr<RawPeer> peer) { raw_peers[port] = std::move(peer); }

    // Runs until `done()` or until `limit` of virtual time passes. Returns done().
    bool run(const std::function<bool()>& done, Duration limit = std::chrono::seconds(120)) {
        const TimePoint end = now + limit;
        for (;;) {
            pump();
            if (done()) return true;
            TimePoint next = end;
            for (auto& n : nodes) next = std::min(next, n->engine->next_deadline());
            if (next >= end) return done();
            now = std::max(now, next);
            for (auto& n : nodes) n->engine->handle_timeout(now);
        }
    }

private:
    // A node with its own engine, port and peer id (not yet in `nodes`).
    std::unique_ptr<Node> new_node() {
        auto n = std::make_unique<Node>();
        n->port = static_cast<std::uint16_t>(10000 + nodes.size());
        session::EngineConfig config;
        config.peer_id[0] = static_cast<std::uint8_t>(nodes.size() + 1);
        config.listen_port = n->port;
        config.seed = nodes.size() + 7;
        config.log_peers = true;
        if (configure) configure(config);
        n->engine = std::make_unique<session::Engine>(config, now);
        return n;
    }

    struct End {
        Node* node = nullptr;  // or a raw peer
        RawPeer* raw = nullptr;
        PeerHandle handle;
    };
    struct Link {
        End a, b;
        bool open = true;
    };
    struct Delivery {
        std::size_t link;
        bool to_b;
        Bytes bytes;
        bool close = false;
    };
    std::vector<Link> links_;
    std::map<std::pair<Node*, std::uint32_t>, std::size_t> link_of_;
    std::deque<Delivery> queue_;
    std::vector<std::tuple<Node*, PeerHandle, std::size_t>> withheld_;

    void pump() {
        bool progress = true;
        while (progress) {
            progress = false;
            for (auto& n : nodes)
                while (auto a = n->engine->poll_action()) {
                    act(*n, *a);
                    progress = true;
                }
            while (!queue_.empty()) {
                Delivery d = std::move(queue_.front());
                queue_.pop_front();
                deliver(d);
                if (observe) observe();
                progress = true;
            }
        }
    }

    void deliver(const Delivery& d) {
        Link& l = links_[d.link];
        End& to = d.to_b ? l.b : l.a;
        if (!l.open && !d.close) return;
        if (d.close) {
            if (to.node) to.node->engine->handle_closed(to.handle, "remote closed", now);
            if (to.raw) to.raw->closed = true;
            return;
        }
        // Delivered is written, for the sender's upload pacing.
        if (const End& from = d.to_b ? l.a : l.b; from.node) {
            if (report_sent) from.node->engine->handle_sent(from.handle, d.bytes.size(), now);
            else withheld_.emplace_back(from.node, from.handle, d.bytes.size());
        }
        if (to.node) to.node->engine->handle_data(to.handle, d.bytes, now);
        if (to.raw) to.raw->on_bytes(d.bytes);
    }

    void act(Node& n, session::Action& action) {
        std::visit(
            [&](auto& a) {
                using T = std::decay_t<decltype(a)>;
                if constexpr (std::is_same_v<T, session::Connect>) {
                    connect(n, a);
                } else if constexpr (std::is_same_v<T, session::Send>) {
                    check_no_unverified_upload(n, a.bytes);
                    auto it = link_of_.find({&n, a.peer.value});
                    if (it == link_of_.end() || !links_[it->second].open) return;
                    const bool from_a = links_[it->second].a.node == &n && links_[it->second].a.handle == a.peer;
                    queue_.push_back(Delivery{it->second, from_a, std::move(a.bytes)});
                } else if constexpr (std::is_same_v<T, session::Close>) {
                    auto it = link_of_.find({&n, a.peer.value});
                    if (it == link_of_.end()) {
                        n.engine->handle_closed(a.peer, a.reason, now);
                        return;
                    }
                    Link& l = links_[it->second];
                    const bool from_a = l.a.node == &n && l.a.handle == a.peer;
                    if (l.open) queue_.push_back(Delivery{it->second, from_a, {}, true});
                    l.open = false;
                    link_of_.erase(it);
                    n.engine->handle_closed(a.peer, a.reason, now);
                } else if constexpr (std::is_same_v<T, session::StoreBlock>) {
                    Bytes& piece = n.partial[a.piece.value];
                    if (piece.empty()) piece.assign(static_cast<std::size_t>(n.info->layout.piece_size(a.piece)), '\0');
                    std::memcpy(piece.data() + a.offset, a.data.data(), a.data.size());
                } else if constexpr (std::is_same_v<T, session::HashPiece>) {
                    const Bytes data = std::move(n.partial[a.piece.value]);
                    n.partial.erase(a.piece.value);
                    const auto check = storage::plan_piece_check(n.info->layout, n.info->v1_piece_hashes,
                                                                 n.info->piece_layers, a.piece);
                    io::PieceHasher hasher;
                    const auto d = hasher.hash_bytes(check, data, check.v1.has_value(), check.v2.has_value());
                    const bool ok = (!check.v1 || d.v1 == check.v1) && (!check.v2 || d.v2 == check.v2);
                    if (ok) std::memcpy(n.data.data() + n.info->layout.piece_offset(a.piece), data.data(), data.size());
                    std::vector<Sha1> blocks;
                    for (std::size_t at = 0; at < data.size(); at += limits::block_size_bytes)
                        blocks.push_back(sha1(BytesView(data).substr(at, limits::block_size_bytes)));
                    n.engine->handle_piece_checked(a.torrent, a.piece, ok, blocks, now);
                } else if constexpr (std::is_same_v<T, session::ReadBlock>) {
                    const auto off = static_cast<std::size_t>(n.info->layout.piece_offset(a.piece) + a.offset);
                    n.engine->handle_block_read(a.torrent, a.peer, a.piece, a.offset,
                                                wire::PieceBuffer::copy_of(BytesView(n.data).substr(off, a.length)), now);
                } else if constexpr (std::is_same_v<T, session::MetadataReceived>) {
                    n.info = a.info;
                    n.data = Bytes(static_cast<std::size_t>(a.info->layout.total_size()), '\0');
                } else if constexpr (std::is_same_v<T, session::Log>) {
                    n.logs.push_back(a.line);
                }
            },
            action);
    }

    void connect(Node& n, const session::Connect& c) {
        Link l;
        l.a = End{&n, nullptr, c.peer};
        const std::size_t index = links_.size();
        if (auto raw = raw_peers.find(c.endpoint.port); raw != raw_peers.end()) {
            l.b.raw = raw->second.get();
            raw->second->send = [this, index](Bytes bytes) { queue_.push_back(Delivery{index, false, std::move(bytes)}); };
        } else {
            Node* target = nullptr;
            for (auto& m : nodes)
                if (m->port == c.endpoint.port) target = m.get();
            if (!target) {
                n.engine->handle_closed(c.peer, "connection refused", now);
                return;
            }
            l.b.node = target;
            l.b.handle = target->engine->handle_accepted(session::Endpoint{"10.0.0.1", static_cast<std::uint16_t>(40000 + index)}, now);
            link_of_[{target, l.b.handle.value}] = index;
        }
        links_.push_back(l);
        link_of_[{&n, c.peer.value}] = index;
        n.engine->handle_connected(c.peer, now);
    }

    // Parses what an engine sends, for the invariant: a piece message only for a verified piece.
    void check_no_unverified_upload(Node& n, BytesView bytes) {
        // Piece messages start with a 13-byte header: length, id 7, index, offset.
        const auto* torrent = n.engine->torrent(n.torrent);
        const Bitfield none;
        const auto& have = torrent ? torrent->have() : none;
        for (std::size_t at = 0; at + 5 <= bytes.size();) {
            const std::uint32_t len = read_be32(bytes, at);
            if (len == 0x13426974u) {  // a handshake ("\x13Bit"): skip it
                at += 68;
                continue;
            }
            if (len >= 9 && static_cast<std::uint8_t>(bytes[at + 4]) == 7 && at + 9 <= bytes.size()) {
                const std::uint32_t piece = read_be32(bytes, at + 5);
                if (piece >= have.size() || !have.get(piece)) ++pieces_sent_unverified;
            }
            at += 4 + len;
        }
    }
};

// Builds a torrent (v1 or hybrid) over generated data in memory.
std::pair<std::shared_ptr<const meta::TorrentInfo>, Bytes> make_torrent(std::int64_t size, std::int64_t piece_length,
                                                                        bool hybrid, std::uint64_t seed);

}  // namespace agora::test
