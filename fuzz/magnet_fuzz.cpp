// libFuzzer target for meta/magnet: parse_magnet must never crash or hang on any bytes, and what it
// accepts must survive the canonical round trip (STYLE.md, practice 7: what is encoded decodes back).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/assert.hpp"
#include "meta/magnet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace agora;
    std::string_view uri(reinterpret_cast<const char*>(data), size);
    auto parsed = meta::parse_magnet(uri);
    if (!parsed) {
        AGORA_ASSERT(parsed.error().kind == Error::Kind::bad_magnet);
        AGORA_ASSERT(!parsed.error().message.empty());
        return 0;
    }
    const meta::Magnet& magnet = parsed.value();
    AGORA_ASSERT(magnet.info_hashes.v1 || magnet.info_hashes.v2);

    std::string canonical = meta::to_uri(magnet);
    // The canonical form never has more parameters, trackers or longer URLs than the input, but it
    // can be up to 3x longer (a raw byte or a dn '+' becomes %XX), so only the size bound is relaxed.
    meta::MagnetLimits roomy;
    roomy.uri_bytes_max = 3 * limits::magnet_bytes_max + 64;
    auto again = meta::parse_magnet(canonical, roomy);
    AGORA_ASSERT(again.ok());
    AGORA_ASSERT(again.value() == magnet);
    AGORA_ASSERT(meta::to_uri(again.value()) == canonical);  // the canonical form is a fixed point
    return 0;
}
