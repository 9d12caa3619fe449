// The daemon (`agora daemon`): many torrents kept going across restarts, remote-controlled. It
// implements rpc::Control over a SessionDriver and serves rpc::Server on the same network thread
// (HttpServer), so the RPC reads the engine directly and never waits on the disk: checking data
// runs on its own thread and reports back. Each torrent's record (its .torrent or magnet link,
// folder, paused or not, dates, totals) lives in the node database and is written when it changes;
// verified pieces are recorded every few seconds, as `agora get` does, so kill -9 loses nothing
// verified.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "core/bitfield.hpp"
#include "io/http_server.hpp"
#include "io/resume_db.hpp"
#include "io/resume_store.hpp"
#include "io/session_driver.hpp"
#include "rpc/control.hpp"
#include "rpc/server.hpp"

namespace agora::io {

struct DaemonConfig {
    std::string data_dir;      // node.sqlite, the DHT table
    std::string config_dir;    // shown by session-get
    std::string download_dir;  // where torrents go unless told otherwise
    // torrent-add and set-location may name only folders under these (default: download_dir).
    std::vector<std::string> allowed_dirs;
    // .torrent files dropped here are added (and renamed to NAME.added; NAME.refused with the
    // reason printed when they cannot be); empty: no watched folder.
    std::string watch_dir;
    std::string rpc_address = "127.0.0.1";
    std::uint16_t rpc_port = 9091;
    rpc::AccessConfig access;
    rpc::SessionSettings settings;  // speed limits, queue, start-added-torrents ...
};

class Daemon final : public rpc::Control {
public:
    // `driver` is started; `dht_db` (may be null) is where the DHT table is saved.
    Daemon(DaemonConfig config, std::unique_ptr<SessionDriver> driver, std::optional<NodeDb> dht_db);
    ~Daemon() override;

    // Opens the database, loads the saved torrents (checking their data in the background where
    // no resume record vouches for it) and starts the RPC listener.
    Status start();
    std::uint16_t rpc_port() const { return http_ ? http_->port() : 0; }
    // Runs until `stop()` is true (checked after every event and once a second).
    void run(const std::function<bool()>& stop);
    // Records everything, tells trackers we stop, closes connections.
    void shutdown();

    // ---- rpc::Control ----
    std::vector<rpc::TorrentView> torrents(bool details) override;
    Result<rpc::AddResult> add(const rpc::AddRequest& request) override;
    Status start(const std::vector<std::uint32_t>& ids) override;
    Status stop(const std::vector<std::uint32_t>& ids) override;
    Status verify(const std::vector<std::uint32_t>& ids) override;
    Status remove(const std::vector<std::uint32_t>& ids, bool delete_data) override;
    Status set_location(const std::vector<std::uint32_t>& ids, const std::string& location, bool move) override;
    Status change(const std::vector<std::uint32_t>& ids, const rpc::TorrentChanges& changes) override;
    Status move_in_queue(const std::vector<std::uint32_t>& ids, rpc::QueueMove move) override;
    rpc::SessionSettings settings() override;
    Status change_settings(const rpc::SessionChanges& changes) override;
    rpc::SessionStats stats() override;
    Result<std::uint64_t> free_space(const std::string& path) override;
    rpc::NodeMetrics node_metrics() override;

private:
    struct Entry {
        std::uint32_t id = 0;
        std::string key;  // info-hash hex: the database key and the RPC's hashString
        InfoHashes hashes;
        std::shared_ptr<const meta::TorrentInfo> info;  // null until a magnet's metadata arrives
        Bytes metainfo;                                   // the .torrent (or d4:info...e) to keep
        std::string magnet;                               // the link it was added from, if any
        std::vector<std::string> magnet_trackers;
        std::vector<session::Endpoint> magnet_peers;  // x.pe
        std::string dir;
        bool paused = false;
        std::int64_t added = 0;
        std::int64_t done = 0;
        std::uint64_t downloaded_before = 0;  // payload totals of earlier runs
        std::uint64_t uploaded_before = 0;
        std::optional<TorrentHandle> handle;  // while running
        Bitfield verified;
        bool checking = false;
        bool pieces_dirty = false;
        bool disk_paused = false;  // stopped for want of space; started again once there is room
        std::string error;
        // What to download: one level per file of the layout (swarm::PiecePicker's skip, low,
        // normal, high; empty: all normal), and whether in order.
        std::vector<std::uint8_t> file_priorities;
        bool sequential = false;
        std::uint32_t queue_position = 0;
        bool queued = false;  // would run, but waits for a place in the download or seed queue
        // Rate limits in kB/s (1000 bytes), as Transmission counts, and whether they apply.
        std::uint64_t download_limit = 0, upload_limit = 0;
        bool download_limited = false, upload_limited = false;
        // Seeding goals (Transmission's modes: 0 the session's, 1 this torrent's, 2 none).
        int ratio_mode = 0, idle_mode = 0;
        double ratio_limit = 2;
        std::uint32_t idle_limit = 30;  // minutes
        bool finished = false;          // stopped because it reached a goal
        std::int64_t seconds_downloading = 0, seconds_seeding = 0;
        std::int64_t last_activity = 0;  // Unix seconds of the last payload moved (or the start)
        std::uint64_t recorded_traffic = 0;  // this run's payload down+up when last recorded
    };

    Status restore(std::string key, BytesView record);
    Bytes record_of(const Entry& e) const;
    void persist(const Entry& e);
    void forget(const Entry& e);
    // Runs or halts every torrent by its state and the queues; call after anything that changes them.
    void schedule();
    Status apply_settings(const rpc::SessionChanges& c);
    void merge_sources(Entry& e, const Entry& again);
    void run_torrent(Entry& e);
    std::vector<std::uint8_t> piece_priorities(const Entry& e) const;
    bool wanted_all_verified(const Entry& e) const;
    std::optional<std::string> goal_reached(const Entry& e, const std::optional<swarm::TorrentStats>& s) const;
    void apply_torrent_limits(const Entry& e);
    void scan_watch_dir();
    void halt(Entry& e);
    void check_data(Entry& e, bool force);
    Result<std::string> allowed_dir(const std::string& dir) const;
    Status room_for(const Entry& e) const;
    void pause_for_disk(Entry& e, const std::string& why);
    Entry* entry(std::uint32_t id);
    Entry* entry_for(TorrentHandle t);
    // The running swarm's figures (stats() walks its peers: take it once per use), or nothing.
    std::optional<swarm::TorrentStats> live(const Entry& e) const;
    void every_second();
    void apply_rate_limits();

    DaemonConfig config_;
    std::unique_ptr<SessionDriver> driver_;
    std::optional<NodeDb> dht_db_;
    std::optional<NodeDb> db_;
    std::optional<ResumeStore> resume_;
    std::unique_ptr<rpc::Server> server_;
    std::unique_ptr<HttpServer> http_;
    std::map<std::uint32_t, Entry> entries_;
    std::uint32_t next_id_ = 1;
    std::uint32_t next_queue_position_ = 0;
    std::uint32_t checks_running_ = 0;
    std::int64_t started_at_ = 0;
    std::uint64_t seconds_ = 0;
    std::uint64_t files_added_ = 0;
    rpc::TransferStats cumulative_before_;  // totals of earlier runs
    std::uint64_t downloaded_at_start_ = 0;
    std::uint64_t uploaded_at_start_ = 0;
    // Checks of data run here, one at a time, off the network thread; declared last so it is
    // joined first.
    std::unique_ptr<boost::asio::thread_pool> checker_;
};

}  // namespace agora::io
