// libFuzzer target for wire/pex: decode_pex must never crash, hang or trip a sanitizer, whatever the
// bytes. What it accepts must keep the documented limits (at most the cap per family and list, no
// port 0, no flags on dropped peers) and survive encode -> decode unchanged, with the second
// encoding equal to the first (STYLE.md, practices 7 and 17).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/assert.hpp"
#include "wire/pex.hpp"

namespace {

using namespace agora;
using namespace agora::wire;

bool is_ipv6(const PexPeer& peer) { return peer.ip.find(':') != std::string::npos; }

// Each family of `peers` has at most `count_max` entries, all with a port; IPv4 ones come first.
void check_list(const std::vector<PexPeer>& peers, std::size_t count_max, bool flags_allowed) {
    std::size_t v4 = 0, v6 = 0;
    for (const PexPeer& peer : peers) {
        AGORA_ASSERT(peer.port != 0 && !peer.ip.empty());
        AGORA_ASSERT(flags_allowed || peer.flags == 0);
        if (is_ipv6(peer)) {
            ++v6;
        } else {
            AGORA_ASSERT(v6 == 0);
            ++v4;
        }
    }
    AGORA_ASSERT(v4 <= count_max && v6 <= count_max);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    auto message = decode_pex(payload);
    if (!message) {
        AGORA_ASSERT(!message.error().message.empty());
        AGORA_ASSERT(message.error().kind == Error::Kind::bad_bencode ||
                     message.error().kind == Error::Kind::bad_argument);
        return 0;
    }
    check_list(message->added, wire::limits::pex_added_per_family_max, true);
    check_list(message->dropped, wire::limits::pex_dropped_per_family_max, false);

    const Bytes encoded = encode_pex(*message);
    auto again = decode_pex(encoded);
    AGORA_ASSERT(again.ok());
    AGORA_ASSERT(*again == *message);
    AGORA_ASSERT(encode_pex(*again) == encoded);
    return 0;
}
