#include "io/session_driver.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <cstring>
#include <deque>
#include <random>

#include "core/assert.hpp"
#include "core/hash.hpp"
#include "core/limits.hpp"
#include "io/file_access.hpp"
#include "io/http_client.hpp"
#include "io/local_discovery.hpp"
#include "io/piece_hasher.hpp"
#include "storage/verify_plan.hpp"
#include "tracker/http.hpp"
#include "tracker/limits.hpp"
#include "tracker/udp_announce.hpp"

namespace agora::io {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct SessionDriver::Conn {
    explicit Conn(asio::io_context& ioc) : socket(ioc), read_pause(ioc), write_pause(ioc) {}
    std::uint32_t peer = 0;
    tcp::socket socket;
    asio::steady_timer read_pause;   // waits out the download limit
    asio::steady_timer write_pause;  // waits out the upload limit
    std::array<char, 256 * 1024> buffer{};
    std::deque<Bytes> out;
    bool writing = false;
    bool closed = false;
};

struct SessionDriver::UdpJob {
    explicit UdpJob(asio::io_context& ioc) : timer(ioc) {}
    session::Announce job;
    std::unique_ptr<tracker::UdpAnnounce> machine;
    asio::ip::udp::endpoint endpoint;
    asio::steady_timer timer;
};

namespace {
dht::Endpoint to_dht(const asio::ip::udp::endpoint& e) {
    dht::Endpoint out;
    out.port = e.port();
    auto address = e.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    if (address.is_v4()) {
        const auto b = address.to_v4().to_bytes();
        std::copy(b.begin(), b.end(), out.address.begin());
    } else {
        out.family = dht::Family::v6;
        const auto b = address.to_v6().to_bytes();
        std::copy(b.begin(), b.end(), out.address.begin());
    }
    return out;
}

asio::ip::udp::endpoint to_asio(const dht::Endpoint& e) {
    if (e.family == dht::Family::v4) {
        asio::ip::address_v4::bytes_type b;
        std::copy_n(e.address.begin(), 4, b.begin());
        return {asio::ip::address_v4(b), e.port};
    }
    asio::ip::address_v6::bytes_type b;
    std::copy_n(e.address.begin(), 16, b.begin());
    return {asio::ip::address_v6(b), e.port};
}

// Each disk thread keeps its own open files per torrent (FileAccess is single-threaded).
struct ThreadDisk {
    std::map<std::uint32_t, std::unique_ptr<FileAccess>> files;
    PieceHasher hasher;
};
thread_local std::unique_ptr<ThreadDisk> thread_disk;

FileAccess& files_for(std::uint32_t torrent, const std::string& save_dir, const storage::Layout& layout) {
    if (!thread_disk) thread_disk = std::make_unique<ThreadDisk>();
    auto& f = thread_disk->files[torrent];
    if (!f) f = std::make_unique<FileAccess>(save_dir, layout, FileAccess::Mode::read_write);
    return *f;
}
}  // namespace

SessionDriver::SessionDriver(session::EngineConfig engine_config, DriverConfig config)
    : acceptor_(ioc_), timer_(ioc_), epoch_(std::chrono::steady_clock::now()), config_(std::move(config)),
      engine_(std::move(engine_config), TimePoint{}), udp_(ioc_), read_cache_(config_.read_cache_bytes),
      download_limit_(config_.download_limit),
      upload_limit_(config_.upload_limit),
      disk_pool_(std::make_unique<asio::thread_pool>(std::max(1u, config_.disk_threads))) {}

SessionDriver::~SessionDriver() {
    disk_pool_->join();
    disk_pool_.reset();
}

TimePoint SessionDriver::now() const {
    return TimePoint{std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - epoch_)};
}

Status SessionDriver::start() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(config_.listen_address, ec);
    if (ec) return make_error(Error::Kind::bad_argument, "bad listen address " + config_.listen_address);
    tcp::endpoint endpoint(address, config_.listen_port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return make_error(Error::Kind::io, "cannot listen on " + config_.listen_address + ":" +
                                               std::to_string(config_.listen_port) + ": " + ec.message());
    listen_port_ = acceptor_.local_endpoint().port();
    accept_next();
    if (engine_.dht()) {
        if (auto s = open_udp(asio::ip::udp::endpoint(address, listen_port_)); !s) return s;
        bootstrap_dht();
    }
    if (config_.local_discovery) start_local_discovery();
    return Ok{};
}

