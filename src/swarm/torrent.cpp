#include "swarm/torrent.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <string_view>

#include "core/assert.hpp"
#include "core/hash.hpp"
#include "core/limits.hpp"
#include "wire/extension.hpp"

namespace agora::swarm {

namespace {
constexpr std::uint8_t our_ut_metadata_id = 3;  // the id peers use to send us ut_metadata
constexpr std::uint8_t our_ut_pex_id = 1;       // and ut_pex (as libtorrent numbers it)
// BEP 11: at most 50 added and 50 dropped contacts in a message, IPv4 and IPv6 together. Only the
// first message to a peer, the full list, may hold more: up to the codec's cap per family (as
// libtorrent's first message holds up to 100).
constexpr std::size_t pex_contacts_max = 50;
static_assert(pex_contacts_max <= wire::limits::pex_added_per_family_max &&
              pex_contacts_max <= wire::limits::pex_dropped_per_family_max);
constexpr Duration tick_interval = std::chrono::seconds(1);
// Distinct pieces an unproven peer may have requests in: a liar wastes at most this many
// before the first verdict on its data comes back.
constexpr std::uint32_t unproven_pieces_max = 3;

// The host and port of a peer key ("ip:port" or "[ip6]:port"), when the port is 1..65535.
std::optional<std::pair<std::string, std::uint16_t>> split_key(std::string_view key) {
    std::string_view host, port_text;
    if (key.starts_with('[')) {
        const auto close = key.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        host = key.substr(1, close - 1);
        port_text = key.substr(close + 2);
    } else {
        const auto colon = key.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = key.substr(0, colon);
        port_text = key.substr(colon + 1);
    }
    unsigned port = 0;
    const char* end = port_text.data() + port_text.size();
    const auto [at, ec] = std::from_chars(port_text.data(), end, port);
    if (ec != std::errc{} || at != end || port == 0 || port > 65535) return std::nullopt;
    return std::pair{std::string(host), static_cast<std::uint16_t>(port)};
}

// The address in a peer key, when it is an IP literal: only those may go into a PEX message (a
// key of a --peer may hold a host name).
std::optional<Contact> parse_key(std::string_view key) {
    const auto split = split_key(key);
    return split ? Contact::parse(split->first, split->second) : std::nullopt;
}
}  // namespace

Torrent::Torrent(std::shared_ptr<const meta::TorrentInfo> info, Bitfield have, TorrentConfig config,
                 std::unique_ptr<Choker> choker, std::uint64_t seed, TimePoint now)
    : info_(std::move(info)), config_(std::move(config)), choker_(std::move(choker)), rng_(seed),
      picker_(info_->layout.piece_count(), info_->layout.piece_length(), info_->layout.total_size()) {
    AGORA_ASSERT(have.size() == picker_.piece_count());
    for (std::uint32_t i = 0; i < have.size(); ++i)
        if (have.get(i)) picker_.set_have(PieceIndex(i));
    timers_[static_cast<int>(Timer::tick)] = now + tick_interval;
    timers_[static_cast<int>(Timer::rechoke)] = now + config_.rechoke_interval;
    totals_.pieces_total = picker_.piece_count();
}

Peer* Torrent::find(PeerHandle h) {
    auto it = peers_.find(h.value);
    return it == peers_.end() ? nullptr : &it->second;
}

void Torrent::send(Peer& p, const wire::Message& m) {
    const PeerHandle peer = p.handle;
    p.last_sent = now_;
    // Messages to one peer in a row travel as one Send (one write for the driver, one delivery in
    // the simulator): a burst of requests or haves costs one system call, not one each.
    Bytes* out = nullptr;
    if (!outputs_.empty())
        if (auto* last = std::get_if<SendBytes>(&outputs_.back()); last && last->peer == peer && last->bytes.size() < 64 * 1024)
            out = &last->bytes;
    if (!out) out = &std::get<SendBytes>(outputs_.emplace_back(SendBytes{peer, Bytes()})).bytes;
    const std::size_t before = out->size();
    wire::encode(m, *out);
    p.unsent += out->size() - before;
}

void Torrent::drop(PeerHandle peer, std::string reason, bool ban) {
    outputs_.push_back(DropPeer{peer, std::move(reason), ban});
}

std::optional<Output> Torrent::poll_output() {
    return outputs_.poll();
}

void Torrent::add_peer(PeerHandle handle, std::string key, bool outgoing, bool fast, bool extensions,
                       TimePoint now) {
    now_ = now;
    AGORA_ASSERT(!peers_.contains(handle.value));
    // With no peers the timers sleep (next_deadline); the rate tick starts afresh with the first.
    if (peers_.empty()) timers_[static_cast<int>(Timer::tick)] = now + tick_interval;
    Peer& p = peers_[handle.value];
    p.handle = handle;
    p.key = std::move(key);
    p.address = parse_key(p.key);
    p.outgoing = outgoing;
    p.fast = fast;
    p.extensions = extensions;
    p.has = Bitfield(picker_.piece_count());
    p.connected_at = p.last_received = p.last_sent = now;

    // BEP 3/6: what we have goes first; then the BEP 10 handshake.
    const auto& have = picker_.have();
    if (fast && have.all())
        send(p, wire::HaveAll{});
    else if (fast && have.none())
        send(p, wire::HaveNone{});
    else if (!have.none())
        send(p, wire::BitfieldMsg{have.bytes()});
    if (extensions) {
        wire::ExtendedHandshake hs;
        hs.m["ut_metadata"] = our_ut_metadata_id;
        if (!info_->is_private) hs.m[std::string(wire::ut_pex_name)] = our_ut_pex_id;  // BEP 27: not for private
        hs.client = config_.client_name;
        hs.reqq = config_.our_reqq;
        hs.metadata_size = static_cast<std::int64_t>(info_->info_bytes.size());
        if (config_.listen_port) hs.listen_port = config_.listen_port;
        if (have.all()) hs.upload_only = true;
        if (p.address)  // how we see it, 4 or 16 bytes (BEP 10 "yourip")
            hs.yourip = Bytes(reinterpret_cast<const char*>(p.address->ip.data()), p.address->v6 ? 16 : 4);
        send(p, wire::Extended{0, wire::encode_extended_handshake(hs)});
    }
}

void Torrent::remove_peer(PeerHandle handle, TimePoint now) {
    auto it = peers_.find(handle.value);
    if (it == peers_.end()) return;
    Peer& p = it->second;
    for (const auto& r : p.requests) picker_.abort_request(r.block);
    picker_.remove_peer(p.has);
    const bool had_slot = !p.am_choking;
    peers_.erase(it);
    now_ = now;
    if (peers_.empty()) totals_.download_rate = totals_.upload_rate = 0;
    if (had_slot) fill_unchoke_slots(now);
}

void Torrent::fill_unchoke_slots(TimePoint now) {
    // A free slot goes to a waiting interested peer at once rather than at the next rechoke:
    // neither a newcomer's first byte nor a peer whose neighbour finished should wait ten
    // seconds. (As many as the last rechoke chose, which the choker grows with the uplink; at
    // least the configured slots plus the optimistic one.) The waiting peers are taken in random
    // order: taken in the order they connected, the peers that arrived last in a crowd were
    // the last served everywhere, and its slowest finished 2-4 s later (300 leechers, seeds 1-3).
    std::uint32_t unchoked = 0;
    for (const auto& [k, q] : peers_) unchoked += q.am_choking ? 0 : 1;
    const std::uint32_t slots = std::max(config_.unchoke_slots + 1, unchoke_slots_chosen_);
    if (unchoked >= slots) return;
    std::vector<Peer*> waiting;
    for (auto& [k, q] : peers_)
        if (q.am_choking && q.peer_interested) waiting.push_back(&q);
    while (unchoked < slots && !waiting.empty()) {
        const std::size_t i = rng_.below(waiting.size());
        Peer& q = *waiting[i];
        waiting[i] = waiting.back();
        waiting.pop_back();
        q.am_choking = false;
        q.last_unchoked = now;
        send(q, wire::Unchoke{});
        ++unchoked;
    }
}

bool Torrent::is_seed_peer(PeerHandle h) const {
    auto it = peers_.find(h.value);
    return it != peers_.end() && it->second.has.all();
}

void Torrent::update_interest(Peer& p) {
    const bool want = picker_.am_interested_in(p.has);
    if (want == p.am_interested) return;
    p.am_interested = want;
    send(p, want ? wire::Message(wire::Interested{}) : wire::Message(wire::NotInterested{}));
}

void Torrent::set_priorities(std::vector<std::uint8_t> piece_priorities, TimePoint now) {
    picker_.set_priorities(std::move(piece_priorities));
    wants_changed(now);
}

void Torrent::set_sequential(bool on, TimePoint now) {
    picker_.set_sequential(on);
    wants_changed(now);
}

void Torrent::wants_changed(TimePoint now) {
    now_ = now;
    for (auto& [k, p] : peers_) {
        update_interest(p);
        if (!p.peer_choking) fill_requests(p, now);
    }
}

void Torrent::on_have(Peer& p, std::uint32_t piece) {
    if (p.has.get(piece)) return;
    p.has.set(piece);
    p.found_nothing.reset();
    picker_.add_have(PieceIndex(piece));
    if (!p.am_interested && !picker_.have().get(piece) && picker_.priority(PieceIndex(piece)) != PiecePicker::skip)
        update_interest(p);
}

void Torrent::handle_message(PeerHandle handle, const wire::Message& message, TimePoint now) {
    Peer* pp = find(handle);
    if (!pp) return;
    Peer& p = *pp;
    now_ = now;
    p.last_received = now;
    const std::uint32_t count = picker_.piece_count();

    std::visit(
        [&](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, wire::KeepAlive>) {
                // nothing: last_received is updated above
            } else if constexpr (std::is_same_v<T, wire::Choke>) {
                p.peer_choking = true;
                // Without BEP 6 a choke discards our requests; with it the peer rejects them one
                // by one, but treating them as gone at once is safe either way.
                for (const auto& r : p.requests) picker_.abort_request(r.block);
                p.requests.clear();
            } else if constexpr (std::is_same_v<T, wire::Unchoke>) {
                p.peer_choking = false;
                fill_requests(p, now);
            } else if constexpr (std::is_same_v<T, wire::Interested>) {
                p.peer_interested = true;
                fill_unchoke_slots(now);
            } else if constexpr (std::is_same_v<T, wire::NotInterested>) {
                p.peer_interested = false;
                if (!p.am_choking) {
                    p.am_choking = true;
                    send(p, wire::Choke{});
                    fill_unchoke_slots(now);
                }
            } else if constexpr (std::is_same_v<T, wire::Have>) {
                if (m.piece >= count) return drop(handle, "have: piece index out of range");
                on_have(p, m.piece);
            } else if constexpr (std::is_same_v<T, wire::BitfieldMsg>) {
                if (!wire::bitfield_size_ok(m.bits, count)) return drop(handle, "bitfield of the wrong size");
                // A later bitfield replaces what we knew (aria2 sends one mid-connection when it
                // is shorter than the haves it stands for; libtorrent accepts that too).
                picker_.remove_peer(p.has);
                p.has = *Bitfield::from_bytes(m.bits, count);
                p.found_nothing.reset();
                picker_.add_peer(p.has);
                update_interest(p);
            } else if constexpr (std::is_same_v<T, wire::HaveAll> || std::is_same_v<T, wire::HaveNone>) {
                if (!p.fast) return drop(handle, "fast-extension message without the extension");
                picker_.remove_peer(p.has);
                p.has = Bitfield(count, std::is_same_v<T, wire::HaveAll>);
                p.found_nothing.reset();
                picker_.add_peer(p.has);
                update_interest(p);
            } else if constexpr (std::is_same_v<T, wire::Request>) {
                on_request(p, m, now);
            } else if constexpr (std::is_same_v<T, wire::Piece>) {
                on_piece(p, m);
            } else if constexpr (std::is_same_v<T, wire::Cancel>) {
                std::erase_if(p.incoming, [&](const IncomingRequest& r) {
                    return !r.reading && r.piece.value == m.piece && r.offset == m.offset && r.length == m.length;
                });
            } else if constexpr (std::is_same_v<T, wire::Reject>) {
                if (!p.fast) return drop(handle, "reject without the fast extension");
                auto it = std::find_if(p.requests.begin(), p.requests.end(), [&](const OutstandingRequest& r) {
                    return r.block.piece.value == m.piece &&
                           std::int64_t{r.block.block} * limits::block_size_bytes == m.offset;
                });
                if (it != p.requests.end()) {
                    picker_.abort_request(it->block);
                    p.requests.erase(it);
                }
            } else if constexpr (std::is_same_v<T, wire::Extended>) {
                on_extended(p, m);
            } else if constexpr (std::is_same_v<T, wire::Suggest> || std::is_same_v<T, wire::AllowedFast> ||
                                 std::is_same_v<T, wire::Port> || std::is_same_v<T, wire::Unknown>) {
                // Hints we may ignore (BEP 6 allows it); DHT ports come with the DHT issue.
                if constexpr (!std::is_same_v<T, wire::Port> && !std::is_same_v<T, wire::Unknown>) {
                    if (!p.fast) return drop(handle, "fast-extension message without the extension");
                    if (m.piece >= count) return drop(handle, "piece index out of range");
                }
            }
        },
        message);
    if (auto* still = find(handle)) {
        if (!still->peer_choking) fill_requests(*still, now);
    }
    check_invariants();
}

