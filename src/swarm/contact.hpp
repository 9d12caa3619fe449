// An address other peers could connect to, as PEX (BEP 11) carries it: an IPv4 or IPv6 address
// and a port that is never 0.
//
// Held as the address's bytes, not its text: every peer keeps the sorted list of contacts it was
// told about (Peer::pex_told, up to one per connected peer), so with 50 connections a node holds
// thousands of them, and they are compared on every PEX turn. Twenty bytes compared as bytes,
// against forty with a string compared as text.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agora::swarm {

struct Contact {
    std::array<std::uint8_t, 16> ip{};  // an IPv4 address in the first 4 bytes, the rest 0
    bool v6 = false;
    std::uint16_t port = 0;

    // From an IP literal ("10.0.0.1", "::1", no brackets), or nothing for anything else, a host
    // name say.
    static std::optional<Contact> parse(std::string_view ip, std::uint16_t port);
    // The address as inet_ntop writes it, which is also how decode_pex writes the addresses it reads.
    std::string ip_text() const;

    auto operator<=>(const Contact&) const = default;
};

}  // namespace agora::swarm
