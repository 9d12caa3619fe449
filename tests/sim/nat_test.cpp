// NAT boxes: each type's mapping and admission rule, expiry, port forwards, and the same rules
// seen through the network (datagrams and stream connects).
#include <gtest/gtest.h>

#include "recording_host.hpp"
#include "sim/nat.hpp"
#include "sim/network.hpp"

namespace agora::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::Delivery;
using test::RecordingHost;

const TimePoint t0{};
const Address peer_b{make_ip(20, 0, 0, 2), 7000};
const Address peer_b_other_port{make_ip(20, 0, 0, 2), 7001};
const Address peer_c{make_ip(20, 0, 0, 3), 7000};

struct Admission {
    bool same_remote;
    bool same_ip_other_port;
    bool other_ip;
};

// The box behind which a node sent one datagram from port 6881 to B: who may answer?
Admission admits(NatType type) {
    NatBox box(type, seconds(60));
    const auto external = box.outbound(Protocol::udp, 6881, peer_b, t0);
    EXPECT_TRUE(external.has_value());
    const auto in = [&](Address from) {
        const auto internal = box.inbound(Protocol::udp, *external, from, t0 + seconds(1));
        if (internal) {
            EXPECT_EQ(*internal, 6881);
        }
        return internal.has_value();
    };
    return {in(peer_b), in(peer_b_other_port), in(peer_c)};
}

// Proves the four admission rules: full cone lets anyone in to a mapped port, restricted cone only
// the IPs sent to, port-restricted only the ip:port sent to, symmetric only that destination.
TEST(NatBox, AdmissionRulePerType) {
    const Admission full = admits(NatType::full_cone);
    EXPECT_TRUE(full.same_remote && full.same_ip_other_port && full.other_ip);
    const Admission restricted = admits(NatType::restricted_cone);
    EXPECT_TRUE(restricted.same_remote && restricted.same_ip_other_port);
    EXPECT_FALSE(restricted.other_ip);
    const Admission port_restricted = admits(NatType::port_restricted_cone);
    EXPECT_TRUE(port_restricted.same_remote);
    EXPECT_FALSE(port_restricted.same_ip_other_port || port_restricted.other_ip);
    const Admission symmetric = admits(NatType::symmetric);
    EXPECT_TRUE(symmetric.same_remote);
    EXPECT_FALSE(symmetric.same_ip_other_port || symmetric.other_ip);
}

// Proves cone boxes keep one external port per internal port (and preserve it), while a
// symmetric box gives each destination its own port, and the wrong destination cannot use it.
TEST(NatBox, SymmetricMapsPerDestination) {
    NatBox cone(NatType::port_restricted_cone, seconds(60));
    EXPECT_EQ(cone.outbound(Protocol::udp, 6881, peer_b, t0), 6881);
    EXPECT_EQ(cone.outbound(Protocol::udp, 6881, peer_c, t0), 6881);
    EXPECT_EQ(cone.mapping_count(), 1u);

    NatBox sym(NatType::symmetric, seconds(60));
    const auto to_b = sym.outbound(Protocol::udp, 6881, peer_b, t0);
    const auto to_c = sym.outbound(Protocol::udp, 6881, peer_c, t0);
    ASSERT_TRUE(to_b && to_c);
    EXPECT_NE(*to_b, *to_c);
    EXPECT_EQ(sym.outbound(Protocol::udp, 6881, peer_b, t0), to_b);  // reused while fresh
    EXPECT_EQ(sym.mapping_count(), 2u);
    EXPECT_FALSE(sym.inbound(Protocol::udp, *to_c, peer_b, t0));
    EXPECT_EQ(sym.inbound(Protocol::udp, *to_c, peer_c, t0), 6881);
}

// Proves nothing gets in unsolicited, UDP and TCP tables are separate, mappings expire after the
// timeout without outbound traffic, and a forward admits anyone on its port.
TEST(NatBox, UnsolicitedExpiryAndForwards) {
    NatBox box(NatType::full_cone, seconds(60));
    EXPECT_FALSE(box.inbound(Protocol::udp, 6881, peer_b, t0));
    const auto external = box.outbound(Protocol::udp, 6881, peer_b, t0);
    ASSERT_TRUE(external);
    EXPECT_FALSE(box.inbound(Protocol::tcp, *external, peer_b, t0));
    EXPECT_TRUE(box.inbound(Protocol::udp, *external, peer_c, t0 + seconds(60)));
    EXPECT_FALSE(box.inbound(Protocol::udp, *external, peer_c, t0 + seconds(61)));
    box.expire(t0 + seconds(61));
    EXPECT_EQ(box.mapping_count(), 0u);

    NatBox sym(NatType::symmetric, seconds(60));
    sym.forward(Protocol::tcp, 6881);
    EXPECT_EQ(sym.inbound(Protocol::tcp, 6881, peer_c, t0 + seconds(1000)), 6881);
    EXPECT_FALSE(sym.inbound(Protocol::udp, 6881, peer_c, t0));
}

