#include "session/engine.hpp"

#include <algorithm>
#include <cstring>

#include "core/assert.hpp"
#include "session/peer_priority.hpp"
#include "wire/extension.hpp"
#include "wire/limits.hpp"

namespace agora::session {

namespace {
// Walks every torrent (peers to dial, announces due, metadata to ask again): once a second is
// prompt enough for all of those (events such as a closed connection or new peers act at once),
// and with a thousand idle torrents the walk is most of what an idle node does.
constexpr Duration housekeeping_interval = std::chrono::seconds(1);
constexpr Duration announce_retry_min = std::chrono::seconds(15);
constexpr std::uint8_t our_ut_metadata_id = 3;  // as the swarm offers it
}  // namespace

Engine::Engine(EngineConfig config, TimePoint now)
    : config_(std::move(config)), rng_(config_.seed), last_now_(now), next_housekeeping_(now + housekeeping_interval) {
    if (config_.dht) dht_ = std::make_unique<dht::Node>(*config_.dht, now);
}

TorrentHandle Engine::add_slot(InfoHashes hashes, const std::vector<meta::Tracker>& trackers,
                              AddTorrentOptions& options, TimePoint now) {
    const TorrentHandle handle(next_torrent_++);
    auto& slot = torrents_[handle.value];
    slot.hashes = hashes;
    // The 20 bytes a handshake names the torrent by: the v1 hash, or a v2 hash truncated (BEP 52).
    std::memcpy(slot.key.data(), hashes.v1 ? hashes.v1->bytes.data() : hashes.v2->bytes.data(), 20);
    for (const auto& e : options.peers) slot.peers.add(e);
    if (options.use_trackers) {
        auto add = [&](const std::string& url, std::uint32_t tier) {
            for (const auto& t : slot.trackers)
                if (t.url == url) return;
            Tracker tr;
            tr.url = url;
            tr.tier = tier;
            tr.next_announce = now;
            slot.trackers.push_back(std::move(tr));
        };
        std::uint32_t tier = 0;
        for (const auto& t : trackers) add(t.url, tier = t.tier);
        for (const auto& url : options.trackers) add(url, ++tier);
    }
    return handle;
}

TorrentHandle Engine::add_torrent(std::shared_ptr<const meta::TorrentInfo> info, AddTorrentOptions options,
                                  TimePoint now) {
    const TorrentHandle handle = add_slot(info->info_hashes, info->trackers, options, now);
    auto& slot = torrents_.at(handle.value);
    auto torrent_config = config_.torrent;
    torrent_config.listen_port = config_.listen_port;
    if (options.have.size() != info->layout.piece_count()) options.have = Bitfield(info->layout.piece_count());
    slot.swarm = std::make_unique<swarm::Torrent>(info, std::move(options.have), torrent_config,
                                                  std::make_unique<swarm::TitForTatChoker>(torrent_config.unchoke_slots),
                                                  rng_.next(), now);
    if (options.piece_priorities.size() == info->layout.piece_count())
        slot.swarm->set_priorities(std::move(options.piece_priorities), now);
    if (options.sequential) slot.swarm->set_sequential(true, now);
    slot.was_complete = slot.swarm->complete();
    connect_more(handle, now);
    announce_due(handle, now, false);
    dht_due(now);  // now, not at the next housekeeping: a bare magnet has nothing else to go on
    return handle;
}

TorrentHandle Engine::add_magnet(InfoHashes hashes, AddTorrentOptions options, TimePoint now) {
    AGORA_ASSERT(hashes.v1 || hashes.v2);
    const TorrentHandle handle = add_slot(hashes, {}, options, now);
    torrents_.at(handle.value).metadata = std::make_unique<MetadataFetch>(hashes);
    connect_more(handle, now);
    announce_due(handle, now, false);
    dht_due(now);  // now, not at the next housekeeping: a bare magnet has nothing else to go on
    return handle;
}

void Engine::set_priorities(TorrentHandle t, std::vector<std::uint8_t> piece_priorities, TimePoint now) {
    auto it = torrents_.find(t.value);
    if (it == torrents_.end() || !it->second.swarm) return;
    auto& swarm = *it->second.swarm;
    if (!piece_priorities.empty() && piece_priorities.size() != swarm.info().layout.piece_count()) return;
    swarm.set_priorities(std::move(piece_priorities), now);
    drain(t, now);
}

void Engine::set_sequential(TorrentHandle t, bool on, TimePoint now) {
    auto it = torrents_.find(t.value);
    if (it == torrents_.end() || !it->second.swarm) return;
    it->second.swarm->set_sequential(on, now);
    drain(t, now);
}

std::optional<TorrentHandle> Engine::torrent_of(PeerHandle peer) const {
    auto it = connections_.find(peer.value);
    if (it == connections_.end()) return std::nullopt;
    return it->second.torrent;
}

const swarm::Torrent* Engine::torrent(TorrentHandle t) const {
    auto it = torrents_.find(t.value);
    return it == torrents_.end() ? nullptr : it->second.swarm.get();
}

std::vector<TorrentHandle> Engine::torrents() const {
    std::vector<TorrentHandle> out;
    for (const auto& [k, v] : torrents_) out.push_back(TorrentHandle(k));
    return out;
}

std::optional<Action> Engine::poll_action() {
    if (dht_) drain_dht();
    return actions_.poll();
}

std::optional<TorrentHandle> Engine::torrent_for_hash(const std::array<std::uint8_t, 20>& hash) const {
    for (const auto& [k, slot] : torrents_)
        if (slot.key == hash) return TorrentHandle(k);
    return std::nullopt;
}

void Engine::send_handshake(PeerHandle peer, Connection& c, TorrentHandle t) {
    wire::Handshake hs;
    hs.info_hash = torrents_.at(t.value).key;
    hs.peer_id = config_.peer_id;
    hs.set_extensions(true);
    hs.set_fast(true);
    actions_.push_back(Send{peer, wire::encode_handshake(hs)});
    c.handshake_sent = true;
}

void Engine::close(PeerHandle peer, std::string reason) {
    auto it = connections_.find(peer.value);
    if (it == connections_.end()) return;
    if (config_.log_peers) actions_.push_back(Log{"peer " + it->second.endpoint.key() + ": closing: " + reason});
    it->second.closing = true;
    actions_.push_back(Close{peer, std::move(reason)});
    // The driver answers with handle_closed, which cleans up.
}

void Engine::vote_our_address(const std::string& ip, const std::string& voter) {
    auto it = address_votes_.find(ip);
    if (it == address_votes_.end()) {
        if (address_votes_.size() >= address_candidates_max) return;
        it = address_votes_.emplace(ip, std::set<std::string>{}).first;
    }
    if (it->second.size() < address_voters_max) it->second.insert(voter);
    if (our_address_.empty() || it->second.size() > address_votes_[our_address_].size()) our_address_ = ip;
}

std::optional<PeerHandle> Engine::replaceable_by(TorrentHandle t, const Endpoint& newcomer) const {
    if (our_address_.empty()) return std::nullopt;
    const auto priority = [&](const Endpoint& e) { return peer_priority(our_address_, config_.listen_port, e.ip, e.port); };
    const auto wanted = priority(newcomer);
    if (!wanted) return std::nullopt;
    std::optional<PeerHandle> lowest;
    std::uint32_t lowest_priority = *wanted;
    for (const auto& [k, c] : connections_) {
        if (c.torrent != t || c.state != ConnState::active || c.closing) continue;
        const auto p = priority(c.endpoint);
        if (p && *p < lowest_priority) {
            lowest_priority = *p;
            lowest = PeerHandle(k);
        }
    }
    return lowest;
}

void Engine::connect_more(TorrentHandle t, TimePoint now) {
    if (shutting_down_) return;
    auto& slot = torrents_.at(t.value);
    if (slot.swarm && slot.swarm->complete() && slot.peers.size() == 0) return;
    std::uint32_t connected = 0, connecting = 0;
    for (const auto& [k, c] : connections_) {
        if (c.torrent != t) continue;
        ++connected;
        if (c.state == ConnState::connecting) ++connecting;
    }
    while (connected < config_.max_peers_per_torrent && connecting < config_.connect_attempts_in_flight_max) {
        auto e = slot.peers.next(now);
        if (!e) break;
        if (banned_.contains(e->key())) continue;
        const PeerHandle h(next_peer_++);
        auto& c = connections_[h.value];
        c.outgoing = true;
        c.endpoint = *e;
        c.torrent = t;
        c.started = now;
        actions_.push_back(Connect{h, *e});
        ++connected;
        ++connecting;
    }
}

void Engine::handle_connected(PeerHandle peer, TimePoint now) {
    auto it = connections_.find(peer.value);
    if (it == connections_.end()) return;
    auto& c = it->second;
    c.state = ConnState::handshaking;
    c.started = now;
    send_handshake(peer, c, *c.torrent);
}

PeerHandle Engine::handle_accepted(Endpoint from, TimePoint now) {
    const PeerHandle h(next_peer_++);
    auto& c = connections_[h.value];
    c.state = ConnState::handshaking;
    c.endpoint = std::move(from);
    c.started = now;
    if (shutting_down_ || banned_.contains(c.endpoint.key())) close(h, "not accepting");
    return h;
}

void Engine::on_handshake(PeerHandle peer, Connection& c, const wire::Handshake& hs, TimePoint now) {
    auto t = torrent_for_hash(hs.info_hash);
    if (!t || (c.torrent && *c.torrent != *t)) return close(peer, "handshake for a torrent we do not have");
    if (hs.peer_id == config_.peer_id) return close(peer, "connected to ourselves");
    if (!c.outgoing) {
        // Incoming connections count against the same limit as the ones we make. When the torrent
        // is full, the newcomer takes the place of the connection of lowest BEP 40 priority if
        // its own is higher, as libtorrent does: otherwise the peers that came first to a swarm
        // fill each other's slots and everyone later is turned away.
        std::uint32_t attached = 0;
        for (const auto& [k, other] : connections_)
            if (other.torrent == t && other.state == ConnState::active && !other.closing) ++attached;
        if (attached >= config_.max_peers_per_torrent) {
            const auto replaced = replaceable_by(*t, c.endpoint);
            if (!replaced) return close(peer, "too many peers for this torrent");
            close(*replaced, "replaced by a peer of higher priority (BEP 40)");
        }
    }
    c.torrent = t;
    if (!c.handshake_sent) send_handshake(peer, c, *t);
    c.state = ConnState::active;
    c.fast = hs.fast();
    c.extensions = hs.extensions();
    auto& slot = torrents_.at(t->value);
    if (c.outgoing) slot.peers.connected(c.endpoint);
    if (slot.swarm) {
        slot.swarm->add_peer(peer, c.endpoint.key(), c.outgoing, c.fast, c.extensions, now);
        drain(*t, now);
    } else if (c.extensions) {
        // Only the metadata is wanted yet: offer ut_metadata, have nothing.
        wire::ExtendedHandshake ours;
        ours.m["ut_metadata"] = our_ut_metadata_id;
        ours.client = config_.torrent.client_name;
        actions_.push_back(Send{peer, wire::encode(wire::Extended{0, wire::encode_extended_handshake(ours)})});
    }
}

void Engine::handle_data(PeerHandle peer, BytesView bytes, TimePoint now) {
    auto it = connections_.find(peer.value);
    if (it == connections_.end()) return;
    auto& c = it->second;
    if (c.state == ConnState::handshaking) {
        c.handshake_buffer.append(bytes);
        auto hs = wire::decode_handshake(c.handshake_buffer);
        if (!hs) return close(peer, "bad handshake: " + hs.error().message);
        if (!*hs) return;  // need more bytes
        const Bytes rest = c.handshake_buffer.substr(68);
        c.handshake_buffer.clear();
        on_handshake(peer, c, **hs, now);
        if (c.state != ConnState::active || rest.empty()) return;
        bytes = BytesView();
        c.reader.feed(rest);
    } else if (c.state != ConnState::active) {
        return;
    }
    c.reader.borrow(bytes);  // parsed where the driver's buffer is: `bytes` outlives the loop
    const TorrentHandle t = *c.torrent;
    for (;;) {
        auto m = c.reader.next();
        if (!m) {
            close(peer, "protocol error: " + m.error().message);
            break;
        }
        if (!*m) break;
        auto& slot = torrents_.at(t.value);
        if (!slot.swarm) {
            // Once the metadata completes, the swarm takes over (the rest goes to it).
            on_metadata_message(peer, c, slot, **m, now);
            if (!connections_.contains(peer.value)) break;
            continue;
        }
        slot.swarm->handle_message(peer, **m, now);
        if (!slot.swarm->has_peer(peer)) break;
    }
    if (const auto left = connections_.find(peer.value); left != connections_.end()) left->second.reader.own();
    drain(t, now);
}

void Engine::handle_closed(PeerHandle peer, const std::string& reason, TimePoint now) {
    auto it = connections_.find(peer.value);
    if (it == connections_.end()) return;
    Connection c = std::move(it->second);
    connections_.erase(it);
    if (!c.torrent) return;
    auto& slot = torrents_.at(c.torrent->value);
    if (slot.swarm)
        slot.swarm->remove_peer(peer, now);
    else
        slot.metadata->remove_peer(peer);
    if (c.outgoing) slot.peers.disconnected(c.endpoint, c.state != ConnState::active, now);
    if (config_.log_peers && c.state == ConnState::active)
        actions_.push_back(Log{"peer " + c.endpoint.key() + ": closed: " + reason});
    drain(*c.torrent, now);
    connect_more(*c.torrent, now);
}

void Engine::handle_piece_checked(TorrentHandle t, PieceIndex piece, bool ok, std::vector<Sha1> block_digests,
                                  TimePoint now) {
    auto it = torrents_.find(t.value);
    if (it == torrents_.end()) return;
    it->second.swarm->handle_piece_checked(piece, ok, std::move(block_digests), now);
    if (!ok) actions_.push_back(Log{"piece " + std::to_string(piece.value) + " failed its hash check"});
    drain(t, now);
}

void Engine::handle_sent(PeerHandle peer, std::size_t bytes, TimePoint now) {
    auto it = connections_.find(peer.value);
    if (it == connections_.end() || it->second.state != ConnState::active) return;
    const TorrentHandle t = *it->second.torrent;
    const auto slot = torrents_.find(t.value);
    if (slot == torrents_.end() || !slot->second.swarm) return;
    slot->second.swarm->handle_sent(peer, bytes);
    drain(t, now);
}

void Engine::handle_block_read(TorrentHandle t, PeerHandle peer, PieceIndex piece, std::uint32_t offset,
                               wire::PieceBuffer block, TimePoint now) {
    auto it = torrents_.find(t.value);
    if (it == torrents_.end()) return;
    it->second.swarm->handle_block_read(peer, piece, offset, std::move(block), now);
    drain(t, now);
}

void Engine::drain(TorrentHandle t, TimePoint now) {
    auto& slot = torrents_.at(t.value);
    if (!slot.swarm) return;
    auto& swarm = *slot.swarm;
    while (auto o = swarm.poll_output()) {
        std::visit(
            [&](auto& out) {
                using T = std::decay_t<decltype(out)>;
                if constexpr (std::is_same_v<T, swarm::SendBytes>) {
                    actions_.push_back(Send{out.peer, std::move(out.bytes)});
                } else if constexpr (std::is_same_v<T, swarm::DropPeer>) {
                    auto c = connections_.find(out.peer.value);
                    if (out.ban && c != connections_.end()) {
                        banned_.insert(c->second.endpoint.key());
                        actions_.push_back(Log{"banned " + c->second.endpoint.key() + ": " + out.reason});
                    }
                    close(out.peer, out.reason);
                } else if constexpr (std::is_same_v<T, swarm::StoreBlock>) {
                    actions_.push_back(StoreBlock{t, out.piece, out.offset, std::move(out.data)});
                } else if constexpr (std::is_same_v<T, swarm::CheckPiece>) {
                    actions_.push_back(HashPiece{t, out.piece, swarm.wants_block_digests(out.piece)});
                } else if constexpr (std::is_same_v<T, swarm::ReadBlock>) {
                    actions_.push_back(ReadBlock{t, out.peer, out.piece, out.offset, out.length});
                } else if constexpr (std::is_same_v<T, swarm::PieceHad>) {
                    actions_.push_back(PieceVerified{t, out.piece});
                } else if constexpr (std::is_same_v<T, swarm::AddressSeen>) {
                    vote_our_address(out.ip, out.voter);
                } else if constexpr (std::is_same_v<T, swarm::PeersLearned>) {
                    // BEP 11 peer exchange: candidates like a tracker's, dialed within the limits.
                    for (const auto& [ip, port] : out.peers) slot.peers.add(Endpoint{ip, port});
                    connect_more(t, now);
                }
            },
            *o);
    }
    if (!slot.was_complete && swarm.complete()) {
        slot.was_complete = true;
        announce_due(t, now, true);  // `completed` goes out at once
    }
}

tracker::AnnounceRequest Engine::announce_request(TorrentHandle t, tracker::Event event) const {
    const auto& slot = torrents_.at(t.value);
    tracker::AnnounceRequest r;
    r.info_hash = slot.key;
    r.peer_id = config_.peer_id;
    r.port = config_.listen_port;
    r.left = 16 * 1024;  // unknown until the metadata arrives: say "not a seed"
    if (slot.swarm) {
        const auto stats = slot.swarm->stats();
        r.uploaded = static_cast<std::int64_t>(stats.payload_uploaded);
        r.downloaded = static_cast<std::int64_t>(stats.payload_downloaded);
        std::int64_t left = 0;
        const auto& layout = slot.swarm->info().layout;
        for (std::uint32_t i = 0; i < layout.piece_count(); ++i)
            if (!slot.swarm->have().get(i)) left += layout.piece_size(PieceIndex(i));
        r.left = left;
    }
    r.event = event;
    r.numwant = event == tracker::Event::stopped ? 0 : 50;
    r.key = static_cast<std::uint32_t>(config_.seed);
    return r;
}

void Engine::announce_due(TorrentHandle t, TimePoint now, bool force_event) {
    // After shutdown only the `stopped` announces already sent may go out: a regular, `started` or
    // `completed` one would put us back on a tracker we just left.
    if (shutting_down_) return;
    auto& slot = torrents_.at(t.value);
    // BEP 12: the first tier that works is used; within the simple model here every tracker of
    // the first tier is announced to, and lower tiers only when the upper ones fail.
    std::uint32_t working_tier = UINT32_MAX;
    for (const auto& tr : slot.trackers)
        if (tr.failures == 0) working_tier = std::min(working_tier, tr.tier);
    std::optional<bool> stranded;  // looked up at most once, and only if a tracker's time has come
    auto stranded_announce_due = [&](const Tracker& tr) {
        if (tr.failures > 0 || now < tr.last_answer + std::max(config_.stranded_announce_interval, tr.min_interval))
            return false;
        if (!stranded) stranded = stranded_torrent(t);
        return *stranded;
    };
    for (std::uint32_t i = 0; i < slot.trackers.size(); ++i) {
        auto& tr = slot.trackers[i];
        if (tr.in_flight) continue;
        if (tr.tier > working_tier && working_tier != UINT32_MAX) continue;
        tracker::Event event = tracker::Event::none;
        if (!tr.started_sent) event = tracker::Event::started;
        else if (slot.swarm && slot.swarm->complete() && !tr.completed_sent && force_event) event = tracker::Event::completed;
        else if (now < tr.next_announce && !stranded_announce_due(tr)) continue;
        auto request = announce_request(t, event);
        request.tracker_id = tr.tracker_id;
        tr.in_flight = true;
        if (event == tracker::Event::started) tr.started_sent = true;
        if (event == tracker::Event::completed) tr.completed_sent = true;
        actions_.push_back(Announce{t, i, tr.url, std::move(request)});
    }
}

bool Engine::stranded_torrent(TorrentHandle t) const {
    const auto& slot = torrents_.at(t.value);
    if (slot.swarm && slot.swarm->complete()) return false;  // a seed waits to be found
    for (const auto& [k, c] : connections_)
        if (c.torrent == t) return false;
    return true;  // connect_more found nobody to dial, or this would be a connection
}

void Engine::handle_announce_reply(TorrentHandle t, std::uint32_t index, const Result<tracker::AnnounceResponse>& reply,
                                   TimePoint now) {
    auto it = torrents_.find(t.value);
    if (it == torrents_.end() || index >= it->second.trackers.size()) return;
    auto& slot = it->second;
    auto& tr = slot.trackers[index];
    tr.in_flight = false;
    if (!reply || reply->failure_reason) {
        ++tr.failures;
        const std::string why = !reply ? reply.error().describe() : "failure reason: " + *reply->failure_reason;
        actions_.push_back(Log{"tracker " + tr.url + ": " + why});
        // Retry with back-off: 15 s, 30 s, ... up to the announce interval.
        const auto backoff = announce_retry_min * (1 << std::min<std::uint32_t>(tr.failures - 1, 6));
        tr.next_announce = now + std::min<Duration>(backoff, tr.interval);
        return;
    }
    tr.failures = 0;
    tr.last_answer = now;
    if (reply->warning) actions_.push_back(Log{"tracker " + tr.url + " warns: " + *reply->warning});
    tr.interval = std::chrono::seconds(reply->min_interval ? std::max(reply->interval, *reply->min_interval) : reply->interval);
    tr.min_interval = std::chrono::seconds(reply->min_interval.value_or(0));
    tr.next_announce = now + tr.interval;
    if (!reply->tracker_id.empty()) tr.tracker_id = reply->tracker_id;
    for (const auto& p : reply->peers) slot.peers.add(Endpoint{p.ip, p.port});
    if (config_.log_peers)
        actions_.push_back(Log{"tracker " + tr.url + ": " + std::to_string(reply->peers.size()) + " peers, next announce in " +
                               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(tr.interval).count()) + " s"});
    connect_more(t, now);
}

