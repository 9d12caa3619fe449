// BEP 14 Local Service Discovery, sans I/O: the BT-SEARCH announce a client multicasts on its LAN
// to say "I am in these swarms, connect to me on this port", and its parser. io/ owns the
// multicast sockets, the 5-minute announce rhythm and the cookie's randomness; the peer's address
// is the datagram's source address, which only io/ knows.
//
// The message is HTTP-like text (what libtorrent sends, byte for byte):
//   BT-SEARCH * HTTP/1.1\r\n
//   Host: 239.192.152.143:6771\r\n
//   Port: 6881\r\n
//   Infohash: <40 hex digits>\r\n      (one line per torrent)
//   cookie: <opaque>\r\n               (optional; lets a client ignore its own announces)
//   \r\n
//   \r\n
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/digest.hpp"
#include "core/result.hpp"
#include "tracker/limits.hpp"

namespace agora::tracker {

// The multicast groups and port of BEP 14: A) IPv4 org-local, B) IPv6 site-local.
inline constexpr std::string_view lsd_group_v4 = "239.192.152.143";
inline constexpr std::string_view lsd_group_v6 = "ff15::efc0:988f";
inline constexpr std::uint16_t lsd_port = 6771;
// The Host header values that go with them.
inline constexpr std::string_view lsd_host_v4 = "239.192.152.143:6771";
inline constexpr std::string_view lsd_host_v6 = "[ff15::efc0:988f]:6771";

namespace limits {

// BEP 14: an announce with several infohashes "should not exceed 1400 bytes" (MTU). We send no
// more and accept no more; a longer datagram is an error.
inline constexpr std::size_t lsd_datagram_bytes_max = 1400;

// Infohashes in one announce. Each costs a 52-byte line, so 20 keep the largest announce we write
// (a 64-byte host and cookie) at 1,225 bytes, under lsd_datagram_bytes_max; a sender with more
// torrents round-robins them (BEP 14 allows either). A parsed announce keeps the first 20 distinct
// ones and ignores the rest.
inline constexpr std::size_t lsd_hashes_max = 20;

// The longest Host and cookie we write, and the longest cookie we keep. libtorrent's cookie is at
// most 8 hex digits; ours is the driver's choice within this bound.
inline constexpr std::size_t lsd_host_bytes_max = 64;
inline constexpr std::size_t lsd_cookie_bytes_max = 64;

}  // namespace limits

struct LsdAnnounce {
    std::uint16_t port = 0;           // the sender's BitTorrent listen port, 1..65535
    std::vector<InfoHashV1> hashes;   // 1..limits::lsd_hashes_max, distinct, none all-zero
    std::string cookie;               // empty when absent

    bool operator==(const LsdAnnounce&) const = default;
};

// The announce above, exactly: header names as libtorrent writes them, the port in decimal, one
// Infohash line per hash in lower-case hex, the cookie line only when `cookie` is not empty, and
// the message ended by two empty lines. `host` is lsd_host_v4 or lsd_host_v6 in practice.
// Preconditions (asserted): host is 1..limits::lsd_host_bytes_max visible ASCII characters;
// port != 0; 1..limits::lsd_hashes_max hashes; cookie is at most limits::lsd_cookie_bytes_max bytes
// with no control characters and no leading or trailing space (so that it parses back the same).
std::string format_lsd_announce(std::string_view host, std::uint16_t port,
                                const std::vector<InfoHashV1>& hashes, std::string_view cookie);

// Parses one datagram. Lines may end in "\r\n" or "\n"; the first empty line (or the end of the
// datagram) ends the headers and anything after it is ignored. Header names are matched without
// regard to case, values are trimmed of spaces and tabs, unknown headers (Host included) are
// ignored. Errors (Error::Kind::bad_argument): a datagram over limits::lsd_datagram_bytes_max; a
// first line that is not a BT-SEARCH request (method matched without regard to case, as libtorrent
// does); a header line without ':'; no Port header, more than one, or one that is not a decimal
// number 1..65535; no usable Infohash header.
// Lenient, so that one odd line costs one torrent and not the announce: an Infohash value that is
// not 40 hex digits (a future v2 hash, say) or is all zeros is skipped, as libtorrent does, and so
// are duplicates and hashes past limits::lsd_hashes_max. A cookie over lsd_cookie_bytes_max or
// holding control characters is dropped (cookie left empty): it cannot be one we sent, which is
// all a cookie is for. The first cookie header wins.
Result<LsdAnnounce> parse_lsd_announce(BytesView datagram);

}  // namespace agora::tracker
