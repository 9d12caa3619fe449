#include "io/daemon.hpp"

#include <malloc.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <random>

#include <boost/asio/post.hpp>

#include "core/bencode.hpp"
#include "core/digest.hpp"
#include "core/limits.hpp"
#include "io/dht_state.hpp"
#include "io/resume_store.hpp"
#include "meta/magnet.hpp"
#include "swarm/piece_picker.hpp"

namespace agora::io {

namespace fs = std::filesystem;
namespace asio = boost::asio;

namespace {

// Payload totals over the torrent's life: earlier runs plus the running swarm's.
std::uint64_t downloaded(std::uint64_t before, const std::optional<swarm::TorrentStats>& s) {
    return before + (s ? s->payload_downloaded : 0);
}
std::uint64_t uploaded(std::uint64_t before, const std::optional<swarm::TorrentStats>& s) {
    return before + (s ? s->payload_uploaded : 0);
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string key_of(const InfoHashes& h) {
    if (h.v1) return h.v1->hex();
    return h.v2->hex().substr(0, 40);  // the truncated v2 hash, as BEP 52 clients show it
}

std::string random_token() {
    static constexpr char digits[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::random_device rd;
    std::string s;
    for (int i = 0; i < 48; ++i) s.push_back(digits[rd() % (sizeof(digits) - 1)]);
    return s;
}

Error refused(std::string why) { return make_error(Error::Kind::bad_argument, std::move(why)); }

using Picker = swarm::PiecePicker;

// Transmission's file priority (-1 low, 0 normal, 1 high) from a picker level, and back.
int rpc_priority(std::uint8_t level) { return level == Picker::high ? 1 : level == Picker::low ? -1 : 0; }

// Bytes of the verified pieces.
std::uint64_t verified_bytes(const meta::TorrentInfo& info, const Bitfield& verified) {
    std::uint64_t n = 0;
    for (std::uint32_t p = 0; p < verified.size(); ++p)
        if (verified.get(p)) n += static_cast<std::uint64_t>(info.layout.piece_size(PieceIndex(p)));
    return n;
}

// Bytes of one file that lie in verified pieces.
std::uint64_t file_completed(const meta::TorrentInfo& info, const storage::FileEntry& f, const Bitfield& verified) {
    if (f.size <= 0 || verified.size() == 0) return 0;
    const auto len = info.layout.piece_length();
    std::uint64_t n = 0;
    for (auto p = static_cast<std::uint32_t>(f.offset / len);
         p < verified.size() && static_cast<std::int64_t>(p) * len < f.offset + f.size; ++p) {
        if (!verified.get(p)) continue;
        const auto begin = std::max<std::int64_t>(f.offset, static_cast<std::int64_t>(p) * len);
        const auto end = std::min<std::int64_t>(f.offset + f.size, static_cast<std::int64_t>(p) * len + len);
        n += static_cast<std::uint64_t>(end - begin);
    }
    return n;
}

// Session settings changed over the RPC, kept as a bencode dictionary (ratios in thousandths:
// bencode has no fractions) so that they outlive a restart, as transmission-daemon's do.
void remember(bencode::Node::Dict& d, const rpc::SessionChanges& c) {
    auto put = [&](const char* key, const auto& v) {
        if (v) d[key] = static_cast<std::int64_t>(*v);
    };
    if (c.download_dir) d["download-dir"] = *c.download_dir;
    put("speed-limit-down", c.speed_limit_down);
    put("speed-limit-down-enabled", c.speed_limit_down_enabled);
    put("speed-limit-up", c.speed_limit_up);
    put("speed-limit-up-enabled", c.speed_limit_up_enabled);
    put("peer-limit-global", c.peer_limit_global);
    put("peer-limit-per-torrent", c.peer_limit_per_torrent);
    put("start-added-torrents", c.start_added_torrents);
    if (c.seed_ratio_limit) d["seed-ratio-limit-milli"] = static_cast<std::int64_t>(*c.seed_ratio_limit * 1000 + 0.5);
    put("seed-ratio-limited", c.seed_ratio_limited);
    put("idle-seeding-limit", c.idle_seeding_limit);
    put("idle-seeding-limit-enabled", c.idle_seeding_limit_enabled);
    put("download-queue-size", c.download_queue_size);
    put("download-queue-enabled", c.download_queue_enabled);
    put("seed-queue-size", c.seed_queue_size);
    put("seed-queue-enabled", c.seed_queue_enabled);
}

rpc::SessionChanges recall(const bencode::Value& r) {
    rpc::SessionChanges c;
    if (auto v = r.find_string("download-dir")) c.download_dir = std::string(*v);
    auto get = [&](const char* key, auto& out, std::int64_t max) {
        using T = typename std::remove_reference_t<decltype(out)>::value_type;
        if (auto v = r.find_int(key); v && *v >= 0 && *v <= max) out = static_cast<T>(*v);
    };
    get("speed-limit-down", c.speed_limit_down, 100'000'000);
    get("speed-limit-down-enabled", c.speed_limit_down_enabled, 1);
    get("speed-limit-up", c.speed_limit_up, 100'000'000);
    get("speed-limit-up-enabled", c.speed_limit_up_enabled, 1);
    get("peer-limit-global", c.peer_limit_global, 100'000);
    get("peer-limit-per-torrent", c.peer_limit_per_torrent, 10'000);
    get("start-added-torrents", c.start_added_torrents, 1);
    if (auto v = r.find_int("seed-ratio-limit-milli"); v && *v >= 0 && *v <= 1'000'000'000)
        c.seed_ratio_limit = static_cast<double>(*v) / 1000;
    get("seed-ratio-limited", c.seed_ratio_limited, 1);
    get("idle-seeding-limit", c.idle_seeding_limit, 1'000'000);
    get("idle-seeding-limit-enabled", c.idle_seeding_limit_enabled, 1);
    get("download-queue-size", c.download_queue_size, 100'000);
    get("download-queue-enabled", c.download_queue_enabled, 1);
    get("seed-queue-size", c.seed_queue_size, 100'000);
    get("seed-queue-enabled", c.seed_queue_enabled, 1);
    return c;
}

}  // namespace

Daemon::Daemon(DaemonConfig config, std::unique_ptr<SessionDriver> driver, std::optional<NodeDb> dht_db)
    : config_(std::move(config)), driver_(std::move(driver)), dht_db_(std::move(dht_db)),
      checker_(std::make_unique<asio::thread_pool>(1)) {
    if (config_.allowed_dirs.empty()) config_.allowed_dirs.push_back(config_.download_dir);
    config_.settings.version = "agora 0.1.0";
    config_.settings.download_dir = config_.download_dir;
    config_.settings.config_dir = config_.config_dir;
    config_.settings.peer_port = driver_->listen_port();
}

Daemon::~Daemon() { checker_->join(); }

Status Daemon::start() {
    started_at_ = unix_now();
    std::error_code ec;
    fs::create_directories(config_.data_dir, ec);
    if (ec) return make_error(Error::Kind::io, config_.data_dir + ": " + ec.message());
    auto db = NodeDb::open(config_.data_dir + "/node.sqlite");
    if (!db) return db.error();
    db_.emplace(std::move(*db));
    auto store = ResumeStore::open(config_.data_dir);
    if (!store) return store.error();
    resume_.emplace(std::move(*store));

    if (auto saved = db_->load_state("daemon.stats"); saved && *saved) {
        if (auto doc = bencode::decode(**saved); doc && doc->root().is_dict()) {
            const auto r = doc->root();
            cumulative_before_.downloaded = static_cast<std::uint64_t>(r.find_int("downloaded").value_or(0));
            cumulative_before_.uploaded = static_cast<std::uint64_t>(r.find_int("uploaded").value_or(0));
            cumulative_before_.files_added = static_cast<std::uint64_t>(r.find_int("files_added").value_or(0));
            cumulative_before_.session_count = static_cast<std::uint64_t>(r.find_int("sessions").value_or(0));
            cumulative_before_.seconds_active = static_cast<std::uint64_t>(r.find_int("seconds").value_or(0));
        }
    }

    // Settings changed over the RPC in earlier runs win over the file's.
    if (auto saved = db_->load_state("daemon.session"); saved && *saved)
        if (auto doc = bencode::decode(**saved); doc && doc->root().is_dict())
            if (auto s = apply_settings(recall(doc->root())); !s)
                std::fprintf(stderr, "agora daemon: a setting changed over the RPC no longer applies: %s\n",
                             s.error().describe().c_str());

    driver_->on_piece_verified = [this](TorrentHandle t, PieceIndex p) {
        if (auto* e = entry_for(t)) {
            if (e->verified.size() > p.value) e->verified.set(p.value);
            e->pieces_dirty = true;
            if (e->info && e->done == 0 && wanted_all_verified(*e)) {
                e->done = unix_now();
                persist(*e);
                asio::post(driver_->context(), [this] { schedule(); });  // it moves to the seed queue
            }
        }
    };
    driver_->on_metadata = [this](TorrentHandle t, std::shared_ptr<const meta::TorrentInfo> info) {
        if (auto* e = entry_for(t)) {
            e->info = std::move(info);
            e->metainfo = "d4:info" + e->info->info_bytes + "e";
            e->verified = Bitfield(e->info->layout.piece_count());
            persist(*e);
            // Now the size is known: is there room? (Checked after this action is done.)
            asio::post(driver_->context(), [this, id = e->id] {
                auto* fetched = entry(id);
                if (!fetched) return;
                if (auto room = room_for(*fetched); !room) pause_for_disk(*fetched, room.error().message);
            });
        }
    };
    driver_->on_disk_error = [this](TorrentHandle t, const std::string& error) {
        if (auto* e = entry_for(t)) pause_for_disk(*e, "cannot write: " + error);
    };

    auto saved = db_->load_torrents();
    if (!saved) return saved.error();
    for (auto& [key, record] : *saved)
        if (auto s = restore(key, record); !s)
            std::fprintf(stderr, "agora daemon: skipping saved torrent %s: %s\n", key.c_str(), s.error().describe().c_str());

    for (const auto& [id, e] : entries_) {
        const auto s = live(e);
        downloaded_at_start_ += downloaded(e.downloaded_before, s);
        uploaded_at_start_ += uploaded(e.uploaded_before, s);
    }
    apply_rate_limits();
    schedule();
    server_ = std::make_unique<rpc::Server>(*this, config_.access, random_token());
    http_ = std::make_unique<HttpServer>(driver_->context(),
                                         [this](const rpc::HttpRequest& r) { return server_->handle(r); });
    return http_->listen(config_.rpc_address, config_.rpc_port);
}

void Daemon::run(const std::function<bool()>& stop) {
    driver_->run(stop, [this] { every_second(); });
}

void Daemon::shutdown() {
    if (http_) http_->close();
    for (auto& [id, e] : entries_) {
        if (e.handle) halt(e);
    }
    if (db_) {
        auto totals = stats().cumulative;
        bencode::Node::Dict d;
        d["downloaded"] = static_cast<std::int64_t>(totals.downloaded);
        d["uploaded"] = static_cast<std::int64_t>(totals.uploaded);
        d["files_added"] = static_cast<std::int64_t>(totals.files_added);
        d["sessions"] = static_cast<std::int64_t>(totals.session_count);
        d["seconds"] = static_cast<std::int64_t>(totals.seconds_active);
        (void)db_->save_state("daemon.stats", bencode::encode(bencode::Node(std::move(d))));
    }
    if (dht_db_ && driver_->engine().dht()) (void)save_dht_state(*dht_db_, *driver_->engine().dht());
    driver_->shutdown();
    checker_->join();
}

// ---- records ----

Bytes Daemon::record_of(const Entry& e) const {
    bencode::Node::Dict d;
    if (!e.metainfo.empty()) d["metainfo"] = e.metainfo;
    if (!e.magnet.empty()) d["magnet"] = e.magnet;
    bencode::Node::List trackers, peers;
    for (const auto& url : e.magnet_trackers) trackers.emplace_back(url);
    for (const auto& p : e.magnet_peers) peers.emplace_back(p.ip + " " + std::to_string(p.port));
    d["trackers"] = std::move(trackers);
    d["peers"] = std::move(peers);
    d["dir"] = e.dir;
    d["paused"] = e.paused ? 1 : 0;
    d["added"] = e.added;
    d["done"] = e.done;
    const auto s = live(e);
    d["downloaded"] = static_cast<std::int64_t>(downloaded(e.downloaded_before, s));
    d["uploaded"] = static_cast<std::int64_t>(uploaded(e.uploaded_before, s));
    if (!e.file_priorities.empty())
        d["priorities"] = std::string(e.file_priorities.begin(), e.file_priorities.end());
    d["sequential"] = e.sequential ? 1 : 0;
    d["queue"] = std::int64_t{e.queue_position};
    d["dl_limit"] = static_cast<std::int64_t>(e.download_limit);
    d["dl_limited"] = e.download_limited ? 1 : 0;
    d["ul_limit"] = static_cast<std::int64_t>(e.upload_limit);
    d["ul_limited"] = e.upload_limited ? 1 : 0;
    d["ratio_mode"] = e.ratio_mode;
    d["ratio_limit_milli"] = static_cast<std::int64_t>(e.ratio_limit * 1000 + 0.5);  // bencode has no fractions
    d["idle_mode"] = e.idle_mode;
    d["idle_limit"] = std::int64_t{e.idle_limit};
    d["finished"] = e.finished ? 1 : 0;
    d["secs_dl"] = e.seconds_downloading;
    d["secs_seed"] = e.seconds_seeding;
    return bencode::encode(bencode::Node(std::move(d)));
}

void Daemon::persist(const Entry& e) {
    if (!db_) return;
    if (auto s = db_->save_torrent(e.key, record_of(e)); !s)
        std::fprintf(stderr, "agora daemon: cannot record %s: %s\n", e.key.c_str(), s.error().describe().c_str());
}

void Daemon::forget(const Entry& e) {
    if (db_) (void)db_->erase_torrent(e.key);
}

Status Daemon::restore(std::string key, BytesView record) {
    auto doc = bencode::decode(record);
    if (!doc || !doc->root().is_dict()) return refused("unreadable record");
    const auto r = doc->root();
    Entry e;
    e.key = std::move(key);
    if (auto m = r.find_string("metainfo")) {
        auto info = meta::parse_torrent(*m);
        if (!info) return info.error();
        e.metainfo = std::string(*m);
        e.hashes = info->info_hashes;
        e.info = std::make_shared<const meta::TorrentInfo>(std::move(*info));
    }
    if (auto m = r.find_string("magnet")) {
        auto magnet = meta::parse_magnet(*m);
        if (!magnet) return magnet.error();
        e.magnet = std::string(*m);
        e.magnet_trackers = magnet->trackers;
        for (const auto& p : magnet->peers) e.magnet_peers.push_back(session::Endpoint{p.host, p.port});
        if (!e.info) e.hashes = magnet->info_hashes;
    }
    if (!e.info && e.magnet.empty()) return refused("record has neither metainfo nor magnet");
    // Trackers and peers as last recorded (a magnet's own, and those of duplicates added later).
    if (auto list = r.find_list("trackers"); list.valid()) {
        e.magnet_trackers.clear();
        for (const auto& c : list.children())
            if (c.value.is_string()) e.magnet_trackers.emplace_back(c.value.as_string());
    }
    if (auto list = r.find_list("peers"); list.valid()) {
        e.magnet_peers.clear();
        for (const auto& c : list.children()) {
            const auto& p = c.value;
            if (!p.is_string()) continue;
            const std::string text(p.as_string());
            const auto space = text.rfind(' ');
            if (space == std::string::npos) continue;
            const auto port = std::strtoul(text.c_str() + space + 1, nullptr, 10);
            if (port > 0 && port <= 65535) e.magnet_peers.push_back({text.substr(0, space), static_cast<std::uint16_t>(port)});
        }
    }
    e.dir = std::string(r.find_string("dir").value_or(config_.download_dir));
    e.paused = r.find_int("paused").value_or(0) != 0;
    e.added = r.find_int("added").value_or(unix_now());
    e.done = r.find_int("done").value_or(0);
    e.downloaded_before = static_cast<std::uint64_t>(std::max<std::int64_t>(0, r.find_int("downloaded").value_or(0)));
    e.uploaded_before = static_cast<std::uint64_t>(std::max<std::int64_t>(0, r.find_int("uploaded").value_or(0)));
    if (auto p = r.find_string("priorities"); p && e.info && p->size() == e.info->layout.file_count()) {
        e.file_priorities.assign(p->begin(), p->end());
        for (auto& level : e.file_priorities) level = std::min<std::uint8_t>(level, Picker::high);
    }
    auto count = [&](const char* name, std::int64_t fallback, std::int64_t max) {
        return std::clamp<std::int64_t>(r.find_int(name).value_or(fallback), 0, max);
    };
    e.sequential = count("sequential", 0, 1) != 0;
    e.queue_position = static_cast<std::uint32_t>(count("queue", next_queue_position_, UINT32_MAX));
    e.download_limit = static_cast<std::uint64_t>(count("dl_limit", 0, 100'000'000));
    e.download_limited = count("dl_limited", 0, 1) != 0;
    e.upload_limit = static_cast<std::uint64_t>(count("ul_limit", 0, 100'000'000));
    e.upload_limited = count("ul_limited", 0, 1) != 0;
    e.ratio_mode = static_cast<int>(count("ratio_mode", 0, 2));
    e.ratio_limit = static_cast<double>(count("ratio_limit_milli", 2000, 1'000'000'000)) / 1000;
    e.idle_mode = static_cast<int>(count("idle_mode", 0, 2));
    e.idle_limit = static_cast<std::uint32_t>(count("idle_limit", 30, 1'000'000));
    e.finished = count("finished", 0, 1) != 0;
    e.seconds_downloading = count("secs_dl", 0, INT64_MAX);
    e.seconds_seeding = count("secs_seed", 0, INT64_MAX);
    next_queue_position_ = std::max(next_queue_position_, e.queue_position + 1);
    e.id = next_id_++;
    auto& placed = entries_.emplace(e.id, std::move(e)).first->second;
    if (placed.info) check_data(placed, false);
    return Ok{};
}

// ---- running and stopping ----

void Daemon::run_torrent(Entry& e) {
    if (e.handle || e.checking) return;
    session::AddTorrentOptions options;
    options.trackers = e.magnet_trackers;
    options.peers = e.magnet_peers;
    if (e.info) {
        options.have = e.verified;
        options.piece_priorities = piece_priorities(e);
        options.sequential = e.sequential;
        auto added = driver_->add_torrent(e.info, e.dir, options);
        if (!added) {
            e.error = added.error().describe();
            e.paused = true;
            persist(e);
            return;
        }
        e.handle = *added;
    } else {
        e.handle = driver_->add_magnet(e.hashes, e.dir, options);
    }
    e.error.clear();
    e.last_activity = unix_now();
    apply_torrent_limits(e);
}

// The same torrent added again: its trackers and peers (a magnet's tr= and x.pe) join the
// torrent's, as libtorrent and Transmission do, and a running torrent tries the peers at once.
void Daemon::merge_sources(Entry& e, const Entry& again) {
    std::vector<session::Endpoint> fresh;
    for (const auto& p : again.magnet_peers)
        if (std::find(e.magnet_peers.begin(), e.magnet_peers.end(), p) == e.magnet_peers.end()) fresh.push_back(p);
    bool changed = !fresh.empty();
    e.magnet_peers.insert(e.magnet_peers.end(), fresh.begin(), fresh.end());
    for (const auto& url : again.magnet_trackers)
        if (std::find(e.magnet_trackers.begin(), e.magnet_trackers.end(), url) == e.magnet_trackers.end()) {
            e.magnet_trackers.push_back(url);
            changed = true;
        }
    if (!changed) return;
    persist(e);
    if (e.handle && e.hashes.v1 && !fresh.empty())
        driver_->with_engine([&](session::Engine& engine, TimePoint now) { engine.add_peers(*e.hashes.v1, fresh, now); });
}

// Which torrents run: those not paused, not being checked and not finished, in queue order, as
// long as the download queue (for those still downloading) or the seed queue has room.
void Daemon::schedule() {
    std::vector<Entry*> order;
    order.reserve(entries_.size());
    for (auto& [id, e] : entries_) order.push_back(&e);
    std::stable_sort(order.begin(), order.end(),
                     [](const Entry* a, const Entry* b) { return a->queue_position < b->queue_position; });
    const auto& s = config_.settings;
    std::uint32_t downloading = 0, seeding = 0;
    for (auto* e : order) {
        e->queued = false;
        if (e->paused || e->checking) continue;
        const bool seed = e->info && wanted_all_verified(*e);
        auto& running = seed ? seeding : downloading;
        const bool limited = seed ? s.seed_queue_enabled : s.download_queue_enabled;
        const std::uint32_t room = seed ? s.seed_queue_size : s.download_queue_size;
        if (!limited || running < room) {
            ++running;
            run_torrent(*e);
        } else {
            e->queued = true;
            halt(*e);
        }
    }
}

std::vector<std::uint8_t> Daemon::piece_priorities(const Entry& e) const {
    if (!e.info || e.file_priorities.empty()) return {};
    return e.info->layout.piece_priorities(e.file_priorities);
}

// Every piece of a wanted file is verified (the whole torrent, unless files are skipped).
bool Daemon::wanted_all_verified(const Entry& e) const {
    if (!e.info || e.verified.size() == 0) return false;
    if (e.file_priorities.empty()) return e.verified.all();
    const auto levels = piece_priorities(e);
    for (std::uint32_t p = 0; p < levels.size(); ++p)
        if (levels[p] != Picker::skip && !e.verified.get(p)) return false;
    return true;
}

// Why a seeding torrent should stop now (Transmission's seeding goals), or nothing.
std::optional<std::string> Daemon::goal_reached(const Entry& e, const std::optional<swarm::TorrentStats>& s) const {
    const auto& g = config_.settings;
    std::optional<double> ratio;
    if (e.ratio_mode == 1) ratio = e.ratio_limit;
    else if (e.ratio_mode == 0 && g.seed_ratio_limited) ratio = g.seed_ratio_limit;
    if (ratio) {
        // Against what was downloaded, or the data's size when it was all here from the start.
        std::uint64_t base = downloaded(e.downloaded_before, s);
        if (base == 0)
            for (const auto& f : e.info->layout.files()) base += f.stored() ? static_cast<std::uint64_t>(f.size) : 0;
        if (static_cast<double>(uploaded(e.uploaded_before, s)) >= *ratio * static_cast<double>(base))
            return "seed ratio reached";
    }
    std::optional<std::uint32_t> idle;
    if (e.idle_mode == 1) idle = e.idle_limit;
    else if (e.idle_mode == 0 && g.idle_seeding_limit_enabled) idle = g.idle_seeding_limit;
    if (idle && unix_now() - e.last_activity >= std::int64_t{*idle} * 60) return "idle seeding limit reached";
    return std::nullopt;
}

void Daemon::apply_torrent_limits(const Entry& e) {
    if (!e.handle) return;
    driver_->set_torrent_rate_limits(*e.handle, e.download_limited ? e.download_limit * 1000 : 0,
                                     e.upload_limited ? e.upload_limit * 1000 : 0);
}

void Daemon::halt(Entry& e) {
    if (!e.handle) return;
    const auto s = live(e);
    e.downloaded_before = downloaded(e.downloaded_before, s);
    e.uploaded_before = uploaded(e.uploaded_before, s);
    if (e.info && resume_) (void)resume_->save(*e.info, e.dir, e.verified);
    e.pieces_dirty = false;
    driver_->remove_torrent(*e.handle);
    e.handle.reset();
    persist(e);
}

// Finds which pieces are on disk, off the network thread: from the resume record when it still
// matches the files, else by hashing them (`force` always hashes). Runs the torrent afterwards
// unless it is paused.
void Daemon::check_data(Entry& e, bool force) {
    if (!e.info || e.checking) return;
    e.checking = true;
    ++checks_running_;
    const auto id = e.id;
    auto info = e.info;
    auto dir = e.dir;
    ResumeStore* store = force ? nullptr : &*resume_;
    asio::post(*checker_, [this, id, info, dir, store] {
        Bitfield have = verified_pieces(store, *info, dir, 1);
        asio::post(driver_->context(), [this, id, have = std::move(have)]() mutable {
            // Checking reads and hashes with buffers of its own: once the last check is done,
            // give what they left free back to the system (glibc keeps it otherwise).
            if (--checks_running_ == 0) ::malloc_trim(0);
            auto* checked = entry(id);
            if (!checked) return;
            checked->checking = false;
            checked->verified = std::move(have);
            if (checked->done == 0 && wanted_all_verified(*checked)) checked->done = unix_now();
            if (resume_) (void)resume_->save(*checked->info, checked->dir, checked->verified);
            schedule();
        });
    });
}

Daemon::Entry* Daemon::entry(std::uint32_t id) {
    auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second;
}

Daemon::Entry* Daemon::entry_for(TorrentHandle t) {
    for (auto& [id, e] : entries_)
        if (e.handle == t) return &e;
    return nullptr;
}

std::optional<swarm::TorrentStats> Daemon::live(const Entry& e) const {
    const auto* t = e.handle ? driver_->engine().torrent(*e.handle) : nullptr;
    if (!t) return std::nullopt;
    return t->stats();
}

void Daemon::every_second() {
    ++seconds_;
    bool changed = false;
    const auto now = unix_now();
    for (auto& [id, e] : entries_) {
        if (!e.handle) continue;
        const auto s = live(e);
        if (!s) {
            ++e.seconds_downloading;  // a magnet fetching its metadata
            continue;
        }
        if (s->download_rate > 0 || s->upload_rate > 0) e.last_activity = now;
        if (!s->done) {
            ++e.seconds_downloading;
            continue;
        }
        ++e.seconds_seeding;
        if (auto why = goal_reached(e, s)) {
            e.finished = true;
            e.paused = true;
            halt(e);
            changed = true;
        }
    }
    if (seconds_ % 2 == 0)
        for (auto& [id, e] : entries_) {
            if (!e.disk_paused || !room_for(e)) continue;
            e.disk_paused = false;
            e.paused = false;
            e.error.clear();
            persist(e);
            changed = true;
        }
    if (changed) schedule();
    if (!config_.watch_dir.empty() && seconds_ % 3 == 0) scan_watch_dir();
    if (seconds_ % 5 == 0)
        for (auto& [id, e] : entries_) {
            if (!e.pieces_dirty || !e.info || !resume_) continue;
            (void)resume_->save(*e.info, e.dir, e.verified);
            e.pieces_dirty = false;
        }
    if (seconds_ % 60 == 0) {
        for (auto& [id, e] : entries_) {
            const auto s = live(e);
            if (!s || s->payload_downloaded + s->payload_uploaded == e.recorded_traffic) continue;
            e.recorded_traffic = s->payload_downloaded + s->payload_uploaded;
            persist(e);  // the totals
        }
        if (dht_db_ && driver_->engine().dht()) (void)save_dht_state(*dht_db_, *driver_->engine().dht());
        ::malloc_trim(0);
    }
}

// Adds the .torrent files found in the watched folder. A file still being written may not parse
// yet: it is tried again until it has been left alone for a while, then set aside as refused.
void Daemon::scan_watch_dir() {
    std::error_code ec;
    for (fs::directory_iterator it(config_.watch_dir, ec), end; !ec && it != end; it.increment(ec)) {
        const auto path = it->path();
        if (path.extension() != ".torrent" || !it->is_regular_file(ec)) continue;
        const auto settled = fs::last_write_time(path, ec) < fs::file_time_type::clock::now() - std::chrono::seconds(10);
        std::string bytes;
        if (auto f = std::fopen(path.c_str(), "rb")) {
            char buffer[65536];
            for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0 && bytes.size() <= limits::torrent_file_bytes_max;)
                bytes.append(buffer, n);
            std::fclose(f);
        }
        rpc::AddRequest request;
        request.metainfo = std::move(bytes);
        auto added = add(request);
        if (!added && !settled) continue;
        const auto renamed = path.string() + (added ? ".added" : ".refused");
        fs::rename(path, renamed, ec);
        if (!added)
            std::fprintf(stderr, "agora daemon: %s not added: %s (renamed to %s)\n", path.c_str(),
                         added.error().describe().c_str(), renamed.c_str());
    }
}

void Daemon::apply_rate_limits() {
    const auto& s = config_.settings;
    driver_->set_rate_limits(s.speed_limit_down_enabled ? s.speed_limit_down * 1000 : 0,
                             s.speed_limit_up_enabled ? s.speed_limit_up * 1000 : 0);
}

// A folder the remote may put data in: under one of the allowed folders once `..` and symbolic
// links are resolved.
Result<std::string> Daemon::allowed_dir(const std::string& dir) const {
    if (dir.empty() || dir.front() != '/') return refused("'" + dir + "' is not an absolute path");
    std::error_code ec;
    const auto wanted = fs::weakly_canonical(dir, ec);
    if (ec) return refused("'" + dir + "': " + ec.message());
    for (const auto& allowed : config_.allowed_dirs) {
        const auto root = fs::weakly_canonical(allowed, ec);
        if (ec) continue;
        auto r = root.begin();
        auto w = wanted.begin();
        for (; r != root.end() && w != wanted.end() && *r == *w; ++r, ++w) {}
        if (r == root.end() || (std::next(r) == root.end() && r->empty())) return wanted.string();
    }
    return refused("'" + dir + "' is outside the allowed download folders (downloads.allowed-dirs in the settings)");
}

// Whether the torrent's folder has room for what is not on disk yet: the stored files' sizes less
// the blocks they already have (files are created sparse, so their size says nothing).
Status Daemon::room_for(const Entry& e) const {
    if (!e.info) return Ok{};
    std::uint64_t needed = 0;
    const auto& files = e.info->layout.files();
    for (std::size_t i = 0; i < files.size(); ++i) {
        const auto& f = files[i];
        if (!f.stored() || (!e.file_priorities.empty() && e.file_priorities[i] == Picker::skip)) continue;
        std::uint64_t have = 0;
        struct stat st {};
        if (::stat((fs::path(e.dir) / f.path).c_str(), &st) == 0) have = static_cast<std::uint64_t>(st.st_blocks) * 512;
        needed += static_cast<std::uint64_t>(f.size) - std::min<std::uint64_t>(have, static_cast<std::uint64_t>(f.size));
    }
    fs::path at = e.dir;
    std::error_code ec;
    while (!at.empty() && !fs::exists(at, ec)) at = at.parent_path();
    const auto space = fs::space(at.empty() ? fs::path("/") : at, ec);
    if (ec || space.available >= needed) return Ok{};
    return make_error(Error::Kind::io, "not enough free space in " + e.dir + ": " + std::to_string(needed) +
                                           " more bytes needed, " + std::to_string(space.available) + " free");
}

// Stops the torrent with the reason shown, keeping every verified piece; every_second starts it
// again once there is room.
void Daemon::pause_for_disk(Entry& e, const std::string& why) {
    e.error = why + " (paused; it goes on by itself once there is room)";
    e.disk_paused = true;
    e.paused = true;
    halt(e);
}

// ---- rpc::Control ----

std::vector<rpc::TorrentView> Daemon::torrents(bool details) {
    std::vector<rpc::TorrentView> out;
    out.reserve(entries_.size());
    for (const auto& [id, e] : entries_) {
        rpc::TorrentView v;
        v.id = id;
        v.hash = e.key;
        v.download_dir = e.dir;
        v.added_date = e.added;
        v.done_date = e.done;
        v.error = e.error;
        v.magnet_link = e.magnet.empty() ? "magnet:?xt=urn:btih:" + e.key : e.magnet;
        const auto s = live(e);
        v.downloaded_ever = downloaded(e.downloaded_before, s);
        v.uploaded_ever = uploaded(e.uploaded_before, s);
        if (s) {
            v.rate_download = static_cast<std::uint64_t>(s->download_rate);
            v.rate_upload = static_cast<std::uint64_t>(s->upload_rate);
            v.peers_connected = s->peers;
            v.peers_sending_to_us = s->download_rate > 0 ? std::max<std::uint32_t>(1, s->seeds) : 0;
            v.peers_getting_from_us = s->upload_rate > 0 ? 1 : 0;
            v.corrupt_ever = s->bytes_wasted;
            v.hash_failures = s->hash_failures;
            if (s->download_rate > 0 || s->upload_rate > 0) v.activity_date = unix_now();
        }
        if (e.info) {
            const auto& info = *e.info;
            v.name = info.name;
            v.total_size = static_cast<std::uint64_t>(info.layout.total_size());
            v.have_valid = verified_bytes(info, e.verified);
            if (e.file_priorities.empty()) {
                v.size_when_done = v.total_size;
                v.left_until_done = v.size_when_done - std::min(v.size_when_done, v.have_valid);
            } else {
                const auto& files = info.layout.files();
                for (std::size_t i = 0; i < files.size(); ++i) {
                    if (files[i].pad || e.file_priorities[i] == Picker::skip) continue;
                    const auto size = static_cast<std::uint64_t>(files[i].size);
                    v.size_when_done += size;
                    v.left_until_done += size - std::min(size, file_completed(info, files[i], e.verified));
                }
            }
            v.piece_count = info.layout.piece_count();
            v.piece_size = static_cast<std::uint32_t>(info.layout.piece_length());
            v.is_private = info.is_private;
            v.comment = info.comment;
            v.creator = info.created_by;
            v.date_created = info.creation_date.value_or(0);
            if (details) {
                const auto& files = info.layout.files();
                for (std::size_t i = 0; i < files.size(); ++i) {
                    if (files[i].pad) continue;
                    const auto level = e.file_priorities.empty() ? Picker::normal : e.file_priorities[i];
                    v.files.push_back({files[i].path, static_cast<std::uint64_t>(files[i].size),
                                       file_completed(info, files[i], e.verified), level != Picker::skip, rpc_priority(level)});
                }
            }
            if (details)
                for (const auto& tr : info.trackers) v.trackers.push_back({tr.url, tr.tier});
        } else {
            v.has_metadata = false;
            v.metadata_percent = 0;
            v.name = e.key;
            if (auto m = meta::parse_magnet(e.magnet); m && !m->display_name.empty()) v.name = m->display_name;
        }
        if (details) {
            std::uint32_t tier = 0;
            for (const auto& url : e.magnet_trackers) v.trackers.push_back({url, ++tier});
        }
        const bool seed = e.info && v.left_until_done == 0;
        if (e.checking) v.status = rpc::TorrentStatus::checking;
        else if (e.queued) v.status = seed ? rpc::TorrentStatus::seed_wait : rpc::TorrentStatus::download_wait;
        else if (!e.handle) v.status = rpc::TorrentStatus::stopped;
        else if (seed) v.status = rpc::TorrentStatus::seeding;
        else v.status = rpc::TorrentStatus::downloading;
        v.is_finished = e.finished;
        if (v.left_until_done == 0 && e.info) v.eta = -1;
        else if (v.rate_download > 0) v.eta = static_cast<std::int64_t>(v.left_until_done / v.rate_download);
        else v.eta = -2;
        v.download_limit = e.download_limit;
        v.download_limited = e.download_limited;
        v.upload_limit = e.upload_limit;
        v.upload_limited = e.upload_limited;
        v.seed_ratio_limit = e.ratio_limit;
        v.seed_ratio_mode = e.ratio_mode;
        v.seed_idle_limit = e.idle_limit;
        v.seed_idle_mode = e.idle_mode;
        v.sequential = e.sequential;
        v.queue_position = e.queue_position;
        v.seconds_downloading = e.seconds_downloading;
        v.seconds_seeding = e.seconds_seeding;
        out.push_back(std::move(v));
    }
    return out;
}

Result<rpc::AddResult> Daemon::add(const rpc::AddRequest& request) {
    Entry e;
    if (!request.metainfo.empty()) {
        auto info = meta::parse_torrent(request.metainfo);
        if (!info) return refused("invalid or corrupt torrent file: " + info.error().describe());
        e.metainfo = request.metainfo;
        e.hashes = info->info_hashes;
        e.info = std::make_shared<const meta::TorrentInfo>(std::move(*info));
    } else if (request.uri.rfind("magnet:", 0) == 0) {
        auto magnet = meta::parse_magnet(request.uri);
        if (!magnet) return refused("invalid magnet link: " + magnet.error().describe());
        e.magnet = request.uri;
        e.magnet_trackers = magnet->trackers;
        for (const auto& p : magnet->peers) e.magnet_peers.push_back(session::Endpoint{p.host, p.port});
        e.hashes = magnet->info_hashes;
    } else {
        return refused("'filename' must be a magnet link; send a .torrent file's contents as 'metainfo'");
    }
    e.key = key_of(e.hashes);
    for (auto& [id, other] : entries_)
        if (other.key == e.key) {
            merge_sources(other, e);
            return rpc::AddResult{id, other.info ? other.info->name : other.key, other.key, true};
        }
    auto dir = allowed_dir(request.download_dir.empty() ? config_.settings.download_dir : request.download_dir);
    if (!dir) return dir.error();
    e.dir = *dir;
    if (auto room = room_for(e); !room) return room.error();
    e.paused = request.paused.value_or(!config_.settings.start_added_torrents);
    e.added = unix_now();
    e.id = next_id_++;
    e.queue_position = next_queue_position_++;
    ++files_added_;
    const std::string name = e.info ? e.info->name : e.key;
    auto& placed = entries_.emplace(e.id, std::move(e)).first->second;
    persist(placed);
    if (placed.info) check_data(placed, false);
    else schedule();
    return rpc::AddResult{placed.id, name, placed.key, false};
}

Status Daemon::start(const std::vector<std::uint32_t>& ids) {
    for (auto id : ids)
        if (auto* e = entry(id)) {
            e->paused = false;
            e->disk_paused = false;
            e->error.clear();
            // Started by hand after reaching a goal: the user wants it to seed on, as Transmission
            // does it (the goal that stopped it no longer applies to this torrent).
            if (e->finished && e->info) {
                if (goal_reached(*e, std::nullopt)) e->ratio_mode = 2;
                if (goal_reached(*e, std::nullopt)) e->idle_mode = 2;
                e->finished = false;
            }
            persist(*e);
        }
    schedule();
    return Ok{};
}

Status Daemon::stop(const std::vector<std::uint32_t>& ids) {
    for (auto id : ids)
        if (auto* e = entry(id)) {
            e->paused = true;
            halt(*e);
            persist(*e);
        }
    schedule();  // a queued one may take its place
    return Ok{};
}

Status Daemon::verify(const std::vector<std::uint32_t>& ids) {
    for (auto id : ids)
        if (auto* e = entry(id); e && e->info) {
            halt(*e);
            check_data(*e, true);
        }
    return Ok{};
}

Status Daemon::remove(const std::vector<std::uint32_t>& ids, bool delete_data) {
    for (auto id : ids) {
        auto* e = entry(id);
        if (!e) continue;
        halt(*e);
        forget(*e);
        if (delete_data && e->info) {
            // Off the network thread, after any check already queued there.
            asio::post(*checker_, [info = e->info, dir = e->dir] {
                std::error_code ec;
                for (const auto& f : info->layout.files())
                    if (f.stored()) fs::remove(fs::path(dir) / f.path, ec);
                if (info->multi_file) {
                    // Folders the torrent made, deepest first, if nothing else is in them.
                    std::vector<fs::path> folders;
                    for (const auto& f : info->layout.files())
                        for (auto p = fs::path(f.path).parent_path(); !p.empty(); p = p.parent_path()) folders.push_back(p);
                    std::sort(folders.begin(), folders.end(), [](const auto& a, const auto& b) {
                        return std::distance(a.begin(), a.end()) > std::distance(b.begin(), b.end());
                    });
                    for (const auto& p : folders) fs::remove(fs::path(dir) / p, ec);  // only removes empty ones
                }
            });
        }
        entries_.erase(id);
    }
    schedule();
    return Ok{};
}

Status Daemon::set_location(const std::vector<std::uint32_t>& ids, const std::string& location, bool move) {
    auto dir = allowed_dir(location);
    if (!dir) return dir.error();
    for (auto id : ids) {
        auto* e = entry(id);
        if (!e || e->dir == *dir) continue;
        const bool was_running = e->handle.has_value();
        halt(*e);
        if (move && e->info) {
            std::error_code ec;
            fs::create_directories(*dir, ec);
            const auto top = fs::path(e->info->multi_file ? e->info->name : e->info->layout.files().front().path);
            if (fs::exists(fs::path(e->dir) / top)) fs::rename(fs::path(e->dir) / top, fs::path(*dir) / top, ec);
            if (ec) {
                e->error = "cannot move the data to " + *dir + ": " + ec.message();
                if (was_running) schedule();
                return refused(e->error);
            }
        }
        e->dir = *dir;
        persist(*e);
        if (e->info) check_data(*e, !move);
    }
    schedule();
    return Ok{};
}

Status Daemon::change(const std::vector<std::uint32_t>& ids, const rpc::TorrentChanges& c) {
    // Check everything first, so a change is made whole or not at all.
    for (auto id : ids) {
        const auto* e = entry(id);
        if (!e || !c.any_file_change()) continue;
        if (!e->info) return refused("torrent " + std::to_string(id) + " has no metadata yet: its files are not known");
        std::uint32_t shown = 0;
        for (const auto& f : e->info->layout.files()) shown += f.pad ? 0 : 1;
        for (const auto* list : {&c.files_wanted, &c.files_unwanted, &c.priority_high, &c.priority_normal, &c.priority_low})
            for (auto index : *list)
                if (index >= shown)
                    return refused("file " + std::to_string(index) + " is not in torrent " + std::to_string(id) +
                                   ", which has " + std::to_string(shown) + " files");
    }
    for (auto id : ids) {
        auto* e = entry(id);
        if (!e) continue;
        if (c.download_limit) e->download_limit = *c.download_limit;
        if (c.download_limited) e->download_limited = *c.download_limited;
        if (c.upload_limit) e->upload_limit = *c.upload_limit;
        if (c.upload_limited) e->upload_limited = *c.upload_limited;
        if (c.seed_ratio_limit) e->ratio_limit = *c.seed_ratio_limit;
        if (c.seed_ratio_mode) e->ratio_mode = *c.seed_ratio_mode;
        if (c.seed_idle_limit) e->idle_limit = *c.seed_idle_limit;
        if (c.seed_idle_mode) e->idle_mode = *c.seed_idle_mode;
        if (c.queue_position) {
            // Others keep their order around it.
            const auto wanted = std::min<std::uint32_t>(*c.queue_position, static_cast<std::uint32_t>(entries_.size() - 1));
            for (auto& [oid, o] : entries_) {
                if (&o == e) continue;
                const auto before = o.queue_position;
                if (o.queue_position > e->queue_position) --o.queue_position;
                if (o.queue_position >= wanted) ++o.queue_position;
                if (o.queue_position != before) persist(o);
            }
            e->queue_position = wanted;
        }
        if (c.any_file_change()) {
            // RPC file indices skip pad files; ours are the layout's.
            std::vector<std::uint32_t> layout_index;
            const auto& files = e->info->layout.files();
            for (std::uint32_t i = 0; i < files.size(); ++i)
                if (!files[i].pad) layout_index.push_back(i);
            if (e->file_priorities.empty()) e->file_priorities.assign(files.size(), Picker::normal);
            auto& levels = e->file_priorities;
            // Skipping keeps the priority for when the file is wanted again: skipped files are
            // remembered as skip, wanted ones at normal unless a priority is given.
            for (auto i : c.files_unwanted) levels[layout_index[i]] = Picker::skip;
            for (auto i : c.files_wanted)
                if (levels[layout_index[i]] == Picker::skip) levels[layout_index[i]] = Picker::normal;
            auto set = [&](const std::vector<std::uint32_t>& list, std::uint8_t level) {
                for (auto i : list)
                    if (levels[layout_index[i]] != Picker::skip) levels[layout_index[i]] = level;
            };
            set(c.priority_high, Picker::high);
            set(c.priority_normal, Picker::normal);
            set(c.priority_low, Picker::low);
            if (std::all_of(levels.begin(), levels.end(), [](std::uint8_t l) { return l == Picker::normal; })) levels.clear();
            if (e->done != 0 && !wanted_all_verified(*e)) e->done = 0;  // more to download now
        }
        if (c.sequential) e->sequential = *c.sequential;
        if (e->handle && (c.any_file_change() || c.sequential))
            driver_->with_engine([&](session::Engine& engine, TimePoint now) {
                engine.set_priorities(*e->handle, piece_priorities(*e), now);
                engine.set_sequential(*e->handle, e->sequential, now);
            });
        apply_torrent_limits(*e);
        persist(*e);
    }
    if (c.queue_position || c.any_file_change() || c.seed_ratio_mode || c.seed_idle_mode) schedule();
    return Ok{};
}

Status Daemon::move_in_queue(const std::vector<std::uint32_t>& ids, rpc::QueueMove move) {
    std::vector<Entry*> order;
    for (auto& [id, e] : entries_) order.push_back(&e);
    std::stable_sort(order.begin(), order.end(),
                     [](const Entry* a, const Entry* b) { return a->queue_position < b->queue_position; });
    auto chosen = [&](const Entry* e) { return std::find(ids.begin(), ids.end(), e->id) != ids.end(); };
    switch (move) {
    case rpc::QueueMove::top: std::stable_partition(order.begin(), order.end(), chosen); break;
    case rpc::QueueMove::bottom:
        std::stable_partition(order.begin(), order.end(), [&](const Entry* e) { return !chosen(e); });
        break;
    case rpc::QueueMove::up:
        for (std::size_t i = 1; i < order.size(); ++i)
            if (chosen(order[i]) && !chosen(order[i - 1])) std::swap(order[i], order[i - 1]);
        break;
    case rpc::QueueMove::down:
        for (std::size_t i = order.size() - 1; i-- > 0;)
            if (chosen(order[i]) && !chosen(order[i + 1])) std::swap(order[i], order[i + 1]);
        break;
    }
    for (std::uint32_t i = 0; i < order.size(); ++i) {
        if (order[i]->queue_position == i) continue;
        order[i]->queue_position = i;
        persist(*order[i]);
    }
    next_queue_position_ = static_cast<std::uint32_t>(order.size());
    schedule();
    return Ok{};
}

rpc::SessionSettings Daemon::settings() {
    auto s = config_.settings;
    s.peer_port = driver_->listen_port();
    return s;
}

Status Daemon::change_settings(const rpc::SessionChanges& c) {
    if (auto s = apply_settings(c); !s) return s;
    if (!db_) return Ok{};
    bencode::Node::Dict d;
    if (auto saved = db_->load_state("daemon.session"); saved && *saved)
        if (auto doc = bencode::decode(**saved); doc && doc->root().is_dict())
            remember(d, recall(doc->root()));  // keys changed before stay, unless changed again now
    remember(d, c);
    return db_->save_state("daemon.session", bencode::encode(bencode::Node(std::move(d))));
}

Status Daemon::apply_settings(const rpc::SessionChanges& c) {
    auto& s = config_.settings;
    if (c.download_dir) {
        auto dir = allowed_dir(*c.download_dir);
        if (!dir) return dir.error();
        s.download_dir = *dir;
    }
    if (c.speed_limit_down) s.speed_limit_down = *c.speed_limit_down;
    if (c.speed_limit_down_enabled) s.speed_limit_down_enabled = *c.speed_limit_down_enabled;
    if (c.speed_limit_up) s.speed_limit_up = *c.speed_limit_up;
    if (c.speed_limit_up_enabled) s.speed_limit_up_enabled = *c.speed_limit_up_enabled;
    if (c.start_added_torrents) s.start_added_torrents = *c.start_added_torrents;
    if (c.seed_ratio_limit) s.seed_ratio_limit = *c.seed_ratio_limit;
    if (c.seed_ratio_limited) s.seed_ratio_limited = *c.seed_ratio_limited;
    if (c.idle_seeding_limit) s.idle_seeding_limit = *c.idle_seeding_limit;
    if (c.idle_seeding_limit_enabled) s.idle_seeding_limit_enabled = *c.idle_seeding_limit_enabled;
    if (c.peer_limit_global) s.peer_limit_global = *c.peer_limit_global;
    if (c.peer_limit_per_torrent) s.peer_limit_per_torrent = *c.peer_limit_per_torrent;
    if (c.download_queue_size) s.download_queue_size = *c.download_queue_size;
    if (c.download_queue_enabled) s.download_queue_enabled = *c.download_queue_enabled;
    if (c.seed_queue_size) s.seed_queue_size = *c.seed_queue_size;
    if (c.seed_queue_enabled) s.seed_queue_enabled = *c.seed_queue_enabled;
    apply_rate_limits();
    schedule();
    return Ok{};
}

rpc::SessionStats Daemon::stats() {
    rpc::SessionStats s;
    std::uint64_t down = 0, up = 0;
    for (const auto& [id, e] : entries_) {
        const auto l = live(e);
        down += downloaded(e.downloaded_before, l);
        up += uploaded(e.uploaded_before, l);
        if (l) {
            s.download_speed += static_cast<std::uint64_t>(l->download_rate);
            s.upload_speed += static_cast<std::uint64_t>(l->upload_rate);
        }
    }
    // Torrents removed during this run take their share with them, hence the clamp.
    s.current.downloaded = down - std::min(down, downloaded_at_start_);
    s.current.uploaded = up - std::min(up, uploaded_at_start_);
    s.current.files_added = files_added_;
    s.current.session_count = 1;
    s.current.seconds_active = static_cast<std::uint64_t>(unix_now() - started_at_);
    s.cumulative = cumulative_before_;
    s.cumulative.downloaded += s.current.downloaded;
    s.cumulative.uploaded += s.current.uploaded;
    s.cumulative.files_added += files_added_;
    s.cumulative.session_count += 1;
    s.cumulative.seconds_active += s.current.seconds_active;
    return s;
}

rpc::NodeMetrics Daemon::node_metrics() {
    rpc::NodeMetrics m;
    m.disk_jobs = driver_->disk_jobs();
    driver_->with_engine([&](session::Engine& engine, TimePoint now) {
        if (!engine.dht()) return;
        const auto s = engine.dht()->status(now);
        m.dht_nodes = s.nodes4 + s.nodes6;
        m.dht_datagrams_in = s.datagrams_in;
        m.dht_datagrams_out = s.datagrams_out;
    });
    return m;
}

Result<std::uint64_t> Daemon::free_space(const std::string& path) {
    std::error_code ec;
    const auto info = fs::space(path, ec);
    if (ec) return make_error(Error::Kind::io, path + ": " + ec.message());
    return static_cast<std::uint64_t>(info.available);
}

}  // namespace agora::io
