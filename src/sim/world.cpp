#include "sim/world.hpp"

#include <algorithm>
#include <cstring>

#include "core/hash.hpp"
#include "core/limits.hpp"
#include "sim/content.hpp"
#include "sim/seeds.hpp"

namespace agora::sim {

namespace {

dht::Endpoint to_dht(Address a) {
    dht::Endpoint e;
    for (int i = 0; i < 4; ++i) e.address[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(a.ip >> (8 * (3 - i)));
    e.port = a.port;
    return e;
}

std::optional<Address> from_dht(const dht::Endpoint& e) {
    if (e.family != dht::Family::v4) return std::nullopt;
    std::uint32_t ip = 0;
    for (std::size_t i = 0; i < 4; ++i) ip = (ip << 8) | e.address[i];
    return Address{ip, e.port};
}

// A torrent's bytes as 16 KiB blocks, the last one shorter (simulated torrents' pieces are whole
// blocks, so a block never straddles two pieces).
std::uint32_t block_count(const meta::TorrentInfo& info) {
    return static_cast<std::uint32_t>((info.layout.total_size() + limits::block_size_bytes - 1) / limits::block_size_bytes);
}

std::uint32_t block_length(const meta::TorrentInfo& info, std::uint32_t block) {
    const std::int64_t left = info.layout.total_size() - std::int64_t{block} * limits::block_size_bytes;
    return static_cast<std::uint32_t>(std::clamp<std::int64_t>(left, 0, limits::block_size_bytes));
}

}  // namespace

World::World(WorldConfig config)
    : config_(std::move(config)),
      network_(queue_, *this, config_.network, config_.seed),
      tracker_(derive_seed(config_.seed, Stream::workload, 0xffffffffu)) {
    queue_.schedule_after(config_.invariant_interval, Event{this, check, 0});
}

World::~World() = default;

NodeIndex World::add_node(const NodeSpec& spec) {
    const NodeIndex n = network_.add_node(spec.link);
    AGORA_ASSERT(n.value == nodes_.size());
    Node& nd = nodes_.emplace_back();
    nd.spec = spec;
    session::EngineConfig ec = config_.engine;
    ec.seed = derive_seed(config_.seed, Stream::engine, n.value);
    Rng id_rng(ec.seed ^ 0x5045455249440000ULL);  // "PEERID": the id is not the engine's first draws
    std::memcpy(ec.peer_id.data(), "-AG0100-", 8);
    for (std::size_t i = 8; i < ec.peer_id.size(); ++i) ec.peer_id[i] = static_cast<std::uint8_t>('a' + id_rng.below(26));
    ec.listen_port = config_.port;
    if (spec.dht) {
        dht::NodeConfig dc = ec.dht.value_or(dht::NodeConfig{});
        dc.seed = derive_seed(config_.seed, Stream::engine, n.value) + 1;
        ec.dht = dc;
    } else {
        ec.dht.reset();
    }
    nd.engine = std::make_unique<session::Engine>(std::move(ec), queue_.now());
    network_.listen(n, config_.port);
    network_.bind(n, config_.port);  // its DHT's and its UDP trackers' socket
    if (spec.port_forwarded) {
        network_.forward_port(n, Protocol::tcp, config_.port);
        network_.forward_port(n, Protocol::udp, config_.port);
    }
    ++alive_;
    pump(n, queue_.now());
    return n;
}

void World::leave(NodeIndex n, Duration linger) {
    AGORA_ASSERT(alive(n));
    Node& nd = node(n);
    nd.leaving = true;
    --alive_;
    network_.unlisten(n, config_.port);  // as the real driver closes its acceptor at once
    nd.engine->shutdown(queue_.now());
    pump(n, queue_.now());
    queue_.schedule_after(linger, Event{this, depart, pack(n)});
}

void World::remove_node(NodeIndex n) {
    Node& nd = node(n);
    if (!nd.engine) return;
    if (!nd.leaving) --alive_;
    nd.leaving = false;
    for (const auto& [peer, stream] : nd.streams) {
        network_.close(stream);
        unbind_stream(stream);
    }
    nd.streams.clear();
    nd.disk.clear();
    nd.announces.clear();  // each ends at its next step, seeing the node gone
    nd.engine.reset();
    queue_.cancel(nd.timer);
    nd.timer_at = TimePoint::max();
    ++nd.generation;
    network_.close_ports(n);
}

std::string World::add_tracker(const NodeConfig& link) {
    AGORA_ASSERT(!tracker_node_);
    const NodeIndex n = network_.add_node(link);
    AGORA_ASSERT(n.value == nodes_.size());
    nodes_.emplace_back();  // no engine: the tracker is the world's, not a peer
    network_.bind(n, SimTracker::port);
    tracker_node_ = n;
    return "udp://" + format_ip(network_.ip(n)) + ":" + std::to_string(SimTracker::port) + "/announce";
}

bool World::alive(NodeIndex n) const { return nodes_[n.value].engine != nullptr && !nodes_[n.value].leaving; }

session::Engine& World::engine(NodeIndex n) {
    AGORA_ASSERT(alive(n));
    return *node(n).engine;
}

void World::drive(NodeIndex n, const std::function<void(session::Engine&, TimePoint)>& f) {
    f(engine(n), queue_.now());
    pump(n, queue_.now());
}

session::Endpoint World::endpoint(NodeIndex n) const { return {format_ip(network_.ip(n)), config_.port}; }

TorrentHandle World::add_torrent(NodeIndex n, std::shared_ptr<const meta::TorrentInfo> info,
                                          std::uint32_t content, bool seed, session::AddTorrentOptions options) {
    Node& nd = node(n);
    AGORA_ASSERT(alive(n) && info->has_v1());
    contents_[*info->info_hashes.v1] = content;
    const std::uint32_t pieces = info->layout.piece_count();
    if (seed) options.have = Bitfield(pieces, true);
    const auto t = nd.engine->add_torrent(info, std::move(options), queue_.now());
    nd.disk[t.value] = DiskTorrent{info, content, Bitfield(pieces, seed), Bitfield(block_count(*info)), {}};
    pump(n, queue_.now());
    return t;
}

void World::bootstrap_dht(NodeIndex n, const std::vector<NodeIndex>& through) {
    std::vector<dht::Endpoint> routers;
    for (const auto r : through) routers.push_back(to_dht(Address{network_.ip(r), config_.port}));
    engine(n).bootstrap_dht(std::move(routers), queue_.now());
    pump(n, queue_.now());
}

// ---- running ----

bool World::run_until(TimePoint until) {
    while (!failure_) {
        const auto next = queue_.next_time();
        if (!next || *next > until) break;
        queue_.run_next();
    }
    if (!failure_ && queue_.now() < until) queue_.run_until(until);
    return !failure_;
}

bool World::run_while(const std::function<bool()>& keep_going, TimePoint limit) {
    while (!failure_ && keep_going()) {
        const auto next = queue_.next_time();
        if (!next || *next > limit) break;
        queue_.run_next();
    }
    return !failure_;
}

// Every request a node sent is answered or given up once its timeout passed (the swarm checks
// timeouts on a one-second tick, hence the slack).
void World::check_requests(TimePoint now) {
    const Duration limit = config_.request_limit > Duration::zero()
                               ? config_.request_limit
                               : config_.engine.torrent.request_timeout + std::chrono::seconds(2);
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const auto& engine = nodes_[i].engine;
        if (!engine) continue;
        for (const auto t : engine->torrents()) {
            const auto* swarm = engine->torrent(t);
            if (!swarm) continue;
            const TimePoint oldest = swarm->oldest_request();
            if (oldest != TimePoint::max() && now - oldest > limit)
                return fail("node " + std::to_string(i) + " has a request outstanding for " +
                            std::to_string((now - oldest).count() / 1000) + " ms, past its timeout");
        }
    }
}

void World::fail(std::string what) {
    if (!failure_) failure_ = std::move(what);
}

void World::on_event(std::uint32_t kind, std::uint64_t arg, TimePoint now) {
    switch (static_cast<Kind>(kind)) {
        case timer: {
            const NodeIndex n{static_cast<std::uint32_t>(arg)};
            Node& nd = node(n);
            if (nd.generation != static_cast<std::uint32_t>(arg >> 32) || !nd.engine) return;
            nd.timer = {};
            nd.timer_at = TimePoint::max();
            nd.engine->handle_timeout(now);
            pump(n, now);
            return;
        }
        case disk_done: finish_disk_job(static_cast<std::uint32_t>(arg), now); return;
        case announce_timer: {
            AnnounceJob& job = announces_[arg];
            job.timer = {};
            job.machine->handle_timeout(now);
            step_announce(static_cast<std::uint32_t>(arg), now);
            return;
        }
        case depart:
            if (node(NodeIndex{static_cast<std::uint32_t>(arg)}).generation == static_cast<std::uint32_t>(arg >> 32))
                remove_node(NodeIndex{static_cast<std::uint32_t>(arg)});
            return;
        case check:
            if (auto broken = network_.check_invariants()) fail("network: " + *broken);
            if (auto broken = queue_.check_invariants()) fail("event queue: " + *broken);
            check_requests(now);
            queue_.schedule_after(config_.invariant_interval, Event{this, check, 0});
            return;
    }
    AGORA_ASSERT(false);
}

std::optional<std::uint32_t> World::peer_of(StreamId s) const {
    const std::size_t i = std::size_t{s.connection} * 2 + s.side;
    if (i >= stream_peers_.size() || stream_peers_[i].generation != s.generation) return std::nullopt;
    return stream_peers_[i].peer;
}

void World::bind_stream(StreamId s, std::uint32_t peer) {
    const std::size_t i = std::size_t{s.connection} * 2 + s.side;
    if (i >= stream_peers_.size()) stream_peers_.resize(std::max(i + 1, stream_peers_.size() * 2));
    stream_peers_[i] = {s.generation, peer};
}

void World::unbind_stream(StreamId s) {
    const std::size_t i = std::size_t{s.connection} * 2 + s.side;
    if (i < stream_peers_.size() && stream_peers_[i].generation == s.generation) stream_peers_[i] = {};
}

// Carries out everything the engine asked for (and, with an instant disk, the disk work it
// asked for, which may make more), then moves its timer to its next deadline.
void World::pump(NodeIndex n, TimePoint now) {
    Node& nd = node(n);
    while (nd.engine) {
        if (auto action = nd.engine->poll_action()) {
            act(n, *action, now);
        } else if (!ready_checks_.empty()) {
            DiskJob job = std::move(ready_checks_.front());
            ready_checks_.pop_front();
            if (job.ok) nd.disk.at(job.torrent.value).stored.set(job.piece.value);
            nd.engine->handle_piece_checked(job.torrent, job.piece, job.ok, std::move(job.block_digests), now);
        } else if (!ready_reads_.empty()) {
            const session::ReadBlock r = ready_reads_.front();
            ready_reads_.pop_front();
            serve_block(nd, r.torrent, r.peer, r.piece, r.offset, r.length, now);
        } else {
            break;
        }
    }
    ready_checks_.clear();  // a node that left meanwhile
    ready_reads_.clear();
    if (!nd.engine) return;
    const TimePoint deadline = std::max(nd.engine->next_deadline(), now);
    if (deadline == nd.timer_at) return;
    queue_.cancel(nd.timer);
    nd.timer_at = deadline;
    nd.timer = deadline == TimePoint::max() ? EventHandle{} : queue_.schedule_at(deadline, Event{this, timer, pack(n)});
}

void World::act(NodeIndex n, session::Action& action, TimePoint now) {
    Node& nd = node(n);
    std::visit(
        [&](auto& a) {
            using T = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<T, session::Connect>) {
                const auto ip = parse_ip(a.endpoint.ip);
                if (!ip) return nd.engine->handle_closed(a.peer, "not an address on the simulated network", now);
                const StreamId s = network_.connect(n, Address{*ip, a.endpoint.port});
                nd.streams[a.peer.value] = s;
                bind_stream(s, a.peer.value);
            } else if constexpr (std::is_same_v<T, session::Send>) {
                const auto it = nd.streams.find(a.peer.value);
                if (it == nd.streams.end()) return;
                // What fits in the socket's buffer is written at once; the rest as the link sends.
                if (network_.send(it->second, std::move(a.bytes)))
                    if (const std::size_t written = network_.take_written(it->second); written > 0)
                        nd.engine->handle_sent(a.peer, written, now);
            } else if constexpr (std::is_same_v<T, session::Close>) {
                const auto it = nd.streams.find(a.peer.value);
                if (it == nd.streams.end()) return;
                network_.close(it->second);
                unbind_stream(it->second);
                nd.streams.erase(it);
                nd.engine->handle_closed(a.peer, a.reason, now);
            } else if constexpr (std::is_same_v<T, session::StoreBlock>) {
                store_block(n, a);
            } else if constexpr (std::is_same_v<T, session::HashPiece>) {
                hash_piece(n, a, now);
            } else if constexpr (std::is_same_v<T, session::ReadBlock>) {
                read_block(n, a, now);
            } else if constexpr (std::is_same_v<T, session::Announce>) {
                start_announce(n, a, now);
            } else if constexpr (std::is_same_v<T, session::PieceVerified>) {
                const auto it = nd.disk.find(a.torrent.value);
                if (it == nd.disk.end() || !it->second.stored.get(a.piece.value))
                    return fail("node " + std::to_string(n.value) + " verified piece " + std::to_string(a.piece.value) +
                                " whose bytes did not match the original");
                if (on_piece_verified) on_piece_verified(n, a.torrent, a.piece, now);
            } else if constexpr (std::is_same_v<T, session::MetadataReceived>) {
                const auto c = contents_.find(*a.info->info_hashes.v1);
                if (c == contents_.end()) return fail("metadata of a torrent no scenario made");
                nd.disk[a.torrent.value] = DiskTorrent{a.info, c->second, Bitfield(a.info->layout.piece_count()),
                                                       Bitfield(block_count(*a.info)), {}};
            } else if constexpr (std::is_same_v<T, session::SendDatagram>) {
                if (const auto to = from_dht(a.to)) network_.send_datagram(n, config_.port, *to, std::move(a.bytes));
            } else if constexpr (std::is_same_v<T, session::DhtEvent>) {
                if (on_dht_event) on_dht_event(n, a.event, now);
            } else if constexpr (std::is_same_v<T, session::Log>) {
                if (on_log) on_log(n, a.line, now);
            }
        },
        action);
}