void Engine::handle_timeout(TimePoint now) {
    last_now_ = now;
    if (dht_ && !shutting_down_ && now >= dht_->next_deadline()) dht_->handle_timeout(now);
    if (now >= next_housekeeping_) {
        dht_due(now);
        next_housekeeping_ = now + housekeeping_interval;
        for (auto it = connections_.begin(); it != connections_.end(); ++it) {
            auto& c = it->second;
            if (c.state != ConnState::active && now - c.started >= config_.handshake_timeout)
                close(PeerHandle(it->first), "handshake timed out");
        }
        for (auto& [k, slot] : torrents_) {
            connect_more(TorrentHandle(k), now);
            announce_due(TorrentHandle(k), now, false);
            if (slot.metadata)  // ask again where an earlier request timed out
                for (auto& [h, c] : connections_)
                    if (c.torrent == TorrentHandle(k) && c.state == ConnState::active)
                        request_metadata(PeerHandle(h), c, slot, now);
        }
    }
    for (auto& [k, slot] : torrents_) {
        if (slot.swarm && now >= slot.swarm->next_deadline()) {
            slot.swarm->handle_timeout(now);
            drain(TorrentHandle(k), now);
        }
    }
}

TimePoint Engine::next_deadline() const {
    // Housekeeping is about torrents and connections: a node with neither (a DHT-only node, an
    // idle daemon) needs no wake-up for it.
    TimePoint next = torrents_.empty() && connections_.empty() ? TimePoint::max() : next_housekeeping_;
    if (dht_ && !shutting_down_) next = std::min(next, dht_->next_deadline());
    for (const auto& [k, slot] : torrents_)
        if (slot.swarm) next = std::min(next, slot.swarm->next_deadline());
    return next;
}

