#include "text.hpp"

#include <fmt/core.h>

namespace agora::cli {

std::string format_bytes(double bytes) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    return u == 0 ? fmt::format("{:.0f} {}", bytes, units[u]) : fmt::format("{:.1f} {}", bytes, units[u]);
}

std::optional<std::uint64_t> parse_rate(std::string_view text) {
    std::uint64_t value = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        if (value > (UINT64_MAX >> 31)) return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    }
    if (i == 0) return std::nullopt;
    const std::string_view unit = text.substr(i);
    if (unit.empty() || unit == "B" || unit == "b") return value;
    if (unit == "k" || unit == "K" || unit == "KiB") return value << 10;
    if (unit == "m" || unit == "M" || unit == "MiB") return value << 20;
    if (unit == "g" || unit == "G" || unit == "GiB") return value << 30;
    return std::nullopt;
}

std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(b < 0x20 || b == 0x7f ? '?' : c);
    }
    return out;
}

}  // namespace agora::cli