void Torrent::on_request(Peer& p, const wire::Request& r, TimePoint) {
    const std::uint32_t count = picker_.piece_count();
    if (r.piece >= count) return drop(p.handle, "request: piece index out of range");
    const std::int64_t piece_size = info_->layout.piece_size(PieceIndex(r.piece));
    if (r.length == 0 || r.length > limits::block_size_bytes || std::int64_t{r.offset} + r.length > piece_size)
        return drop(p.handle, "request: block out of range (piece " + std::to_string(r.piece) + ", offset " +
                                  std::to_string(r.offset) + ", length " + std::to_string(r.length) + ")");
    // We only ever upload pieces we verified.
    if (p.am_choking || !picker_.have().get(r.piece)) {
        if (p.fast) send(p, wire::Reject{r.piece, r.offset, r.length});
        return;
    }
    if (p.incoming.size() >= config_.our_reqq) return drop(p.handle, "too many requests queued");
    p.incoming.push_back(IncomingRequest{PieceIndex(r.piece), r.offset, r.length, false});
    issue_reads(p);
}

std::size_t Torrent::send_buffer(const Peer& p) const {
    if (config_.send_buffer_min == 0) return SIZE_MAX;
    const auto half_second = static_cast<std::size_t>(p.upload.rate() / 2);
    return std::clamp(half_second, config_.send_buffer_min, std::max(config_.send_buffer_min, config_.send_buffer_max));
}

