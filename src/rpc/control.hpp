// What the remote control can see and do: the interface rpc/ speaks to (DESIGN.md, rpc/). The
// daemon in io/ implements it over its session; rpc/ maps it to the Transmission RPC's vocabulary
// and never touches a socket, a file or the engine itself. Every call is made on the network
// thread and must answer from memory: nothing here may wait on the disk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace agora::rpc {

// Transmission's numbers (RPC version 14 and later), which its clients print.
enum class TorrentStatus : int {
    stopped = 0,
    check_wait = 1,
    checking = 2,
    download_wait = 3,
    downloading = 4,
    seed_wait = 5,
    seeding = 6,
};

struct FileView {
    std::string name;  // path inside the torrent, '/'-separated, starting with the torrent's name
    std::uint64_t length = 0;
    std::uint64_t completed = 0;  // bytes in verified pieces
    bool wanted = true;
    int priority = 0;  // -1 low, 0 normal, 1 high
};

struct PeerView {
    std::string address;
    std::uint16_t port = 0;
    std::string client;
    double progress = 0;
    std::uint64_t rate_to_client = 0;  // bytes/s we receive from it
    std::uint64_t rate_to_peer = 0;
    bool incoming = false;
};

struct TrackerView {
    std::string announce;
    std::uint32_t tier = 0;
};

struct TorrentView {
    std::uint32_t id = 0;     // small, per daemon run
    std::string hash;         // the v1 info-hash in hex (or the v2 hash truncated to 20 bytes)
    std::string name;
    TorrentStatus status = TorrentStatus::stopped;
    std::string error;        // empty when all is well
    bool has_metadata = true;
    double metadata_percent = 1;
    std::uint64_t total_size = 0;
    std::uint64_t size_when_done = 0;   // bytes of wanted files
    std::uint64_t left_until_done = 0;
    std::uint64_t have_valid = 0;       // bytes in verified pieces
    std::uint64_t downloaded_ever = 0;  // payload, this torrent's whole life
    std::uint64_t uploaded_ever = 0;
    std::uint64_t corrupt_ever = 0;
    std::uint32_t hash_failures = 0;    // pieces that failed their check, this run
    std::uint64_t rate_download = 0;    // bytes/s
    std::uint64_t rate_upload = 0;
    std::uint32_t peers_connected = 0;
    std::uint32_t peers_sending_to_us = 0;
    std::uint32_t peers_getting_from_us = 0;
    std::int64_t eta = -1;              // seconds; -1 not available
    std::int64_t added_date = 0;        // Unix seconds; 0 never
    std::int64_t done_date = 0;
    std::int64_t activity_date = 0;
    std::int64_t date_created = 0;
    std::string download_dir;
    std::string comment;
    std::string creator;
    std::string magnet_link;
    std::uint32_t piece_count = 0;
    std::uint32_t piece_size = 0;
    bool is_private = false;
    bool is_finished = false;           // reached its seeding goal and stopped
    double recheck_progress = 0;
    std::uint64_t download_limit = 0;   // kB/s (1000 bytes), as Transmission counts
    bool download_limited = false;
    std::uint64_t upload_limit = 0;
    bool upload_limited = false;
    // Seeding goals. Modes as Transmission's: 0 the session's, 1 this torrent's, 2 none.
    double seed_ratio_limit = 2;
    int seed_ratio_mode = 0;
    std::uint32_t seed_idle_limit = 30;  // minutes without traffic
    int seed_idle_mode = 0;
    bool sequential = false;            // pieces in order, for streaming
    std::uint32_t queue_position = 0;
    std::int64_t seconds_downloading = 0;
    std::int64_t seconds_seeding = 0;
    std::vector<FileView> files;        // filled when asked for details
    std::vector<PeerView> peers;
    std::vector<TrackerView> trackers;
};

struct AddRequest {
    std::string metainfo;      // the .torrent file's bytes, or empty
    std::string uri;           // a magnet link (or a path the daemon may read), when metainfo is empty
    std::string download_dir;  // empty: the session's
    std::optional<bool> paused;  // absent: the session's start-added-torrents
};

struct AddResult {
    std::uint32_t id = 0;
    std::string name;
    std::string hash;
    bool duplicate = false;
};