// Without LSD the node still works (other peer sources), so a failure to start it is logged, not
// returned. Logs go through the io_context: the owner sets on_log after start().
void SessionDriver::start_local_discovery() {
    auto log = [this](const std::string& line) {
        asio::post(ioc_, [this, line] {
            if (on_log) on_log(line);
        });
    };
    for (const auto family : lsd_families(config_.listen_address)) {
        auto lsd = std::make_unique<LocalDiscovery>(ioc_, family, config_.listen_address, listen_port_,
                                                    [this] { return engine_.announce_hashes(); });
        lsd->on_log = log;
        lsd->on_peer = [this](const InfoHashV1& hash, const std::string& ip, std::uint16_t port) {
            engine_.add_peers(hash, {session::Endpoint{ip, port}}, now());
            pump();
        };
        if (auto s = lsd->start(); !s) {
            log(s.error().describe() + "; running without it" +
                (family == LsdFamily::v6 ? " over IPv6" : " over IPv4"));
            continue;
        }
        lsd_.push_back(std::move(lsd));
    }
}

Status SessionDriver::open_udp(const asio::ip::udp::endpoint& local) {
    boost::system::error_code ec;
    udp_.open(local.protocol(), ec);
    if (!ec && local.address().is_v6()) udp_.set_option(asio::ip::v6_only(false), ec);
    if (!ec) udp_.bind(local, ec);
    if (ec) {
        boost::system::error_code ignored;
        udp_.close(ignored);
        return make_error(Error::Kind::io, "cannot open UDP port " + std::to_string(local.port()) + ": " + ec.message());
    }
    udp_receive();
    return Ok{};
}

void SessionDriver::send_datagram(const asio::ip::udp::endpoint& to, Bytes bytes) {
    auto destination = to;
    // A dual-stack IPv6 socket reaches IPv4 addresses through their mapped form.
    if (udp_.local_endpoint().address().is_v6() && to.address().is_v4())
        destination = {asio::ip::make_address_v6(asio::ip::v4_mapped, to.address().to_v4()), to.port()};
    else if (udp_.local_endpoint().address().is_v4() && to.address().is_v6())
        return;  // an IPv4 socket cannot reach it
    auto buffer = std::make_shared<Bytes>(std::move(bytes));
    udp_.async_send_to(asio::buffer(*buffer), destination, [buffer](boost::system::error_code, std::size_t) {});
}

// Resolves the routers (names are allowed), then starts the node's bootstrap from them and the
// remembered nodes.
void SessionDriver::bootstrap_dht() {
    struct Pending {
        std::vector<dht::Endpoint> routers;
        std::size_t left = 0;
    };
    auto pending = std::make_shared<Pending>();
    pending->left = config_.dht_routers.size();
    auto finish = [this, pending] {
        if (--pending->left > 0) return;
        engine_.bootstrap_dht(pending->routers, now());
        pump();
    };
    for (const auto& known : config_.dht_known) engine_.dht()->add_known(known);
    if (config_.dht_routers.empty()) {
        pending->left = 1;
        return asio::post(ioc_, finish);
    }
    for (const auto& router : config_.dht_routers) {
        const auto colon = router.rfind(':');
        auto host = router.substr(0, colon);
        if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
        const auto port = colon == std::string::npos ? std::string("6881") : router.substr(colon + 1);
        auto resolver = std::make_shared<asio::ip::udp::resolver>(ioc_);
        resolver->async_resolve(host, port, [this, resolver, pending, finish](boost::system::error_code ec,
                                                                             asio::ip::udp::resolver::results_type results) {
            if (!ec)
                for (const auto& r : results) {
                    const auto e = r.endpoint();
                    if (udp_.is_open() && udp_.local_endpoint().address().is_v4() && e.address().is_v6()) continue;
                    pending->routers.push_back(to_dht(e));
                    break;
                }
            else if (on_log)
                on_log("dht: cannot resolve a bootstrap node: " + ec.message());
            finish();
        });
    }
}