// ---- the simulated disk ----

std::uint32_t World::new_slot(std::vector<std::uint32_t>& free, std::size_t size) {
    if (free.empty()) return static_cast<std::uint32_t>(size);
    const auto slot = free.back();
    free.pop_back();
    return slot;
}

// One queue per node: a job starts when the previous one ends and takes bytes / throughput.
TimePoint World::disk_time(Node& nd, std::int64_t bytes, TimePoint now) {
    if (nd.spec.disk_bytes_per_s == 0) return now;
    const auto start = std::max(now, nd.disk_free);
    nd.disk_free = start + std::chrono::microseconds(bytes * 1'000'000 / static_cast<std::int64_t>(nd.spec.disk_bytes_per_s));
    return nd.disk_free;
}

void World::store_block(NodeIndex n, const session::StoreBlock& a) {
    Node& nd = node(n);
    const auto it = nd.disk.find(a.torrent.value);
    if (it == nd.disk.end()) return fail("a block to store for a torrent the node's disk does not hold");
    DiskTorrent& d = it->second;
    const std::int64_t at = d.info->layout.piece_offset(a.piece) + a.offset;
    const auto block = static_cast<std::uint32_t>(at / limits::block_size_bytes);
    if (a.offset % limits::block_size_bytes != 0 || block >= d.blocks_stored.size() ||
        a.data.size() != block_length(*d.info, block))
        return fail("node " + std::to_string(n.value) + " stored a block that is not one of its torrent's");
    d.blocks_stored.set(block);
    if (matches(d.content, at, a.data)) d.bad_blocks.erase(block);
    else d.bad_blocks[block] = sha1(a.data);
}

