// Loading a .torrent from disk: read with a size cap, parse, and name the file in any error.
#pragma once

#include <string>

#include "core/result.hpp"
#include "meta/torrent_info.hpp"

namespace agora::io {

Result<meta::TorrentInfo> load_torrent_file(const std::string& path);

}  // namespace agora::io
