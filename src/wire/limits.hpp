// Bounds on what a peer may send over the wire (STYLE.md, practice 8). Going over any of them is a
// typed protocol error that the caller turns into a disconnect; no buffer is ever sized by a length
// the peer chose beyond these.
//
// wire::limits also sees every core limit (the using-directive below), so code in agora::wire can
// write limits::piece_count_max and limits::message_bytes_max alike.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/limits.hpp"

namespace agora::wire::limits {

using namespace agora::limits;  // NOLINT(google-build-using-namespace): one limits:: for wire code

// The largest frame (length prefix value, so without the 4 prefix bytes) a MessageReader accepts.
// The largest legitimate messages are a bitfield for piece_count_max pieces (2^21 / 8 = 262,144
// bytes + 1), a piece message (16 KiB + 9) and a ut_metadata data message (16 KiB + a small
// dictionary). 1 MiB leaves room for large extension messages (PEX, extended handshakes) and is the
// size at which libtorrent reports packet_too_large. A reader buffers at most this plus one read.
inline constexpr std::uint32_t message_bytes_max = 1u << 20;

// The largest block a piece message may carry. Clients request 16 KiB blocks (BEP 3 de facto), so a
// bigger block in a piece message was never requested.
inline constexpr std::uint32_t block_bytes_max = 16 * 1024;
static_assert(block_bytes_max == block_size_bytes);

// BEP 9: the info dictionary travels in 16 KiB pieces; only the last one may be shorter.
inline constexpr std::uint32_t metadata_piece_bytes = 16 * 1024;

// The largest info dictionary we fetch over ut_metadata: 30 MiB, libtorrent's max_metadata_size
// default. A larger metadata_size in an extended handshake or a ut_metadata message is an error.
inline constexpr std::int64_t metadata_bytes_max = 30ll << 20;

// So a metadata piece index is below this (1920).
inline constexpr std::uint32_t metadata_piece_count_max =
    static_cast<std::uint32_t>(metadata_bytes_max / metadata_piece_bytes);

// BEP 11 ut_pex. BEP 11 asks senders for at most 50 added and 50 dropped contacts per message
// (IPv4 and IPv6 together) after the first one; libtorrent sends up to 100 added (its
// max_peer_entries, both families together, dropped uncapped) and keeps at most 50 peers per family
// from one connection (max_pex_peers). So a decoder keeps the first 50 of each list per family and
// ignores the rest instead of refusing the message: refusing would disconnect libtorrent peers
// whose first message is a full list. encode_pex asserts the same caps.
inline constexpr std::size_t pex_added_per_family_max = 50;
inline constexpr std::size_t pex_dropped_per_family_max = 50;

// A ut_pex payload over this is an error, as it is in libtorrent (pex_message_too_large). A full
// message at the caps above is under 3 KB; the rest is room for senders that drop more.
inline constexpr std::size_t pex_payload_bytes_max = 500 * 1024;

static_assert(piece_count_max / 8 + 1 <= message_bytes_max, "a full bitfield must fit in a frame");
static_assert(block_bytes_max + 9 <= message_bytes_max, "a piece message must fit in a frame");
static_assert(pex_payload_bytes_max + 2 <= message_bytes_max, "a ut_pex message must fit in a frame");

}  // namespace agora::wire::limits
