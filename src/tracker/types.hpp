// Types shared by the HTTP (BEP 3/23/7/48) and UDP (BEP 15) tracker codecs.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace agora::tracker {

using Hash20 = std::array<std::uint8_t, 20>;

// The announce event. `none` is the regular re-announce and is not sent at all over HTTP.
enum class Event : std::uint8_t { none, started, completed, stopped };

struct AnnounceRequest {
    Hash20 info_hash{};
    Hash20 peer_id{};
    std::uint16_t port = 0;
    // Byte counts; never negative (a negative one is a bug in the caller and asserts).
    std::int64_t uploaded = 0, downloaded = 0, left = 0;
    Event event = Event::none;
    // Over UDP this is sent as an int32, so 0xFFFFFFFF means -1, "the tracker's default".
    std::uint32_t numwant = 50;
    std::uint32_t key = 0;
    std::string tracker_id;  // echoed from an earlier reply; HTTP only
};

// A peer address as text: dotted IPv4 or RFC 5952 IPv6 (lower case, "::" compression, no
// brackets). Always canonical: "010.1.1.1" or "0:0::1" never reach a Peer.
struct Peer {
    std::string ip;
    std::uint16_t port = 0;
    bool operator==(const Peer&) const = default;
};

// One torrent's counts in a scrape reply: seeders, completed downloads, leechers.
struct ScrapeEntry {
    std::uint32_t complete = 0, downloaded = 0, incomplete = 0;
    bool operator==(const ScrapeEntry&) const = default;
};

}  // namespace agora::tracker