void Engine::on_metadata_message(PeerHandle peer, Connection& c, TorrentSlot& slot, const wire::Message& m,
                                 TimePoint now) {
    // What the swarm will need once it exists (availability, the peer's extension ids).
    auto stash = [&] { wire::encode(m, c.stash); };
    if (std::holds_alternative<wire::BitfieldMsg>(m) || std::holds_alternative<wire::Have>(m) ||
        std::holds_alternative<wire::HaveAll>(m) || std::holds_alternative<wire::HaveNone>(m)) {
        if (c.stash.size() > wire::limits::message_bytes_max) return close(peer, "too much said before the metadata");
        return stash();
    }
    const auto* ext = std::get_if<wire::Extended>(&m);
    if (!ext) return;
    if (ext->id == 0) {
        stash();
        auto hs = wire::decode_extended_handshake(ext->payload);
        if (!hs) return close(peer, "bad extended handshake: " + hs.error().message);
        auto it = hs->m.find("ut_metadata");
        c.ut_metadata_id = it == hs->m.end() ? 0 : it->second;
        if (c.ut_metadata_id && hs->metadata_size && !slot.metadata->add_peer(peer, *hs->metadata_size))
            return close(peer, "metadata size disagrees with other peers");
        request_metadata(peer, c, slot, now);
        return;
    }
    if (ext->id != our_ut_metadata_id) return;
    auto md = wire::decode_metadata(ext->payload);
    if (!md) return close(peer, "bad ut_metadata message: " + md.error().message);
    using Type = wire::MetadataMessage::Type;
    if (md->type == Type::request) {
        // We have nothing to give yet.
        wire::MetadataMessage reject{Type::reject, md->piece, std::nullopt, {}};
        if (c.ut_metadata_id) actions_.push_back(Send{peer, wire::encode(wire::Extended{c.ut_metadata_id, wire::encode_metadata(reject)})});
        return;
    }
    if (md->type == Type::reject) {
        slot.metadata->on_reject(peer, md->piece);
        return;
    }
    if (!md->total_size || !slot.metadata->on_data(peer, md->piece, *md->total_size, md->data))
        return close(peer, "ut_metadata data that does not fit");
    if (slot.metadata->complete()) {
        metadata_complete(*c.torrent, now);
        return;
    }
    request_metadata(peer, c, slot, now);
}

