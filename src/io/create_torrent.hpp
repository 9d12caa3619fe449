// Creating a .torrent from a file or folder: scan, plan (meta/create), hash every piece on the
// worker pool reading each byte once for both v1 and v2, then write the metainfo.
#pragma once

#include <atomic>
#include <string>

#include "core/result.hpp"
#include "meta/create.hpp"

namespace agora::io {

struct CreateProgress {
    std::atomic<std::uint64_t> bytes_done{0};
    std::atomic<std::uint64_t> bytes_total{0};  // set once the scan is done
};

// Lists what a torrent of `path` would hold: one file, or every regular file under a folder
// (symlinks and special files are skipped, hidden files included).
Result<std::vector<meta::InputFile>> scan_input(const std::string& path);

Result<Bytes> create_torrent(const std::string& path, const meta::CreateOptions& options, unsigned threads,
                             CreateProgress* progress = nullptr);

}  // namespace agora::io
