// What simulated torrents contain, and how a simulated disk checks a piece without hashing it.
//
// A simulated torrent's bytes are a pure function of (content id, offset): every 16 KiB block
// starts with a 20-byte token — the magic "agorasim", the content id, and the block's absolute
// index — and the rest of the block is zeros. The torrent's .torrent is built from the real SHA-1
// piece hashes of exactly these bytes, so it is an ordinary torrent that real files could match.
//
// Why checking the token is faithful to checking the hash: the engine treats payload as opaque
// bytes and copies them; a piece passes its SHA-1 check exactly when its bytes equal the original
// (barring a SHA-1 collision, which nobody in a simulation can make). The simulated disk compares
// every block with the original as it is stored (matches()) and keeps one bit for it, and a piece
// passes when all its blocks matched: it decides what the hash would decide, without keeping the
// bytes until the piece is whole and without hashing 100 MiB per node. A node that lies (a
// scenario's corrupting peer) serves blocks whose token says "agorabad": any piece holding one
// fails, just as a piece with one wrong byte fails its hash; where the bad block came from stays
// readable for the invariant checker, and the disk keeps the real SHA-1 of each such block for
// the engine's smart ban.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "meta/torrent_info.hpp"

namespace agora::sim {

inline constexpr std::size_t token_bytes = 20;

// Bytes [offset, offset + length) of content `content`, honest or marked bad.
Bytes content_bytes(std::uint32_t content, std::int64_t offset, std::uint32_t length, bool honest = true);
// Writes the same into `out` (resized), for a caller that reuses a buffer.
void fill_content(Bytes& out, std::uint32_t content, std::int64_t offset, std::uint32_t length, bool honest = true);
// Writes the same into `length` bytes at `zeros`, which must be zero already: only the tokens are
// written (a block is mostly zeros, and a fresh buffer comes zero-filled).
void write_content_over_zeros(char* zeros, std::uint32_t content, std::int64_t offset, std::uint32_t length,
                              bool honest = true);

// Whether `data` equals bytes [offset, offset + data.size()) of the honest content.
bool matches(std::uint32_t content, std::int64_t offset, BytesView data);

// A v1 torrent of one file of `size` bytes of content `content` (piece length 0: libtorrent's
// choice for the size). Hashes the content once.
Result<std::shared_ptr<const meta::TorrentInfo>> make_torrent(std::uint32_t content, std::string name,
                                                               std::int64_t size, std::int64_t piece_length,
                                                               std::vector<std::string> trackers);

}  // namespace agora::sim
