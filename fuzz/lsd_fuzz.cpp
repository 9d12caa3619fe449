// libFuzzer target for tracker/lsd: parse_lsd_announce must never crash, hang or trip a sanitizer,
// whatever the datagram. What it accepts must keep the documented limits (a port, 1..lsd_hashes_max
// distinct non-zero hashes, a cookie we could send) and survive format -> parse unchanged over
// either multicast group's Host (STYLE.md, practices 7 and 17).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/assert.hpp"
#include "tracker/lsd.hpp"

namespace {

// Only the tracker namespace: agora::limits and agora::tracker::limits would clash otherwise.
using namespace agora::tracker;

void check_announce(const LsdAnnounce& announce) {
    AGORA_ASSERT(announce.port != 0);
    AGORA_ASSERT(!announce.hashes.empty() && announce.hashes.size() <= limits::lsd_hashes_max);
    for (std::size_t i = 0; i < announce.hashes.size(); ++i) {
        AGORA_ASSERT(!announce.hashes[i].is_zero());
        AGORA_ASSERT(std::count(announce.hashes.begin(), announce.hashes.end(), announce.hashes[i]) == 1);
    }
    AGORA_ASSERT(announce.cookie.size() <= limits::lsd_cookie_bytes_max);
}

void check_round_trip(const LsdAnnounce& announce, std::string_view host) {
    const std::string text = format_lsd_announce(host, announce.port, announce.hashes, announce.cookie);
    AGORA_ASSERT(text.size() <= limits::lsd_datagram_bytes_max);
    auto again = parse_lsd_announce(text);
    AGORA_ASSERT(again.ok());
    AGORA_ASSERT(*again == announce);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view datagram(reinterpret_cast<const char*>(data), size);
    auto announce = parse_lsd_announce(datagram);
    if (!announce) {
        AGORA_ASSERT(!announce.error().message.empty());
        return 0;
    }
    AGORA_ASSERT(size <= limits::lsd_datagram_bytes_max);
    check_announce(*announce);
    check_round_trip(*announce, lsd_host_v4);
    check_round_trip(*announce, lsd_host_v6);
    return 0;
}