void Torrent::issue_reads(Peer& p) {
    std::uint32_t reading = 0;
    std::size_t queued = p.unsent;  // and, below, the reads in flight: bytes about to be queued
    const std::size_t limit = send_buffer(p);
    for (auto& r : p.incoming) {
        if (reading >= config_.reads_in_flight_per_peer || queued >= limit) break;
        if (!r.reading) {
            r.reading = true;
            outputs_.push_back(ReadBlock{p.handle, r.piece, r.offset, r.length});
        }
        ++reading;
        queued += r.length;
    }
}

void Torrent::handle_sent(PeerHandle handle, std::size_t bytes) {
    Peer* p = find(handle);
    if (!p) return;
    p->unsent -= std::min(bytes, p->unsent);
    issue_reads(*p);
}

void Torrent::handle_block_read(PeerHandle handle, PieceIndex piece, std::uint32_t offset, wire::PieceBuffer block,
                                TimePoint now) {
    now_ = now;
    Peer* p = find(handle);
    if (!p) return;
    auto it = std::find_if(p->incoming.begin(), p->incoming.end(), [&](const IncomingRequest& r) {
        return r.reading && r.piece == piece && r.offset == offset;
    });
    if (it == p->incoming.end()) return;  // cancelled meanwhile
    AGORA_ASSERT(block.size() == 0 || block.size() == it->length);  // the whole block, or a failed read
    p->incoming.erase(it);
    if (!p->am_choking && block.size() > 0) {
        const std::size_t bytes = block.size();
        Bytes out = std::move(block).finish(piece.value, offset);
        p->unsent += out.size();
        outputs_.push_back(SendBytes{handle, std::move(out)});
        p->upload.add(bytes);
        p->last_sent = now;
        totals_.payload_uploaded += bytes;
    }
    issue_reads(*p);
}