void World::hash_piece(NodeIndex n, session::HashPiece& a, TimePoint now) {
    Node& nd = node(n);
    const auto it = nd.disk.find(a.torrent.value);
    if (it == nd.disk.end()) return fail("a piece to check for a torrent the node's disk does not hold");
    DiskTorrent& d = it->second;
    const auto piece_size = static_cast<std::uint32_t>(d.info->layout.piece_size(a.piece));
    const auto first = static_cast<std::uint32_t>(d.info->layout.piece_offset(a.piece) / limits::block_size_bytes);
    const auto end = first + (piece_size + limits::block_size_bytes - 1) / limits::block_size_bytes;
    DiskJob job{n, nd.generation, true, a.torrent, {}, a.piece, 0, piece_size, true, {}};
    for (std::uint32_t b = first; b < end; ++b) {
        if (!d.blocks_stored.get(b))
            return fail("node " + std::to_string(n.value) + " checked piece " + std::to_string(a.piece.value) +
                        " before all its blocks were stored");
        if (d.bad_blocks.contains(b)) job.ok = false;
    }
    // Block digests (for telling which peer sent a bad block) are real hashes of what arrived.
    if (!job.ok || a.block_digests)
        for (std::uint32_t b = first; b < end; ++b) {
            if (const auto bad = d.bad_blocks.find(b); bad != d.bad_blocks.end()) {
                job.block_digests.push_back(bad->second);
            } else {
                fill_content(scratch_, d.content, std::int64_t{b} * limits::block_size_bytes, block_length(*d.info, b));
                job.block_digests.push_back(sha1(scratch_));
            }
        }
    for (std::uint32_t b = first; b < end; ++b) {
        d.blocks_stored.set(b, false);
        d.bad_blocks.erase(b);
    }
    if (nd.spec.disk_bytes_per_s == 0) return ready_checks_.push_back(std::move(job));
    const std::uint32_t slot = new_slot(free_jobs_, jobs_.size());
    if (slot == jobs_.size()) jobs_.emplace_back();
    jobs_[slot] = std::move(job);
    queue_.schedule_at(disk_time(nd, piece_size, now), Event{this, disk_done, slot});
}

