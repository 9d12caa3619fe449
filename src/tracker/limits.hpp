// Every bound the tracker codecs put on what a tracker sends back (STYLE.md, practice 8). Going
// over a size limit is an error; going over a count limit drops the extra items (a tracker that
// hands out 5,000 peers has still answered, we just do not want them all).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/limits.hpp"

namespace agora::tracker::limits {

// Shared with the rest of agora: the longest URL we accept anywhere (.torrent, magnet, tracker).
using agora::limits::url_bytes_max;

// An HTTP tracker's body. A compact reply with peers_max IPv4 and IPv6 peers is ~25 KB; 2 MiB
// leaves room for dict-form peer lists and chatty trackers. libtorrent caps its HTTP receive
// buffer at 835,584 bytes (max_http_recv_buffer_size); we are a little more generous.
inline constexpr std::size_t http_body_bytes_max = 2u << 20;

// Announce intervals are clamped into [min, max]. The floor stops a broken or hostile tracker
// (interval 0) from making us announce in a busy loop; the ceiling stops one that says "come back
// in ten years" from silently dropping us out of the swarm, and keeps the value far from
// overflowing any time arithmetic. libtorrent's own floor is its min_announce_interval setting
// (300 s by default); 60 s is the lowest a tracker may ask of us here.
inline constexpr std::uint32_t interval_min_s = 60;
inline constexpr std::uint32_t interval_max_s = 2 * 24 * 3600;  // two days
inline constexpr std::uint32_t interval_default_s = 1800;       // when the tracker gives none

// Peers kept from one announce reply (IPv4 and IPv6 together); extra ones are ignored. We ask for
// 50 by default, and no swarm needs more than this many fresh addresses at once.
inline constexpr std::size_t peers_max = 1000;

// A tracker id is echoed back in later announce URLs; anything longer is dropped as garbage.
inline constexpr std::size_t tracker_id_bytes_max = 256;

// Failure reasons, warnings and UDP error texts are cut to this many bytes: they go to a log line.
inline constexpr std::size_t message_bytes_max = 1024;

// Files kept from one HTTP scrape reply; we only ever ask about a handful of hashes.
inline constexpr std::size_t scrape_files_max = 1000;

// Info-hashes in one HTTP scrape URL: each costs ~70 bytes of query, and 50 keep the URL well
// under url_bytes_max and the 8 KiB request line most HTTP servers accept.
inline constexpr std::size_t http_scrape_hashes_max = 50;

// BEP 15: "Up to about 74 torrents can be scraped at once" (16 + 74 * 20 = 1,496 bytes, one
// Ethernet-sized datagram).
inline constexpr std::size_t udp_scrape_hashes_max = 74;

// The largest UDP payload over IPv4 (65,535 - 8 - 20). A "datagram" longer than this did not come
// off a UDP socket, and rejecting it bounds everything decode_udp_reply allocates.
inline constexpr std::size_t udp_datagram_bytes_max = 65507;

// Tracker replies are flat (dict -> list -> dict); deeper nesting is garbage, not data.
inline constexpr int bencode_depth_max = 32;

}  // namespace agora::tracker::limits