struct TorrentChanges {
    std::optional<std::uint64_t> download_limit;  // kB/s
    std::optional<bool> download_limited;
    std::optional<std::uint64_t> upload_limit;
    std::optional<bool> upload_limited;
    std::vector<std::uint32_t> files_wanted;      // file indices
    std::vector<std::uint32_t> files_unwanted;
    std::vector<std::uint32_t> priority_high;
    std::vector<std::uint32_t> priority_normal;
    std::vector<std::uint32_t> priority_low;
    std::optional<double> seed_ratio_limit;
    std::optional<int> seed_ratio_mode;
    std::optional<std::uint32_t> seed_idle_limit;
    std::optional<int> seed_idle_mode;
    std::optional<bool> sequential;
    std::optional<std::uint32_t> queue_position;
    bool any_file_change() const {
        return !files_wanted.empty() || !files_unwanted.empty() || !priority_high.empty() || !priority_normal.empty() ||
               !priority_low.empty();
    }
};

enum class QueueMove { top, up, down, bottom };

struct SessionSettings {
    std::string version;
    std::string config_dir;
    std::string download_dir;
    std::uint16_t peer_port = 0;
    bool dht_enabled = true;
    bool pex_enabled = true;
    bool lpd_enabled = true;
    std::uint64_t speed_limit_down = 0;  // kB/s
    bool speed_limit_down_enabled = false;
    std::uint64_t speed_limit_up = 0;
    bool speed_limit_up_enabled = false;
    std::uint32_t peer_limit_global = 0;
    std::uint32_t peer_limit_per_torrent = 0;
    bool start_added_torrents = true;
    double seed_ratio_limit = 2;
    bool seed_ratio_limited = false;
    std::uint32_t idle_seeding_limit = 30;  // minutes
    bool idle_seeding_limit_enabled = false;
    std::uint32_t download_queue_size = 5;
    bool download_queue_enabled = true;
    std::uint32_t seed_queue_size = 10;
    bool seed_queue_enabled = false;
};

struct SessionChanges {
    std::optional<std::string> download_dir;
    std::optional<std::uint64_t> speed_limit_down;
    std::optional<bool> speed_limit_down_enabled;
    std::optional<std::uint64_t> speed_limit_up;
    std::optional<bool> speed_limit_up_enabled;
    std::optional<std::uint32_t> peer_limit_global;
    std::optional<std::uint32_t> peer_limit_per_torrent;
    std::optional<bool> start_added_torrents;
    std::optional<double> seed_ratio_limit;
    std::optional<bool> seed_ratio_limited;
    std::optional<std::uint32_t> idle_seeding_limit;
    std::optional<bool> idle_seeding_limit_enabled;
    std::optional<std::uint32_t> download_queue_size;
    std::optional<bool> download_queue_enabled;
    std::optional<std::uint32_t> seed_queue_size;
    std::optional<bool> seed_queue_enabled;
};

struct TransferStats {
    std::uint64_t uploaded = 0;
    std::uint64_t downloaded = 0;
    std::uint64_t files_added = 0;
    std::uint64_t session_count = 0;
    std::uint64_t seconds_active = 0;
};

struct SessionStats {
    std::uint64_t download_speed = 0;  // bytes/s
    std::uint64_t upload_speed = 0;
    TransferStats current;     // this run
    TransferStats cumulative;  // every run
};

// What /metrics shows about the node besides its torrents.
struct NodeMetrics {
    std::uint64_t dht_nodes = 0;  // in the routing tables
    std::uint64_t dht_datagrams_in = 0;
    std::uint64_t dht_datagrams_out = 0;
    std::uint64_t disk_jobs = 0;  // hashing, writing and reading jobs queued or running
};

class Control {
public:
    virtual ~Control() = default;

    // Every torrent, in id order; files, peers and trackers only when `details`.
    virtual std::vector<TorrentView> torrents(bool details) = 0;
    virtual Result<AddResult> add(const AddRequest& request) = 0;
    // Ids not known are skipped (the caller resolved them from torrents()).
    virtual Status start(const std::vector<std::uint32_t>& ids) = 0;
    virtual Status stop(const std::vector<std::uint32_t>& ids) = 0;
    virtual Status verify(const std::vector<std::uint32_t>& ids) = 0;
    virtual Status remove(const std::vector<std::uint32_t>& ids, bool delete_data) = 0;
    virtual Status set_location(const std::vector<std::uint32_t>& ids, const std::string& location, bool move) = 0;
    virtual Status change(const std::vector<std::uint32_t>& ids, const TorrentChanges& changes) = 0;
    virtual Status move_in_queue(const std::vector<std::uint32_t>& ids, QueueMove move) = 0;
    virtual SessionSettings settings() = 0;
    virtual Status change_settings(const SessionChanges& changes) = 0;
    virtual SessionStats stats() = 0;
    virtual Result<std::uint64_t> free_space(const std::string& path) = 0;
    virtual NodeMetrics node_metrics() = 0;
};

}  // namespace agora::rpc