// Through the network: node 0 is behind a NAT of the given type, nodes 1 and 2 are public. Node 0
// sends a datagram to node 1; then node 1 answers from the port it was sent to, node 1 sends from
// another port, and node 2 sends. Returns which of the three answers reached node 0.
std::array<bool, 3> answers_through(NatType type) {
    EventQueue queue;
    RecordingHost host;
    Network net(queue, host, NetworkConfig{}, 7);
    const NodeIndex a = net.add_node({.nat = type});
    const NodeIndex b = net.add_node({});
    const NodeIndex c = net.add_node({});
    for (const NodeIndex n : {a, b, c}) net.bind(n, 6881);
    net.bind(b, 6882);
    net.send_datagram(a, 6881, Address{net.ip(b), 6881}, "ping");
    queue.run_until(TimePoint{} + seconds(1));
    const Delivery* ping = host.first(Delivery::Kind::datagram);
    EXPECT_TRUE(ping != nullptr && ping->node == b);
    if (ping == nullptr) return {};
    const Address a_seen = ping->from;  // A's external address, as B saw it
    EXPECT_EQ(a_seen.ip, net.ip(a));
    host.log.clear();
    net.send_datagram(b, 6881, a_seen, "1");
    net.send_datagram(b, 6882, a_seen, "2");
    net.send_datagram(c, 6881, a_seen, "3");
    queue.run_until(TimePoint{} + seconds(2));
    std::array<bool, 3> got{};
    for (const Delivery& d : host.log) {
        EXPECT_EQ(d.node, a);
        EXPECT_EQ(d.local_port, 6881);
        got[static_cast<std::size_t>(d.bytes[0] - '1')] = true;
    }
    return got;
}

// Proves the network applies each type's rule to real traffic, and a public node takes all.
TEST(NatNetwork, DatagramAnswersPerType) {
    EXPECT_EQ(answers_through(NatType::none), (std::array<bool, 3>{true, true, true}));
    EXPECT_EQ(answers_through(NatType::full_cone), (std::array<bool, 3>{true, true, true}));
    EXPECT_EQ(answers_through(NatType::restricted_cone), (std::array<bool, 3>{true, true, false}));
    EXPECT_EQ(answers_through(NatType::port_restricted_cone), (std::array<bool, 3>{true, false, false}));
    EXPECT_EQ(answers_through(NatType::symmetric), (std::array<bool, 3>{true, false, false}));
}

// Proves an unsolicited datagram to a NATed node is dropped and counted, and a connect to a
// NATed node's listening port times out (the SYN is dropped), unless the port is forwarded.
TEST(NatNetwork, UnsolicitedInboundIsDropped) {
    EventQueue queue;
    RecordingHost host;
    Network net(queue, host, NetworkConfig{.connect_timeout = seconds(5)}, 7);
    const NodeIndex natted = net.add_node({.nat = NatType::full_cone});
    const NodeIndex pub = net.add_node({});
    net.bind(natted, 6881);
    net.listen(natted, 6881);
    net.send_datagram(pub, 6881, Address{net.ip(natted), 6881}, "hello");
    const StreamId s = net.connect(pub, Address{net.ip(natted), 6881});
    queue.run_until(TimePoint{} + seconds(10));
    EXPECT_EQ(host.count(Delivery::Kind::datagram), 0u);
    EXPECT_EQ(host.count(Delivery::Kind::accepted), 0u);
    EXPECT_EQ(net.counters(natted).datagrams_dropped, 1u);
    const Delivery* closed = host.first(Delivery::Kind::closed);
    ASSERT_NE(closed, nullptr);
    EXPECT_EQ(closed->stream, s);
    EXPECT_EQ(closed->reason, CloseReason::timed_out);
    EXPECT_EQ(closed->at, TimePoint{} + seconds(5));

    host.log.clear();
    net.forward_port(natted, Protocol::tcp, 6881);
    net.connect(pub, Address{net.ip(natted), 6881});
    queue.run_until(TimePoint{} + seconds(20));
    EXPECT_EQ(host.count(Delivery::Kind::accepted), 1u);
    EXPECT_EQ(host.count(Delivery::Kind::connected), 1u);
}

}  // namespace
}  // namespace agora::sim
