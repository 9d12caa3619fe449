// BEP 15 datagrams. All integers are big-endian. Every length is checked before it is read;
// nothing is allocated beyond what the datagram (bounded by limits::udp_datagram_bytes_max) holds.
#include "tracker/udp.hpp"

#include <algorithm>
#include <utility>

#include "core/assert.hpp"
#include "tracker/address.hpp"
#include "tracker/limits.hpp"

namespace agora::tracker {

namespace {

constexpr std::size_t header_bytes = 8;            // action, transaction id
constexpr std::size_t connect_reply_bytes = 16;    // + connection id
constexpr std::size_t announce_reply_bytes = 20;   // + interval, leechers, seeders
constexpr std::size_t scrape_entry_bytes = 12;     // seeders, completed, leechers
constexpr std::uint32_t base_timeout_s = 15;

void append_hash(Bytes& out, const Hash20& hash) { out.append(reinterpret_cast<const char*>(hash.data()), hash.size()); }

std::uint32_t event_code(Event event) {
    switch (event) {
        case Event::none: return 0;
        case Event::completed: return 1;
        case Event::started: return 2;
        case Event::stopped: return 3;
    }
    AGORA_ASSERT(false);
    return 0;
}

Error bad_datagram(std::string message) { return make_error(Error::Kind::bad_argument, "UDP tracker: " + std::move(message)); }

std::string too_short(std::string_view what, std::size_t size, std::size_t needed) {
    return std::string(what) + " of " + std::to_string(size) + " bytes, expected at least " + std::to_string(needed);
}

Result<UdpReply> decode_announce(BytesView d, std::uint32_t transaction_id, bool ipv6_peers) {
    if (d.size() < announce_reply_bytes) return bad_datagram(too_short("announce reply", d.size(), announce_reply_bytes));
    const std::size_t stride = ipv6_peers ? detail::compact_v6_bytes : detail::compact_v4_bytes;
    BytesView compact = d.substr(announce_reply_bytes);
    if (compact.size() % stride != 0)
        return bad_datagram("announce reply ends in a partial peer (" + std::to_string(compact.size()) +
                            " bytes of peers, not a multiple of " + std::to_string(stride) + ")");
    UdpAnnounceReply reply;
    reply.transaction_id = transaction_id;
    reply.interval = std::clamp(read_be32(d, 8), limits::interval_min_s, limits::interval_max_s);
    reply.leechers = read_be32(d, 12);
    reply.seeders = read_be32(d, 16);
    detail::append_compact_peers(compact, stride, reply.peers);
    AGORA_ASSERT(reply.peers.size() <= limits::peers_max);
    return UdpReply{std::move(reply)};
}

Result<UdpReply> decode_scrape(BytesView d, std::uint32_t transaction_id) {
    BytesView body = d.substr(header_bytes);
    if (body.size() % scrape_entry_bytes != 0)
        return bad_datagram("scrape reply ends in a partial entry (" + std::to_string(body.size()) +
                            " bytes of entries, not a multiple of 12)");
    UdpScrapeReply reply;
    reply.transaction_id = transaction_id;
    reply.entries.reserve(body.size() / scrape_entry_bytes);
    for (std::size_t at = 0; at < body.size(); at += scrape_entry_bytes)
        reply.entries.push_back(ScrapeEntry{read_be32(body, at), read_be32(body, at + 4), read_be32(body, at + 8)});
    return UdpReply{std::move(reply)};
}

}  // namespace

Bytes encode_connect(std::uint32_t transaction_id) {
    Bytes out;
    append_be64(out, udp_protocol_id);
    append_be32(out, static_cast<std::uint32_t>(UdpAction::connect));
    append_be32(out, transaction_id);
    AGORA_ASSERT(out.size() == udp_connect_request_bytes);
    return out;
}

Bytes encode_announce(std::uint64_t connection_id, std::uint32_t transaction_id, const AnnounceRequest& request) {
    AGORA_ASSERT(request.uploaded >= 0 && request.downloaded >= 0 && request.left >= 0);
    Bytes out;
    out.reserve(udp_announce_request_bytes);
    append_be64(out, connection_id);
    append_be32(out, static_cast<std::uint32_t>(UdpAction::announce));
    append_be32(out, transaction_id);
    append_hash(out, request.info_hash);
    append_hash(out, request.peer_id);
    append_be64(out, static_cast<std::uint64_t>(request.downloaded));
    append_be64(out, static_cast<std::uint64_t>(request.left));
    append_be64(out, static_cast<std::uint64_t>(request.uploaded));
    append_be32(out, event_code(request.event));
    append_be32(out, 0);  // IP: 0 means "the sender's address" (BEP 7 discourages sending one)
    append_be32(out, request.key);
    append_be32(out, request.numwant);
    out.push_back(static_cast<char>(request.port >> 8));
    out.push_back(static_cast<char>(request.port));
    AGORA_ASSERT(out.size() == udp_announce_request_bytes);
    return out;
}

Bytes encode_scrape(std::uint64_t connection_id, std::uint32_t transaction_id, const std::vector<Hash20>& info_hashes) {
    AGORA_ASSERT(!info_hashes.empty() && info_hashes.size() <= limits::udp_scrape_hashes_max);
    Bytes out;
    out.reserve(16 + 20 * info_hashes.size());
    append_be64(out, connection_id);
    append_be32(out, static_cast<std::uint32_t>(UdpAction::scrape));
    append_be32(out, transaction_id);
    for (const auto& hash : info_hashes) append_hash(out, hash);
    AGORA_ASSERT(out.size() == 16 + 20 * info_hashes.size());
    return out;
}

Result<UdpReply> decode_udp_reply(BytesView d, bool ipv6_peers) {
    if (d.size() > limits::udp_datagram_bytes_max)
        return bad_datagram("datagram of " + std::to_string(d.size()) + " bytes is larger than any UDP payload");
    if (d.size() < header_bytes) return bad_datagram(too_short("reply", d.size(), header_bytes));
    const std::uint32_t action = read_be32(d, 0);
    const std::uint32_t transaction_id = read_be32(d, 4);
    switch (static_cast<UdpAction>(action)) {
        case UdpAction::connect:
            if (d.size() < connect_reply_bytes)
                return bad_datagram(too_short("connect reply", d.size(), connect_reply_bytes));
            return UdpReply{UdpConnectReply{transaction_id, read_be64(d, 8)}};
        case UdpAction::announce: return decode_announce(d, transaction_id, ipv6_peers);
        case UdpAction::scrape: return decode_scrape(d, transaction_id);
        case UdpAction::error:
            return UdpReply{UdpErrorReply{transaction_id, detail::sanitize_message(d.substr(header_bytes))}};
    }
    return bad_datagram("unknown action " + std::to_string(action));
}

std::chrono::seconds udp_timeout(int attempt) {
    AGORA_ASSERT(attempt >= 0 && attempt <= udp_attempts_max);
    return std::chrono::seconds{base_timeout_s << attempt};
}

}  // namespace agora::tracker