void Torrent::on_piece(Peer& p, const wire::Piece& m) {
    const std::uint32_t count = picker_.piece_count();
    if (m.piece >= count) return drop(p.handle, "piece: index out of range");
    if (m.offset % limits::block_size_bytes != 0) return drop(p.handle, "piece: block not aligned");
    const BlockRef block{PieceIndex(m.piece), m.offset / limits::block_size_bytes};
    if (block.block >= picker_.blocks_in_piece(block.piece) || m.data.size() != picker_.block_length(block))
        return drop(p.handle, "piece: block of the wrong size");

    auto req = std::find_if(p.requests.begin(), p.requests.end(),
                            [&](const OutstandingRequest& r) { return r.block == block; });
    if (req == p.requests.end()) return;  // not asked for (or cancelled): ignore the bytes
    p.requests.erase(req);
    p.download.add(m.data.size());
    totals_.payload_downloaded += m.data.size();
    p.snubbed = false;
    if (picker_.have().get(m.piece) || picker_.is_received(block)) return;  // endgame duplicate

    auto& buffer = downloading_[m.piece];
    if (buffer.sources.empty()) {
        ++pieces_in_memory_;
        buffer.sources.assign(picker_.blocks_in_piece(block.piece), std::string());
    }
    buffer.sources[block.block] = p.key;
    outputs_.push_back(StoreBlock{block.piece, m.offset, Bytes(m.data)});
    if (picker_.mark_received(block)) {
        // Endgame: others may still be fetching this piece's blocks; tell them to stop. (Else
        // every block was asked of one peer at a time, and the requests answered are gone.)
        if (picker_.asked_twice(block.piece))
            for (auto& entry : peers_) {
                Peer& q = entry.second;
                std::erase_if(q.requests, [&](const OutstandingRequest& r) {
                    if (r.block.piece != block.piece) return false;
                    send(q, wire::Cancel{r.block.piece.value, r.block.block * limits::block_size_bytes,
                                                picker_.block_length(r.block)});
                    return true;
                });
            }
        buffer.checking_bytes = static_cast<std::size_t>(info_->layout.piece_size(block.piece));
        checking_bytes_ += buffer.checking_bytes;
        --pieces_in_memory_;
        outputs_.push_back(CheckPiece{block.piece});
    }
}

void Torrent::handle_piece_checked(PieceIndex piece, bool ok, std::vector<Sha1> block_digests, TimePoint now) {
    now_ = now;
    auto it = downloading_.find(piece.value);
    if (it == downloading_.end()) return;
    PieceSources buffer = std::move(it->second);
    downloading_.erase(it);
    checking_bytes_ -= buffer.checking_bytes;
    if (ok) {
        picker_.set_have(piece);
        outputs_.push_back(PieceHad{piece});
        // The peers that sent it (one or a few), each compared once with every peer.
        std::vector<std::string_view> senders(buffer.sources.begin(), buffer.sources.end());
        std::sort(senders.begin(), senders.end());
        senders.erase(std::unique(senders.begin(), senders.end()), senders.end());
        // Who has the piece is read for every peer first, in a loop without calls, so the
        // processor fetches their bitfields (each a cache miss in a large simulation) together
        // rather than one at a time between sends.
        std::vector<char> had;
        had.reserve(peers_.size());
        for (const auto& [k, q] : peers_) had.push_back(q.has.get(piece.value) ? 1 : 0);
        for (auto& [k, q] : peers_)
            if (std::find(senders.begin(), senders.end(), q.key) != senders.end()) {
                q.proven = true;
                q.parole = false;
            }
        for (const auto& liar : smart_ban_.piece_passed(piece, block_digests))
            for (auto& [k, q] : peers_)
                if (q.key == liar) drop(q.handle, "sent data that failed its hash (smart ban)", true);
        std::size_t i = 0;
        for (auto& [k, q] : peers_) {
            // Having one piece more can only end our interest in a peer that had it.
            if (had[i++] == 0) send(q, wire::Have{piece.value});
            else if (q.am_interested) update_interest(q);
            if (!q.peer_choking) fill_requests(q, now);
        }
        return;
    }
    ++totals_.hash_failures;
    totals_.bytes_wasted += buffer.checking_bytes;
    picker_.reset_piece(piece);
    smart_ban_.piece_failed(piece, buffer.sources, block_digests);
    for (auto& [k, q] : peers_)
        if (std::find(buffer.sources.begin(), buffer.sources.end(), q.key) != buffer.sources.end()) q.parole = true;
    // One peer sent every block: it alone is at fault.
    const bool single = std::all_of(buffer.sources.begin(), buffer.sources.end(),
                                    [&](const std::string& s) { return s == buffer.sources.front(); });
    if (single)
        for (auto& [k, q] : peers_)
            if (q.key == buffer.sources.front()) drop(q.handle, "sent a whole piece that failed its hash", true);
}

