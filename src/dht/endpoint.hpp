// A UDP endpoint as the DHT sees it: an IPv4 or IPv6 address and a port, in the compact forms
// KRPC carries (BEP 5: 4+2 bytes, BEP 32: 16+2 bytes). Plain data, ordered and hashable, so it
// can key maps of transactions and rate limits.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace agora::dht {

enum class Family : std::uint8_t { v4, v6 };

struct Endpoint {
    Family family = Family::v4;
    std::array<std::uint8_t, 16> address{};  // v4 uses the first 4 bytes
    std::uint16_t port = 0;

    auto operator<=>(const Endpoint&) const = default;

    std::size_t address_size() const { return family == Family::v4 ? 4 : 16; }
    BytesView address_bytes() const { return {reinterpret_cast<const char*>(address.data()), address_size()}; }
    // "1.2.3.4" or "::1" (no port).
    std::string ip() const;
    // "1.2.3.4:6881" or "[::1]:6881".
    std::string to_string() const;
    // Addresses no one on the internet can reach us from (loopback, RFC 1918, link-local, ULA):
    // BEP 42 does not apply to them.
    bool is_local() const;
};

// Parses an address without a port ("1.2.3.4", "::1").
std::optional<Endpoint> parse_ip(std::string_view text, std::uint16_t port);
// Parses "1.2.3.4:6881" or "[::1]:6881".
std::optional<Endpoint> parse_endpoint(std::string_view text);

// Compact form: address bytes then the port, big-endian.
Bytes compact(const Endpoint& e);
// From exactly 6 (v4) or 18 (v6) bytes; nullopt on another size or port 0.
std::optional<Endpoint> from_compact(BytesView b);

}  // namespace agora::dht
