// A parsed .torrent (BEP 3 v1, BEP 52 v2, or both: hybrid) with everything a client needs to
// fetch and verify it. Built only by parse_torrent() / parse_info_dict(), which check every field
// against limits.hpp; a TorrentInfo that exists is internally consistent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "storage/layout.hpp"

namespace agora::meta {

struct Tracker {
    std::string url;
    std::uint32_t tier = 0;  // BEP 12: lower tiers are tried first
    bool operator==(const Tracker&) const = default;
};

struct DhtNode {
    std::string host;
    std::uint16_t port = 0;
};

struct TorrentInfo {
    std::string name;               // safe: one path element
    bool multi_file = false;        // the name is a folder holding the files
    InfoHashes info_hashes;
    storage::Layout layout;         // file paths start with `name`
    Bytes info_bytes;               // the exact bencoded info dictionary

    Bytes v1_piece_hashes;          // 20 bytes per piece; empty for v2-only torrents
    // BEP 52 piece layers by file index; empty for files of one piece (the root is the hash) and
    // for files whose layer the .torrent did not carry (fetched from peers later).
    std::vector<std::vector<Sha256>> piece_layers;

    std::vector<Tracker> trackers;          // announce-list (BEP 12) or announce
    std::vector<std::string> web_seeds;     // url-list (BEP 19)
    std::vector<std::string> http_seeds;    // httpseeds (BEP 17)
    std::vector<DhtNode> nodes;             // BEP 5 `nodes`
    bool is_private = false;                // BEP 27
    std::string comment;
    std::string created_by;
    std::optional<std::int64_t> creation_date;

    bool has_v1() const { return info_hashes.v1.has_value(); }
    bool has_v2() const { return info_hashes.v2.has_value(); }
    Sha1 v1_piece_hash(PieceIndex p) const;
};

// Parses a whole .torrent file.
Result<TorrentInfo> parse_torrent(BytesView file_bytes);

// Parses a bare info dictionary (as received from peers with BEP 9). No trackers, no piece layers.
Result<TorrentInfo> parse_info_dict(BytesView info_bytes);

}  // namespace agora::meta
