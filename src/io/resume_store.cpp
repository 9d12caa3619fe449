#include "io/resume_store.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "io/verify.hpp"
#include "storage/resume.hpp"

namespace agora::io {

namespace {

Bytes record_key(const meta::TorrentInfo& t) {
    return t.has_v1() ? Bytes(t.info_hashes.v1->view()) : Bytes(t.info_hashes.v2->view());
}

std::vector<storage::FileStamp> stamps(const meta::TorrentInfo& t, const std::string& save_dir) {
    std::vector<storage::FileStamp> out;
    for (const auto& f : t.layout.files()) {
        storage::FileStamp s;
        struct stat st {};
        if (f.stored() && ::lstat((save_dir + "/" + f.path).c_str(), &st) == 0) {
            s.size = st.st_size;
            s.mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
        }
        out.push_back(s);
    }
    return out;
}

}  // namespace

std::string default_state_dir() {
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/agora";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/share/agora";
    return ".agora";
}

Result<ResumeStore> ResumeStore::open(const std::string& state_dir) {
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    if (ec) return make_error(Error::Kind::io, state_dir + ": " + ec.message());
    auto db = NodeDb::open(state_dir + "/node.sqlite");
    if (!db) return db.error();
    return ResumeStore(std::move(*db));
}

std::optional<Bitfield> ResumeStore::load(const meta::TorrentInfo& torrent, const std::string& save_dir) {
    auto bytes = db_.load_resume(record_key(torrent));
    if (!bytes || !*bytes) return std::nullopt;
    auto record = storage::decode_resume(**bytes, torrent.layout.piece_count(), torrent.layout.file_count());
    if (!record || record->files != stamps(torrent, save_dir)) return std::nullopt;
    return record->verified;
}

Status ResumeStore::save(const meta::TorrentInfo& torrent, const std::string& save_dir, const Bitfield& verified) {
    storage::ResumeRecord record{verified, stamps(torrent, save_dir)};
    return db_.save_resume(record_key(torrent), storage::encode_resume(record));
}

Bitfield verified_pieces(ResumeStore* store, const meta::TorrentInfo& torrent, const std::string& save_dir,
                         unsigned threads) {
    if (store)
        if (auto have = store->load(torrent, save_dir)) return *have;
    return verify_torrent(torrent, save_dir, threads).have;
}

}  // namespace agora::io
