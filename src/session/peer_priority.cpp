#include "session/peer_priority.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <utility>

#include "dht/node_id.hpp"
#include "tracker/address.hpp"

namespace agora::session {
namespace {

// Masks the first `width` bytes (the whole IPv4 address, the top half of an IPv6 one) by how
// many leading groups of width/4 bytes the two share: none, one... two or more groups.
void mask_pair(std::span<std::uint8_t> a, std::span<std::uint8_t> b, std::size_t width) {
    const std::size_t group = width / 4;
    const bool same_first = std::equal(a.begin(), a.begin() + 2 * group, b.begin());
    const bool same_second = std::equal(a.begin(), a.begin() + 3 * group, b.begin());
    if (same_second) return;
    const std::size_t from = same_first ? 3 * group : 2 * group;
    for (std::size_t i = from; i < width; ++i) {
        a[i] &= 0x55;
        b[i] &= 0x55;
    }
}

template <std::size_t N>
std::uint32_t hash_pair(std::array<std::uint8_t, N> a, std::array<std::uint8_t, N> b) {
    if (b < a) std::swap(a, b);  // lowest first, before masking (libtorrent's order)
    mask_pair(a, b, N == 4 ? 4 : 8);
    Bytes both(reinterpret_cast<const char*>(a.data()), N);
    both.append(reinterpret_cast<const char*>(b.data()), N);
    return dht::crc32c(both);
}

}  // namespace

std::optional<std::uint32_t> peer_priority(std::string_view ip_a, std::uint16_t port_a, std::string_view ip_b,
                                           std::uint16_t port_b) {
    const auto a4 = tracker::detail::parse_ipv4(ip_a), b4 = tracker::detail::parse_ipv4(ip_b);
    const auto a6 = a4 ? std::nullopt : tracker::detail::parse_ipv6(ip_a);
    const auto b6 = b4 ? std::nullopt : tracker::detail::parse_ipv6(ip_b);
    if ((a4 && b4 && *a4 == *b4) || (a6 && b6 && *a6 == *b6)) {
        const auto [lo, hi] = std::minmax(port_a, port_b);
        const char ports[4] = {static_cast<char>(lo >> 8), static_cast<char>(lo & 0xff), static_cast<char>(hi >> 8),
                               static_cast<char>(hi & 0xff)};
        return dht::crc32c(BytesView(ports, 4));
    }
    if (a4 && b4) return hash_pair(*a4, *b4);
    if (a6 && b6) return hash_pair(*a6, *b6);
    return std::nullopt;
}

}  // namespace agora::session
