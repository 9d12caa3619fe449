// Strong index types (libtorrent's piece_index_t idea): a piece index cannot be passed where a
// file index is expected, and neither converts silently from an integer.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace agora {

template <typename Tag>
struct StrongIndex {
    std::uint32_t value = 0;
    constexpr StrongIndex() = default;
    constexpr explicit StrongIndex(std::uint32_t v) : value(v) {}
    constexpr auto operator<=>(const StrongIndex&) const = default;
    constexpr StrongIndex& operator++() { ++value; return *this; }
};

using PieceIndex = StrongIndex<struct PieceIndexTag>;
using FileIndex = StrongIndex<struct FileIndexTag>;
using PeerHandle = StrongIndex<struct PeerHandleTag>;        // one peer connection in a session
using TorrentHandle = StrongIndex<struct TorrentHandleTag>;  // one torrent in a session

}  // namespace agora

template <typename Tag>
struct std::hash<agora::StrongIndex<Tag>> {
    std::size_t operator()(agora::StrongIndex<Tag> i) const noexcept { return i.value; }
};
