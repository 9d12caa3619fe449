#include "sim/address.hpp"

#include <charconv>

namespace agora::sim {

std::string format_ip(std::uint32_t ip) {
    return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xff) + "." +
           std::to_string((ip >> 8) & 0xff) + "." + std::to_string(ip & 0xff);
}

std::string to_string(const Address& a) { return format_ip(a.ip) + ":" + std::to_string(a.port); }

std::optional<std::uint32_t> parse_ip(std::string_view text) {
    std::uint32_t ip = 0;
    const char* p = text.data();
    const char* end = text.data() + text.size();
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (p == end || *p != '.') return std::nullopt;
            ++p;
        }
        unsigned value = 0;
        const auto [next, ec] = std::from_chars(p, end, value);
        // Leading '+' or spaces are rejected by from_chars; at most three digits per part.
        if (ec != std::errc{} || next == p || next - p > 3 || value > 255) return std::nullopt;
        ip = (ip << 8) | value;
        p = next;
    }
    if (p != end) return std::nullopt;
    return ip;
}

}  // namespace agora::sim