void Engine::request_metadata(PeerHandle peer, Connection& c, TorrentSlot& slot, TimePoint now) {
    if (!c.ut_metadata_id || !slot.metadata) return;
    auto piece = slot.metadata->next_request(peer, now);
    if (!piece) return;
    wire::MetadataMessage request{wire::MetadataMessage::Type::request, *piece, std::nullopt, {}};
    actions_.push_back(Send{peer, wire::encode(wire::Extended{c.ut_metadata_id, wire::encode_metadata(request)})});
}

void Engine::metadata_complete(TorrentHandle t, TimePoint now) {
    auto& slot = torrents_.at(t.value);
    auto bytes = slot.metadata->take_verified();
    if (!bytes) {
        actions_.push_back(Log{"metadata from peers did not match the info-hash; fetching it again"});
        return;
    }
    auto info = meta::parse_info_dict(*bytes);
    if (!info) {
        actions_.push_back(Log{"the info dictionary from peers is not valid: " + info.error().describe()});
        return;
    }
    auto shared = std::make_shared<const meta::TorrentInfo>(std::move(*info));
    actions_.push_back(MetadataReceived{t, shared});
    actions_.push_back(Log{"metadata received: " + shared->name});
    auto torrent_config = config_.torrent;
    torrent_config.listen_port = config_.listen_port;
    slot.swarm = std::make_unique<swarm::Torrent>(shared, Bitfield(shared->layout.piece_count()), torrent_config,
                                                  std::make_unique<swarm::TitForTatChoker>(torrent_config.unchoke_slots),
                                                  rng_.next(), now);
    slot.metadata.reset();
    // Hand every connection to the swarm, replaying what each peer said so far.
    for (auto& [h, c] : connections_) {
        if (c.torrent != t || c.state != ConnState::active) continue;
        slot.swarm->add_peer(PeerHandle(h), c.endpoint.key(), c.outgoing, c.fast, c.extensions, now);
        wire::MessageReader replay;
        replay.feed(c.stash);
        c.stash.clear();
        while (slot.swarm->has_peer(PeerHandle(h))) {
            auto m = replay.next();
            if (!m || !*m) break;
            slot.swarm->handle_message(PeerHandle(h), **m, now);
        }
    }
    drain(t, now);
}

