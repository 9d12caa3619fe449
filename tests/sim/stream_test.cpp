// Streams on the simulated network: the handshake, failures, max-min fair rates, byte order,
// close, the capacity invariants, and determinism of a whole busy run.
#include <gtest/gtest.h>

#include <cmath>

#include "recording_host.hpp"
#include "sim/network.hpp"
#include "sim/seeds.hpp"

namespace agora::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::Delivery;
using test::RecordingHost;

constexpr Duration latency = milliseconds(20);

TimePoint at(Duration d) { return TimePoint{} + d; }

struct World {
    explicit World(NetworkConfig config = {}, std::uint64_t seed = 1) : net(queue, host, with_latency(config), seed) {}
    static NetworkConfig with_latency(NetworkConfig c) {
        c.default_latency = latency;
        return c;
    }
    // Connects `from` to `to` (which listens on 6881) and runs until both ends know.
    std::pair<StreamId, StreamId> open(NodeIndex from, NodeIndex to) {
        net.listen(to, 6881);
        const StreamId s = net.connect(from, Address{net.ip(to), 6881});
        queue.run_until(queue.now() + 2 * latency);
        for (const Delivery& d : host.log) {
            if (d.kind == Delivery::Kind::accepted && d.stream.connection == s.connection) return {s, d.stream};
        }
        ADD_FAILURE() << "not accepted";
        return {s, s};
    }
    Bytes pattern(std::size_t n, std::uint8_t salt) const {
        Bytes b(n, '\0');
        for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<char>((i * 131 + salt) % 251);
        return b;
    }
    EventQueue queue;
    RecordingHost host;
    Network net;
};

// Proves the handshake takes one latency to the acceptor and one back, and each end sees the
// other's address.
TEST(Streams, ConnectTakesOneRoundTrip) {
    World w;
    const NodeIndex a = w.net.add_node({});
    const NodeIndex b = w.net.add_node({});
    w.net.listen(b, 6881);
    const StreamId s = w.net.connect(a, Address{w.net.ip(b), 6881});
    w.queue.run_until(at(seconds(1)));
    ASSERT_EQ(w.host.log.size(), 2u);
    const Delivery& accepted = w.host.log[0];
    EXPECT_EQ(accepted.kind, Delivery::Kind::accepted);
    EXPECT_EQ(accepted.at, at(latency));
    EXPECT_EQ(accepted.node, b);
    EXPECT_EQ(accepted.local_port, 6881);
    EXPECT_EQ(accepted.from.ip, w.net.ip(a));
    const Delivery& connected = w.host.log[1];
    EXPECT_EQ(connected.kind, Delivery::Kind::connected);
    EXPECT_EQ(connected.stream, s);
    EXPECT_EQ(connected.at, at(2 * latency));
    EXPECT_EQ(w.net.remote_address(s), (Address{w.net.ip(b), 6881}));
    EXPECT_EQ(w.net.remote_address(accepted.stream), accepted.from);
    EXPECT_EQ(w.net.node_of(accepted.stream), b);
}

// Proves a connect to a host with no listener is refused after one round trip, and one to an
// address with no host times out after the configured timeout.
TEST(Streams, RefusedWhenNobodyListensTimedOutWhenNobodyThere) {
    World w(NetworkConfig{.connect_timeout = seconds(3)});
    const NodeIndex a = w.net.add_node({});
    const NodeIndex b = w.net.add_node({});
    w.net.listen(b, 6881);
    const StreamId refused = w.net.connect(a, Address{w.net.ip(b), 6999});
    const StreamId void_ = w.net.connect(a, Address{make_ip(192, 0, 2, 1), 6881});
    w.queue.run_until(at(seconds(10)));
    ASSERT_EQ(w.host.log.size(), 2u);
    EXPECT_EQ(w.host.log[0].stream, refused);
    EXPECT_EQ(w.host.log[0].reason, CloseReason::refused);
    EXPECT_EQ(w.host.log[0].at, at(2 * latency));
    EXPECT_EQ(w.host.log[1].stream, void_);
    EXPECT_EQ(w.host.log[1].reason, CloseReason::timed_out);
    EXPECT_EQ(w.host.log[1].at, at(seconds(3)));
    EXPECT_FALSE(w.net.is_open(refused));
    EXPECT_FALSE(w.net.send(refused, "x"));
    EXPECT_EQ(w.net.connections_open(), 0u);
}

