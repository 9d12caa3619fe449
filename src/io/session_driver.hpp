// The real-world driver of the engine (DESIGN.md, io/): TCP connections through Boost.Asio, one
// timer re-armed to the engine's next deadline, HTTP tracker requests, and disk work (checking and
// writing pieces, reading blocks for upload) on a small worker pool. It makes no protocol decision:
// each step feeds the engine an event and carries out the actions it returns (STYLE.md, 20).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "io/piece_cache.hpp"
#include "io/rate_limiter.hpp"
#include "session/engine.hpp"

namespace agora::io {

struct DriverConfig {
    std::string listen_address = "0.0.0.0";
    std::uint16_t listen_port = 0;  // 0: any free port
    unsigned disk_threads = 2;
    std::uint64_t download_limit = 0;  // bytes/s over all connections; 0: unlimited
    std::uint64_t upload_limit = 0;
    std::size_t read_cache_bytes = 32u << 20;  // pieces kept in memory for uploading
    // DHT (when the engine has one): "HOST:PORT" routers to bootstrap from, resolved at start, and
    // nodes remembered from an earlier run.
    std::vector<std::string> dht_routers;
    std::vector<dht::NodeInfo> dht_known;
    // BEP 14 Local Service Discovery (io/local_discovery.hpp): announce every torrent on the LAN's
    // multicast group and take the peers that announce theirs. Off by default: multicast leaves
    // the process, which a test or an embedding program must ask for.
    bool local_discovery = false;
};

class LocalDiscovery;

class SessionDriver {
public:
    SessionDriver(session::EngineConfig engine_config, DriverConfig config);
    ~SessionDriver();
    SessionDriver(const SessionDriver&) = delete;
    SessionDriver& operator=(const SessionDriver&) = delete;

    // Binds the listening socket (and the UDP socket on the same port, for the DHT and UDP
    // trackers). Must be called before add_torrent.
    Status start();
    std::uint16_t listen_port() const { return listen_port_; }

    // `save_dir` holds the torrent's content under its name. Stored files are created (sparse)
    // at their full size first.
    Result<TorrentHandle> add_torrent(std::shared_ptr<const meta::TorrentInfo> info, std::string save_dir,
                                      session::AddTorrentOptions options);

    // A magnet link: the metadata comes from peers first; then files are created under save_dir.
    TorrentHandle add_magnet(InfoHashes hashes, std::string save_dir, session::AddTorrentOptions options);

    // Stops the torrent (trackers told, peers closed) and forgets it; its files stay.
    void remove_torrent(TorrentHandle t);
    // Bytes/s over all connections; 0: unlimited.
    void set_rate_limits(std::uint64_t download, std::uint64_t upload);
    // Bytes/s over one torrent's connections, within the global limits; 0: unlimited.
    void set_torrent_rate_limits(TorrentHandle t, std::uint64_t download, std::uint64_t upload);
    // Disk jobs (hash and write, read) posted and not yet completed.
    std::size_t disk_jobs() const { return disk_jobs_; }
    // The network thread's context, for listeners that share it (the RPC server).
    boost::asio::io_context& context() { return ioc_; }

    // Runs until `done()` is true, calling `every_second()` once a second.
    void run(const std::function<bool()>& done, const std::function<void()>& every_second);
    // Tells trackers we stop and closes every connection; waits at most `grace` for the announces.
    void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));
    // Asks run() to return soon (safe from a signal handler's thread via post).
    void request_stop();

    const session::Engine& engine() const { return engine_; }
    // Runs `f` on the engine (for DHT queries of its own) and carries out what follows.
    void with_engine(const std::function<void(session::Engine&, TimePoint)>& f) {
        f(engine_, now());
        pump();
    }

    std::function<void(TorrentHandle, PieceIndex)> on_piece_verified;
    std::function<void(TorrentHandle, std::shared_ptr<const meta::TorrentInfo>)> on_metadata;
    std::function<void(const std::string&)> on_log;
    // A verified piece could not be written (a full disk, say). Unless the owner removes the
    // torrent from within this call, the piece counts as failed and is fetched again.
    std::function<void(TorrentHandle, const std::string&)> on_disk_error;
    std::function<void(const dht::Event&)> on_dht_event;

private:
    struct Conn;
    struct TorrentDisk {
        std::shared_ptr<const meta::TorrentInfo> info;
        std::string save_dir;
        // Pieces being downloaded, by index: their blocks as they arrive, unverified, until
        // HashPiece takes the piece to the hasher (the torrent bounds how many are started).
        std::map<std::uint32_t, Bytes> partial = {};
    };

    TimePoint now() const;
    void pump();
    void arm_timer();
    void accept_next();
    void start_read(const std::shared_ptr<Conn>& c);
    void start_write(const std::shared_ptr<Conn>& c);
    void close_conn(std::uint32_t peer, const std::string& reason, bool tell_engine);
    void do_action(session::Action& action);
    void store_block(session::StoreBlock block);
    void hash_piece(session::HashPiece job);
    void read_block(session::ReadBlock job);
    void announce(session::Announce job);
    void announce_udp(session::Announce job);
    void udp_receive();
    void udp_step(std::uint32_t id);
    Status open_udp(const boost::asio::ip::udp::endpoint& local);
    void send_datagram(const boost::asio::ip::udp::endpoint& to, Bytes bytes);
    void bootstrap_dht();
    void start_local_discovery();

    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer timer_;
    bool timer_armed_ = false;
    TimePoint armed_deadline_;
    std::chrono::steady_clock::time_point epoch_;
    DriverConfig config_;
    session::Engine engine_;
    std::uint16_t listen_port_ = 0;
    std::map<std::uint32_t, std::shared_ptr<Conn>> conns_;
    std::map<std::uint32_t, TorrentDisk> disks_;
    std::map<std::uint32_t, std::string> magnet_dirs_;  // save folders of magnets awaiting metadata
    std::uint32_t announces_in_flight_ = 0;
    struct UdpJob;
    boost::asio::ip::udp::socket udp_;
    std::array<char, 2048> udp_buffer_{};
    boost::asio::ip::udp::endpoint udp_from_;
    std::map<std::uint32_t, std::shared_ptr<UdpJob>> udp_jobs_;
    std::uint32_t next_udp_job_ = 0;
    PieceCache read_cache_;
    RateLimiter download_limit_;
    RateLimiter upload_limit_;
    struct TorrentLimits { RateLimiter download, upload; };
    std::map<std::uint32_t, TorrentLimits> torrent_limits_;  // only torrents with a limit
    TorrentLimits* limits_of(const Conn& c);
    bool stop_requested_ = false;
    std::size_t disk_jobs_ = 0;  // touched on the network thread only
    std::vector<std::unique_ptr<LocalDiscovery>> lsd_;  // one per family that started (config_.local_discovery)
    // Declared last: destroyed (joined) first, while everything its jobs touch still exists.
    std::unique_ptr<boost::asio::thread_pool> disk_pool_;
};

}  // namespace agora::io