void Engine::announce_stopped(TorrentHandle t) {
    const auto& slot = torrents_.at(t.value);
    for (std::uint32_t i = 0; i < slot.trackers.size(); ++i) {
        const auto& tr = slot.trackers[i];
        if (!tr.started_sent) continue;
        auto request = announce_request(t, tracker::Event::stopped);
        request.tracker_id = tr.tracker_id;
        actions_.push_back(Announce{t, i, tr.url, std::move(request)});
    }
}

void Engine::remove_torrent(TorrentHandle t, TimePoint now) {
    last_now_ = now;
    auto it = torrents_.find(t.value);
    if (it == torrents_.end()) return;
    announce_stopped(t);
    // Closed here rather than through handle_closed, which would look for the torrent.
    for (auto c = connections_.begin(); c != connections_.end();) {
        if (c->second.torrent != t) {
            ++c;
            continue;
        }
        actions_.push_back(Close{PeerHandle(c->first), "torrent removed"});
        c = connections_.erase(c);
    }
    std::erase_if(dht_lookups_, [&](const auto& lookup) { return lookup.second == t; });
    torrents_.erase(it);
}

void Engine::shutdown([[maybe_unused]] TimePoint now) {
    shutting_down_ = true;
    for (const auto& [k, slot] : torrents_) announce_stopped(TorrentHandle(k));
    for (const auto& [k, c] : connections_) actions_.push_back(Close{PeerHandle(k), "shutting down"});
}

}  // namespace agora::session