Result<TorrentHandle> SessionDriver::add_torrent(std::shared_ptr<const meta::TorrentInfo> info, std::string save_dir,
                                                 session::AddTorrentOptions options) {
    {
        FileAccess files(save_dir, info->layout, FileAccess::Mode::read_write);
        if (auto s = files.allocate_all(); !s) return s.error();
    }
    const TorrentHandle t = engine_.add_torrent(info, std::move(options), now());
    disks_[t.value] = TorrentDisk{std::move(info), std::move(save_dir)};
    pump();
    for (auto& lsd : lsd_) lsd->announce();
    return t;
}

TorrentHandle SessionDriver::add_magnet(InfoHashes hashes, std::string save_dir, session::AddTorrentOptions options) {
    const TorrentHandle t = engine_.add_magnet(std::move(hashes), std::move(options), now());
    magnet_dirs_[t.value] = std::move(save_dir);
    pump();
    for (auto& lsd : lsd_) lsd->announce();
    return t;
}

void SessionDriver::remove_torrent(TorrentHandle t) {
    engine_.remove_torrent(t, now());
    disks_.erase(t.value);
    torrent_limits_.erase(t.value);
    magnet_dirs_.erase(t.value);
    pump();
}

void SessionDriver::set_rate_limits(std::uint64_t download, std::uint64_t upload) {
    download_limit_.set_rate(download);
    upload_limit_.set_rate(upload);
}

void SessionDriver::set_torrent_rate_limits(TorrentHandle t, std::uint64_t download, std::uint64_t upload) {
    if (download == 0 && upload == 0) {
        torrent_limits_.erase(t.value);
        return;
    }
    auto& l = torrent_limits_[t.value];
    l.download.set_rate(download);
    l.upload.set_rate(upload);
}

SessionDriver::TorrentLimits* SessionDriver::limits_of(const Conn& c) {
    if (torrent_limits_.empty()) return nullptr;
    const auto t = engine_.torrent_of(PeerHandle(c.peer));
    if (!t) return nullptr;
    auto it = torrent_limits_.find(t->value);
    return it == torrent_limits_.end() ? nullptr : &it->second;
}

void SessionDriver::accept_next() {
    auto c = std::make_shared<Conn>(ioc_);
    acceptor_.async_accept(c->socket, [this, c](boost::system::error_code ec) {
        if (ec) {
            if (ec != asio::error::operation_aborted) accept_next();
            return;
        }
        boost::system::error_code ignored;
        const auto remote = c->socket.remote_endpoint(ignored);
        c->socket.set_option(tcp::no_delay(true), ignored);
        const PeerHandle h = engine_.handle_accepted(session::Endpoint{remote.address().to_string(), remote.port()}, now());
        c->peer = h.value;
        conns_[h.value] = c;
        start_read(c);
        pump();
        accept_next();
    });
}

void SessionDriver::start_read(const std::shared_ptr<Conn>& c) {
    auto* own = limits_of(*c);
    const auto at = std::chrono::steady_clock::now();
    if (const auto wait = std::max(download_limit_.delay(at), own ? own->download.delay(at) : RateLimiter::Clock::duration{});
        wait.count() > 0) {
        c->read_pause.expires_after(wait);
        c->read_pause.async_wait([this, c](boost::system::error_code ec) {
            if (!ec && !c->closed) start_read(c);
        });
        return;
    }
    // Under a limit, read in small bites so one connection cannot take a whole second's budget.
    const bool limited = download_limit_.limited() || (own && own->download.limited());
    const std::size_t bite = limited ? std::min<std::size_t>(c->buffer.size(), 16 * 1024) : c->buffer.size();
    c->socket.async_read_some(asio::buffer(c->buffer.data(), bite), [this, c](boost::system::error_code ec, std::size_t n) {
        if (c->closed) return;
        download_limit_.charge(n, std::chrono::steady_clock::now());
        if (auto* l = limits_of(*c)) l->download.charge(n, std::chrono::steady_clock::now());
        if (ec) {
            close_conn(c->peer, ec == asio::error::eof ? "peer closed the connection" : ec.message(), true);
            pump();
            return;
        }
        engine_.handle_data(PeerHandle(c->peer), BytesView(c->buffer.data(), n), now());
        pump();
        if (!c->closed) start_read(c);
    });
}

