// BEP 40 canonical peer priority: the BEP's own test vectors, and each masking rule checked
// against the CRC-32C of the bytes the rule says are hashed.
#include <gtest/gtest.h>

#include "dht/node_id.hpp"
#include "session/peer_priority.hpp"

using agora::session::peer_priority;

namespace {

std::uint32_t crc(std::string_view bytes) { return agora::dht::crc32c(bytes); }

TEST(PeerPriority, Bep40TestVectors) {
    EXPECT_EQ(peer_priority("123.213.32.10", 0, "98.76.54.32", 0), 0xec2d7224u);
    EXPECT_EQ(peer_priority("123.213.32.10", 0, "123.213.32.234", 0), 0x99568189u);
}

TEST(PeerPriority, MasksByHowCloseTheAddressesAre) {
    // Equal addresses: the ports, lowest first.
    EXPECT_EQ(peer_priority("230.12.123.3", 0x4d2, "230.12.123.3", 0x12c), crc("\x01\x2c\x04\xd2"));
    // One /24: the whole addresses.
    EXPECT_EQ(peer_priority("230.12.123.1", 1, "230.12.123.3", 2), crc("\xe6\x0c\x7b\x01\xe6\x0c\x7b\x03"));
    // One /16: the last byte masked by 0x55.
    EXPECT_EQ(peer_priority("230.12.23.1", 1, "230.12.123.3", 2), crc("\xe6\x0c\x17\x01\xe6\x0c\x7b\x01"));
    // Further apart: the last two bytes masked.
    EXPECT_EQ(peer_priority("230.120.23.1", 1, "230.12.123.3", 2), crc("\xe6\x0c\x51\x01\xe6\x78\x15\x01"));
    // IPv6, different /32: bytes 4-7 masked, the low 64 bits whole.
    EXPECT_EQ(peer_priority("ffff:ffff:ffff:ffff::1", 1, "ffff:0fff:ffff:ffff::1", 2),
              crc(std::string_view("\xff\xff\x0f\xff\x55\x55\x55\x55\x00\x00\x00\x00\x00\x00\x00\x01"
                                   "\xff\xff\xff\xff\x55\x55\x55\x55\x00\x00\x00\x00\x00\x00\x00\x01",
                                   32)));
}

TEST(PeerPriority, BothEndsAgreeAndOnlyLiteralsOfOneFamilyCount) {
    EXPECT_EQ(peer_priority("10.1.2.3", 6881, "192.168.7.9", 51413), peer_priority("192.168.7.9", 51413, "10.1.2.3", 6881));
    EXPECT_EQ(peer_priority("10.1.2.3", 1, "::1", 2), std::nullopt);
    EXPECT_EQ(peer_priority("tracker.example", 1, "10.1.2.3", 2), std::nullopt);
}

}  // namespace
