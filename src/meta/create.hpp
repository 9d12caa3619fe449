// Torrent creation, the part without I/O: choosing the piece length, ordering files and placing
// pad files (plan_creation), and writing the .torrent once io/ has hashed the data
// (build_torrent). The same files and options always give the same info dictionary, hence the
// same info-hashes: files are sorted by path and nothing time-dependent goes into `info`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/digest.hpp"
#include "core/result.hpp"
#include "storage/layout.hpp"

namespace agora::meta {

enum class TorrentVersion : std::uint8_t { hybrid, v1_only, v2_only };

struct CreateOptions {
    std::vector<std::string> trackers;    // each its own tier, in order
    std::vector<std::string> web_seeds;   // BEP 19 url-list
    std::int64_t piece_length = 0;        // 0: chosen from the total size
    bool is_private = false;
    std::string comment;
    std::string created_by = "agora/0.1.0";
    std::optional<std::int64_t> creation_date;  // seconds since 1970; outside `info`
    TorrentVersion version = TorrentVersion::hybrid;
};

struct InputFile {
    std::vector<std::string> path;  // below the torrent's name; empty for a single-file torrent
    std::int64_t size = 0;
    bool executable = false;
    std::string source;             // where io/ reads it from
};

struct CreatePlan {
    std::string name;
    bool multi_file = false;
    TorrentVersion version = TorrentVersion::hybrid;
    storage::Layout layout;                     // paths are the torrent's; pad files for hybrid
    std::vector<std::vector<std::string>> file_paths;  // per layout file: elements below the name
    std::vector<std::string> sources;           // per layout file; empty for pad files
};

// The piece length libtorrent picks for a total size (so a torrent made by either has the same
// shape): 16 KiB doubling up to 8 MiB as the size crosses fixed thresholds.
std::int64_t auto_piece_length(std::int64_t total_size);

Result<CreatePlan> plan_creation(std::string name, std::vector<InputFile> files, const CreateOptions& options);

// What io/ computes while reading the data once.
struct CreateHashes {
    Bytes v1_pieces;                                  // 20 bytes per piece (v1 and hybrid)
    std::vector<std::vector<Sha256>> v2_piece_hashes;  // per layout file, one per piece of the file
};

// A file's pieces root from its piece-layer hashes (BEP 52; for a file of one piece the piece
// hash already is the root).
Sha256 file_root(const std::vector<Sha256>& piece_hashes, std::int64_t piece_length);

// The bencoded .torrent.
Bytes build_torrent(const CreatePlan& plan, const CreateHashes& hashes, const CreateOptions& options);

}  // namespace agora::meta
