// UDP tracker codec (BEP 15), sans I/O: request encoders, one reply decoder, and the retry
// schedule as plain numbers. The driver owns the socket, the clock, the transaction ids (random,
// from the core's PRNG) and the matching of a reply's transaction id to its request.
//
// Exchange: connect -> connection id (valid for udp_connection_id_lifetime) -> announce or scrape.
// A request without a reply is resent after udp_timeout(n), n = 0, 1, ... udp_attempts_max, with
// n reset to 0 after any reply; after the last timeout the tracker counts as unreachable.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "tracker/types.hpp"

namespace agora::tracker {

// The magic connection id of a connect request; it identifies the protocol.
inline constexpr std::uint64_t udp_protocol_id = 0x41727101980;

enum class UdpAction : std::uint32_t { connect = 0, announce = 1, scrape = 2, error = 3 };

inline constexpr std::size_t udp_connect_request_bytes = 16;
inline constexpr std::size_t udp_announce_request_bytes = 98;

// 16 bytes: protocol id, action 0, transaction id.
Bytes encode_connect(std::uint32_t transaction_id);

// 98 bytes: connection id(8) action 1(4) transaction id(4) info_hash(20) peer_id(20)
// downloaded(8) left(8) uploaded(8) event(4: none 0, completed 1, started 2, stopped 3) IP 0(4)
// key(4) num_want(4) port(2). The tracker_id is not part of BEP 15 and is not sent.
Bytes encode_announce(std::uint64_t connection_id, std::uint32_t transaction_id, const AnnounceRequest& request);

// 16 + 20 * n bytes. Precondition: 1 to limits::udp_scrape_hashes_max (74) hashes.
Bytes encode_scrape(std::uint64_t connection_id, std::uint32_t transaction_id, const std::vector<Hash20>& info_hashes);

struct UdpConnectReply {
    std::uint32_t transaction_id = 0;
    std::uint64_t connection_id = 0;
};
struct UdpAnnounceReply {
    std::uint32_t transaction_id = 0;
    std::uint32_t interval = 0;  // seconds, clamped into [limits::interval_min_s, interval_max_s]
    std::uint32_t leechers = 0, seeders = 0;
    std::vector<Peer> peers;  // port 0 skipped, at most limits::peers_max
};
struct UdpScrapeReply {
    std::uint32_t transaction_id = 0;
    std::vector<ScrapeEntry> entries;  // in the order of the request's hashes
};
struct UdpErrorReply {
    std::uint32_t transaction_id = 0;
    std::string message;  // control bytes replaced, cut to limits::message_bytes_max
};
using UdpReply = std::variant<UdpConnectReply, UdpAnnounceReply, UdpScrapeReply, UdpErrorReply>;

// Decodes one datagram from a tracker. `ipv6_peers`: the announce went over IPv6, so its peers are
// 18 bytes each instead of 6 (BEP 15: the address family of the reply follows the socket's).
// Errors (Error::Kind::bad_argument): shorter than the action's fixed part, a peer or scrape list
// that ends in a partial entry, an unknown action, over limits::udp_datagram_bytes_max. Bytes past
// a connect reply's 16 are ignored: BEP 15 warns that packets may grow with future extensions.
Result<UdpReply> decode_udp_reply(BytesView datagram, bool ipv6_peers);

// ---- retry schedule (BEP 15, "Time outs") ----

// The largest n in 15 * 2^n: n runs 0..8, so a request is sent at most 9 times and the last
// timeout is 3,840 s.
inline constexpr int udp_attempts_max = 8;

// How long to wait for a reply to attempt n. Precondition: 0 <= attempt <= udp_attempts_max.
std::chrono::seconds udp_timeout(int attempt);

// "A client can use a connection ID until one minute after it has received it."
inline constexpr std::chrono::seconds udp_connection_id_lifetime{60};

}  // namespace agora::tracker