std::uint32_t Torrent::queue_target(const Peer& p) const {
    // A snubbed peer is still asked for one block at a time (as libtorrent does): the block it
    // answers with lifts the snub. Asking nothing would leave it snubbed for good, its late
    // answers to the timed-out requests being ignored.
    if (p.snubbed) return 1;
    // Enough requests in flight to cover about three seconds at the peer's current rate.
    const double blocks = p.download.rate() * 3.0 / limits::block_size_bytes;
    const auto target = static_cast<std::uint32_t>(std::max<double>(config_.request_queue_min, blocks));
    return std::min({target, config_.request_queue_max, p.peer_reqq});
}

void Torrent::fill_requests(Peer& p, TimePoint now) {
    if (p.peer_choking || !p.am_interested) return;
    // Back-pressure: while the disk is behind, ask for nothing more. Memory for downloaded
    // pieces stays bounded whatever the network's speed.
    if (checking_bytes_ >= config_.checking_bytes_max) return;
    const std::uint32_t target = queue_target(p);
    // Refill in batches (below three quarters of the target) rather than one block per block
    // received: picking costs a scan, and the pipeline stays deep either way.
    if (p.requests.size() >= target || (!p.requests.empty() && p.requests.size() * 4 >= target * 3)) return;
    // The memory budget counts pieces with blocks stored, not pieces merely asked for: one a
    // peer stopped sending (it choked us, or the piece was deselected) still has blocks stored. A
    // peer with nothing in flight may start a piece even over the budget, so pieces that cannot
    // progress never stall the download (memory stays under the budget plus a piece per peer).
    const std::uint64_t piece_length = static_cast<std::uint64_t>(info_->layout.piece_length());
    const std::uint64_t budget = std::max<std::uint64_t>(1, config_.partial_bytes_max / piece_length);
    const std::uint64_t room = budget > pieces_in_memory_ ? budget - pieces_in_memory_ : 0;
    // Most calls come after a message from a peer whose every piece we lack is being fetched from
    // others: the pick finds nothing, as it did last time, unless something it depends on changed.
    // (With a failed piece, who is on parole matters too; then every pick is made.) Requests are
    // only added by a pick that found something, so their count stands for the set.
    const Peer::PickInputs inputs{picker_.epoch(), p.requests.size(), room > 0 || p.requests.empty(), p.proven,
                                  p.parole};
    const bool same_as_empty = totals_.hash_failures == 0 && p.found_nothing == inputs;
#ifdef NDEBUG
    if (same_as_empty) return;
#endif
    PiecePicker::PickLimits limits;
    limits.exclude.reserve(p.requests.size());
    limits.in_flight.reserve(p.requests.size());
    for (const auto& r : p.requests) {
        limits.exclude.push_back(r.block);
        if (std::find(limits.in_flight.begin(), limits.in_flight.end(), r.block.piece) == limits.in_flight.end())
            limits.in_flight.push_back(r.block.piece);
    }
    limits.new_pieces_max = static_cast<std::uint32_t>(std::min<std::uint64_t>(room, UINT32_MAX));
    if (p.requests.empty()) limits.new_pieces_max = std::max<std::uint32_t>(limits.new_pieces_max, 1);
    if (p.parole) {
        limits.fresh_only = true;
        limits.pieces_max = 1;
    } else if (!p.proven) {
        limits.pieces_max = unproven_pieces_max;
    }
    // Pieces a peer on parole is fetching alone stay its own; pieces that failed with this
    // peer's help go to others while others have them.
    for (const auto& [k, q] : peers_) {
        if (totals_.hash_failures == 0) break;  // nobody is on parole before a piece fails
        if (q.handle == p.handle || !q.parole) continue;
        for (const auto& r : q.requests) limits.skip.push_back(r.block.piece);
    }
#ifndef NDEBUG
    if (same_as_empty) {
        // Debug builds check that the skipped pick would indeed find nothing (on a copy of the
        // rng, so they draw the same numbers as release builds).
        Rng copy = rng_;
        AGORA_ASSERT(picker_.pick(p.has, target - static_cast<std::uint32_t>(p.requests.size()), copy, limits).empty());
        return;
    }
#endif
    auto picks = picker_.pick(p.has, target - static_cast<std::uint32_t>(p.requests.size()), rng_, limits);
    if (picks.empty()) p.found_nothing = inputs;
    else p.found_nothing.reset();
    std::erase_if(picks, [&](const BlockRef& b) {
        if (!smart_ban_.is_suspect(b.piece, p.key)) return false;
        for (const auto& [k, q] : peers_)
            if (q.handle != p.handle && q.has.get(b.piece.value) && !smart_ban_.is_suspect(b.piece, q.key)) return true;
        return false;
    });
    for (const auto& b : picks) {
        picker_.mark_requested(b);
        p.requests.push_back(OutstandingRequest{b, now});
        send(p, wire::Request{b.piece.value, b.block * limits::block_size_bytes, picker_.block_length(b)});
    }
}