void World::read_block(NodeIndex n, const session::ReadBlock& a, TimePoint now) {
    Node& nd = node(n);
    const auto it = nd.disk.find(a.torrent.value);
    if (it == nd.disk.end() || !it->second.stored.get(a.piece.value))
        return fail("node " + std::to_string(n.value) + " read piece " + std::to_string(a.piece.value) +
                    " for upload, which its disk does not hold");
    if (nd.spec.silent) return;  // the read never completes: the block is never sent
    if (nd.spec.disk_bytes_per_s == 0) return ready_reads_.push_back(a);
    const std::uint32_t slot = new_slot(free_jobs_, jobs_.size());
    if (slot == jobs_.size()) jobs_.emplace_back();
    jobs_[slot] = DiskJob{n, nd.generation, false, a.torrent, a.peer, a.piece, a.offset, a.length, true, {}};
    queue_.schedule_at(disk_time(nd, a.length, now), Event{this, disk_done, slot});
}

void World::finish_disk_job(std::uint32_t slot, TimePoint now) {
    DiskJob job = std::move(jobs_[slot]);
    free_jobs_.push_back(slot);
    Node& nd = node(job.node);
    if (nd.generation != job.generation || !nd.engine || nd.leaving) return;  // a quitting client drops its disk work
    const auto it = nd.disk.find(job.torrent.value);
    if (it == nd.disk.end()) return;  // the torrent was removed meanwhile
    DiskTorrent& d = it->second;
    if (job.hash) {
        if (job.ok) d.stored.set(job.piece.value);
        nd.engine->handle_piece_checked(job.torrent, job.piece, job.ok, std::move(job.block_digests), now);
    } else {
        serve_block(nd, job.torrent, job.peer, job.piece, job.offset, job.length, now);
    }
    pump(job.node, now);
}

