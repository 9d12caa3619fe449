// BEP 40 canonical peer priority: one number for a pair of addresses that both ends compute the
// same way, so that a node whose connection slots are full keeps the pairs of high priority and
// lets a newcomer replace its lowest one. Without it, the nodes that came first to a swarm fill
// each other's slots and turn away everyone who comes later (BEP 40's first problem), and a
// flood of incoming connections can hold every slot (its second).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace agora::session {

// CRC-32C of the two addresses, lowest first, masked so that only the differing part of nearby
// addresses counts (IPv4: FF.FF.55.55 apart from the same /16, FF.FF.FF.55 within one /16, whole
// within one /24; IPv6: the same on the top 64 bits, with /32 and /48); the two ports when the
// addresses are equal. Nothing when either is not an IP literal or the families differ.
std::optional<std::uint32_t> peer_priority(std::string_view ip_a, std::uint16_t port_a, std::string_view ip_b,
                                           std::uint16_t port_b);

}  // namespace agora::session