void Torrent::on_extended(Peer& p, const wire::Extended& m) {
    if (!p.extensions) return drop(p.handle, "extension message without the extension bit");
    if (m.id == 0) {
        auto hs = wire::decode_extended_handshake(m.payload);
        if (!hs) return drop(p.handle, "bad extended handshake: " + hs.error().message);
        return on_extended_handshake(p, *hs);
    }
    if (m.id == our_ut_pex_id) return on_pex(p, m.payload);
    if (m.id != our_ut_metadata_id) return;  // an extension we did not offer: ignore
    auto md = wire::decode_metadata(m.payload);
    if (!md) return drop(p.handle, "bad ut_metadata message: " + md.error().message);
    if (md->type != wire::MetadataMessage::Type::request || p.ut_metadata_id == 0) return;
    // Serve a piece of our info dictionary (BEP 9); private torrents too: the peer has the hash.
    const auto& bytes = info_->info_bytes;
    const std::uint64_t start = std::uint64_t{md->piece} * 16384;
    wire::MetadataMessage reply;
    if (start >= bytes.size()) {
        reply.type = wire::MetadataMessage::Type::reject;
        reply.piece = md->piece;
    } else {
        reply.type = wire::MetadataMessage::Type::data;
        reply.piece = md->piece;
        reply.total_size = static_cast<std::int64_t>(bytes.size());
        reply.data = BytesView(bytes).substr(start, 16384);
    }
    send(p, wire::Extended{p.ut_metadata_id, wire::encode_metadata(reply)});
}

void Torrent::on_extended_handshake(Peer& p, const wire::ExtendedHandshake& hs) {
    if (hs.reqq) p.peer_reqq = std::max<std::uint32_t>(1, *hs.reqq);
    auto it = hs.m.find("ut_metadata");
    p.ut_metadata_id = it == hs.m.end() ? 0 : it->second;
    // BEP 10: a later handshake adds to the earlier ones, and an id of 0 turns an extension off.
    if (auto pex = hs.m.find(wire::ut_pex_name); pex != hs.m.end())
        p.ut_pex_id = pex->second;
    else if (hs.disabled.contains(wire::ut_pex_name))
        p.ut_pex_id = 0;
    // BEP 27: no peer exchange for a private torrent.
    if (p.ut_pex_id != 0 && p.pex_due == TimePoint::max() && !info_->is_private) p.pex_due = now_;
    if (hs.listen_port) p.listen_port = hs.listen_port;
    p.upload_only = hs.upload_only;
    if (hs.yourip && !p.told_our_address) {
        std::array<char, INET6_ADDRSTRLEN> text{};
        const int family = hs.yourip->size() == 4 ? AF_INET : AF_INET6;  // the decoder allows 4 or 16 bytes
        if (inet_ntop(family, hs.yourip->data(), text.data(), static_cast<socklen_t>(text.size()))) {
            p.told_our_address = true;
            outputs_.push_back(AddressSeen{text.data(), p.address ? p.address->ip_text() : p.key});
        }
    }
}

// ---- BEP 11 peer exchange ----

// What we tell others about `p`: the address it accepts connections on, and what we know of it.
// For a peer we dialed that is the address we dialed (flag reachable); for one that dialed us,
// its IP with the port its extended handshake named ("p"). One that did not name a port is not
// passed on: its source port accepts nothing (libtorrent does the same).
std::optional<Torrent::PexEntry> Torrent::pex_entry(const Peer& p) const {
    auto contact = p.address;
    if (!contact) return std::nullopt;
    std::uint8_t flags = 0;
    if (p.outgoing) {
        flags |= wire::pex_flag_reachable;
    } else if (p.listen_port) {
        contact->port = *p.listen_port;
    } else {
        return std::nullopt;
    }
    if (p.upload_only || p.has.all()) flags |= wire::pex_flag_seed;
    return PexEntry{std::move(*contact), flags};
}

// Every address a connected peer is known by: the one it came from and the one it listens on
// (sorted, for binary_search).
std::vector<Contact> Torrent::connected_contacts() const {
    std::vector<Contact> out;
    out.reserve(2 * peers_.size());
    for (const auto& [k, p] : peers_) {
        if (p.address) out.push_back(*p.address);
        if (auto e = pex_entry(p)) out.push_back(std::move(e->contact));
    }
    std::sort(out.begin(), out.end());
    return out;
}

