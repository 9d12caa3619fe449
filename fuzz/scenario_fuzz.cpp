// libFuzzer target for the scenario reader of `agora sim` (apps/agora/scenario.hpp): whatever the
// file holds, parse_scenario must return a scenario or an error naming the file, never crash, hang
// or trip a sanitizer (toml++ underneath throws on malformed TOML; the reader must catch it). What
// it accepts must keep the documented ranges, since the simulator sizes its worlds from them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/assert.hpp"
#include "scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string path = "fuzz.toml";
    auto s = agora::cli::parse_scenario(text, path);
    if (!s) {
        AGORA_ASSERT(s.error().message.rfind(path, 0) == 0);  // every error names the file
        return 0;
    }
    const auto& kind = s->info.kind;
    AGORA_ASSERT(kind == "flash-crowd" || kind == "dht-scale" || kind == "churn" || kind == "lossy");
    AGORA_ASSERT(s->info.name == "fuzz");
    AGORA_ASSERT(!s->sizes.empty());
    for (auto n : s->sizes) AGORA_ASSERT(n >= 1 && n <= 1'000'000);
    if (kind == "lossy") AGORA_ASSERT(!s->conditions.empty() && s->sizes.size() == 2);
    for (const auto& c : s->conditions)
        AGORA_ASSERT(c.loss >= 0 && c.loss <= 0.5 && c.latency_min_ms >= 0 && c.latency_min_ms <= c.latency_max_ms);
    AGORA_ASSERT(s->crowd.piece_length % (16 * 1024) == 0 && s->crowd.file_bytes > 0);
    AGORA_ASSERT(!s->crowd.links.empty());
    for (const auto& l : s->crowd.links) AGORA_ASSERT(l.share > 0 && l.upload > 0 && l.download > 0);
    AGORA_ASSERT(s->crowd.latency.min <= s->crowd.latency.max);
    AGORA_ASSERT(s->crowd.loss >= 0 && s->crowd.loss <= 0.5);  // false for NaN too
    if (kind == "churn") AGORA_ASSERT(s->churn.departure_at <= s->churn.duration);
    return 0;
}
