// libFuzzer target for tracker/udp_server: BEP 15 requests as a tracker receives them. No input
// may crash, hang or trip a sanitizer; an accepted request keeps the documented limits, and
// encoding it again with the client's encoder gives back the bytes it came from (what a client
// sends, a tracker reads as sent).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "core/assert.hpp"
#include "tracker/limits.hpp"
#include "tracker/udp.hpp"
#include "tracker/udp_server.hpp"

namespace {

using namespace agora::tracker;

void check(std::string_view d) {
    auto r = decode_udp_request(d);
    if (!r) {
        AGORA_ASSERT(!r.error().message.empty());
        return;
    }
    if (const auto* c = std::get_if<UdpConnectRequest>(&*r)) {
        AGORA_ASSERT(encode_connect(c->transaction_id) == d.substr(0, 16));
    } else if (const auto* a = std::get_if<UdpAnnounceRequest>(&*r)) {
        const auto& q = a->request;
        AGORA_ASSERT(q.downloaded >= 0 && q.left >= 0 && q.uploaded >= 0);
        const bool clamped = q.downloaded == INT64_MAX || q.left == INT64_MAX || q.uploaded == INT64_MAX;
        if (a->ip == 0 && !clamped)
            AGORA_ASSERT(encode_announce(a->connection_id, a->transaction_id, q) == d.substr(0, udp_announce_request_bytes));
    } else {
        const auto& s = std::get<UdpScrapeRequest>(*r);
        AGORA_ASSERT(!s.info_hashes.empty() && s.info_hashes.size() <= limits::udp_scrape_hashes_max);
        AGORA_ASSERT(encode_scrape(s.connection_id, s.transaction_id, s.info_hashes) == d);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    check(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
