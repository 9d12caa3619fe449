// The socket-free parts of io/local_discovery: the announce schedule (at most one announce per
// torrent per minute, batches that fit a datagram), the subnet check on senders, and which bind
// addresses count as loopback (where the CLI leaves LSD off). The multicast itself is tested
// between network namespaces in tests/swarm/lsd_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "io/local_discovery.hpp"

namespace agora {
namespace {

using io::LsdSchedule;
using namespace std::chrono_literals;

InfoHashV1 hash(std::uint8_t n) {
    InfoHashV1 h;
    h.bytes[0] = n;
    h.bytes[19] = 1;
    return h;
}

std::vector<InfoHashV1> hashes(std::uint8_t from, std::uint8_t count) {
    std::vector<InfoHashV1> out;
    for (std::uint8_t i = 0; i < count; ++i) out.push_back(hash(static_cast<std::uint8_t>(from + i)));
    return out;
}

std::size_t total(const std::vector<std::vector<InfoHashV1>>& batches) {
    std::size_t n = 0;
    for (const auto& b : batches) n += b.size();
    return n;
}

// Everything is due at first, in batches of at most 20 (one datagram each), in the given order.
TEST(LsdSchedule, FirstAnnounceCoversEveryTorrentInDatagramBatches) {
    LsdSchedule s;
    const auto all = hashes(0, 45);
    const auto batches = s.take_due(all, LsdSchedule::Clock::time_point{} + 1h);
    ASSERT_EQ(batches.size(), 3u);
    EXPECT_EQ(batches[0].size(), 20u);
    EXPECT_EQ(batches[1].size(), 20u);
    EXPECT_EQ(batches[2].size(), 5u);
    EXPECT_EQ(batches[0][0], all[0]);
    EXPECT_EQ(batches[2][4], all[44]);
}

// Asked again within the minute, only a torrent never announced goes out; a minute after its last
// announce a torrent is due again, and not before.
TEST(LsdSchedule, AtMostOneAnnouncePerTorrentPerMinute) {
    LsdSchedule s;
    const auto t0 = LsdSchedule::Clock::time_point{} + 1h;
    auto list = hashes(0, 3);
    EXPECT_EQ(total(s.take_due(list, t0)), 3u);
    EXPECT_TRUE(s.take_due(list, t0).empty());
    EXPECT_TRUE(s.take_due(list, t0 + 59s).empty());
    list.push_back(hash(9));
    const auto added = s.take_due(list, t0 + 30s);
    ASSERT_EQ(total(added), 1u);
    EXPECT_EQ(added[0][0], hash(9));
    const auto minute = s.take_due(list, t0 + 60s);
    ASSERT_EQ(total(minute), 3u);  // the first three; hash(9) was announced 30 s ago
    for (const auto& h : minute[0]) EXPECT_NE(h, hash(9));
    EXPECT_EQ(total(s.take_due(list, t0 + 90s)), 1u);
}

// A hash listed twice goes out once; a torrent removed is forgotten, so memory stays bounded by
// the torrents there are (and one added back is announced at once).
TEST(LsdSchedule, DuplicatesOnceAndRemovedTorrentsForgotten) {
    LsdSchedule s;
    const auto t0 = LsdSchedule::Clock::time_point{} + 1h;
    EXPECT_EQ(total(s.take_due({hash(1), hash(1), hash(2)}, t0)), 2u);
    EXPECT_TRUE(s.take_due({hash(2)}, t0 + 1s).empty());
    EXPECT_EQ(total(s.take_due({hash(1), hash(2)}, t0 + 2s)), 1u);
    EXPECT_TRUE(s.take_due({}, t0 + 3s).empty());
}

// Senders are accepted from the joined interfaces' subnets only.
TEST(LocalDiscovery, SubnetCheck) {
    using boost::asio::ip::make_address_v4;
    const auto net = make_address_v4("10.213.5.1");
    const auto mask24 = make_address_v4("255.255.255.0");
    EXPECT_TRUE(io::same_subnet(make_address_v4("10.213.5.2"), net, mask24));
    EXPECT_TRUE(io::same_subnet(make_address_v4("10.213.5.255"), net, mask24));
    EXPECT_FALSE(io::same_subnet(make_address_v4("10.213.6.2"), net, mask24));
    EXPECT_FALSE(io::same_subnet(make_address_v4("8.8.8.8"), net, mask24));
    const auto mask32 = make_address_v4("255.255.255.255");
    EXPECT_TRUE(io::same_subnet(net, net, mask32));
    EXPECT_FALSE(io::same_subnet(make_address_v4("10.213.5.2"), net, mask32));
}

TEST(LocalDiscovery, PrefixCheck) {
    using boost::asio::ip::make_address_v6;
    const auto net = make_address_v6("fd00:213:5::1");
    EXPECT_TRUE(io::same_prefix(make_address_v6("fd00:213:5::2"), net, 64));
    EXPECT_TRUE(io::same_prefix(make_address_v6("fd00:213:5:0:ffff::9"), net, 64));
    EXPECT_FALSE(io::same_prefix(make_address_v6("fd00:213:6::2"), net, 64));
    EXPECT_TRUE(io::same_prefix(make_address_v6("fd00:213:7::2"), net, 46));   // 5 and 7 differ in bit 47
    EXPECT_FALSE(io::same_prefix(make_address_v6("fd00:213:7::2"), net, 47));
    EXPECT_TRUE(io::same_prefix(make_address_v6("2001:db8::1"), net, 0));
    EXPECT_FALSE(io::same_prefix(make_address_v6("fd00:213:5::2"), net, 128));
}

// IPv4 LSD for an IPv4 bind address, IPv6 for an IPv6 one, both for "::" (a dual-stack listener).
TEST(LocalDiscovery, FamiliesFollowTheBindAddress) {
    using F = io::LsdFamily;
    EXPECT_EQ(io::lsd_families("0.0.0.0"), std::vector<F>{F::v4});
    EXPECT_EQ(io::lsd_families("192.168.1.4"), std::vector<F>{F::v4});
    EXPECT_EQ(io::lsd_families("::ffff:192.168.1.4"), std::vector<F>{F::v4});
    EXPECT_EQ(io::lsd_families("::"), (std::vector<F>{F::v4, F::v6}));
    EXPECT_EQ(io::lsd_families("fd00::1"), std::vector<F>{F::v6});
    EXPECT_TRUE(io::lsd_families("not an address").empty());
}

// The bind addresses for which `agora get/seed` leaves LSD off.
TEST(LocalDiscovery, LoopbackBindAddresses) {
    for (const char* a : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"})
        EXPECT_TRUE(io::is_loopback_address(a)) << a;
    for (const char* a : {"0.0.0.0", "::", "10.213.5.1", "192.168.1.10", "fe80::1", "localhost", ""})
        EXPECT_FALSE(io::is_loopback_address(a)) << a;
}

}  // namespace
}  // namespace agora
