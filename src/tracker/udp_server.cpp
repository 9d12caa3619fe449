// BEP 15 from the tracker's side. All integers are big-endian; every length is checked before it
// is read, and nothing is allocated beyond what the datagram holds.
#include "tracker/udp_server.hpp"

#include <algorithm>
#include <cstring>

#include "core/assert.hpp"
#include "tracker/address.hpp"
#include "tracker/limits.hpp"
#include "tracker/udp.hpp"

namespace agora::tracker {

namespace {

constexpr std::size_t header_bytes = 16;  // connection id, action, transaction id

Hash20 read_hash(BytesView b, std::size_t at) {
    Hash20 h;
    std::memcpy(h.data(), b.data() + at, h.size());
    return h;
}

Error bad_request(std::string message) {
    return make_error(Error::Kind::bad_argument, "UDP tracker request: " + std::move(message));
}

Result<UdpRequest> decode_announce(BytesView d, std::uint64_t connection_id, std::uint32_t transaction_id) {
    if (d.size() < udp_announce_request_bytes)
        return bad_request("announce of " + std::to_string(d.size()) + " bytes, expected at least " +
                           std::to_string(udp_announce_request_bytes));
    UdpAnnounceRequest out;
    out.connection_id = connection_id;
    out.transaction_id = transaction_id;
    AnnounceRequest& r = out.request;
    r.info_hash = read_hash(d, 16);
    r.peer_id = read_hash(d, 36);
    // Byte counts are unsigned on the wire; a count past int64 is nonsense, clamped rather than
    // wrapped to a negative one.
    constexpr auto count_max = static_cast<std::uint64_t>(INT64_MAX);
    r.downloaded = static_cast<std::int64_t>(std::min(read_be64(d, 56), count_max));
    r.left = static_cast<std::int64_t>(std::min(read_be64(d, 64), count_max));
    r.uploaded = static_cast<std::int64_t>(std::min(read_be64(d, 72), count_max));
    switch (read_be32(d, 80)) {
        case 0: r.event = Event::none; break;
        case 1: r.event = Event::completed; break;
        case 2: r.event = Event::started; break;
        case 3: r.event = Event::stopped; break;
        default: return bad_request("unknown announce event " + std::to_string(read_be32(d, 80)));
    }
    out.ip = read_be32(d, 84);
    r.key = read_be32(d, 88);
    r.numwant = read_be32(d, 92);
    r.port = static_cast<std::uint16_t>((byte_at(d, 96) << 8) | byte_at(d, 97));
    return UdpRequest{std::move(out)};
}

Result<UdpRequest> decode_scrape(BytesView d, std::uint64_t connection_id, std::uint32_t transaction_id) {
    const BytesView hashes = d.substr(header_bytes);
    if (hashes.empty()) return bad_request("scrape names no info-hash");
    if (hashes.size() % 20 != 0)
        return bad_request("scrape ends in a partial info-hash (" + std::to_string(hashes.size()) + " bytes of hashes)");
    if (hashes.size() / 20 > limits::udp_scrape_hashes_max)
        return bad_request("scrape names " + std::to_string(hashes.size() / 20) + " info-hashes, at most " +
                           std::to_string(limits::udp_scrape_hashes_max) + " fit a datagram");
    UdpScrapeRequest out;
    out.connection_id = connection_id;
    out.transaction_id = transaction_id;
    for (std::size_t at = 0; at < hashes.size(); at += 20) out.info_hashes.push_back(read_hash(hashes, at));
    return UdpRequest{std::move(out)};
}

}  // namespace

Result<UdpRequest> decode_udp_request(BytesView d) {
    if (d.size() > limits::udp_datagram_bytes_max)
        return bad_request("datagram of " + std::to_string(d.size()) + " bytes is larger than any UDP payload");
    if (d.size() < header_bytes)
        return bad_request("datagram of " + std::to_string(d.size()) + " bytes, expected at least 16");
    const std::uint64_t connection_id = read_be64(d, 0);
    const std::uint32_t action = read_be32(d, 8);
    const std::uint32_t transaction_id = read_be32(d, 12);
    switch (static_cast<UdpAction>(action)) {
        case UdpAction::connect:
            if (connection_id != udp_protocol_id) return bad_request("connect without the protocol id");
            return UdpRequest{UdpConnectRequest{transaction_id}};
        case UdpAction::announce: return decode_announce(d, connection_id, transaction_id);
        case UdpAction::scrape: return decode_scrape(d, connection_id, transaction_id);
        case UdpAction::error: break;
    }
    return bad_request("unknown action " + std::to_string(action));
}

Bytes encode_connect_reply(std::uint32_t transaction_id, std::uint64_t connection_id) {
    Bytes out;
    append_be32(out, static_cast<std::uint32_t>(UdpAction::connect));
    append_be32(out, transaction_id);
    append_be64(out, connection_id);
    return out;
}

Bytes encode_announce_reply(std::uint32_t transaction_id, std::uint32_t interval, std::uint32_t leechers,
                            std::uint32_t seeders, const std::vector<Peer>& peers, bool ipv6) {
    Bytes out;
    for (const std::uint32_t v : {static_cast<std::uint32_t>(UdpAction::announce), transaction_id, interval, leechers, seeders})
        append_be32(out, v);
    std::size_t written = 0;
    for (const auto& peer : peers) {
        if (written == limits::peers_max) break;
        if (ipv6) {
            const auto a = detail::parse_ipv6(peer.ip);
            if (!a) continue;
            out.append(reinterpret_cast<const char*>(a->data()), a->size());
        } else {
            const auto a = detail::parse_ipv4(peer.ip);
            if (!a) continue;
            out.append(reinterpret_cast<const char*>(a->data()), a->size());
        }
        out.push_back(static_cast<char>(peer.port >> 8));
        out.push_back(static_cast<char>(peer.port));
        ++written;
    }
    return out;
}

Bytes encode_scrape_reply(std::uint32_t transaction_id, const std::vector<ScrapeEntry>& entries) {
    AGORA_ASSERT(entries.size() <= limits::udp_scrape_hashes_max);
    Bytes out;
    append_be32(out, static_cast<std::uint32_t>(UdpAction::scrape));
    append_be32(out, transaction_id);
    for (const auto& e : entries) {
        append_be32(out, e.complete);
        append_be32(out, e.downloaded);
        append_be32(out, e.incomplete);
    }
    return out;
}

Bytes encode_error_reply(std::uint32_t transaction_id, std::string_view message) {
    Bytes out;
    append_be32(out, static_cast<std::uint32_t>(UdpAction::error));
    append_be32(out, transaction_id);
    out.append(message.substr(0, limits::message_bytes_max));
    return out;
}

}  // namespace agora::tracker
