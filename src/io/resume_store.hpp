// Resume across restarts: which pieces of a torrent were verified, kept in the node database with
// the size and modification time of each file at that moment. On start a record whose files are
// unchanged is trusted; otherwise the data is checked again, so a file changed behind our back
// (or written after the last record, as after a kill -9) is never taken on faith.
#pragma once

#include <optional>
#include <string>

#include "core/bitfield.hpp"
#include "io/resume_db.hpp"
#include "meta/torrent_info.hpp"

namespace agora::io {

// The default place for the node database: $XDG_DATA_HOME/agora, else ~/.local/share/agora.
std::string default_state_dir();

class ResumeStore {
public:
    static Result<ResumeStore> open(const std::string& state_dir);

    // The verified pieces, if a record exists and every file still has the recorded size and time.
    std::optional<Bitfield> load(const meta::TorrentInfo& torrent, const std::string& save_dir);
    Status save(const meta::TorrentInfo& torrent, const std::string& save_dir, const Bitfield& verified);

private:
    explicit ResumeStore(NodeDb db) : db_(std::move(db)) {}
    NodeDb db_;
};

// Pieces verified on disk: from a valid resume record, else by checking the data.
Bitfield verified_pieces(ResumeStore* store, const meta::TorrentInfo& torrent, const std::string& save_dir,
                         unsigned threads);

}  // namespace agora::io
