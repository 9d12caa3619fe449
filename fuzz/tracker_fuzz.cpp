// libFuzzer target for tracker/: the first byte picks a parser, the rest is its input. No parser
// may crash, hang or trip a sanitizer; what a parser accepts must satisfy the documented limits
// (STYLE.md, practices 7 and 17), and accepted HTTP tracker URLs must survive being extended into
// announce and scrape URLs and parsed again.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "core/assert.hpp"
#include "tracker/http.hpp"
#include "tracker/limits.hpp"
#include "tracker/udp.hpp"

namespace {

// Only the tracker namespace: agora::limits and agora::tracker::limits would clash otherwise.
using namespace agora::tracker;

void check_peers(const std::vector<Peer>& peers) {
    AGORA_ASSERT(peers.size() <= limits::peers_max);
    for (const auto& peer : peers) AGORA_ASSERT(peer.port != 0 && !peer.ip.empty());
}

void fuzz_announce(std::string_view body) {
    auto r = parse_announce_response(body);
    if (!r) {
        AGORA_ASSERT(!r.error().message.empty());
        return;
    }
    check_peers(r->peers);
    AGORA_ASSERT(r->interval >= limits::interval_min_s && r->interval <= limits::interval_max_s);
    if (r->min_interval)
        AGORA_ASSERT(*r->min_interval >= limits::interval_min_s && *r->min_interval <= limits::interval_max_s);
    if (r->failure_reason) AGORA_ASSERT(r->failure_reason->size() <= limits::message_bytes_max && r->peers.empty());
    if (r->warning) AGORA_ASSERT(r->warning->size() <= limits::message_bytes_max);
    AGORA_ASSERT(r->tracker_id.size() <= limits::tracker_id_bytes_max);
}

void fuzz_scrape(std::string_view body) {
    auto r = parse_scrape_response(body);
    if (r) AGORA_ASSERT(r->size() <= limits::scrape_files_max);
}

void fuzz_udp(std::string_view datagram, bool ipv6) {
    auto r = decode_udp_reply(datagram, ipv6);
    if (!r) return;
    if (auto* a = std::get_if<UdpAnnounceReply>(&*r)) {
        check_peers(a->peers);
        AGORA_ASSERT(a->interval >= limits::interval_min_s && a->interval <= limits::interval_max_s);
    } else if (auto* e = std::get_if<UdpErrorReply>(&*r)) {
        AGORA_ASSERT(e->message.size() <= limits::message_bytes_max);
    }
}

void fuzz_url(std::string_view url) {
    auto parsed = parse_tracker_url(url);
    if (!parsed) return;
    AGORA_ASSERT(parsed->port != 0 && !parsed->host.empty() && !parsed->target.empty());
    AGORA_ASSERT(parsed->target.front() == '/');
    if (parsed->scheme == "udp") return;

    // Room for the announce query (~400 bytes) so that the extended URL is still within limits.
    constexpr std::size_t query_room_bytes = 512;
    AnnounceRequest request;
    request.info_hash.fill(0xff);
    request.peer_id.fill(0x25);
    request.tracker_id = "x y";
    auto announce = build_announce_url(url, request);
    AGORA_ASSERT(announce.ok());
    if (url.size() + query_room_bytes <= limits::url_bytes_max) {
        auto again = parse_tracker_url(*announce);
        AGORA_ASSERT(again.ok());
        AGORA_ASSERT(again->host == parsed->host && again->port == parsed->port);
    }
    if (auto scrape = build_scrape_url(url, {request.info_hash})) {
        if (url.size() + query_room_bytes <= limits::url_bytes_max) AGORA_ASSERT(parse_tracker_url(*scrape).ok());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 5) {
        case 0: fuzz_announce(rest); break;
        case 1: fuzz_scrape(rest); break;
        case 2: fuzz_udp(rest, false); break;
        case 3: fuzz_udp(rest, true); break;
        default: fuzz_url(rest); break;
    }
    return 0;
}
