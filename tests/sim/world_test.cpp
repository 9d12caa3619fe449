// The engine under the simulator: real agora nodes exchange a torrent over the simulated network,
// the token content checks out, a corrupting peer cannot get a wrong piece verified, the flash
// crowd completes near its bound, and a run is a pure function of its seed.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/hash.hpp"
#include "dht/endpoint.hpp"
#include "sim/content.hpp"
#include "sim/flash_crowd.hpp"
#include "sim/world.hpp"
#include "session/peer_priority.hpp"

namespace agora::sim {
namespace {

using std::chrono::seconds;

TEST(Content, TokensAreTheBytesTheTorrentHashes) {
    auto info = make_torrent(7, "x.bin", 1'000'000, 64 * 1024, {});
    ASSERT_TRUE(info) << info.error().describe();
    const auto& layout = (*info)->layout;
    ASSERT_EQ(layout.piece_count(), 16u);
    for (std::uint32_t p = 0; p < layout.piece_count(); ++p) {
        const auto bytes = content_bytes(7, layout.piece_offset(PieceIndex(p)),
                                         static_cast<std::uint32_t>(layout.piece_size(PieceIndex(p))));
        EXPECT_EQ(sha1(bytes), (*info)->v1_piece_hash(PieceIndex(p))) << p;
        EXPECT_TRUE(matches(7, layout.piece_offset(PieceIndex(p)), bytes));
        EXPECT_FALSE(matches(8, layout.piece_offset(PieceIndex(p)), bytes));  // another torrent's
    }
    // One wrong byte anywhere, in a token or in the zeros after it, fails the match.
    auto bytes = content_bytes(7, 0, 64 * 1024);
    for (std::size_t at : {std::size_t{3}, std::size_t{19}, std::size_t{20}, std::size_t{16384 + 5}, bytes.size() - 1}) {
        auto wrong = bytes;
        wrong[at] = static_cast<char>(wrong[at] ^ 1);
        EXPECT_FALSE(matches(7, 0, wrong)) << at;
    }
    // A range that starts inside a block reads the same as the whole.
    EXPECT_EQ(content_bytes(7, 16384 + 7, 30000), bytes.substr(16384 + 7, 30000));
    EXPECT_TRUE(matches(7, 16384 + 7, bytes.substr(16384 + 7, 30000)));
    EXPECT_NE(content_bytes(7, 0, 64 * 1024, false), bytes);
}

struct Swarm {
    explicit Swarm(std::uint64_t seed = 1) : world(config(seed)) {
        auto made = make_torrent(1, "t.bin", 4 << 20, 0, {world.add_tracker()});
        EXPECT_TRUE(made);
        info = *made;
        world.on_piece_verified = [this](NodeIndex n, TorrentHandle, PieceIndex, TimePoint now) {
            if (++verified[n.value] == info->layout.piece_count()) done_at[n.value] = now;
        };
    }
    static WorldConfig config(std::uint64_t seed) {
        WorldConfig c;
        c.seed = seed;
        return c;
    }
    NodeIndex node(std::uint64_t up, std::uint64_t down, bool corrupt = false) {
        NodeSpec s;
        s.link.upload_bytes_per_s = up;
        s.link.download_bytes_per_s = down;
        s.corrupt = corrupt;
        return world.add_node(s);
    }
    World world;
    std::shared_ptr<const meta::TorrentInfo> info;
    std::map<std::uint32_t, std::uint32_t> verified;
    std::map<std::uint32_t, TimePoint> done_at;
};

TEST(World, TwoNodesExchangeATorrentAtTheLinkRate) {
    Swarm s;
    const auto seed = s.node(1'000'000, 1'000'000);
    const auto leech = s.node(1'000'000, 10'000'000);
    s.world.add_torrent(seed, s.info, 1, true);
    const auto t = s.world.add_torrent(leech, s.info, 1, false);
    ASSERT_TRUE(s.world.run_while([&] { return !s.done_at.contains(leech.value); }, TimePoint{seconds(60)}))
        << *s.world.failure();
    ASSERT_TRUE(s.done_at.contains(leech.value));
    EXPECT_TRUE(s.world.engine(leech).torrent(t)->stats().complete);
    // 4 MiB at the seed's 1 MB/s: 4.2 s of transfer plus the tracker, handshakes and requests.
    const double took = static_cast<double>(s.done_at[leech.value].since_epoch.count()) / 1e6;
    EXPECT_GT(took, 4.19);
    EXPECT_LT(took, 6.0);
    EXPECT_EQ(s.verified[leech.value], s.info->layout.piece_count());
}

// Proves a node with port_forwarded has its NAT let anyone in on its port, TCP (peers) and UDP (its
// DHT), and that one without it lets nobody in unasked.
TEST(World, APortForwardOpensTheNodesPortToAnyone) {
    Swarm s;
    NodeSpec spec;
    spec.link.nat = NatType::port_restricted_cone;
    const auto closed = s.world.add_node(spec);
    spec.port_forwarded = true;
    const auto open = s.world.add_node(spec);
    const std::uint16_t port = WorldConfig{}.port;  // the Swarm's world keeps the default
    const Address stranger{make_ip(10, 9, 9, 9), 40000};
    for (const auto protocol : {Protocol::tcp, Protocol::udp}) {
        EXPECT_EQ(s.world.network().nat(open)->inbound(protocol, port, stranger, s.world.now()), port);
        EXPECT_EQ(s.world.network().nat(closed)->inbound(protocol, port, stranger, s.world.now()), std::nullopt);
    }
}

TEST(World, ACorruptingPeerNeverGetsAWrongPieceVerified) {
    Swarm s;
    const auto honest = s.node(500'000, 10'000'000);
    const auto liar = s.node(5'000'000, 10'000'000, true);
    const auto leech = s.node(1'000'000, 10'000'000);
    s.world.add_torrent(honest, s.info, 1, true);
    s.world.add_torrent(liar, s.info, 1, true);
    s.world.add_torrent(leech, s.info, 1, false);
    // The world fails the run if a piece holding a bad block were ever reported verified.
    ASSERT_TRUE(s.world.run_while([&] { return !s.done_at.contains(leech.value); }, TimePoint{seconds(300)}))
        << *s.world.failure();
    EXPECT_TRUE(s.done_at.contains(leech.value));
    // The liar sent data, and the leecher had to fetch the same pieces again from the honest seed.
    EXPECT_GT(s.world.network().counters(liar).stream_bytes_sent, 16u * 1024);
    EXPECT_GT(s.world.network().counters(leech).stream_bytes_received, std::uint64_t{4} << 20);
}

// A peer that takes requests and never answers: the leecher gives up on them at its timeout and
// gets the file from the honest seed; a checker stricter than the timeout fails the run loudly.
TEST(World, UnansweredRequestsAreGivenUpOrTheRunFails) {
    auto staller_world = [](Duration limit) {
        WorldConfig c;
        c.request_limit = limit;
        auto w = std::make_unique<World>(c);
        auto info = *make_torrent(1, "t.bin", 4 << 20, 0, {w->add_tracker()});
        NodeSpec silent;
        silent.silent = true;
        silent.link = {10'000'000, 10'000'000, 0, NatType::none};
        NodeSpec honest;
        honest.link = {300'000, 10'000'000, 0, NatType::none};
        NodeSpec leech;
        leech.link = {1'000'000, 10'000'000, 0, NatType::none};
        w->add_torrent(w->add_node(silent), info, 1, true);
        w->add_torrent(w->add_node(honest), info, 1, true);
        w->add_torrent(w->add_node(leech), info, 1, false);
        return w;
    };
    // The engine's own timeout (20 s) is within the default limit: the run holds, and completes.
    auto ok = staller_world(Duration{0});
    std::uint32_t verified = 0;
    ok->on_piece_verified = [&](NodeIndex, TorrentHandle, PieceIndex, TimePoint) { ++verified; };
    EXPECT_TRUE(ok->run_until(TimePoint{seconds(90)})) << *ok->failure();
    EXPECT_EQ(verified, 128u);  // 4 MiB in 32 KiB pieces: the leecher has them all
    // A 5 s limit is stricter than the engine's timeout: the checker catches the stalled requests.
    auto strict = staller_world(seconds(5));
    EXPECT_FALSE(strict->run_until(TimePoint{seconds(90)}));
    ASSERT_TRUE(strict->failure().has_value());
    EXPECT_NE(strict->failure()->find("past its timeout"), std::string::npos) << *strict->failure();
}

// Nodes find each other only through the tracker, reached as a BEP 15 UDP tracker over the
// simulated network: every announce is a connect and an announce exchange, made by the client code
// agora uses for real trackers and answered by the tracker's node.
TEST(World, NodesFindEachOtherThroughTheUdpTracker) {
    Swarm s;
    const auto seed = s.node(1'000'000, 1'000'000);
    const auto leech = s.node(1'000'000, 10'000'000);
    s.world.add_torrent(seed, s.info, 1, true);
    s.world.add_torrent(leech, s.info, 1, false);
    // Neither has a DHT or a peer to start from: the tracker is how they meet.
    ASSERT_TRUE(s.world.run_while([&] { return !s.done_at.contains(leech.value); }, TimePoint{seconds(60)}))
        << *s.world.failure();
    EXPECT_TRUE(s.done_at.contains(leech.value));
    const auto& c = s.world.tracker().counters();
    EXPECT_GE(c.connects, 2u);
    EXPECT_GE(c.announces, 2u);
    EXPECT_EQ(c.rejected, 0u);
    EXPECT_EQ(s.world.tracker().members(s.info->info_hashes.v1->bytes), 2u);
    ASSERT_TRUE(s.world.tracker_node().has_value());
    EXPECT_GE(s.world.network().counters(*s.world.tracker_node()).datagrams_sent, 4u);
    // The tracker's node is not a peer: it has no engine and counts as nobody alive.
    EXPECT_FALSE(s.world.alive(*s.world.tracker_node()));
    EXPECT_EQ(s.world.alive_count(), 2u);
}

// With two datagrams in five lost on the leecher's link, its first announce is lost (with this
// seed) and resent on BEP 15's schedule (after 15 s), and the leecher still finds the seed.
TEST(World, AnnouncesAreResentWhenDatagramsAreLost) {
    Swarm s;
    const auto seed = s.node(1'000'000, 1'000'000);
    NodeSpec lossy;
    lossy.link = {1'000'000, 10'000'000, 0.4, NatType::none};
    const auto leech = s.world.add_node(lossy);
    s.world.add_torrent(seed, s.info, 1, true);
    s.world.add_torrent(leech, s.info, 1, false);
    ASSERT_TRUE(s.world.run_while([&] { return !s.done_at.contains(leech.value); }, TimePoint{seconds(900)}))
        << *s.world.failure();
    ASSERT_TRUE(s.done_at.contains(leech.value));
    EXPECT_GT(s.world.network().counters(leech).datagrams_lost, 0u);
    // 4 MiB takes 4.2 s once the seed is known: the rest is the wait for a resend.
    EXPECT_GT(s.done_at[leech.value], TimePoint{seconds(15)});
}

// A node behind a NAT that joins before anyone it can reach gets from the tracker only what it
// cannot dial, and nobody can dial it. It asks the tracker again after the engine's
// stranded_announce_interval (5 minutes), not the tracker's interval (30 minutes), and finds the
// seed that came meanwhile.
TEST(World, AStrandedNodeAsksTheTrackerAgainSooner) {
    Swarm s;
    NodeSpec natted;
    natted.link = {1'000'000, 10'000'000, 0, NatType::port_restricted_cone};
    const auto leech = s.world.add_node(natted);
    s.world.add_torrent(leech, s.info, 1, false);
    ASSERT_TRUE(s.world.run_until(TimePoint{seconds(10)})) << *s.world.failure();
    const auto seed = s.node(1'000'000, 1'000'000);
    s.world.add_torrent(seed, s.info, 1, true);
    // The seed dials the leecher it was told of: the NAT drops the SYN.
    ASSERT_TRUE(s.world.run_while([&] { return !s.done_at.contains(leech.value); }, TimePoint{seconds(1200)}))
        << *s.world.failure();
    ASSERT_TRUE(s.done_at.contains(leech.value));
    EXPECT_GT(s.done_at[leech.value], TimePoint{seconds(300)});  // nothing before its second announce
    EXPECT_LT(s.done_at[leech.value], TimePoint{seconds(320)});  // 4 MiB at 1 MB/s soon after it
}

// Only a stranded torrent announces early: a leecher downloading slowly from its one peer, and the
// seed it downloads from, each announce once (`started`) in their first 30 minutes.
TEST(World, AConnectedTorrentWaitsTheTrackersInterval) {
    Swarm s;
    const auto seed = s.node(2'000, 1'000'000);  // 4 MiB at 2 kB/s: 35 minutes
    s.world.add_torrent(seed, s.info, 1, true);
    const auto leech = s.node(1'000'000, 10'000'000);
    s.world.add_torrent(leech, s.info, 1, false);
    ASSERT_TRUE(s.world.run_until(TimePoint{seconds(1700)})) << *s.world.failure();
    EXPECT_FALSE(s.done_at.contains(leech.value));
    EXPECT_GT(s.verified[leech.value], 0u);  // connected, and downloading
    EXPECT_EQ(s.world.tracker().counters().announces, 2u);
}

// A node with two torrents on one tracker has two announces in flight to the same address at
// once; each reply reaches the announce it answers (as in io::SessionDriver, every announce to
// that address sees the datagram and keeps its own transaction id), so neither waits the 15 s of
// a resend.
TEST(World, TwoAnnouncesToOneTrackerEachGetTheirReply) {
    World world{WorldConfig{}};
    const std::string url = world.add_tracker();
    auto one = *make_torrent(1, "one.bin", 1 << 20, 0, {url});
    auto two = *make_torrent(2, "two.bin", 1 << 20, 0, {url});
    NodeSpec seed_spec;
    seed_spec.link = {2'000'000, 2'000'000, 0, NatType::none};
    const auto seed = world.add_node(seed_spec);
    world.add_torrent(seed, one, 1, true);
    world.add_torrent(seed, two, 2, true);
    const auto leech = world.add_node(NodeSpec{});
    std::map<std::uint32_t, std::uint32_t> verified;  // by content: torrent handles are per node
    const auto t1 = world.add_torrent(leech, one, 1, false);
    const auto t2 = world.add_torrent(leech, two, 2, false);
    world.on_piece_verified = [&](NodeIndex n, TorrentHandle t, PieceIndex, TimePoint) {
        if (n == leech) ++verified[t == t1 ? 1u : t == t2 ? 2u : 0u];
    };
    auto done = [&] {
        return verified[1] == one->layout.piece_count() && verified[2] == two->layout.piece_count();
    };
    ASSERT_TRUE(world.run_while([&] { return !done(); }, TimePoint{seconds(60)})) << *world.failure();
    EXPECT_TRUE(done());
    EXPECT_LT(world.now(), TimePoint{seconds(10)});
    EXPECT_EQ(world.tracker().counters().announces, 4u);
}

// The simulated network has no HTTP trackers: such an announce fails at once with a message
// that says so, and the engine logs it like any tracker error.
TEST(World, AnHttpTrackerIsRefusedWithAClearError) {
    World world{WorldConfig{}};
    auto info = *make_torrent(1, "t.bin", 1 << 20, 0, {"http://tracker.example/announce"});
    std::vector<std::string> logs;
    world.on_log = [&](NodeIndex, const std::string& line, TimePoint) { logs.push_back(line); };
    world.add_torrent(world.add_node(NodeSpec{}), info, 1, false);
    ASSERT_TRUE(world.run_until(TimePoint{seconds(1)}));
    EXPECT_TRUE(std::any_of(logs.begin(), logs.end(), [](const std::string& l) {
        return l.find("http://tracker.example/announce") != std::string::npos &&
               l.find("only UDP trackers") != std::string::npos;
    }));
}

TEST(World, ALeavingNodeIsForgottenAndOthersCarryOn) {
    Swarm s;
    const auto seed = s.node(2'000'000, 2'000'000);
    const auto a = s.node(1'000'000, 10'000'000);
    const auto b = s.node(1'000'000, 10'000'000);
    s.world.add_torrent(seed, s.info, 1, true);
    s.world.add_torrent(a, s.info, 1, false);
    s.world.add_torrent(b, s.info, 1, false);
    ASSERT_TRUE(s.world.run_until(TimePoint{seconds(1)}));
    s.world.remove_node(a);
    EXPECT_FALSE(s.world.alive(a));
    EXPECT_EQ(s.world.alive_count(), 2u);
    ASSERT_TRUE(s.world.run_while([&] { return !s.done_at.contains(b.value); }, TimePoint{seconds(60)}));
    EXPECT_TRUE(s.done_at.contains(b.value));
    EXPECT_FALSE(s.done_at.contains(a.value));
}

// A node that quits tells the tracker (`stopped`, sent while it lingers), so the tracker stops
// handing out its address; one that crashes stays listed.
TEST(World, AQuittingNodeTellsTheTrackerACrashedOneDoesNot) {
    Swarm s;
    const auto seed = s.node(1'000'000, 1'000'000);
    const auto quits = s.node(1'000'000, 10'000'000);
    const auto crashes = s.node(1'000'000, 10'000'000);
    s.world.add_torrent(seed, s.info, 1, true);
    s.world.add_torrent(quits, s.info, 1, false);
    s.world.add_torrent(crashes, s.info, 1, false);
    const auto& hash = s.info->info_hashes.v1->bytes;
    ASSERT_TRUE(s.world.run_until(TimePoint{seconds(2)})) << *s.world.failure();
    EXPECT_EQ(s.world.tracker().members(hash), 3u);
    const auto sent_before = s.world.network().counters(quits).datagrams_sent;
    s.world.leave(quits);
    EXPECT_FALSE(s.world.alive(quits));
    EXPECT_EQ(s.world.alive_count(), 2u);
    ASSERT_TRUE(s.world.run_until(TimePoint{seconds(8)})) << *s.world.failure();
    EXPECT_EQ(s.world.tracker().members(hash), 2u);
    // Its last words were the `stopped` exchange: a connect and an announce, nothing after.
    EXPECT_EQ(s.world.network().counters(quits).datagrams_sent, sent_before + 2);
    s.world.remove_node(crashes);
    ASSERT_TRUE(s.world.run_until(TimePoint{seconds(14)})) << *s.world.failure();
    EXPECT_EQ(s.world.tracker().members(hash), 2u);
    EXPECT_EQ(s.world.alive_count(), 1u);
}

// A quitting node's DHT stops at once (as libtorrent's does when its session is aborted): while
// it lingers for its trackers it answers no query.
TEST(World, AQuittingNodesDhtAnswersNothing) {
    World world{WorldConfig{}};
    NodeSpec spec;
    spec.dht = true;
    const auto a = world.add_node(spec);
    const auto b = world.add_node(spec);
    world.bootstrap_dht(b, {a});
    ASSERT_TRUE(world.run_until(TimePoint{seconds(2)})) << *world.failure();
    const auto answered = [&] { return world.network().counters(a).datagrams_sent; };
    const auto at = world.endpoint(a);
    const auto to_a = *dht::parse_endpoint(at.ip + ":" + std::to_string(at.port));
    const auto before = answered();
    EXPECT_GT(before, 0u);  // it answered b's bootstrap
    // Asked while alive, it answers.
    world.drive(b, [&](session::Engine& e, TimePoint now) { e.dht()->ping(to_a, now); });
    ASSERT_TRUE(world.run_until(TimePoint{seconds(3)}));
    EXPECT_EQ(answered(), before + 1);
    world.leave(a);
    world.drive(b, [&](session::Engine& e, TimePoint now) { e.dht()->ping(to_a, now); });
    ASSERT_TRUE(world.run_until(TimePoint{seconds(4)}));
    EXPECT_EQ(answered(), before + 1);
}

// A seed with room for two peers and six leechers that know only it: newcomers take the place of
// the connection of lowest BEP 40 priority when theirs is higher (the seed learns its address
// from the leechers' "yourip"), so the two of highest priority end up connected, whatever order
// they came in.
TEST(World, AFullNodeKeepsThePeersOfHighestPriority) {
    WorldConfig c;
    c.engine.max_peers_per_torrent = 2;
    c.engine.log_peers = true;
    World world(c);
    auto info = *make_torrent(1, "t.bin", 4 << 20, 0, {});
    NodeSpec slow;  // the seed: 4 MiB at 20 kB/s outlasts the test
    slow.link = {20'000, 10'000'000, 0, NatType::none};
    const auto seed = world.add_node(slow);
    const auto seeding = world.add_torrent(seed, info, 1, true);
    std::uint32_t replaced = 0;
    world.on_log = [&](NodeIndex n, const std::string& line, TimePoint) {
        if (n == seed && line.find("replaced by a peer of higher priority") != std::string::npos) ++replaced;
    };
    NodeSpec leech;
    leech.link = {1'000'000, 10'000'000, 0, NatType::none};
    const auto at = world.endpoint(seed);
    std::vector<std::pair<std::uint32_t, NodeIndex>> by_priority;
    for (int i = 0; i < 6; ++i) {
        const auto n = world.add_node(leech);
        session::AddTorrentOptions o;
        o.use_trackers = false;
        o.peers = {at};
        world.add_torrent(n, info, 1, false, o);
        const auto e = world.endpoint(n);
        by_priority.emplace_back(*session::peer_priority(at.ip, at.port, e.ip, e.port), n);
    }
    std::sort(by_priority.rbegin(), by_priority.rend());
    ASSERT_TRUE(world.run_until(TimePoint{seconds(120)})) << *world.failure();
    EXPECT_GT(replaced, 0u);
    const auto connected = world.engine(seed).torrent(seeding)->connected_contacts();
    EXPECT_EQ(world.engine(seed).torrent(seeding)->stats().peers, 2u);
    for (std::size_t i = 0; i < by_priority.size(); ++i) {
        const auto e = world.endpoint(by_priority[i].second);
        EXPECT_EQ(std::binary_search(connected.begin(), connected.end(), *swarm::Contact::parse(e.ip, e.port)), i < 2) << "leecher of priority rank " << i;
    }
}

FlashCrowdConfig small_crowd(std::uint32_t n) {
    FlashCrowdConfig c;
    c.leechers = n;
    c.file_bytes = 8 << 20;
    c.seed_upload = 1'000'000;
    c.time_limit = std::chrono::minutes(10);
    return c;
}

TEST(FlashCrowd, EveryLeecherCompletesNearTheBound) {
    const auto r = run_flash_crowd(small_crowd(20), 42);
    ASSERT_FALSE(r.failure) << *r.failure;
    EXPECT_EQ(r.completed, 20u);
    ASSERT_EQ(r.leechers.size(), 20u);
    for (const auto& l : r.leechers) EXPECT_TRUE(l.completed_s.has_value()) << l.node;
    // No scheme beats the bound; a swarm worth the name is within a small factor of it, and far
    // faster than the seed serving everyone alone. Here the bound is the seed's upload of the
    // file once (8.4 s), which a swarm meets only if the seed never sends a piece twice (BEP 16's
    // super-seeding); agora's seed does, and this small crowd took 2.8-3.1x the bound across the
    // choker and pacing changes of 2026-11-22 (100 leechers on 100 MiB: 1.22x).
    EXPECT_GE(r.swarm_s, r.bound_s);
    EXPECT_LT(r.ratio_to_bound, 3.5);
    EXPECT_LT(r.swarm_s, r.server_s / 2);
    EXPECT_FALSE(r.series.empty());
    EXPECT_EQ(r.series.back().completed, 20u);
}

TEST(FlashCrowd, ASeedDeterminesTheRun) {
    const auto a = run_flash_crowd(small_crowd(8), 7);
    const auto b = run_flash_crowd(small_crowd(8), 7);
    const auto c = run_flash_crowd(small_crowd(8), 8);
    ASSERT_FALSE(a.failure || b.failure || c.failure);
    auto times = [](const FlashCrowdResult& r) {
        std::vector<std::optional<double>> v;
        for (const auto& l : r.leechers) v.push_back(l.completed_s);
        return v;
    };
    EXPECT_EQ(a.events, b.events);
    EXPECT_EQ(times(a), times(b));
    EXPECT_NE(times(a), times(c));
}

// Behind a NAT of any of the four types a leecher dials out but takes no unsolicited connection
// (a home router without a port forward), so two of them never meet. A crowd all behind NATs is
// served by the seed alone, as by a server; with half of them public, the others trade with the
// public half over the connections they dialed.
TEST(FlashCrowd, LeechersBehindNatReachOnlyPublicPeers) {
    auto crowd = [](NatType a, NatType b) {
        FlashCrowdConfig c = small_crowd(12);
        c.time_limit = std::chrono::hours(1);  // some join before the seed: stranded for 5 minutes
        c.links = {{"a", 1, 250'000, 2'000'000, a}, {"b", 1, 250'000, 2'000'000, b}};
        return c;
    };
    const double file = 8 << 20;
    auto sent_by = [](const FlashCrowdResult& r, const std::string& link) {
        std::pair<double, std::uint32_t> sum{0, 0};  // bytes, leechers
        for (const auto& l : r.leechers)
            if (l.link == link) {
                sum.first += static_cast<double>(l.bytes_sent);
                ++sum.second;
            }
        return sum;
    };

    const auto behind = run_flash_crowd(crowd(NatType::port_restricted_cone, NatType::symmetric), 5);
    ASSERT_FALSE(behind.failure) << *behind.failure;
    EXPECT_EQ(behind.completed, 12u);
    // Requests and handshakes only: no leecher sent as much as one block (16 KiB) to another.
    for (const auto& l : behind.leechers) EXPECT_LT(l.bytes_sent, 16'384u) << l.node;
    EXPECT_GE(behind.swarm_s, behind.server_s);  // the seed sent the file twelve times

    const auto half = run_flash_crowd(crowd(NatType::none, NatType::full_cone), 5);
    ASSERT_FALSE(half.failure) << *half.failure;
    EXPECT_EQ(half.completed, 12u);
    const auto [natted_bytes, natted] = sent_by(half, "b");
    ASSERT_GT(natted, 0u);
    EXPECT_GT(natted_bytes, 0.25 * file * natted) << "the NATed leechers uploaded over their own connections";
}

// Proves a port forward makes a NATed leecher reachable: with every leecher behind a
// port-restricted cone NAT, none can dial another and the seed serves them all (above); when half
// the NATs forward the listening port, everyone can dial that half, which then trades the file
// among the crowd.
TEST(FlashCrowd, APortForwardMakesANatedLeecherReachable) {
    FlashCrowdConfig c = small_crowd(12);
    c.time_limit = std::chrono::hours(1);
    c.links = {{"closed", 1, 250'000, 2'000'000, NatType::port_restricted_cone},
               {"forwarded", 1, 250'000, 2'000'000, NatType::port_restricted_cone, true}};
    const auto r = run_flash_crowd(c, 5);
    ASSERT_FALSE(r.failure) << *r.failure;
    EXPECT_EQ(r.completed, 12u);
    double forwarded_bytes = 0, closed_bytes = 0;
    std::uint32_t forwarded = 0;
    for (const auto& l : r.leechers) {
        if (l.link == "forwarded") {
            forwarded_bytes += static_cast<double>(l.bytes_sent);
            ++forwarded;
        } else {
            closed_bytes += static_cast<double>(l.bytes_sent);
        }
    }
    ASSERT_GT(forwarded, 0u);
    const double file = 8 << 20;
    EXPECT_GT(forwarded_bytes, 0.25 * file * forwarded) << "the forwarded leechers took connections and uploaded";
    // The closed ones dial the forwarded ones and upload over those connections too.
    EXPECT_GT(closed_bytes, 16'384.0 * 12);
    EXPECT_LT(r.swarm_s, r.server_s);  // the seed did not have to send the file twelve times
}

}  // namespace
}  // namespace agora::sim