void SessionDriver::start_write(const std::shared_ptr<Conn>& c) {
    if (c->writing || c->out.empty() || c->closed) return;
    auto* own = limits_of(*c);
    const auto at = std::chrono::steady_clock::now();
    if (const auto wait = std::max(upload_limit_.delay(at), own ? own->upload.delay(at) : RateLimiter::Clock::duration{});
        wait.count() > 0) {
        c->writing = true;  // the pause stands for the write
        c->write_pause.expires_after(wait);
        c->write_pause.async_wait([this, c](boost::system::error_code ec) {
            c->writing = false;
            if (!ec && !c->closed) start_write(c);
        });
        return;
    }
    c->writing = true;
    // Everything queued goes out in one gathered write: one syscall for many messages and no
    // copy into a joined buffer.
    auto batch = std::make_shared<std::vector<Bytes>>();
    std::vector<asio::const_buffer> buffers;
    std::size_t bytes = 0;
    while (!c->out.empty() && batch->size() < 64) {
        batch->push_back(std::move(c->out.front()));
        c->out.pop_front();
        bytes += batch->back().size();
    }
    for (const auto& b : *batch) buffers.emplace_back(asio::buffer(b));
    upload_limit_.charge(bytes, at);
    if (own) own->upload.charge(bytes, at);
    asio::async_write(c->socket, buffers, [this, c, batch, bytes](boost::system::error_code ec, std::size_t) {
        c->writing = false;
        if (c->closed) return;
        if (ec) {
            close_conn(c->peer, "write failed: " + ec.message(), true);
            pump();
            return;
        }
        // In the kernel's buffer: the torrent may read the next blocks for this peer.
        engine_.handle_sent(PeerHandle(c->peer), bytes, now());
        pump();
        if (!c->closed) start_write(c);
    });
}

void SessionDriver::close_conn(std::uint32_t peer, const std::string& reason, bool tell_engine) {
    auto it = conns_.find(peer);
    if (it == conns_.end()) return;
    auto c = it->second;
    conns_.erase(it);
    c->closed = true;
    boost::system::error_code ignored;
    c->socket.shutdown(tcp::socket::shutdown_both, ignored);
    c->socket.close(ignored);
    c->read_pause.cancel();
    c->write_pause.cancel();
    if (tell_engine) engine_.handle_closed(PeerHandle(peer), reason, now());
}

void SessionDriver::pump() {
    while (auto action = engine_.poll_action()) do_action(*action);
    arm_timer();
}

void SessionDriver::arm_timer() {
    // Re-arming costs a system call; at hundreds of MiB/s pump() runs for every read, while the
    // engine's next deadline rarely moves. Only a changed deadline re-arms.
    const auto deadline = engine_.next_deadline();
    if (timer_armed_ && deadline == armed_deadline_) return;
    if (deadline == TimePoint::max()) {  // nothing to wake for (no torrent, no connection, no DHT)
        if (timer_armed_) timer_.cancel();
        timer_armed_ = false;
        return;
    }
    timer_armed_ = true;
    armed_deadline_ = deadline;
    timer_.expires_at(epoch_ + deadline.since_epoch);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;  // re-armed (the new wait is already set) or shut down
        timer_armed_ = false;
        engine_.handle_timeout(now());
        pump();
    });
}

