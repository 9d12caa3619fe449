#include "dht/node_id.hpp"

#include <array>
#include <bit>

namespace agora::dht {

NodeId distance(const NodeId& a, const NodeId& b) {
    NodeId d;
    for (std::size_t i = 0; i < 20; ++i) d.bytes[i] = a.bytes[i] ^ b.bytes[i];
    return d;
}

bool closer(const NodeId& a, const NodeId& b, const NodeId& target) {
    for (std::size_t i = 0; i < 20; ++i) {
        const auto da = a.bytes[i] ^ target.bytes[i];
        const auto db = b.bytes[i] ^ target.bytes[i];
        if (da != db) return da < db;
    }
    return false;
}

int common_prefix_bits(const NodeId& a, const NodeId& b) {
    for (std::size_t i = 0; i < 20; ++i) {
        const auto x = static_cast<std::uint8_t>(a.bytes[i] ^ b.bytes[i]);
        if (x != 0) return static_cast<int>(i) * 8 + std::countl_zero(x);
    }
    return 160;
}

NodeId random_node_id(Rng& rng) {
    NodeId id;
    for (auto& b : id.bytes) b = static_cast<std::uint8_t>(rng.next());
    return id;
}

NodeId random_id_in_bucket(const NodeId& base, int bits, Rng& rng) {
    NodeId id = random_node_id(rng);
    if (bits >= 160) return base;
    for (int i = 0; i < bits; ++i) {
        const auto mask = static_cast<std::uint8_t>(0x80 >> (i % 8));
        id.bytes[i / 8] = static_cast<std::uint8_t>((id.bytes[i / 8] & ~mask) | (base.bytes[i / 8] & mask));
    }
    const auto mask = static_cast<std::uint8_t>(0x80 >> (bits % 8));
    id.bytes[bits / 8] = static_cast<std::uint8_t>((id.bytes[bits / 8] & ~mask) | (~base.bytes[bits / 8] & mask));
    return id;
}

std::uint32_t crc32c(BytesView data) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t crc = 0xffffffffu;
    for (char ch : data) crc = table[(crc ^ static_cast<std::uint8_t>(ch)) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

namespace {
// The first 21 bits of a BEP 42 id for this address and random value.
std::uint32_t bep42_prefix(const Endpoint& address, std::uint8_t r) {
    static constexpr std::array<std::uint8_t, 4> mask4{0x03, 0x0f, 0x3f, 0xff};
    static constexpr std::array<std::uint8_t, 8> mask6{0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff};
    std::array<std::uint8_t, 8> ip{};
    const std::size_t n = address.family == Family::v4 ? 4 : 8;
    for (std::size_t i = 0; i < n; ++i)
        ip[i] = address.address[i] & (address.family == Family::v4 ? mask4[i] : mask6[i]);
    ip[0] = static_cast<std::uint8_t>(ip[0] | ((r & 7) << 5));
    return crc32c(BytesView(reinterpret_cast<const char*>(ip.data()), n));
}
}  // namespace

NodeId bep42_id(const Endpoint& address, std::uint8_t r, Rng& rng) {
    NodeId id = random_node_id(rng);
    const std::uint32_t crc = bep42_prefix(address, r);
    id.bytes[0] = static_cast<std::uint8_t>(crc >> 24);
    id.bytes[1] = static_cast<std::uint8_t>(crc >> 16);
    id.bytes[2] = static_cast<std::uint8_t>(((crc >> 8) & 0xf8) | (id.bytes[2] & 0x07));
    id.bytes[19] = r;
    return id;
}

bool bep42_valid(const NodeId& id, const Endpoint& address) {
    if (address.is_local()) return true;
    const std::uint32_t crc = bep42_prefix(address, id.bytes[19]);
    return id.bytes[0] == static_cast<std::uint8_t>(crc >> 24) && id.bytes[1] == static_cast<std::uint8_t>(crc >> 16) &&
           (id.bytes[2] & 0xf8) == static_cast<std::uint8_t>((crc >> 8) & 0xf8);
}

}  // namespace agora::dht