// On the one-second tick: to every ut_pex peer whose turn it is, the difference between the
// peers connected now and what we told it before. While a peer is our only one there is nobody to
// tell it about, and its first turn waits for a second peer (as in libtorrent).
void Torrent::send_due_pex(TimePoint now) {
    if (info_->is_private) return;
    std::vector<PexEntry> connected;
    bool listed = false;
    for (auto& [k, p] : peers_) {
        if (p.ut_pex_id == 0 || now < p.pex_due || (!p.pex_sent_once && peers_.size() < 2)) continue;
        if (!listed) {
            std::set<Contact> seen;  // two connections to one address are one contact (the first's flags)
            for (const auto& [k2, q] : peers_)
                if (auto e = pex_entry(q); e && seen.insert(e->contact).second) connected.push_back(std::move(*e));
            listed = true;
        }
        p.pex_due = now + config_.pex_interval;
        send_pex_to(p, connected);
    }
}

void Torrent::send_pex_to(Peer& p, const std::vector<PexEntry>& connected) {
    // Never tell a peer about itself: neither where it listens nor where it came from.
    const std::optional<PexEntry> listens = pex_entry(p);
    const auto is_self = [&](const Contact& c) {
        return (listens && c == listens->contact) || (p.address && c == *p.address);
    };
    const auto told = [&](const Contact& c) { return std::binary_search(p.pex_told.begin(), p.pex_told.end(), c); };

    const std::size_t added_max = p.pex_sent_once ? pex_contacts_max : 2 * wire::limits::pex_added_per_family_max;
    wire::PexMessage m;
    std::size_t added_v4 = 0, added_v6 = 0;
    std::vector<Contact> current, added, dropped;
    current.reserve(connected.size());
    for (const auto& e : connected) {
        if (is_self(e.contact)) continue;
        current.push_back(e.contact);
        if (told(e.contact) || m.added.size() >= added_max) continue;
        auto& family_count = e.contact.v6 ? added_v6 : added_v4;
        if (family_count >= wire::limits::pex_added_per_family_max) continue;  // the rest go next time
        ++family_count;
        added.push_back(e.contact);
        m.added.push_back(wire::PexPeer{e.contact.ip_text(), e.contact.port, e.flags});
    }
    std::sort(current.begin(), current.end());
    for (const auto& c : p.pex_told) {
        if (m.dropped.size() >= pex_contacts_max) break;  // the rest go next time
        if (std::binary_search(current.begin(), current.end(), c)) continue;
        dropped.push_back(c);  // in pex_told's order, so sorted
        m.dropped.push_back(wire::PexPeer{c.ip_text(), c.port, 0});
    }
    // Nothing changed: say nothing (uTorrent takes an empty message for an error).
    if (m.added.empty() && m.dropped.empty()) return;

    // pex_told, sorted, loses what was dropped and gains what was added (none of which it held:
    // `connected` holds each contact once, and told ones were skipped).
    std::erase_if(p.pex_told, [&](const Contact& c) { return std::binary_search(dropped.begin(), dropped.end(), c); });
    std::sort(added.begin(), added.end());
    const auto old_end = static_cast<std::ptrdiff_t>(p.pex_told.size());
    p.pex_told.insert(p.pex_told.end(), added.begin(), added.end());
    std::inplace_merge(p.pex_told.begin(), p.pex_told.begin() + old_end, p.pex_told.end());
    const Bytes payload = wire::encode_pex(m);
    const auto back = wire::decode_pex(payload);  // what we send must read back as what we meant
    AGORA_ASSERT(back && back->added.size() == m.added.size() && back->dropped.size() == m.dropped.size());
    send(p, wire::Extended{p.ut_pex_id, payload});
    p.pex_sent_once = true;
    ++totals_.pex_sent;
}

// A ut_pex message from `p`. BEP 11 asks receivers to be lenient, so nothing here drops the peer:
// a message that does not decode is ignored, and so is one that comes less than
// pex_accept_interval_min after the last one taken (checked first, so a flood costs no decoding;
// a malformed message also uses up the peer's turn). The added contacts not connected already go
// to the driver to dial; dropped ones are not acted on (the peer may only have lost its link).
void Torrent::on_pex(Peer& p, BytesView payload) {
    if (info_->is_private) return;  // we never offered ut_pex (BEP 27)
    if (p.pex_last_accepted && now_ - *p.pex_last_accepted < config_.pex_accept_interval_min) {
        ++totals_.pex_rate_limited;
        return;
    }
    p.pex_last_accepted = now_;
    auto m = wire::decode_pex(payload);
    if (!m) {
        ++totals_.pex_malformed;
        return;
    }
    ++totals_.pex_accepted;
    const auto known = connected_contacts();
    const bool seeding = picker_.is_complete();
    PeersLearned learned;
    for (const auto& a : m->added) {
        const auto contact = Contact::parse(a.ip, a.port);  // decode_pex writes only IP literals
        if (contact && std::binary_search(known.begin(), known.end(), *contact)) continue;
        if (seeding && (a.flags & wire::pex_flag_seed)) continue;  // a seed has nothing for a seed
        learned.peers.emplace_back(a.ip, a.port);
    }
    AGORA_ASSERT(learned.peers.size() <= 2 * wire::limits::pex_added_per_family_max);
    if (!learned.peers.empty()) outputs_.push_back(std::move(learned));
}