void SessionDriver::do_action(session::Action& action) {
    std::visit(
        [&](auto& a) {
            using T = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<T, session::Connect>) {
                auto c = std::make_shared<Conn>(ioc_);
                c->peer = a.peer.value;
                conns_[a.peer.value] = c;
                boost::system::error_code ec;
                const auto address = asio::ip::make_address(a.endpoint.ip, ec);
                if (ec) {
                    asio::post(ioc_, [this, peer = a.peer.value] {
                        close_conn(peer, "bad address", true);
                        pump();
                    });
                    return;
                }
                c->socket.async_connect(tcp::endpoint(address, a.endpoint.port), [this, c](boost::system::error_code ec2) {
                    if (c->closed) return;
                    if (ec2) {
                        close_conn(c->peer, "connect failed: " + ec2.message(), true);
                        pump();
                        return;
                    }
                    boost::system::error_code ignored;
                    c->socket.set_option(tcp::no_delay(true), ignored);
                    engine_.handle_connected(PeerHandle(c->peer), now());
                    start_read(c);
                    pump();
                });
            } else if constexpr (std::is_same_v<T, session::Send>) {
                auto it = conns_.find(a.peer.value);
                if (it == conns_.end()) return;
                it->second->out.push_back(std::move(a.bytes));
                start_write(it->second);
            } else if constexpr (std::is_same_v<T, session::Close>) {
                // Let queued bytes go first? A closing peer gets nothing more: close at once.
                const auto peer = a.peer.value;
                const auto reason = a.reason;
                asio::post(ioc_, [this, peer, reason] {
                    close_conn(peer, reason, true);
                    pump();
                });
            } else if constexpr (std::is_same_v<T, session::StoreBlock>) {
                store_block(std::move(a));
            } else if constexpr (std::is_same_v<T, session::HashPiece>) {
                hash_piece(std::move(a));
            } else if constexpr (std::is_same_v<T, session::ReadBlock>) {
                read_block(std::move(a));
            } else if constexpr (std::is_same_v<T, session::Announce>) {
                announce(std::move(a));
            } else if constexpr (std::is_same_v<T, session::MetadataReceived>) {
                auto dir = magnet_dirs_.at(a.torrent.value);
                magnet_dirs_.erase(a.torrent.value);
                FileAccess files(dir, a.info->layout, FileAccess::Mode::read_write);
                if (auto s = files.allocate_all(); !s && on_log) on_log("disk: " + s.error().describe());
                disks_[a.torrent.value] = TorrentDisk{a.info, std::move(dir)};
                if (on_metadata) on_metadata(a.torrent, a.info);
            } else if constexpr (std::is_same_v<T, session::PieceVerified>) {
                if (on_piece_verified) on_piece_verified(a.torrent, a.piece);
            } else if constexpr (std::is_same_v<T, session::Log>) {
                if (on_log) on_log(a.line);
            } else if constexpr (std::is_same_v<T, session::SendDatagram>) {
                if (udp_.is_open()) send_datagram(to_asio(a.to), std::move(a.bytes));
            } else if constexpr (std::is_same_v<T, session::DhtEvent>) {
                if (on_dht_event) on_dht_event(a.event);
            }
        },
        action);
}

void SessionDriver::store_block(session::StoreBlock block) {
    const auto disk = disks_.find(block.torrent.value);
    if (disk == disks_.end()) return;  // the torrent was removed meanwhile
    Bytes& piece = disk->second.partial[block.piece.value];
    if (piece.empty()) piece.assign(static_cast<std::size_t>(disk->second.info->layout.piece_size(block.piece)), '\0');
    if (std::size_t{block.offset} + block.data.size() <= piece.size())
        std::memcpy(piece.data() + block.offset, block.data.data(), block.data.size());
}

void SessionDriver::hash_piece(session::HashPiece job) {
    const auto found = disks_.find(job.torrent.value);
    if (found == disks_.end()) return;  // the torrent was removed meanwhile
    auto& disk = found->second;
    auto info = disk.info;
    auto save_dir = disk.save_dir;
    // The torrent asks for a check only once every block of the piece was stored.
    const auto stored = disk.partial.find(job.piece.value);
    AGORA_ASSERT(stored != disk.partial.end());
    Bytes data = std::move(stored->second);
    disk.partial.erase(stored);
    ++disk_jobs_;
    asio::post(*disk_pool_, [this, job = std::move(job), data = std::move(data), info, save_dir]() mutable {
        const auto check = storage::plan_piece_check(info->layout, info->v1_piece_hashes, info->piece_layers, job.piece);
        if (!thread_disk) thread_disk = std::make_unique<ThreadDisk>();
        const auto digest = thread_disk->hasher.hash_bytes(check, data, check.v1.has_value(), check.v2.has_value());
        bool ok = check.checkable() && (!check.v1 || digest.v1 == check.v1) && (!check.v2 || digest.v2 == check.v2);
        std::string error;
        if (ok) {
            auto& files = files_for(job.torrent.value, save_dir, info->layout);
            const std::int64_t start = info->layout.piece_offset(job.piece);
            for (const auto& s : check.slices) {
                const auto at = info->layout.file(s.file).offset + s.file_offset - start;
                if (auto w = files.write(s, data.data() + at); !w) {
                    ok = false;
                    error = w.error().describe();
                    break;
                }
            }
        }
        std::vector<Sha1> blocks;
        if (!ok || job.block_digests)
            for (std::size_t at = 0; at < data.size(); at += limits::block_size_bytes)
                blocks.push_back(sha1(BytesView(data).substr(at, limits::block_size_bytes)));
        asio::post(ioc_, [this, t = job.torrent, piece = job.piece, ok, blocks = std::move(blocks), error]() mutable {
            --disk_jobs_;
            if (!error.empty()) {
                if (on_log) on_log("disk: " + error);
                // The owner may stop the torrent here; the engine then ignores this piece.
                if (on_disk_error) on_disk_error(t, error);
            }
            engine_.handle_piece_checked(t, piece, ok, std::move(blocks), now());
            pump();
        });
    });
}

