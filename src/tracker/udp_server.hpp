// The tracker's side of BEP 15, sans I/O: requests decoded, replies encoded. The client's side is
// udp.hpp; the two are each other's inverse, which the tests check. What a tracker does with a
// request (who is in a swarm, which connection ids it issued) is the caller's: agora's simulated
// tracker (sim/tracker.hpp) is one.
//
// Decoding is strict where BEP 15 is exact and lenient where it allows growth: a connect request
// must carry the protocol id; an announce must hold its 98 bytes and an event code BEP 15 defines,
// and bytes after them (BEP 41's URL data options) are ignored; a scrape names 1 to
// limits::udp_scrape_hashes_max whole info-hashes.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "tracker/types.hpp"

namespace agora::tracker {

struct UdpConnectRequest {
    std::uint32_t transaction_id = 0;
    bool operator==(const UdpConnectRequest&) const = default;
};
struct UdpAnnounceRequest {
    std::uint64_t connection_id = 0;
    std::uint32_t transaction_id = 0;
    // numwant as sent: 0xFFFFFFFF (-1) asks for the tracker's default. tracker_id stays empty.
    AnnounceRequest request;
    std::uint32_t ip = 0;  // an address the client claims (BEP 15 allows it; trackers ignore it); 0: none
};
struct UdpScrapeRequest {
    std::uint64_t connection_id = 0;
    std::uint32_t transaction_id = 0;
    std::vector<Hash20> info_hashes;  // 1 to limits::udp_scrape_hashes_max
};
using UdpRequest = std::variant<UdpConnectRequest, UdpAnnounceRequest, UdpScrapeRequest>;

// Errors (Error::Kind::bad_argument): over limits::udp_datagram_bytes_max, shorter than the
// action's fixed part, a connect without the protocol id, an unknown action or event, a scrape
// with no hash, a partial one or more than limits::udp_scrape_hashes_max.
Result<UdpRequest> decode_udp_request(BytesView datagram);

// 16 bytes: action 0, transaction id, connection id.
Bytes encode_connect_reply(std::uint32_t transaction_id, std::uint64_t connection_id);
// 20 bytes and 6 (IPv4) or 18 (IPv6) per peer: the peers of the reply's family (`ipv6`: the
// request came over IPv6), others skipped, at most limits::peers_max.
Bytes encode_announce_reply(std::uint32_t transaction_id, std::uint32_t interval, std::uint32_t leechers,
                            std::uint32_t seeders, const std::vector<Peer>& peers, bool ipv6);
// 8 bytes and 12 per entry, in the order of the request's hashes.
Bytes encode_scrape_reply(std::uint32_t transaction_id, const std::vector<ScrapeEntry>& entries);
// 8 bytes and the message, cut to limits::message_bytes_max.
Bytes encode_error_reply(std::uint32_t transaction_id, std::string_view message);

}  // namespace agora::tracker
