// The DHT at scale under the simulator: real agora DHT nodes join, settle and answer lookups;
// lookups find the truly closest node in about log2(N) hops.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/dht_scale.hpp"

namespace agora::sim {
namespace {

DhtScaleConfig small(std::uint32_t nodes) {
    DhtScaleConfig c;
    c.nodes = nodes;
    c.lookups = 50;
    c.join_window = std::chrono::seconds(30);
    c.settle = std::chrono::seconds(60);
    c.lookup_window = std::chrono::seconds(10);
    return c;
}

TEST(DhtScale, LookupsFindTheClosestNodeInAFewHops) {
    const auto r = run_dht_scale(small(200), 3);
    ASSERT_FALSE(r.failure) << *r.failure;
    ASSERT_EQ(r.lookups.size(), 50u);
    EXPECT_EQ(r.finished, 50u);
    // Nearly every lookup reaches the node that is really closest to its target.
    EXPECT_GE(r.found, 47u);
    double hops = 0;
    for (const auto& l : r.lookups) {
        EXPECT_TRUE(l.ok);
        EXPECT_GT(l.messages, 0u);
        EXPECT_GT(l.latency_s, 0);
        hops += l.hops;
    }
    hops /= 50;
    // Kademlia: about log2(N) / log2(bucket fan-out); well under log2(200) = 7.6.
    EXPECT_GE(hops, 1.0);
    EXPECT_LE(hops, std::log2(200.0));
    // Tables hold a good part of a small network.
    EXPECT_GT(r.mean_table_nodes, 20);
}

TEST(DhtScale, ASeedDeterminesTheRun) {
    auto c = small(60);
    c.lookups = 10;
    const auto a = run_dht_scale(c, 5);
    const auto b = run_dht_scale(c, 5);
    const auto d = run_dht_scale(c, 6);
    ASSERT_FALSE(a.failure || b.failure || d.failure);
    EXPECT_EQ(a.events, b.events);
    auto latencies = [](const DhtScaleResult& r) {
        std::vector<double> v;
        for (const auto& l : r.lookups) v.push_back(l.latency_s);
        return v;
    };
    EXPECT_EQ(latencies(a), latencies(b));
    EXPECT_NE(latencies(a), latencies(d));
}

}  // namespace
}  // namespace agora::sim