void World::serve_block(Node& nd, TorrentHandle t, PeerHandle peer, PieceIndex piece, std::uint32_t offset,
                        std::uint32_t length, TimePoint now) {
    const auto it = nd.disk.find(t.value);
    if (it == nd.disk.end()) return;
    const DiskTorrent& d = it->second;
    const std::int64_t at = d.info->layout.piece_offset(piece) + offset;
    const std::int64_t end = d.info->layout.piece_offset(piece) + d.info->layout.piece_size(piece);
    const auto n = static_cast<std::uint32_t>(std::clamp<std::int64_t>(end - at, 0, length));
    wire::PieceBuffer block(n);
    write_content_over_zeros(block.data(), d.content, at, n, !nd.spec.corrupt);
    nd.engine->handle_block_read(t, peer, piece, offset, std::move(block), now);
}

// ---- trackers ----

void World::start_announce(NodeIndex n, session::Announce& a, TimePoint now) {
    Node& nd = node(n);
    const auto url = tracker::parse_tracker_url(a.url);
    const auto ip = url ? parse_ip(url->host) : std::nullopt;
    if (!url || url->scheme != "udp" || !ip)
        return nd.engine->handle_announce_reply(
            a.torrent, a.tracker,
            make_error(Error::Kind::io, "the simulated network has only UDP trackers at IPv4 addresses: " + a.url), now);
    const std::uint32_t slot = new_slot(free_announces_, announces_.size());
    if (slot == announces_.size()) announces_.emplace_back();
    const auto ids = static_cast<std::uint32_t>(derive_seed(config_.seed, Stream::workload, ++announces_started_));
    announces_[slot] = AnnounceJob{n, nd.generation, a.torrent, a.tracker, Address{*ip, url->port},
                                   std::make_unique<tracker::UdpAnnounce>(a.request, ids, false, now), {}};
    nd.announces.push_back(slot);
    step_announce(slot, now);
}