namespace agora::session {

void Engine::bootstrap_dht(std::vector<dht::Endpoint> routers, TimePoint now) {
    last_now_ = now;
    if (!dht_) return;
    dht_->bootstrap(std::move(routers), now);
    dht_due(now);
}

void Engine::handle_datagram(const dht::Endpoint& from, BytesView bytes, TimePoint now) {
    last_now_ = now;
    if (dht_ && !shutting_down_) dht_->handle_datagram(from, bytes, now);
}

void Engine::add_peers(const InfoHashV1& hash, const std::vector<Endpoint>& peers, TimePoint now) {
    last_now_ = now;
    for (auto& [k, slot] : torrents_) {
        if (slot.hashes.v1 != hash) continue;
        for (const auto& p : peers) slot.peers.add(p);
        connect_more(TorrentHandle(k), now);
    }
}

std::vector<InfoHashV1> Engine::announce_hashes() const {
    std::vector<InfoHashV1> out;
    for (const auto& [k, slot] : torrents_)
        if (slot.hashes.v1) out.push_back(*slot.hashes.v1);
    return out;
}

// Starts a get_peers lookup (announcing our port) for each torrent whose time has come: the v1
// hash, and the truncated v2 hash for v2 and hybrid torrents (BEP 52).
void Engine::dht_due(TimePoint now) {
    // With nobody to ask yet, a lookup would end at once with nothing; wait for bootstrap_dht.
    if (!dht_ || shutting_down_ || !dht_->has_contacts()) return;
    for (auto& [k, slot] : torrents_) {
        if (now < slot.next_dht) continue;
        slot.next_dht = now + config_.dht_announce_interval;
        const bool seed = slot.swarm && slot.swarm->complete();
        std::vector<dht::NodeId> targets;
        if (slot.hashes.v1) targets.push_back(dht::as_node_id(*slot.hashes.v1));
        if (slot.hashes.v2) {
            dht::NodeId truncated;
            std::memcpy(truncated.bytes.data(), slot.hashes.v2->bytes.data(), 20);
            targets.push_back(truncated);
        }
        for (const auto& target : targets)
            dht_lookups_[dht_->get_peers(target, config_.listen_port, seed, now)] = TorrentHandle(k);
    }
}

// Moves what the DHT node wants sent into actions, and its results to their torrents (or, for
// queries the driver made, into actions too).
void Engine::drain_dht() {
    while (auto d = dht_->poll_send()) actions_.push_back(SendDatagram{d->to, std::move(d->bytes)});
    while (auto e = dht_->poll_event()) {
        const dht::QueryId q = std::visit([](const auto& ev) { return ev.query; }, *e);
        auto it = dht_lookups_.find(q);
        if (it == dht_lookups_.end()) {
            actions_.push_back(DhtEvent{std::move(*e)});
            continue;
        }
        const TorrentHandle t = it->second;
        auto slot = torrents_.find(t.value);
        if (auto* found = std::get_if<dht::PeersFound>(&*e)) {
            if (slot == torrents_.end()) continue;
            for (const auto& p : found->peers) slot->second.peers.add(Endpoint{p.ip(), p.port});
            if (config_.log_peers)
                actions_.push_back(Log{"dht: " + std::to_string(found->peers.size()) + " peers"});
            connect_more(t, last_now_);
        } else if (auto* done = std::get_if<dht::QueryDone>(&*e)) {
            dht_lookups_.erase(it);
            // Nothing found yet (a new node, or nobody announced): look again soon.
            if (slot != torrents_.end() && done->peers == 0 && !(slot->second.swarm && slot->second.swarm->complete()))
                slot->second.next_dht = std::min(slot->second.next_dht, last_now_ + std::chrono::seconds(20));
            if (config_.log_peers)
                actions_.push_back(Log{"dht lookup: " + std::to_string(done->replied) + " nodes answered, " +
                                       std::to_string(done->sent) + " messages, " +
                                       std::to_string(done->peers) + " peers, announced to " +
                                       std::to_string(done->stored_at)});
        }
    }
}

}  // namespace agora::session