void SessionDriver::read_block(session::ReadBlock job) {
    const auto found = disks_.find(job.torrent.value);
    if (found == disks_.end()) return;  // the torrent was removed meanwhile
    const auto& disk = found->second;
    auto info = disk.info;
    auto save_dir = disk.save_dir;
    ++disk_jobs_;
    asio::post(*disk_pool_, [this, job, info, save_dir] {
        // The whole piece is read once and kept: the next blocks, and other peers asking for the
        // same piece, are served from memory.
        auto piece = read_cache_.get(job.torrent.value, job.piece.value);
        if (!piece) {
            auto& files = files_for(job.torrent.value, save_dir, info->layout);
            const std::int64_t base = info->layout.piece_offset(job.piece);
            auto data = std::make_shared<Bytes>(static_cast<std::size_t>(info->layout.piece_size(job.piece)), '\0');
            bool ok = true;
            for (const auto& s : info->layout.piece_slices(job.piece)) {
                const auto at = info->layout.file(s.file).offset + s.file_offset - base;  // gaps (pads) stay zero
                if (!files.read(s, data->data() + at)) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                read_cache_.put(job.torrent.value, job.piece.value, data);
                piece = data;
            }
        }
        auto block = std::make_shared<wire::PieceBuffer>();  // empty: the read failed
        if (piece && std::size_t{job.offset} + job.length <= piece->size())
            *block = wire::PieceBuffer::copy_of(BytesView(*piece).substr(job.offset, job.length));
        asio::post(ioc_, [this, job, block] {
            --disk_jobs_;
            engine_.handle_block_read(job.torrent, job.peer, job.piece, job.offset, std::move(*block), now());
            pump();
        });
    });
}

void SessionDriver::announce(session::Announce job) {
    if (job.url.starts_with("udp://")) return announce_udp(std::move(job));
    auto url = tracker::build_announce_url(job.url, job.request);
    ++announces_in_flight_;
    auto done = [this, t = job.torrent, index = job.tracker](Result<tracker::AnnounceResponse> r) {
        --announces_in_flight_;
        engine_.handle_announce_reply(t, index, r, now());
        pump();
    };
    if (!url) {
        asio::post(ioc_, [done, e = url.error()] { done(e); });
        return;
    }
    http_get(ioc_, *url, std::chrono::seconds(15), tracker::limits::http_body_bytes_max,
             [done](Result<std::string> body) {
                 if (!body) return done(body.error());
                 done(tracker::parse_announce_response(*body));
             });
}

