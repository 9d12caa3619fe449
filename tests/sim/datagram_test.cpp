// Datagrams on the simulated network: latency, ports, loss, and determinism from the seed.
#include <gtest/gtest.h>

#include "recording_host.hpp"
#include "sim/network.hpp"

namespace agora::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::Delivery;
using test::RecordingHost;

// Proves a datagram arrives exactly one latency later, with its bytes and the sender's address,
// and that the latency function is asked for the right pair.
TEST(Datagrams, ArriveAfterThePairsLatency) {
    EventQueue queue;
    RecordingHost host;
    NetworkConfig config;
    config.latency = [](NodeIndex from, NodeIndex to) { return milliseconds(10 * (from.value + 1) + to.value); };
    Network net(queue, host, config, 1);
    const NodeIndex a = net.add_node({});
    const NodeIndex b = net.add_node({});
    net.bind(b, 6881);
    queue.run_until(TimePoint{} + milliseconds(3));
    net.send_datagram(a, 5000, Address{net.ip(b), 6881}, "find_node");
    queue.run_until(TimePoint{} + seconds(1));
    ASSERT_EQ(host.log.size(), 1u);
    const Delivery& d = host.log[0];
    EXPECT_EQ(d.at, TimePoint{} + milliseconds(3 + 10 + 1));  // a=0 -> b=1: 10 ms + 1 ms
    EXPECT_EQ(d.node, b);
    EXPECT_EQ(d.local_port, 6881);
    EXPECT_EQ(d.bytes, "find_node");
    EXPECT_EQ(d.from, (Address{net.ip(a), 5000}));
    EXPECT_EQ(format_ip(net.ip(a)), "10.0.0.1");
    EXPECT_EQ(net.node_at(*parse_ip("10.0.0.2")), b);
}

// Proves datagrams to an unbound port or an address with no node are dropped and counted.
TEST(Datagrams, NobodyThereIsDropped) {
    EventQueue queue;
    RecordingHost host;
    Network net(queue, host, NetworkConfig{}, 1);
    const NodeIndex a = net.add_node({});
    const NodeIndex b = net.add_node({});
    net.send_datagram(a, 5000, Address{net.ip(b), 6881}, "x");             // b binds nothing
    net.send_datagram(a, 5000, Address{make_ip(192, 0, 2, 1), 6881}, "y");  // no node there
    queue.run_until(TimePoint{} + seconds(1));
    EXPECT_TRUE(host.log.empty());
    EXPECT_EQ(net.counters(b).datagrams_dropped, 1u);
    EXPECT_EQ(net.counters(a).datagrams_dropped, 1u);
}

struct LossRun {
    std::size_t received;
    std::string trace;
};

LossRun run_loss(std::uint64_t seed, double loss_a, double loss_b, int count) {
    EventQueue queue;
    RecordingHost host;
    Network net(queue, host, NetworkConfig{}, seed);
    const NodeIndex a = net.add_node({.loss = loss_a});
    const NodeIndex b = net.add_node({.loss = loss_b});
    net.bind(b, 6881);
    for (int i = 0; i < count; ++i) {
        net.send_datagram(a, 6881, Address{net.ip(b), 6881}, std::to_string(i));
        queue.run_until(queue.now() + milliseconds(1));
    }
    queue.run_until(queue.now() + seconds(1));
    std::string trace;
    for (const Delivery& d : host.log) trace += d.bytes + ",";
    EXPECT_EQ(net.counters(a).datagrams_lost + host.log.size(), static_cast<std::size_t>(count));
    return {host.log.size(), trace};
}

// Proves the loss rate is what was configured (both links count), and that which datagrams are
// lost is a function of the seed: the same seed loses the same ones, another seed others.
TEST(Datagrams, LossRateAsConfiguredAndSeeded) {
    const int n = 20000;
    const LossRun a = run_loss(99, 0.2, 0, n);
    EXPECT_NEAR(static_cast<double>(a.received) / n, 0.8, 0.015);
    const LossRun both = run_loss(99, 0.2, 0.5, n);  // survives both: 0.8 * 0.5
    EXPECT_NEAR(static_cast<double>(both.received) / n, 0.4, 0.015);
    const LossRun again = run_loss(99, 0.2, 0, n);
    EXPECT_EQ(again.trace, a.trace);
    const LossRun other = run_loss(100, 0.2, 0, n);
    EXPECT_NE(other.trace, a.trace);
    EXPECT_EQ(run_loss(5, 0, 0, 1000).received, 1000u);
}

}  // namespace
}  // namespace agora::sim
