#include "io/daemon.hpp"

#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <random>

#include <boost/asio/post.hpp>

#include "core/bencode.hpp"
#include "core/digest.hpp"
#include "io/dht_state.hpp"
#include "io/resume_store.hpp"
#include "meta/magnet.hpp"

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

    driver_->on_piece_verified = [this](TorrentHandle t, PieceIndex p) {
        if (auto* e = entry_for(t)) {
            if (e->verified.size() > p.value) e->verified.set(p.value);
            e->pieces_dirty = true;
            if (e->info && e->verified.all() && e->done == 0) {
                e->done = unix_now();
                persist(*e);
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
    d["dir"] = e.dir;
    d["paused"] = e.paused ? 1 : 0;
    d["added"] = e.added;
    d["done"] = e.done;
    const auto s = live(e);
    d["downloaded"] = static_cast<std::int64_t>(downloaded(e.downloaded_before, s));
    d["uploaded"] = static_cast<std::int64_t>(uploaded(e.uploaded_before, s));
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
    e.dir = std::string(r.find_string("dir").value_or(config_.download_dir));
    e.paused = r.find_int("paused").value_or(0) != 0;
    e.added = r.find_int("added").value_or(unix_now());
    e.done = r.find_int("done").value_or(0);
    e.downloaded_before = static_cast<std::uint64_t>(std::max<std::int64_t>(0, r.find_int("downloaded").value_or(0)));
    e.uploaded_before = static_cast<std::uint64_t>(std::max<std::int64_t>(0, r.find_int("uploaded").value_or(0)));
    e.id = next_id_++;
    auto& placed = entries_.emplace(e.id, std::move(e)).first->second;
    if (placed.info) check_data(placed, false);
    else if (!placed.paused) run_torrent(placed);
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
    const auto id = e.id;
    auto info = e.info;
    auto dir = e.dir;
    ResumeStore* store = force ? nullptr : &*resume_;
    asio::post(*checker_, [this, id, info, dir, store] {
        Bitfield have = verified_pieces(store, *info, dir, 1);
        asio::post(driver_->context(), [this, id, have = std::move(have)]() mutable {
            auto* checked = entry(id);
            if (!checked) return;
            checked->checking = false;
            checked->verified = std::move(have);
            if (checked->verified.all() && checked->done == 0) checked->done = unix_now();
            if (resume_) (void)resume_->save(*checked->info, checked->dir, checked->verified);
            if (!checked->paused) run_torrent(*checked);
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
    if (seconds_ % 2 == 0)
        for (auto& [id, e] : entries_) {
            if (!e.disk_paused || !room_for(e)) continue;
            e.disk_paused = false;
            e.paused = false;
            e.error.clear();
            persist(e);
            run_torrent(e);
        }
    if (seconds_ % 5 == 0)
        for (auto& [id, e] : entries_) {
            if (!e.pieces_dirty || !e.info || !resume_) continue;
            (void)resume_->save(*e.info, e.dir, e.verified);
            e.pieces_dirty = false;
        }
    if (seconds_ % 60 == 0) {
        for (auto& [id, e] : entries_)
            if (e.handle) persist(e);  // the totals
        if (dht_db_ && driver_->engine().dht()) (void)save_dht_state(*dht_db_, *driver_->engine().dht());
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
    for (const auto& f : e.info->layout.files()) {
        if (!f.stored()) continue;
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
            v.size_when_done = v.total_size;
            v.have_valid = verified_bytes(info, e.verified);
            v.left_until_done = v.size_when_done - std::min(v.size_when_done, v.have_valid);
            v.piece_count = info.layout.piece_count();
            v.piece_size = static_cast<std::uint32_t>(info.layout.piece_length());
            v.is_private = info.is_private;
            v.comment = info.comment;
            v.creator = info.created_by;
            v.date_created = info.creation_date.value_or(0);
            if (details)
                for (const auto& f : info.layout.files())
                    if (!f.pad) v.files.push_back({f.path, static_cast<std::uint64_t>(f.size), file_completed(info, f, e.verified), true, 0});
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
        if (e.checking) v.status = rpc::TorrentStatus::checking;
        else if (!e.handle) v.status = rpc::TorrentStatus::stopped;
        else if (s && s->complete) v.status = rpc::TorrentStatus::seeding;
        else v.status = rpc::TorrentStatus::downloading;
        if (v.left_until_done == 0 && e.info) v.eta = -1;
        else if (v.rate_download > 0) v.eta = static_cast<std::int64_t>(v.left_until_done / v.rate_download);
        else v.eta = -2;
        v.download_limit = e.limits.download_limit.value_or(0);
        v.download_limited = e.limits.download_limited.value_or(false);
        v.upload_limit = e.limits.upload_limit.value_or(0);
        v.upload_limited = e.limits.upload_limited.value_or(false);
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
    for (const auto& [id, other] : entries_)
        if (other.key == e.key) return rpc::AddResult{id, other.info ? other.info->name : other.key, other.key, true};
    auto dir = allowed_dir(request.download_dir.empty() ? config_.settings.download_dir : request.download_dir);
    if (!dir) return dir.error();
    e.dir = *dir;
    if (auto room = room_for(e); !room) return room.error();
    e.paused = request.paused.value_or(!config_.settings.start_added_torrents);
    e.added = unix_now();
    e.id = next_id_++;
    ++files_added_;
    const std::string name = e.info ? e.info->name : e.key;
    auto& placed = entries_.emplace(e.id, std::move(e)).first->second;
    persist(placed);
    if (placed.info) check_data(placed, false);
    else if (!placed.paused) run_torrent(placed);
    return rpc::AddResult{placed.id, name, placed.key, false};
}

Status Daemon::start(const std::vector<std::uint32_t>& ids) {
    for (auto id : ids)
        if (auto* e = entry(id)) {
            e->paused = false;
            e->disk_paused = false;
            e->error.clear();
            persist(*e);
            run_torrent(*e);
        }
    return Ok{};
}

Status Daemon::stop(const std::vector<std::uint32_t>& ids) {
    for (auto id : ids)
        if (auto* e = entry(id)) {
            e->paused = true;
            halt(*e);
            persist(*e);
        }
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
                if (was_running) run_torrent(*e);
                return refused(e->error);
            }
        }
        e->dir = *dir;
        persist(*e);
        if (e->info) check_data(*e, !move);
        else if (!e->paused) run_torrent(*e);
    }
    return Ok{};
}

Status Daemon::change(const std::vector<std::uint32_t>& ids, const rpc::TorrentChanges& c) {
    if (!c.files_wanted.empty() || !c.files_unwanted.empty() || !c.priority_high.empty() || !c.priority_low.empty())
        return refused("choosing files and file priorities is not supported yet: every file is downloaded");
    if (c.download_limited.value_or(false) || c.upload_limited.value_or(false))
        return refused("per-torrent speed limits are not supported yet; use the session's (transmission-remote -d/-u without -t)");
    for (auto id : ids)
        if (auto* e = entry(id)) {
            if (c.download_limit) e->limits.download_limit = c.download_limit;
            if (c.upload_limit) e->limits.upload_limit = c.upload_limit;
        }
    return Ok{};
}

rpc::SessionSettings Daemon::settings() {
    auto s = config_.settings;
    s.peer_port = driver_->listen_port();
    return s;
}

Status Daemon::change_settings(const rpc::SessionChanges& c) {
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
    if (c.peer_limit_global) s.peer_limit_global = *c.peer_limit_global;
    if (c.peer_limit_per_torrent) s.peer_limit_per_torrent = *c.peer_limit_per_torrent;
    if (c.download_queue_size) s.download_queue_size = *c.download_queue_size;
    if (c.download_queue_enabled) s.download_queue_enabled = *c.download_queue_enabled;
    if (c.seed_queue_size) s.seed_queue_size = *c.seed_queue_size;
    if (c.seed_queue_enabled) s.seed_queue_enabled = *c.seed_queue_enabled;
    apply_rate_limits();
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
