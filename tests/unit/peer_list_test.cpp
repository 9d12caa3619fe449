// session/peer_list: who to connect to next, back-off after failures, forgetting dead peers.
#include <gtest/gtest.h>

#include <string>

#include "session/peer_list.hpp"

using namespace agora;
using namespace agora::session;

namespace {

// A peer is handed out once; after a failed attempt it waits 2 s, then 4 s, and after six
// failures it is forgotten.
TEST(PeerList, BackOffAndForget) {
    PeerList list;
    const Endpoint e{"127.0.0.1", 6881};
    list.add(e);
    list.add(e);  // no duplicates
    list.add(Endpoint{"127.0.0.1", 0});  // no port: ignored
    EXPECT_EQ(list.size(), 1u);
    TimePoint now{};
    EXPECT_EQ(list.next(now), e);
    EXPECT_FALSE(list.next(now).has_value());  // an attempt is under way
    list.disconnected(e, true, now);
    EXPECT_FALSE(list.next(now + std::chrono::milliseconds(1999)).has_value());
    EXPECT_EQ(list.next(now + std::chrono::seconds(2)), e);
    list.disconnected(e, true, now);
    EXPECT_FALSE(list.next(now + std::chrono::seconds(3)).has_value());
    EXPECT_EQ(list.next(now + std::chrono::seconds(4)), e);
    for (int i = 0; i < 4; ++i) list.disconnected(e, true, now);
    EXPECT_EQ(list.size(), 0u);
    list.add(e);  // forgotten, it may be learned again (from a tracker or PEX)
    EXPECT_EQ(list.size(), 1u);
    EXPECT_EQ(list.next(now), e);
}

// Peers are dialed in the order they were learned, and the list holds at most peers_max:
// a tracker or PEX cannot make it grow without end.
TEST(PeerList, LearnedOrderAndBound) {
    PeerList list;
    for (std::uint32_t i = 0; i < PeerList::peers_max + 10; ++i)
        list.add(Endpoint{"10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1), 6881});
    EXPECT_EQ(list.size(), PeerList::peers_max);
    list.add(Endpoint{"10.0.0.1", 6881});  // already known
    EXPECT_EQ(list.size(), PeerList::peers_max);
    const TimePoint now{};
    EXPECT_EQ(list.next(now), (Endpoint{"10.0.0.1", 6881}));
    EXPECT_EQ(list.next(now), (Endpoint{"10.0.0.2", 6881}));
}

// A peer we were connected to and that left waits 30 s before we dial it again.
TEST(PeerList, LeftPeerWaits) {
    PeerList list;
    const Endpoint e{"::1", 51413};
    EXPECT_EQ(e.key(), "[::1]:51413");
    list.add(e);
    TimePoint now{};
    ASSERT_TRUE(list.next(now).has_value());
    list.connected(e);
    list.disconnected(e, false, now);
    EXPECT_FALSE(list.next(now + std::chrono::seconds(29)).has_value());
    EXPECT_TRUE(list.next(now + std::chrono::seconds(30)).has_value());
}

}  // namespace

namespace {

// Forgetting a peer in the middle of the list keeps the others in their order and still found:
// a later connect or disconnect of one learned after it reaches the right entry.
TEST(PeerList, ForgettingKeepsTheRestInOrder) {
    PeerList list;
    const Endpoint a{"10.0.0.1", 6881}, b{"10.0.0.2", 6881}, c{"10.0.0.3", 6881}, d{"10.0.0.3", 6882};
    for (const auto& e : {a, b, c, d}) list.add(e);
    const TimePoint now{};
    for (std::uint32_t i = 0; i < PeerList::failures_max; ++i) list.disconnected(b, true, now);
    EXPECT_EQ(list.size(), 3u);
    EXPECT_EQ(list.next(now), a);
    EXPECT_EQ(list.next(now), c);  // the same address on another port is another peer
    EXPECT_EQ(list.next(now), d);
    EXPECT_FALSE(list.next(now).has_value());
    list.disconnected(d, false, now);  // d (now third) waits 30 s; c stays connected
    EXPECT_FALSE(list.next(now + std::chrono::seconds(29)).has_value());
    EXPECT_EQ(list.next(now + std::chrono::seconds(30)), d);
    list.add(b);  // forgotten, so learned again: last in the order
    list.disconnected(a, false, now);
    EXPECT_EQ(list.next(now + std::chrono::seconds(30)), a);
    EXPECT_EQ(list.next(now + std::chrono::seconds(30)), b);
}

}  // namespace