void Torrent::rechoke(TimePoint now) {
    std::vector<ChokeCandidate> candidates;
    for (const auto& [k, p] : peers_)
        candidates.push_back(ChokeCandidate{p.handle, p.peer_interested, !p.am_choking, p.download.rate(),
                                            p.upload.rate(), p.last_unchoked});
    auto chosen = choker_->choose(candidates, picker_.is_complete(), rng_, now);
    unchoke_slots_chosen_ = static_cast<std::uint32_t>(chosen.size());
    for (auto& [k, p] : peers_) {
        const bool unchoke = std::find(chosen.begin(), chosen.end(), p.handle) != chosen.end();
        if (unchoke && p.am_choking) {
            p.am_choking = false;
            p.last_unchoked = now;
            send(p, wire::Unchoke{});
        } else if (!unchoke && !p.am_choking) {
            p.am_choking = true;
            send(p, wire::Choke{});
            // Requests not yet being read are dropped (BEP 6: rejected one by one).
            for (const auto& r : p.incoming)
                if (!r.reading && p.fast) send(p, wire::Reject{r.piece.value, r.offset, r.length});
            std::erase_if(p.incoming, [](const IncomingRequest& r) { return !r.reading; });
        }
    }
}

void Torrent::handle_timeout(TimePoint now) {
    now_ = now;
    auto& tick = timers_[static_cast<int>(Timer::tick)];
    if (now >= tick) {
        const double seconds = std::chrono::duration<double>(now - tick + tick_interval).count();
        tick = now + tick_interval;
        totals_.download_rate = totals_.upload_rate = 0;
        for (auto& [k, p] : peers_) {
            p.download.tick(seconds);
            p.upload.tick(seconds);
            totals_.download_rate += p.download.rate();
            totals_.upload_rate += p.upload.rate();
            // Requests unanswered for too long: give them back to the picker; the peer is snubbed
            // (one request at a time) until it sends a block we asked for.
            const auto before = p.requests.size();
            std::erase_if(p.requests, [&](const OutstandingRequest& r) {
                if (now - r.sent_at < config_.request_timeout) return false;
                picker_.abort_request(r.block);
                return true;
            });
            if (p.requests.size() != before) p.snubbed = true;
            if (now - p.last_received >= config_.inactivity_timeout) {
                drop(p.handle, "inactive");
                continue;
            }
            if (now - p.last_sent >= config_.keepalive_interval) {
                p.last_sent = now;
                send(p, wire::KeepAlive{});
            }
            if (!p.peer_choking) fill_requests(p, now);
            // Two seeds have nothing to say to each other.
            if (picker_.is_complete() && p.has.all()) drop(p.handle, "both seeds");
        }
        send_due_pex(now);
    }
    auto& choke = timers_[static_cast<int>(Timer::rechoke)];
    if (now >= choke) {
        choke = now + config_.rechoke_interval;
        rechoke(now);
    }
}

TimePoint Torrent::next_deadline() const {
    // Every timer is about peers (rates, request timeouts, keep-alives, choking, PEX): a torrent
    // nobody is connected to needs no wake-ups, which is what keeps a thousand idle seeds cheap.
    if (peers_.empty()) return TimePoint::max();
    return *std::min_element(std::begin(timers_), std::end(timers_));
}

TimePoint Torrent::oldest_request() const {
    TimePoint oldest = TimePoint::max();
    for (const auto& [k, p] : peers_)
        for (const auto& r : p.requests) oldest = std::min(oldest, r.sent_at);
    return oldest;
}

TorrentStats Torrent::stats() const {
    TorrentStats s = totals_;
    s.pieces_had = picker_.have().count();
    s.pieces_in_memory = pieces_in_memory_;
    s.peers = static_cast<std::uint32_t>(peers_.size());
    s.seeds = 0;
    for (const auto& [k, p] : peers_) s.seeds += p.has.all() ? 1 : 0;
    s.complete = picker_.is_complete();
    s.done = s.complete || picker_.is_done();
    return s;
}

void Torrent::check_invariants() const {
#ifndef NDEBUG
    for (const auto& [k, p] : peers_) {
        AGORA_ASSERT(p.has.size() == picker_.piece_count());
        // A piece we have is never still requested, and nothing we lack is ever read for upload.
        for (const auto& r : p.requests) AGORA_ASSERT(!picker_.have().get(r.block.piece.value));
        for (const auto& r : p.incoming) AGORA_ASSERT(picker_.have().get(r.piece.value));
        // BEP 27: nothing about a private torrent's peers is ever passed on.
        if (info_->is_private) AGORA_ASSERT(p.pex_told.empty() && !p.pex_sent_once);
    }
#endif
}

}  // namespace agora::swarm