// Proves a lone stream runs at min(sender's upload, receiver's download): 400 kB at 40 kB/s takes
// 10 s, and the last byte arrives one latency after it left.
TEST(Streams, SingleStreamRunsAtTheBottleneck) {
    World w;
    const NodeIndex a = w.net.add_node({.upload_bytes_per_s = 100'000});
    const NodeIndex b = w.net.add_node({.download_bytes_per_s = 40'000});
    const auto [sa, sb] = w.open(a, b);
    const TimePoint start = w.queue.now();
    ASSERT_TRUE(w.net.send(sa, w.pattern(400'000, 1)));
    w.queue.run_until(start + milliseconds(1));
    EXPECT_DOUBLE_EQ(w.net.send_rate(sa), 40'000);
    w.queue.run_until(start + seconds(20));
    EXPECT_EQ(w.host.received[sb], w.pattern(400'000, 1));
    const Duration took = w.host.last_data[sb] - start;
    EXPECT_NEAR(std::chrono::duration<double>(took).count(), 10.0 + 0.020, 0.001);
    EXPECT_EQ(w.net.send_rate(sa), 0);
    EXPECT_EQ(w.net.check_invariants(), std::nullopt);
}

// Proves loss slows a stream as TCP is slowed (Mathis: MSS * 1.22 / (RTT * sqrt(p))) and never
// loses its bytes: 2% loss on one end, 20 ms each way.
TEST(Streams, LossCapsAStreamAtTcpsRate) {
    World w;
    const NodeIndex a = w.net.add_node({.upload_bytes_per_s = 10'000'000, .loss = 0.02});
    const NodeIndex b = w.net.add_node({.download_bytes_per_s = 10'000'000});
    const auto [sa, sb] = w.open(a, b);
    ASSERT_TRUE(w.net.send(sa, w.pattern(1'000'000, 3)));
    w.queue.run_until(w.queue.now() + milliseconds(1));
    const double expected = 1460 * 1.22 / (0.040 * std::sqrt(0.02));  // about 315 KB/s
    EXPECT_NEAR(w.net.send_rate(sa), expected, 1);
    w.queue.run_until(w.queue.now() + seconds(10));
    EXPECT_EQ(w.host.received[sb], w.pattern(1'000'000, 3));
}

// Proves two streams from one sender to fast receivers split its upload equally.
TEST(Streams, TwoStreamsShareTheSendersUpload) {
    World w;
    const NodeIndex a = w.net.add_node({.upload_bytes_per_s = 100'000});
    const NodeIndex b = w.net.add_node({});
    const NodeIndex c = w.net.add_node({});
    const auto [ab, ba] = w.open(a, b);
    const auto [ac, ca] = w.open(a, c);
    const TimePoint start = w.queue.now();
    w.net.send(ab, w.pattern(500'000, 2));
    w.net.send(ac, w.pattern(500'000, 3));
    w.queue.run_until(start + milliseconds(1));
    EXPECT_DOUBLE_EQ(w.net.send_rate(ab), 50'000);
    EXPECT_DOUBLE_EQ(w.net.send_rate(ac), 50'000);
    w.queue.run_until(start + seconds(20));
    EXPECT_EQ(w.host.received[ba], w.pattern(500'000, 2));
    EXPECT_EQ(w.host.received[ca], w.pattern(500'000, 3));
    EXPECT_NEAR(std::chrono::duration<double>(w.host.last_data[ba] - start).count(), 10.02, 0.001);
    EXPECT_NEAR(std::chrono::duration<double>(w.host.last_data[ca] - start).count(), 10.02, 0.001);
}

// Proves max-min through the network: A (up 100 kB/s) sends to B (down 30 kB/s) and C (down
// 1 MB/s). B gets 30, C the other 70; 300 kB and 700 kB both take 10 s.
TEST(Streams, MaxMinFairAcrossNodes) {
    World w;
    const NodeIndex a = w.net.add_node({.upload_bytes_per_s = 100'000});
    const NodeIndex b = w.net.add_node({.download_bytes_per_s = 30'000});
    const NodeIndex c = w.net.add_node({.download_bytes_per_s = 1'000'000});
    const auto [ab, ba] = w.open(a, b);
    const auto [ac, ca] = w.open(a, c);
    const TimePoint start = w.queue.now();
    w.net.send(ab, w.pattern(300'000, 4));
    w.net.send(ac, w.pattern(700'000, 5));
    w.queue.run_until(start + milliseconds(1));
    EXPECT_DOUBLE_EQ(w.net.send_rate(ab), 30'000);
    EXPECT_DOUBLE_EQ(w.net.send_rate(ac), 70'000);
    w.queue.run_until(start + seconds(20));
    EXPECT_EQ(w.host.received[ba].size(), 300'000u);
    EXPECT_EQ(w.host.received[ca].size(), 700'000u);
    EXPECT_NEAR(std::chrono::duration<double>(w.host.last_data[ba] - start).count(), 10.02, 0.001);
    EXPECT_NEAR(std::chrono::duration<double>(w.host.last_data[ca] - start).count(), 10.02, 0.001);
}

// Proves rates are recomputed when a stream drains and the bytes moved so far are kept: A (up
// 100 kB/s) sends 100 kB to B and 900 kB to C. Both run at 50 kB/s until B's is done at 2 s; then
// C's gets all 100 kB/s for its last 800 kB: done at 10 s, not at 18 s or 9 s.
TEST(Streams, RatesRebalanceWhenAStreamDrains) {
    World w;
    const NodeIndex a = w.net.add_node({.upload_bytes_per_s = 100'000});
    const NodeIndex b = w.net.add_node({});
    const NodeIndex c = w.net.add_node({});
    const auto [ab, ba] = w.open(a, b);
    const auto [ac, ca] = w.open(a, c);
    const TimePoint start = w.queue.now();
    w.net.send(ab, w.pattern(100'000, 6));
    w.net.send(ac, w.pattern(900'000, 7));
    w.queue.run_until(start + seconds(3));
    EXPECT_DOUBLE_EQ(w.net.send_rate(ac), 100'000);
    w.queue.run_until(start + seconds(20));
    EXPECT_NEAR(std::chrono::duration<double>(w.host.last_data[ba] - start).count(), 2.02, 0.001);
    EXPECT_NEAR(std::chrono::duration<double>(w.host.last_data[ca] - start).count(), 10.02, 0.001);
    EXPECT_EQ(w.host.received[ca], w.pattern(900'000, 7));
}

// Proves bytes arrive exactly and in order in both directions, whatever the sizes of the sends
// and of the chunks, including sends made while earlier ones are still in transmission.
TEST(Streams, BytesArriveInOrderBothWays) {
    World w(NetworkConfig{.chunk_bytes_max = 1000});
    const NodeIndex a = w.net.add_node({.upload_bytes_per_s = 200'000});
    const NodeIndex b = w.net.add_node({.upload_bytes_per_s = 50'000});
    const auto [sa, sb] = w.open(a, b);
    Rng rng(77);
    Bytes sent_ab;
    Bytes sent_ba;
    for (int i = 0; i < 300; ++i) {
        const std::size_t n = 1 + rng.below(5000);
        Bytes bytes(n, '\0');
        for (char& ch : bytes) ch = static_cast<char>(rng.next());
        const bool forward = rng.below(2) == 0;
        (forward ? sent_ab : sent_ba) += bytes;
        w.net.send(forward ? sa : sb, bytes);
        w.queue.run_until(w.queue.now() + milliseconds(rng.below(30)));
    }
    w.queue.run_until(w.queue.now() + seconds(60));
    EXPECT_EQ(w.host.received[sb], sent_ab);
    EXPECT_EQ(w.host.received[sa], sent_ba);
    EXPECT_EQ(w.net.counters(a).stream_bytes_sent, sent_ab.size());
    EXPECT_EQ(w.net.counters(a).stream_bytes_received, sent_ba.size());
    EXPECT_EQ(w.net.check_invariants(), std::nullopt);
}

// Proves close is graceful and one-sided: bytes queued before close() still arrive, the other
// end learns of the close one latency after the last byte, the closer hears nothing more, and the
// connection is freed.
TEST(Streams, CloseFollowsQueuedBytes) {
    World w;
    const NodeIndex a = w.net.add_node({.upload_bytes_per_s = 100'000});
    const NodeIndex b = w.net.add_node({});
    const auto [sa, sb] = w.open(a, b);
    w.host.log.clear();
    w.net.send(sa, w.pattern(100'000, 8));
    EXPECT_TRUE(w.net.close(sa));
    EXPECT_FALSE(w.net.close(sa));
    EXPECT_FALSE(w.net.send(sa, "late"));
    EXPECT_TRUE(w.net.is_open(sb));
    w.queue.run_until(w.queue.now() + seconds(5));
    EXPECT_EQ(w.host.received[sb], w.pattern(100'000, 8));
    ASSERT_FALSE(w.host.log.empty());
    const Delivery& last = w.host.log.back();
    EXPECT_EQ(last.kind, Delivery::Kind::closed);
    EXPECT_EQ(last.stream, sb);
    EXPECT_EQ(last.reason, CloseReason::peer_closed);
    EXPECT_EQ(last.at, w.host.last_data[sb]);  // sent right behind the last chunk
    EXPECT_EQ(w.host.count(Delivery::Kind::closed), 1u);
    EXPECT_FALSE(w.net.is_open(sb));
    EXPECT_EQ(w.net.connections_open(), 0u);
    EXPECT_EQ(w.net.check_invariants(), std::nullopt);
}

// Proves an idle close reaches the other end after one latency, and closing before the SYN
// arrives abandons the connect without the acceptor ever hearing of it.
TEST(Streams, CloseTakesOneLatencyAndAbandonsConnects) {
    World w;
    const NodeIndex a = w.net.add_node({});
    const NodeIndex b = w.net.add_node({});
    const auto [sa, sb] = w.open(a, b);
    w.host.log.clear();
    const TimePoint closed_at = w.queue.now();
    w.net.close(sb);
    const StreamId early = w.net.connect(a, Address{w.net.ip(b), 6881});
    w.queue.run_until(w.queue.now() + latency / 2);
    w.net.close(early);
    w.queue.run_until(w.queue.now() + seconds(5));
    ASSERT_EQ(w.host.log.size(), 1u);
    EXPECT_EQ(w.host.log[0].stream, sa);
    EXPECT_EQ(w.host.log[0].at, closed_at + latency);
    EXPECT_EQ(w.net.connections_open(), 0u);
}

// A busy random world: 40 nodes with mixed capacities and latencies, streams opened, fed and
// closed at random, and lossy datagrams. Returns the full trace. Checks the invariants every
// 100 ms and, each second, that no node sent more stream bytes than its upload allows (plus the
// chunks its streams had begun when the second started).
std::string busy_world(std::uint64_t seed, Duration rate_update_interval = Duration::zero()) {
    NetworkConfig config;
    config.chunk_bytes_max = 4096;
    config.rate_update_interval = rate_update_interval;
    config.latency = [](NodeIndex x, NodeIndex y) { return milliseconds(5 + (x.value * 7 + y.value * 13) % 90); };
    EventQueue queue;
    RecordingHost host;
    host.keep_bytes = false;
    Network net(queue, host, config, seed);
    Rng rng = stream_rng(seed, Stream::workload, 0);
    const std::size_t n = 40;
    for (std::size_t i = 0; i < n; ++i) {
        const NodeIndex node = net.add_node({.upload_bytes_per_s = 1'000 + rng.below(20'000),
                                             .download_bytes_per_s = 2'000 + rng.below(100'000),
                                             .loss = 0.1});
        net.listen(node, 6881);
        net.bind(node, 6881);
    }
    std::vector<StreamId> streams;
    std::vector<StreamId> accepted;
    std::size_t scanned = 0;
    std::vector<std::uint64_t> sent_last_second(n, 0);
    std::vector<std::size_t> active_last_second(n, 0);
    for (int tick = 0; tick < 300; ++tick) {
        for (int k = 0; k < 5; ++k) {
            const NodeIndex x{static_cast<std::uint32_t>(rng.below(n))};
            const NodeIndex y{static_cast<std::uint32_t>(rng.below(n))};
            switch (rng.below(4)) {
                case 0: streams.push_back(net.connect(x, Address{net.ip(y), 6881})); break;
                case 1: net.send_datagram(x, 6881, Address{net.ip(y), 6881}, Bytes(20 + rng.below(500), 'd')); break;
                case 2:
                    if (!streams.empty()) net.close(streams[rng.below(streams.size())]);
                    break;
                default:
                    for (; scanned < host.log.size(); ++scanned) {
                        if (host.log[scanned].kind == Delivery::Kind::accepted) accepted.push_back(host.log[scanned].stream);
                    }
                    for (const StreamId s : accepted) {
                        if (rng.below(8) == 0) net.send(s, Bytes(1 + rng.below(10'000), 'a'));
                    }
                    if (!streams.empty()) net.send(streams[rng.below(streams.size())], Bytes(rng.below(20'000), 's'));
            }
        }
        queue.run_until(queue.now() + milliseconds(100));
        const auto broken = net.check_invariants();
        EXPECT_EQ(broken, std::nullopt) << "seed " << seed << " at tick " << tick;
        if (tick % 10 == 9) {
            for (std::size_t i = 0; i < n; ++i) {
                const NodeIndex node{static_cast<std::uint32_t>(i)};
                const std::uint64_t sent = net.counters(node).stream_bytes_sent - net.counters(node).small_bytes_sent;
                EXPECT_LE(sent - sent_last_second[i],
                          net.node_config(node).upload_bytes_per_s + 2 * 4096 * active_last_second[i]);
                sent_last_second[i] = sent;
                active_last_second[i] = net.active_sends(node);
            }
        }
    }
    EXPECT_GT(net.recomputations(), 100u);
    return host.trace();
}

// Proves a whole run is a function of its seed: the same seed replays the same trace, event for
// event and microsecond for microsecond; another seed gives another run.
TEST(Streams, BusyWorldIsDeterministicAndWithinCapacity) {
    const std::string first = busy_world(2024);
    EXPECT_GT(first.size(), 100'000u);
    EXPECT_EQ(busy_world(2024), first);
    EXPECT_NE(busy_world(2025), first);
    const std::string batched = busy_world(2024, milliseconds(50));
    EXPECT_NE(batched, first);
    EXPECT_EQ(busy_world(2024, milliseconds(50)), batched);
}

// Proves a small send on an idle stream arrives after latency plus its size at the link's full
// rate, in order with what follows, without starting a flow or disturbing other streams' rates.
TEST(Streams, SmallSendsBypassTheFairShare) {
    World w;
    const NodeIndex a = w.net.add_node({.upload_bytes_per_s = 100'000});
    const NodeIndex b = w.net.add_node({.download_bytes_per_s = 50'000});
    const NodeIndex c = w.net.add_node({});
    const auto [ab, ba] = w.open(a, b);
    const auto [ac, ca] = w.open(a, c);
    w.net.send(ac, w.pattern(1'000'000, 9));
    w.queue.run_until(w.queue.now() + milliseconds(1));
    EXPECT_DOUBLE_EQ(w.net.send_rate(ac), 100'000);
    const std::uint64_t recomputations = w.net.recomputations();
    const TimePoint sent_at = w.queue.now();
    w.net.send(ab, Bytes(1000, 'r'));  // 1000 bytes at min(100k, 50k) B/s: 20 ms
    w.net.send(ab, Bytes(17, 'q'));    // behind it, even though it alone would be faster
    EXPECT_EQ(w.net.send_rate(ab), 0);
    w.queue.run_until(w.queue.now() + seconds(1));
    EXPECT_EQ(w.net.recomputations(), recomputations);
    EXPECT_DOUBLE_EQ(w.net.send_rate(ac), 100'000);
    EXPECT_EQ(w.host.received[ba], Bytes(1000, 'r') + Bytes(17, 'q'));
    EXPECT_EQ(w.host.last_data[ba], sent_at + milliseconds(20) + latency);
    EXPECT_EQ(w.net.counters(a).small_bytes_sent, 1017u);
    EXPECT_EQ(w.net.counters(b).small_bytes_received, 1017u);
}

// Proves rate_update_interval puts recomputations on its grid: a stream that starts at 41 ms
// waits until 100 ms for its rate, so 100 kB at 100 kB/s arrives at 1.1 s plus latency.
TEST(Streams, RateUpdatesOnTheIntervalGrid) {
    World w(NetworkConfig{.rate_update_interval = milliseconds(100)});
    const NodeIndex a = w.net.add_node({.upload_bytes_per_s = 100'000});
    const NodeIndex b = w.net.add_node({});
    const auto [ab, ba] = w.open(a, b);
    w.queue.run_until(at(milliseconds(41)));
    w.net.send(ab, w.pattern(100'000, 10));
    w.queue.run_until(at(milliseconds(99)));
    EXPECT_EQ(w.net.send_rate(ab), 0);
    EXPECT_EQ(w.net.check_invariants(), std::nullopt);
    w.queue.run_until(at(milliseconds(100)));
    EXPECT_DOUBLE_EQ(w.net.send_rate(ab), 100'000);
    w.queue.run_until(at(seconds(3)));
    EXPECT_EQ(w.host.received[ba], w.pattern(100'000, 10));
    EXPECT_EQ(w.host.last_data[ba], at(milliseconds(1100) + latency));
}

// A run of zeros waits in the queue as a count (byte_queue.hpp) and arrives as the bytes that were
// sent, whole or split across chunks, inside the zeros, at their edges, or around them.
TEST(Streams, ZeroRunsArriveAsSent) {
    const Bytes block = std::string("agorasim-token") + Bytes(16384, '\0');
    Bytes big(5000, 'x');
    big += Bytes(100'000, '\0');
    big += "have";  // a message appended after a block: the zeros are not at the end
    for (const std::vector<std::size_t>& cuts : {std::vector<std::size_t>{6000, 50'000}, {5000, 100'000},
                                                 {4999, 100'001}, {105'002}, {1, 2, 3}}) {
        ByteQueue q;
        q.push(big);
        EXPECT_EQ(q.size(), big.size());
        std::vector<Part> parts;
        for (std::size_t n : cuts) q.take(n, parts);
        q.take(q.size(), parts);
        Bytes joined;
        for (auto& p : parts) {
            EXPECT_LT(p.kept.size(), 6000u);  // the zeros were never stored
            joined += std::move(p).expand();
        }
        EXPECT_EQ(joined, big);
    }

    World w(NetworkConfig{.chunk_bytes_max = 32 * 1024});
    const NodeIndex a = w.net.add_node({.upload_bytes_per_s = 1'000'000});
    const NodeIndex b = w.net.add_node({});
    const auto [ab, ba] = w.open(a, b);
    for (const Bytes& bytes : {block, big, block, Bytes(3000, '\0')}) EXPECT_TRUE(w.net.send(ab, bytes));
    w.queue.run_until(at(seconds(5)));
    EXPECT_EQ(w.host.received[ba], block + big + block + Bytes(3000, '\0'));
}

// A socket takes nothing before it is connected: bytes sent before count as written when the
// connection is up (as far as they fit in the socket's buffer), never before.
TEST(Streams, BytesSentBeforeConnectAreWrittenAtConnect) {
    World w;
    const NodeIndex a = w.net.add_node({});
    const NodeIndex b = w.net.add_node({});
    w.net.listen(b, 6881);
    const StreamId s = w.net.connect(a, Address{w.net.ip(b), 6881});
    std::size_t written = 0;
    TimePoint when;
    w.host.on_sent = [&](NodeIndex, StreamId id, std::size_t bytes, TimePoint now) {
        EXPECT_EQ(id, s);
        written += bytes;
        when = now;
    };
    ASSERT_TRUE(w.net.send(s, Bytes(68, 'h')));
    EXPECT_EQ(w.net.take_written(s), 0u);
    w.queue.run_until(at(seconds(1)));
    EXPECT_EQ(written, 68u);
    EXPECT_EQ(when, at(2 * latency));  // one round trip: when the connect completed
}

// A sender that writes a block only when its previous write completed (as the engine paces its
// uploads) keeps the link busy: writes complete once the bytes fit in the socket's buffer, so the
// next block is queued before the link runs dry. Without the buffer, a write completes only when
// its bytes have left, the stream drains between blocks, and each new block waits for the next
// tick of the rate grid.
TEST(Streams, ASocketBufferKeepsTheLinkBusyBetweenWrites) {
    constexpr std::size_t block = 16384;
    constexpr int blocks = 20;
    auto finish = [&](std::uint32_t socket_buffer) {
        World w(NetworkConfig{.socket_buffer_bytes = socket_buffer, .rate_update_interval = milliseconds(100)});
        w.host.keep_bytes = false;
        const NodeIndex a = w.net.add_node({.upload_bytes_per_s = 100'000});
        const NodeIndex b = w.net.add_node({});
        const auto [ab, ba] = w.open(a, b);
        int sent = 0;
        std::size_t unwritten = 0;
        auto write_next = [&] {
            while (unwritten == 0 && sent < blocks) {
                ++sent;
                unwritten += block;
                EXPECT_TRUE(w.net.send(ab, Bytes(block, 'x')));
                unwritten -= w.net.take_written(ab);
            }
        };
        w.host.on_sent = [&](NodeIndex, StreamId s, std::size_t bytes, TimePoint) {
            EXPECT_EQ(s, ab);
            EXPECT_LE(bytes, unwritten);
            unwritten -= bytes;
            write_next();
        };
        const TimePoint start = w.queue.now();
        write_next();
        w.queue.run_until(at(seconds(30)));
        EXPECT_EQ(sent, blocks);
        EXPECT_EQ(unwritten, 0u);
        return w.host.last_data[ba] - start;
    };
    const Duration transmission = milliseconds(blocks * block * 1000 / 100'000);
    const Duration buffered = finish(16 * 1024);
    EXPECT_LE(buffered, transmission + milliseconds(100) + latency);  // at most one wait for the grid
    const Duration unbuffered = finish(0);
    EXPECT_GE(unbuffered, transmission + (blocks - 1) * milliseconds(30));
}

}  // namespace
}  // namespace agora::sim
