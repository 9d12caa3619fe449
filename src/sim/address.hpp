// Addresses on the simulated network: IPv4 only, as integers, so they are small, ordered and cheap
// to compare. The driver converts them to the engine's endpoint types ("10.0.0.7", port) at the
// seam; the network itself never parses text on its hot paths.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agora::sim {

enum class Protocol : std::uint8_t { udp, tcp };

struct Address {
    std::uint32_t ip = 0;  // host order: 10.0.0.1 is 0x0a000001
    std::uint16_t port = 0;
    auto operator<=>(const Address&) const = default;
};

constexpr std::uint32_t make_ip(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return (std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | std::uint32_t{d};
}

// "10.0.0.1".
std::string format_ip(std::uint32_t ip);
// "10.0.0.1:6881".
std::string to_string(const Address& a);
// Dotted quad only; nullopt for anything else.
std::optional<std::uint32_t> parse_ip(std::string_view text);

}  // namespace agora::sim
