#include "io/torrent_file.hpp"

#include "core/limits.hpp"
#include "io/file_access.hpp"

namespace agora::io {

Result<meta::TorrentInfo> load_torrent_file(const std::string& path) {
    auto bytes = read_small_file(path, limits::torrent_file_bytes_max);
    if (!bytes) return bytes.error();
    auto t = meta::parse_torrent(*bytes);
    if (!t) {
        Error e = t.error();
        e.message = path + ": " + e.message;
        return e;
    }
    return t;
}

}  // namespace agora::io