void SessionDriver::announce_udp(session::Announce job) {
    ++announces_in_flight_;
    auto fail = [this, t = job.torrent, index = job.tracker](Error e) {
        asio::post(ioc_, [this, t, index, e] {
            --announces_in_flight_;
            engine_.handle_announce_reply(t, index, e, now());
            pump();
        });
    };
    auto parsed = tracker::parse_tracker_url(job.url);
    if (!parsed) return fail(parsed.error());
    auto resolver = std::make_shared<asio::ip::udp::resolver>(ioc_);
    resolver->async_resolve(
        asio::ip::udp::v4(), parsed->host, std::to_string(parsed->port),
        [this, resolver, job = std::move(job), fail](boost::system::error_code ec,
                                                     asio::ip::udp::resolver::results_type results) mutable {
            if (ec || results.empty()) return fail(make_error(Error::Kind::io, "cannot resolve host: " + ec.message()));
            if (!udp_.is_open()) {
                boost::system::error_code open_ec;
                udp_.open(asio::ip::udp::v4(), open_ec);
                if (!open_ec) udp_.bind(asio::ip::udp::endpoint(asio::ip::udp::v4(), 0), open_ec);
                if (open_ec) return fail(make_error(Error::Kind::io, "cannot open a UDP socket: " + open_ec.message()));
                udp_receive();
            }
            auto u = std::make_shared<UdpJob>(ioc_);
            u->endpoint = results.begin()->endpoint();
            u->machine = std::make_unique<tracker::UdpAnnounce>(job.request, std::random_device{}(), false, now());
            u->job = std::move(job);
            const auto id = next_udp_job_++;
            udp_jobs_[id] = u;
            udp_step(id);
        });
}

// Sends what the job's state machine wants sent, finishes it when done, else waits for its deadline.
void SessionDriver::udp_step(std::uint32_t id) {
    auto it = udp_jobs_.find(id);
    if (it == udp_jobs_.end()) return;
    auto u = it->second;
    if (u->machine->done()) {
        udp_jobs_.erase(it);
        u->timer.cancel();
        --announces_in_flight_;
        engine_.handle_announce_reply(u->job.torrent, u->job.tracker, u->machine->result(), now());
        pump();
        return;
    }
    if (auto datagram = u->machine->poll_send()) {
        send_datagram(u->endpoint, std::move(*datagram));
    }
    u->timer.expires_at(epoch_ + u->machine->next_deadline().since_epoch);
    u->timer.async_wait([this, id, u](boost::system::error_code ec) {
        if (ec) return;
        u->machine->handle_timeout(now());
        udp_step(id);
    });
}

void SessionDriver::udp_receive() {
    udp_.async_receive_from(asio::buffer(udp_buffer_), udp_from_, [this](boost::system::error_code ec, std::size_t n) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
            std::vector<std::uint32_t> ids;
            const auto from = to_dht(udp_from_);
            for (const auto& [id, u] : udp_jobs_)
                if (to_dht(u->endpoint) == from) ids.push_back(id);
            // One socket carries both: tracker replies come from a tracker we asked, the rest is
            // the DHT's.
            if (ids.empty() && engine_.dht() && n > 0) {
                engine_.handle_datagram(from, BytesView(udp_buffer_.data(), n), now());
                pump();
            }
            for (auto id : ids) {
                auto it = udp_jobs_.find(id);
                if (it == udp_jobs_.end()) continue;
                it->second->machine->handle_datagram(BytesView(udp_buffer_.data(), n), now());
                udp_step(id);
            }
        }
        udp_receive();
    });
}

void SessionDriver::request_stop() {
    asio::post(ioc_, [this] { stop_requested_ = true; });
}

void SessionDriver::run(const std::function<bool()>& done, const std::function<void()>& every_second) {
    asio::steady_timer second(ioc_);
    std::function<void()> tick = [&] {
        second.expires_after(std::chrono::seconds(1));
        second.async_wait([&](boost::system::error_code ec) {
            if (ec) return;
            if (every_second) every_second();
            tick();
        });
    };
    tick();
    pump();
    while (!stop_requested_ && !done()) ioc_.run_one();
    second.cancel();
    ioc_.poll();
}

void SessionDriver::shutdown(std::chrono::milliseconds grace) {
    for (auto& lsd : lsd_) lsd->close();  // no more peers while we leave
    engine_.shutdown(now());
    pump();
    acceptor_.close();
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (announces_in_flight_ > 0 && std::chrono::steady_clock::now() < deadline)
        ioc_.run_one_for(std::chrono::milliseconds(50));
    timer_.cancel();
    for (auto& [id, u] : udp_jobs_) u->timer.cancel();
    udp_jobs_.clear();
    boost::system::error_code ignored;
    udp_.close(ignored);
    for (auto& [k, c] : std::map(conns_)) close_conn(k, "shutdown", false);
    disk_pool_->join();
    ioc_.poll();
}

}  // namespace agora::io