// Sends what the announce's state machine wants sent, hands the engine its result when it is
// done, else waits for its deadline. An announce of a node that left ends quietly.
void World::step_announce(std::uint32_t slot, TimePoint now) {
    AnnounceJob& job = announces_[slot];
    Node& nd = node(job.node);
    const bool gone = nd.generation != job.generation || !nd.engine;
    if (gone || job.machine->done()) {
        queue_.cancel(job.timer);
        AnnounceJob done = std::move(job);
        free_announces_.push_back(slot);
        if (gone) return;
        std::erase(nd.announces, slot);
        nd.engine->handle_announce_reply(done.torrent, done.tracker, done.machine->result(), now);
        return pump(done.node, now);
    }
    if (auto datagram = job.machine->poll_send()) network_.send_datagram(job.node, config_.port, job.to, std::move(*datagram));
    queue_.cancel(job.timer);
    job.timer = queue_.schedule_at(std::max(job.machine->next_deadline(), now), Event{this, announce_timer, slot});
}

// ---- the network ----

void World::on_datagram(NodeIndex n, std::uint16_t, Address from, BytesView bytes, TimePoint now) {
    if (n == tracker_node_) {
        if (auto reply = tracker_.handle_datagram(from, bytes, now))
            network_.send_datagram(n, SimTracker::port, from, std::move(*reply));
        return;
    }
    Node& nd = node(n);
    if (!nd.engine) return;
    // One socket carries both, as in io::SessionDriver: a datagram from a tracker the node is
    // announcing to goes to each of its announces there (each keeps what has its transaction id);
    // the rest is the DHT's.
    std::vector<std::uint32_t> to_tracker;
    for (const std::uint32_t j : nd.announces)
        if (announces_[j].to == from) to_tracker.push_back(j);
    if (!to_tracker.empty()) {
        for (const std::uint32_t j : to_tracker) {
            announces_[j].machine->handle_datagram(bytes, now);
            step_announce(j, now);
        }
        return;
    }
    nd.engine->handle_datagram(to_dht(from), bytes, now);
    pump(n, now);
}

void World::on_stream_connected(NodeIndex n, StreamId stream, TimePoint now) {
    Node& nd = node(n);
    const auto peer = peer_of(stream);
    if (!peer) return;
    nd.engine->handle_connected(PeerHandle(*peer), now);
    pump(n, now);
}

void World::on_stream_accepted(NodeIndex n, StreamId stream, Address from, std::uint16_t, TimePoint now) {
    Node& nd = node(n);
    if (!nd.engine) {
        network_.close(stream);
        return;
    }
    const auto peer = nd.engine->handle_accepted(session::Endpoint{format_ip(from.ip), from.port}, now);
    nd.streams[peer.value] = stream;
    bind_stream(stream, peer.value);
    pump(n, now);
}

void World::on_stream_data(NodeIndex n, StreamId stream, BytesView bytes, TimePoint now) {
    Node& nd = node(n);
    const auto peer = peer_of(stream);
    if (!peer) return;  // closed by us; the bytes were in flight
    nd.engine->handle_data(PeerHandle(*peer), bytes, now);
    pump(n, now);
}

void World::on_stream_sent(NodeIndex n, StreamId stream, std::size_t bytes, TimePoint now) {
    Node& nd = node(n);
    const auto peer = peer_of(stream);
    if (!peer || !nd.engine) return;
    nd.engine->handle_sent(PeerHandle(*peer), bytes, now);
    pump(n, now);
}

void World::on_stream_closed(NodeIndex n, StreamId stream, CloseReason reason, TimePoint now) {
    Node& nd = node(n);
    const auto peer = peer_of(stream);
    if (!peer) return;
    unbind_stream(stream);
    nd.streams.erase(*peer);
    nd.engine->handle_closed(PeerHandle(*peer), to_string(reason), now);
    pump(n, now);
}

}  // namespace agora::sim
