#include "rpc/transmission.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/base64.hpp"

namespace agora::rpc {

namespace {

using nlohmann::json;

// A reason the request cannot be done, sent back as the envelope's "result".
struct Refused {
    std::string why;
};

const json& args_of(const json& request) {
    static const json empty = json::object();
    auto it = request.find("arguments");
    if (it == request.end() || it->is_null()) return empty;
    if (!it->is_object()) throw Refused{"arguments must be an object"};
    return *it;
}

// Transmission's clients send booleans as true/false, and older ones as 0/1 or "true"/"false".
std::optional<bool> opt_bool(const json& args, const char* key) {
    auto it = args.find(key);
    if (it == args.end() || it->is_null()) return std::nullopt;
    if (it->is_boolean()) return it->get<bool>();
    if (it->is_number_integer()) return it->get<std::int64_t>() != 0;
    if (it->is_string() && (*it == "true" || *it == "false")) return *it == "true";
    throw Refused{std::string("argument '") + key + "' must be a boolean"};
}

template <typename T>
std::optional<T> opt_uint(const json& args, const char* key, T max) {
    auto it = args.find(key);
    if (it == args.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::uint64_t>() > max)
        throw Refused{std::string("argument '") + key + "' must be an integer from 0 to " + std::to_string(max)};
    return static_cast<T>(it->get<std::uint64_t>());
}

std::optional<double> opt_number(const json& args, const char* key) {
    auto it = args.find(key);
    if (it == args.end() || it->is_null()) return std::nullopt;
    if (!it->is_number() || it->get<double>() < 0) throw Refused{std::string("argument '") + key + "' must be a number >= 0"};
    return it->get<double>();
}

std::optional<std::string> opt_string(const json& args, const char* key) {
    auto it = args.find(key);
    if (it == args.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw Refused{std::string("argument '") + key + "' must be a string"};
    return it->get<std::string>();
}

std::vector<std::uint32_t> index_list(const json& args, const char* key) {
    std::vector<std::uint32_t> out;
    auto it = args.find(key);
    if (it == args.end() || it->is_null()) return out;
    if (!it->is_array()) throw Refused{std::string("argument '") + key + "' must be a list of file indices"};
    for (const auto& v : *it) {
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 1'000'000)
            throw Refused{std::string("argument '") + key + "' must be a list of file indices"};
        out.push_back(v.get<std::uint32_t>());
    }
    return out;
}

// `ids` in every shape clients send: absent (all), a number, a hash string, "recently-active",
// or a list of numbers and hashes. Unknown ones are left out, as Transmission does.
std::vector<std::uint32_t> resolve_ids(const json& args, const std::vector<TorrentView>& all) {
    std::vector<std::uint32_t> out;
    auto it = args.find("ids");
    if (it == args.end()) it = args.find("id");
    if (it == args.end() || it->is_null() || (it->is_string() && *it == "recently-active")) {
        for (const auto& t : all) out.push_back(t.id);
        return out;
    }
    auto one = [&](const json& v) {
        if (v.is_number_integer()) {
            const auto n = v.get<std::int64_t>();
            for (const auto& t : all)
                if (static_cast<std::int64_t>(t.id) == n) out.push_back(t.id);
        } else if (v.is_string()) {
            std::string h = v.get<std::string>();
            std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            for (const auto& t : all)
                if (t.hash == h) out.push_back(t.id);
        } else {
            throw Refused{"'ids' must be a number, a hash, a list of them, or \"recently-active\""};
        }
    };
    if (it->is_array()) {
        if (it->size() > 100'000) throw Refused{"too many ids"};
        for (const auto& v : *it) one(v);
    } else {
        one(*it);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

void check(const Status& s) {
    if (!s) throw Refused{s.error().describe()};
}

using FieldFn = std::function<json(const TorrentView&)>;

const std::map<std::string, FieldFn, std::less<>>& torrent_fields() {
    static const std::map<std::string, FieldFn, std::less<>> fields = {
        {"activityDate", [](const TorrentView& t) { return json(t.activity_date); }},
        {"addedDate", [](const TorrentView& t) { return json(t.added_date); }},
        {"bandwidthPriority", [](const TorrentView&) { return json(0); }},
        {"comment", [](const TorrentView& t) { return json(t.comment); }},
        {"corruptEver", [](const TorrentView& t) { return json(t.corrupt_ever); }},
        {"creator", [](const TorrentView& t) { return json(t.creator); }},
        {"dateCreated", [](const TorrentView& t) { return json(t.date_created); }},
        {"desiredAvailable", [](const TorrentView& t) { return json(t.left_until_done); }},
        {"doneDate", [](const TorrentView& t) { return json(t.done_date); }},
        {"downloadDir", [](const TorrentView& t) { return json(t.download_dir); }},
        {"downloadedEver", [](const TorrentView& t) { return json(t.downloaded_ever); }},
        {"downloadLimit", [](const TorrentView& t) { return json(t.download_limit); }},
        {"downloadLimited", [](const TorrentView& t) { return json(t.download_limited); }},
        {"error", [](const TorrentView& t) { return json(t.error.empty() ? 0 : 3); }},  // 3: local error
        {"errorString", [](const TorrentView& t) { return json(t.error); }},
        {"eta", [](const TorrentView& t) { return json(t.eta); }},
        {"hashString", [](const TorrentView& t) { return json(t.hash); }},
        {"haveUnchecked", [](const TorrentView&) { return json(0); }},
        {"haveValid", [](const TorrentView& t) { return json(t.have_valid); }},
        {"honorsSessionLimits", [](const TorrentView&) { return json(true); }},
        {"id", [](const TorrentView& t) { return json(t.id); }},
        {"isFinished", [](const TorrentView& t) { return json(t.is_finished); }},
        {"isPrivate", [](const TorrentView& t) { return json(t.is_private); }},
        {"isStalled", [](const TorrentView&) { return json(false); }},
        {"labels", [](const TorrentView&) { return json::array(); }},
        {"leftUntilDone", [](const TorrentView& t) { return json(t.left_until_done); }},
        {"magnetLink", [](const TorrentView& t) { return json(t.magnet_link); }},
        {"metadataPercentComplete", [](const TorrentView& t) { return json(t.metadata_percent); }},
        {"name", [](const TorrentView& t) { return json(t.name); }},
        {"peer-limit", [](const TorrentView&) { return json(50); }},
        {"peersConnected", [](const TorrentView& t) { return json(t.peers_connected); }},
        {"peersGettingFromUs", [](const TorrentView& t) { return json(t.peers_getting_from_us); }},
        {"peersSendingToUs", [](const TorrentView& t) { return json(t.peers_sending_to_us); }},
        {"percentDone",
         [](const TorrentView& t) {
             return json(t.size_when_done ? static_cast<double>(t.size_when_done - t.left_until_done) /
                                                static_cast<double>(t.size_when_done)
                                          : (t.has_metadata ? 1.0 : 0.0));
         }},
        {"pieceCount", [](const TorrentView& t) { return json(t.piece_count); }},
        {"pieceSize", [](const TorrentView& t) { return json(t.piece_size); }},
        {"queuePosition", [](const TorrentView& t) { return json(t.queue_position); }},
        {"rateDownload", [](const TorrentView& t) { return json(t.rate_download); }},
        {"rateUpload", [](const TorrentView& t) { return json(t.rate_upload); }},
        {"recheckProgress", [](const TorrentView& t) { return json(t.recheck_progress); }},
        {"secondsDownloading", [](const TorrentView& t) { return json(t.seconds_downloading); }},
        {"secondsSeeding", [](const TorrentView& t) { return json(t.seconds_seeding); }},
        {"seedIdleLimit", [](const TorrentView& t) { return json(t.seed_idle_limit); }},
        {"seedIdleMode", [](const TorrentView& t) { return json(t.seed_idle_mode); }},
        {"seedRatioLimit", [](const TorrentView& t) { return json(t.seed_ratio_limit); }},
        {"seedRatioMode", [](const TorrentView& t) { return json(t.seed_ratio_mode); }},
        {"sequentialDownload", [](const TorrentView& t) { return json(t.sequential); }},
        {"sizeWhenDone", [](const TorrentView& t) { return json(t.size_when_done); }},
        {"startDate", [](const TorrentView& t) { return json(t.added_date); }},
        {"status", [](const TorrentView& t) { return json(static_cast<int>(t.status)); }},
        {"totalSize", [](const TorrentView& t) { return json(t.total_size); }},
        {"uploadedEver", [](const TorrentView& t) { return json(t.uploaded_ever); }},
        {"uploadLimit", [](const TorrentView& t) { return json(t.upload_limit); }},
        {"uploadLimited", [](const TorrentView& t) { return json(t.upload_limited); }},
        {"uploadRatio",
         [](const TorrentView& t) {
             if (t.downloaded_ever == 0) return json(t.uploaded_ever ? -2.0 : -1.0);  // -2 infinite, -1 n/a
             return json(static_cast<double>(t.uploaded_ever) / static_cast<double>(t.downloaded_ever));
         }},
        {"webseeds", [](const TorrentView&) { return json::array(); }},
        {"webseedsSendingToUs", [](const TorrentView&) { return json(0); }},
        {"files",
         [](const TorrentView& t) {
             json a = json::array();
             for (const auto& f : t.files)
                 a.push_back({{"name", f.name}, {"length", f.length}, {"bytesCompleted", f.completed}});
             return a;
         }},
        {"fileStats",
         [](const TorrentView& t) {
             json a = json::array();
             for (const auto& f : t.files)
                 a.push_back({{"bytesCompleted", f.completed}, {"wanted", f.wanted}, {"priority", f.priority}});
             return a;
         }},
        {"wanted",
         [](const TorrentView& t) {
             json a = json::array();
             for (const auto& f : t.files) a.push_back(f.wanted ? 1 : 0);
             return a;
         }},
        {"priorities",
         [](const TorrentView& t) {
             json a = json::array();
             for (const auto& f : t.files) a.push_back(f.priority);
             return a;
         }},
        {"peers",
         [](const TorrentView& t) {
             json a = json::array();
             for (const auto& p : t.peers)
                 a.push_back({{"address", p.address},
                              {"port", p.port},
                              {"clientName", p.client},
                              {"progress", p.progress},
                              {"rateToClient", p.rate_to_client},
                              {"rateToPeer", p.rate_to_peer},
                              {"isIncoming", p.incoming},
                              {"isEncrypted", false},
                              {"isUTP", false},
                              {"flagStr", p.incoming ? "I" : ""}});
             return a;
         }},
        {"trackers",
         [](const TorrentView& t) {
             json a = json::array();
             std::uint32_t i = 0;
             for (const auto& tr : t.trackers)
                 a.push_back({{"announce", tr.announce}, {"id", i++}, {"scrape", ""}, {"tier", tr.tier}});
             return a;
         }},
        {"trackerStats",
         [](const TorrentView& t) {
             json a = json::array();
             std::uint32_t i = 0;
             for (const auto& tr : t.trackers)
                 a.push_back({{"announce", tr.announce}, {"id", i++}, {"tier", tr.tier}, {"host", tr.announce}});
             return a;
         }},
    };
    return fields;
}

const std::set<std::string, std::less<>> detail_fields = {"files", "fileStats", "wanted", "priorities", "peers",
                                                          "trackers", "trackerStats"};

json torrent_get(Control& control, const json& args) {
    std::vector<std::string> fields;
    if (auto it = args.find("fields"); it != args.end() && !it->is_null()) {
        if (!it->is_array() || it->size() > 1000) throw Refused{"'fields' must be a list of field names"};
        for (const auto& f : *it) {
            if (!f.is_string()) throw Refused{"'fields' must be a list of field names"};
            fields.push_back(f.get<std::string>());
        }
    } else {
        for (const auto& [name, fn] : torrent_fields())
            if (!detail_fields.contains(name)) fields.push_back(name);
    }
    const bool details = std::any_of(fields.begin(), fields.end(), [](const auto& f) { return detail_fields.contains(f); });
    const auto all = control.torrents(details);
    const auto ids = resolve_ids(args, all);
    const bool table = opt_string(args, "format").value_or("objects") == "table";
    const auto& known = torrent_fields();
    json torrents = json::array();
    if (table) {
        json header = json::array();
        for (const auto& f : fields) header.push_back(f);
        torrents.push_back(header);
    }
    for (const auto& t : all) {
        if (!std::binary_search(ids.begin(), ids.end(), t.id)) continue;
        json row = table ? json::array() : json::object();
        for (const auto& f : fields) {
            auto fn = known.find(f);
            json v = fn == known.end() ? json(nullptr) : fn->second(t);
            if (table) row.push_back(std::move(v));
            else if (fn != known.end()) row[f] = std::move(v);
        }
        torrents.push_back(std::move(row));
    }
    json out = {{"torrents", torrents}};
    if (auto it = args.find("ids"); it != args.end() && it->is_string() && *it == "recently-active")
        out["removed"] = json::array();
    return out;
}

// What torrent-add and torrent-set share: which files, in which order.
TorrentChanges file_changes(const json& args) {
    TorrentChanges c;
    c.files_wanted = index_list(args, "files-wanted");
    c.files_unwanted = index_list(args, "files-unwanted");
    c.priority_high = index_list(args, "priority-high");
    c.priority_normal = index_list(args, "priority-normal");
    c.priority_low = index_list(args, "priority-low");
    c.sequential = opt_bool(args, "sequentialDownload");
    return c;
}

std::optional<int> opt_mode(const json& args, const char* name) {
    auto m = opt_uint<std::uint32_t>(args, name, 2);
    if (!m) return std::nullopt;
    return static_cast<int>(*m);
}

json torrent_add(Control& control, const json& args) {
    AddRequest r;
    if (auto m = opt_string(args, "metainfo")) {
        auto bytes = base64::decode(*m);
        if (!bytes) throw Refused{"'metainfo' is not base64"};
        r.metainfo = std::move(*bytes);
    } else if (auto f = opt_string(args, "filename")) {
        r.uri = *f;
    } else {
        throw Refused{"torrent-add needs 'metainfo' or 'filename'"};
    }
    r.download_dir = opt_string(args, "download-dir").value_or("");
    r.paused = opt_bool(args, "paused");
    const auto files = file_changes(args);
    auto added = control.add(r);
    if (!added) throw Refused{added.error().describe()};
    if (!added->duplicate && (files.any_file_change() || files.sequential)) check(control.change({added->id}, files));
    json t = {{"id", added->id}, {"name", added->name}, {"hashString", added->hash}};
    return added->duplicate ? json{{"torrent-duplicate", t}} : json{{"torrent-added", t}};
}

json torrent_set(Control& control, const json& args, const std::vector<std::uint32_t>& ids) {
    constexpr std::uint64_t kbps_max = 100'000'000;
    TorrentChanges c = file_changes(args);
    c.download_limit = opt_uint<std::uint64_t>(args, "downloadLimit", kbps_max);
    c.download_limited = opt_bool(args, "downloadLimited");
    c.upload_limit = opt_uint<std::uint64_t>(args, "uploadLimit", kbps_max);
    c.upload_limited = opt_bool(args, "uploadLimited");
    if (auto r = opt_number(args, "seedRatioLimit")) {
        if (*r < 0 || *r > 1e6) throw Refused{"'seedRatioLimit' must be between 0 and 1000000"};
        c.seed_ratio_limit = r;
    }
    c.seed_ratio_mode = opt_mode(args, "seedRatioMode");
    c.seed_idle_limit = opt_uint<std::uint32_t>(args, "seedIdleLimit", 1'000'000);
    c.seed_idle_mode = opt_mode(args, "seedIdleMode");
    c.queue_position = opt_uint<std::uint32_t>(args, "queuePosition", 1'000'000);
    check(control.change(ids, c));
    return json::object();
}

json session_json(const SessionSettings& s) {
    return {{"version", s.version},
            {"rpc-version", rpc_version},
            {"rpc-version-minimum", 14},
            {"config-dir", s.config_dir},
            {"download-dir", s.download_dir},
            {"peer-port", s.peer_port},
            {"peer-port-random-on-start", false},
            {"port-forwarding-enabled", false},
            {"utp-enabled", false},
            {"dht-enabled", s.dht_enabled},
            {"lpd-enabled", s.lpd_enabled},
            {"pex-enabled", s.pex_enabled},
            {"encryption", "tolerated"},
            {"cache-size-mb", 32},
            {"speed-limit-down", s.speed_limit_down},
            {"speed-limit-down-enabled", s.speed_limit_down_enabled},
            {"speed-limit-up", s.speed_limit_up},
            {"speed-limit-up-enabled", s.speed_limit_up_enabled},
            {"alt-speed-down", 0},
            {"alt-speed-up", 0},
            {"alt-speed-enabled", false},
            {"alt-speed-time-begin", 0},
            {"alt-speed-time-end", 0},
            {"alt-speed-time-enabled", false},
            {"alt-speed-time-day", 127},
            {"seedRatioLimit", s.seed_ratio_limit},
            {"seedRatioLimited", s.seed_ratio_limited},
            {"idle-seeding-limit", s.idle_seeding_limit},
            {"idle-seeding-limit-enabled", s.idle_seeding_limit_enabled},
            {"peer-limit-global", s.peer_limit_global},
            {"peer-limit-per-torrent", s.peer_limit_per_torrent},
            {"start-added-torrents", s.start_added_torrents},
            {"trash-original-torrent-files", false},
            {"download-queue-size", s.download_queue_size},
            {"download-queue-enabled", s.download_queue_enabled},
            {"seed-queue-size", s.seed_queue_size},
            {"seed-queue-enabled", s.seed_queue_enabled},
            {"queue-stalled-enabled", false},
            {"rename-partial-files", false},
            {"incomplete-dir-enabled", false},
            {"incomplete-dir", s.download_dir},
            {"blocklist-enabled", false},
            {"blocklist-size", 0},
            {"blocklist-url", ""},
            {"script-torrent-done-enabled", false},
            {"script-torrent-done-filename", ""},
            {"units",
             {{"speed-units", {"kB/s", "MB/s", "GB/s", "TB/s"}},
              {"speed-bytes", 1000},
              {"size-units", {"kB", "MB", "GB", "TB"}},
              {"size-bytes", 1000},
              {"memory-units", {"KiB", "MiB", "GiB", "TiB"}},
              {"memory-bytes", 1024}}}};
}

json session_get(Control& control, const json& args) {
    json all = session_json(control.settings());
    auto it = args.find("fields");
    if (it == args.end() || it->is_null()) return all;
    if (!it->is_array()) throw Refused{"'fields' must be a list of setting names"};
    json out = json::object();
    for (const auto& f : *it)
        if (f.is_string() && all.contains(f.get<std::string>())) out[f.get<std::string>()] = all[f.get<std::string>()];
    return out;
}

json session_set(Control& control, const json& args) {
    constexpr std::uint64_t kbps_max = 100'000'000;
    SessionChanges c;
    c.download_dir = opt_string(args, "download-dir");
    c.speed_limit_down = opt_uint<std::uint64_t>(args, "speed-limit-down", kbps_max);
    c.speed_limit_down_enabled = opt_bool(args, "speed-limit-down-enabled");
    c.speed_limit_up = opt_uint<std::uint64_t>(args, "speed-limit-up", kbps_max);
    c.speed_limit_up_enabled = opt_bool(args, "speed-limit-up-enabled");
    c.peer_limit_global = opt_uint<std::uint32_t>(args, "peer-limit-global", 100'000);
    c.peer_limit_per_torrent = opt_uint<std::uint32_t>(args, "peer-limit-per-torrent", 10'000);
    c.start_added_torrents = opt_bool(args, "start-added-torrents");
    c.seed_ratio_limit = opt_number(args, "seedRatioLimit");
    if (c.seed_ratio_limit && (*c.seed_ratio_limit < 0 || *c.seed_ratio_limit > 1e6))
        throw Refused{"'seedRatioLimit' must be between 0 and 1000000"};
    c.seed_ratio_limited = opt_bool(args, "seedRatioLimited");
    c.idle_seeding_limit = opt_uint<std::uint32_t>(args, "idle-seeding-limit", 1'000'000);
    c.idle_seeding_limit_enabled = opt_bool(args, "idle-seeding-limit-enabled");
    c.download_queue_size = opt_uint<std::uint32_t>(args, "download-queue-size", 100'000);
    c.download_queue_enabled = opt_bool(args, "download-queue-enabled");
    c.seed_queue_size = opt_uint<std::uint32_t>(args, "seed-queue-size", 100'000);
    c.seed_queue_enabled = opt_bool(args, "seed-queue-enabled");
    check(control.change_settings(c));
    return json::object();
}

json stats_json(const TransferStats& s) {
    return {{"uploadedBytes", s.uploaded},
            {"downloadedBytes", s.downloaded},
            {"filesAdded", s.files_added},
            {"sessionCount", s.session_count},
            {"secondsActive", s.seconds_active}};
}

json session_stats(Control& control) {
    const auto s = control.stats();
    const auto all = control.torrents(false);
    const auto active = std::count_if(all.begin(), all.end(), [](const auto& t) {
        return t.status == TorrentStatus::downloading || t.status == TorrentStatus::seeding;
    });
    const auto paused =
        std::count_if(all.begin(), all.end(), [](const auto& t) { return t.status == TorrentStatus::stopped; });
    return {{"activeTorrentCount", active},
            {"pausedTorrentCount", paused},
            {"torrentCount", all.size()},
            {"downloadSpeed", s.download_speed},
            {"uploadSpeed", s.upload_speed},
            {"current-stats", stats_json(s.current)},
            {"cumulative-stats", stats_json(s.cumulative)}};
}

json dispatch(Control& control, const std::string& method, const json& args) {
    if (method == "torrent-get") return torrent_get(control, args);
    if (method == "torrent-add") return torrent_add(control, args);
    if (method == "session-get") return session_get(control, args);
    if (method == "session-set") return session_set(control, args);
    if (method == "session-stats") return session_stats(control);
    if (method == "free-space") {
        const auto path = opt_string(args, "path");
        if (!path) throw Refused{"free-space needs 'path'"};
        auto free = control.free_space(*path);
        if (!free) throw Refused{free.error().describe()};
        return {{"path", *path}, {"size-bytes", *free}};
    }
    if (method == "port-test")
        throw Refused{"port-test needs a checking service on the internet, which agora does not contact"};
    static const std::map<std::string, QueueMove, std::less<>> queue_moves = {{"queue-move-top", QueueMove::top},
                                                                                {"queue-move-up", QueueMove::up},
                                                                                {"queue-move-down", QueueMove::down},
                                                                                {"queue-move-bottom", QueueMove::bottom}};
    if (auto q = queue_moves.find(method); q != queue_moves.end()) {
        check(control.move_in_queue(resolve_ids(args, control.torrents(false)), q->second));
        return json::object();
    }
    const std::set<std::string, std::less<>> per_torrent = {"torrent-start", "torrent-start-now", "torrent-stop",
                                                            "torrent-verify", "torrent-remove", "torrent-set",
                                                            "torrent-set-location"};
    if (!per_torrent.contains(method)) throw Refused{"method name not recognized"};
    const auto ids = resolve_ids(args, control.torrents(false));
    if (method == "torrent-start" || method == "torrent-start-now") check(control.start(ids));
    else if (method == "torrent-stop") check(control.stop(ids));
    else if (method == "torrent-verify") check(control.verify(ids));
    else if (method == "torrent-remove") check(control.remove(ids, opt_bool(args, "delete-local-data").value_or(false)));
    else if (method == "torrent-set") return torrent_set(control, args, ids);
    else if (method == "torrent-set-location") {
        const auto location = opt_string(args, "location");
        if (!location || location->empty()) throw Refused{"torrent-set-location needs 'location'"};
        check(control.set_location(ids, *location, opt_bool(args, "move").value_or(false)));
    }
    return json::object();
}

}  // namespace

std::string Transmission::handle(std::string_view body) {
    json reply = json::object();
    json request;
    if (body.size() > rpc_body_bytes_max) {
        reply["result"] = "request too large";
        return reply.dump();
    }
    // Depth is checked while parsing, so a deeply nested body is refused before it is built.
    try {
        request = json::parse(
            body.begin(), body.end(),
            [](int depth, json::parse_event_t, json&) {
                if (depth > rpc_json_depth_max) throw Refused{"JSON nested too deeply"};
                return true;
            },
            false);
    } catch (const Refused& r) {
        reply["result"] = r.why;
        return reply.dump();
    }
    if (request.is_discarded() || !request.is_object()) {
        reply["result"] = "the request is not a JSON object";
        return reply.dump();
    }
    if (auto tag = request.find("tag"); tag != request.end() && tag->is_number_integer()) reply["tag"] = *tag;
    auto method = request.find("method");
    if (method == request.end() || !method->is_string()) {
        reply["result"] = "no method name";
        return reply.dump();
    }
    try {
        reply["arguments"] = dispatch(control_, method->get<std::string>(), args_of(request));
        reply["result"] = "success";
    } catch (const Refused& r) {
        reply["result"] = r.why;
        reply["arguments"] = json::object();
    } catch (const json::exception& e) {
        reply["result"] = std::string("bad arguments: ") + e.what();
        reply["arguments"] = json::object();
    }
    return reply.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace agora::rpc
