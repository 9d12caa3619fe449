// Checks a torrent's data on disk piece by piece on the worker pool.
#pragma once

#include <atomic>
#include <string>

#include "core/bitfield.hpp"
#include "meta/torrent_info.hpp"

namespace agora::io {

struct VerifyProgress {
    std::atomic<std::uint64_t> bytes_done{0};
    std::atomic<std::uint32_t> pieces_done{0};
};

struct VerifyResult {
    Bitfield have;                    // pieces whose data matched every hash the torrent has
    std::uint32_t unreadable = 0;     // pieces touching a missing or short file
    std::uint32_t unverifiable = 0;   // v2 pieces with no hash to check against (no piece layer)
};

// `save_dir` is the folder that holds the torrent's content under its name.
VerifyResult verify_torrent(const meta::TorrentInfo& torrent, const std::string& save_dir, unsigned threads,
                            VerifyProgress* progress = nullptr);

}  // namespace agora::io
