#include "rpc/metrics.hpp"

#include <map>

namespace agora::rpc {

namespace {

const char* state_name(TorrentStatus s) {
    switch (s) {
        case TorrentStatus::stopped: return "stopped";
        case TorrentStatus::check_wait: return "check_wait";
        case TorrentStatus::checking: return "checking";
        case TorrentStatus::download_wait: return "download_wait";
        case TorrentStatus::downloading: return "downloading";
        case TorrentStatus::seed_wait: return "seed_wait";
        case TorrentStatus::seeding: return "seeding";
    }
    return "unknown";
}

class Writer {
public:
    void family(const char* name, const char* type, const char* help) {
        out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    }
    void sample(const std::string& name, std::uint64_t value, const std::string& labels = "") {
        out_ += name + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(value) + "\n";
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

}  // namespace

std::string escape_label(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string prometheus_text(const std::vector<TorrentView>& torrents, const SessionStats& stats, const NodeMetrics& node) {
    Writer w;
    w.family("agora_downloaded_bytes_total", "counter", "Payload bytes downloaded, every run of this node.");
    w.sample("agora_downloaded_bytes_total", stats.cumulative.downloaded);
    w.family("agora_uploaded_bytes_total", "counter", "Payload bytes uploaded, every run of this node.");
    w.sample("agora_uploaded_bytes_total", stats.cumulative.uploaded);
    w.family("agora_download_rate_bytes", "gauge", "Payload download rate, bytes per second.");
    w.sample("agora_download_rate_bytes", stats.download_speed);
    w.family("agora_upload_rate_bytes", "gauge", "Payload upload rate, bytes per second.");
    w.sample("agora_upload_rate_bytes", stats.upload_speed);

    std::map<std::string, std::uint64_t> by_state;
    for (auto s : {TorrentStatus::stopped, TorrentStatus::checking, TorrentStatus::downloading, TorrentStatus::seeding})
        by_state[state_name(s)] = 0;
    std::uint64_t peers = 0, failures = 0;
    for (const auto& t : torrents) {
        ++by_state[state_name(t.status)];
        peers += t.peers_connected;
        failures += t.hash_failures;
    }
    w.family("agora_torrents", "gauge", "Torrents by state.");
    for (const auto& [state, n] : by_state) w.sample("agora_torrents", n, "state=\"" + state + "\"");
    w.family("agora_peers", "gauge", "Peers connected, all torrents.");
    w.sample("agora_peers", peers);
    w.family("agora_hash_failures_total", "counter", "Pieces that failed their hash check, this run.");
    w.sample("agora_hash_failures_total", failures);
    w.family("agora_dht_nodes", "gauge", "Nodes in the DHT routing tables.");
    w.sample("agora_dht_nodes", node.dht_nodes);
    w.family("agora_dht_datagrams_total", "counter", "DHT datagrams, this run.");
    w.sample("agora_dht_datagrams_total", node.dht_datagrams_in, "direction=\"in\"");
    w.sample("agora_dht_datagrams_total", node.dht_datagrams_out, "direction=\"out\"");
    w.family("agora_disk_jobs", "gauge", "Disk jobs (hash and write, read) queued or running.");
    w.sample("agora_disk_jobs", node.disk_jobs);

    auto labels = [](const TorrentView& t) {
        return "hash=\"" + t.hash + "\",name=\"" + escape_label(t.name) + "\"";
    };
    w.family("agora_torrent_downloaded_bytes_total", "counter", "Payload bytes downloaded, per torrent.");
    for (const auto& t : torrents) w.sample("agora_torrent_downloaded_bytes_total", t.downloaded_ever, labels(t));
    w.family("agora_torrent_uploaded_bytes_total", "counter", "Payload bytes uploaded, per torrent.");
    for (const auto& t : torrents) w.sample("agora_torrent_uploaded_bytes_total", t.uploaded_ever, labels(t));
    w.family("agora_torrent_left_bytes", "gauge", "Bytes still to download, per torrent.");
    for (const auto& t : torrents) w.sample("agora_torrent_left_bytes", t.left_until_done, labels(t));
    w.family("agora_torrent_peers", "gauge", "Peers connected, per torrent.");
    for (const auto& t : torrents) w.sample("agora_torrent_peers", t.peers_connected, labels(t));
    return w.take();
}

}  // namespace agora::rpc
