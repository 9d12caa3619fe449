// libFuzzer target for meta/torrent_info: any bytes as a .torrent. Accepted torrents must be
// internally consistent: safe unique paths, a layout that adds up, and an info dictionary that
// parses alone to the same info-hashes.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "core/assert.hpp"
#include "meta/torrent_info.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace agora;
    auto t = meta::parse_torrent(BytesView(reinterpret_cast<const char*>(data), size));
    if (!t) {
        AGORA_ASSERT(!t.error().message.empty());
        return 0;
    }
    const auto& layout = t->layout;
    AGORA_ASSERT(layout.total_size() > 0 && layout.piece_count() > 0);
    AGORA_ASSERT(t->has_v1() || t->has_v2());
    std::set<std::string> paths;
    std::int64_t offset = 0;
    for (const auto& f : layout.files()) {
        AGORA_ASSERT(f.offset == offset);
        offset += f.size;
        if (f.pad) continue;
        AGORA_ASSERT(!f.path.empty() && f.path.front() != '/');
        AGORA_ASSERT(f.path.find("/../") == std::string::npos && !f.path.starts_with("../"));
        AGORA_ASSERT(f.path.find('\0') == std::string::npos);
        AGORA_ASSERT(paths.insert(f.path).second);
    }
    if (t->has_v1()) AGORA_ASSERT(t->v1_piece_hashes.size() == std::size_t{layout.piece_count()} * 20);
    auto alone = meta::parse_info_dict(t->info_bytes);
    AGORA_ASSERT(alone.ok());
    AGORA_ASSERT(alone->info_hashes == t->info_hashes);
    return 0;
}
