// BEP 11 peer exchange in the swarm, in-process on virtual time: engines and scripted peers on the
// test network of swarm_harness.hpp. What is sent (everyone connected, within seconds of the
// handshake; then a diff once a minute; never the receiver itself; never for a private torrent),
// what is taken (the added peers are dialed; floods and malformed messages are ignored, never a
// reason to disconnect), and three engines that find each other through a third.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "swarm/contact.hpp"
#include "swarm_harness.hpp"
#include "wire/extension.hpp"
#include "wire/pex.hpp"

using namespace agora;
using namespace agora::test;

namespace {

// A peer written for these tests. It answers the engine's handshake with the extension bit, sends
// an extended handshake (offering ut_pex under `pex_id` unless told not to, and a listen port),
// optionally HaveAll, and records the engine's extended handshake and every ut_pex message.
class ScriptedPeer : public ProtocolPeer {
public:
    static constexpr std::uint8_t pex_id = 7;  // the id we ask the engine to send ut_pex under

    struct Options {
        bool offer_pex = true;
        bool seed = false;
        std::uint16_t listen_port = 0;
    };
    explicit ScriptedPeer(Options options) : ProtocolPeer('s', true), options_(options) {}

    std::optional<wire::ExtendedHandshake> engine_handshake;
    std::vector<wire::PexMessage> pex;  // decoded ut_pex messages from the engine, in order
    std::uint32_t pex_frames = 0;       // extended messages under pex_id, decodable or not

    // The id the engine wants ut_pex under (0: it offered none, or has not said yet).
    std::uint8_t engine_pex_id() const {
        if (!engine_handshake) return 0;
        auto it = engine_handshake->m.find(wire::ut_pex_name);
        return it == engine_handshake->m.end() ? 0 : it->second;
    }
    std::uint8_t engine_metadata_id() const {
        if (!engine_handshake) return 0;
        auto it = engine_handshake->m.find(wire::ut_metadata_name);
        return it == engine_handshake->m.end() ? 0 : it->second;
    }
    void send_extended(std::uint8_t id, BytesView payload) { send(wire::encode(wire::Extended{id, payload})); }
    void send_pex(const wire::PexMessage& m) { send_extended(engine_pex_id(), wire::encode_pex(m)); }

private:
    void on_handshake() override {
        wire::ExtendedHandshake ours;
        if (options_.offer_pex) ours.m[std::string(wire::ut_pex_name)] = pex_id;
        if (options_.listen_port) ours.listen_port = options_.listen_port;
        ours.client = "scripted";
        send_extended(0, wire::encode_extended_handshake(ours));
        if (options_.seed) send(wire::encode(wire::HaveAll{}));
    }
    void on_message(const wire::Message& m) override {
        const auto* ext = std::get_if<wire::Extended>(&m);
        if (!ext) return;
        if (ext->id == 0) {
            auto hs = wire::decode_extended_handshake(ext->payload);
            if (hs.ok()) engine_handshake = *hs;
        } else if (ext->id == pex_id) {
            ++pex_frames;
            auto decoded = wire::decode_pex(ext->payload);
            if (decoded.ok()) pex.push_back(*decoded);
        }
    }

    Options options_;
};

// An address nobody but PEX names: records whether the engine dialed it.
class Listener : public RawPeer {
public:
    bool dialed = false;
    void on_bytes(BytesView) override { dialed = true; }
};

template <typename T>
T* add(Network& net, std::uint16_t port, std::unique_ptr<T> peer) {
    T* raw = peer.get();
    net.add_raw_peer(port, std::move(peer));
    return raw;
}

wire::PexMessage added(std::vector<wire::PexPeer> peers) { return wire::PexMessage{std::move(peers), {}}; }

swarm::TorrentStats stats(const Network::Node& n) { return n.engine->torrent(n.torrent)->stats(); }

void run_for(Network& net, Duration d) { net.run([] { return false; }, d); }

constexpr std::uint16_t pex_peer_port = 9001;
constexpr std::uint16_t other_peer_port = 9002;

// Contacts a scripted peer sends through PEX are dialed at once, IPv4 and IPv6 alike.
TEST(PexSwarm, AddedPeersAreDialed) {
    auto [info, data] = make_torrent(1 << 20, 32768, false, 11);
    Network net;
    auto* p = add(net, pex_peer_port, std::make_unique<ScriptedPeer>(ScriptedPeer::Options{}));
    auto* l1 = add(net, 9101, std::make_unique<Listener>());
    auto* l2 = add(net, 9102, std::make_unique<Listener>());
    auto* l3 = add(net, 9103, std::make_unique<Listener>());
    auto& node = net.add_node(info, data, Bitfield(info->layout.piece_count()), {{"127.0.0.1", pex_peer_port}});
    ASSERT_TRUE(net.run([&] { return p->engine_pex_id() != 0; })) << "the engine did not offer ut_pex";
    EXPECT_FALSE(l1->dialed || l2->dialed || l3->dialed);

    p->send_pex(added({{"127.0.0.2", 9101, wire::pex_flag_reachable}, {"127.0.0.3", 9102, 0}, {"::1", 9103, 0}}));
    ASSERT_TRUE(net.run([&] { return l1->dialed && l2->dialed && l3->dialed; }, std::chrono::seconds(5)))
        << "PEX-learned peers were not dialed";
    EXPECT_EQ(stats(node).pex_accepted, 1u);
    EXPECT_FALSE(p->closed);
}

// Within seconds of the handshake (libtorrent's first message goes on its next one-second tick)
// the engine tells a ut_pex peer about the other connected peer (flags: we dialed it, it is a
// seed) and not about the receiver itself; after that peer is dropped, the next message, a
// minute after the first, lists it as dropped and adds nothing.
TEST(PexSwarm, SendsConnectedPeersAtOnceThenTheDiffEveryMinute) {
    auto [info, data] = make_torrent(1 << 20, 32768, false, 12);
    const auto pieces = info->layout.piece_count();
    Network net;
    auto* p = add(net, pex_peer_port, std::make_unique<ScriptedPeer>(ScriptedPeer::Options{}));
    auto* q = add(net, other_peer_port,
                  std::make_unique<ScriptedPeer>(ScriptedPeer::Options{.offer_pex = false, .seed = true}));
    const TimePoint start = net.now;
    auto& node = net.add_node(info, data, Bitfield(pieces),
                              {{"127.0.0.1", pex_peer_port}, {"127.0.0.1", other_peer_port}});

    ASSERT_TRUE(net.run([&] { return !p->pex.empty(); }, std::chrono::seconds(3)))
        << "no ut_pex message within three seconds of connecting";
    EXPECT_GT(net.now - start, Duration::zero()) << "sent before the first tick";
    const TimePoint first = net.now;
    ASSERT_EQ(p->pex.size(), 1u);
    const wire::PexPeer expected{"127.0.0.1", other_peer_port, wire::pex_flag_reachable | wire::pex_flag_seed};
    EXPECT_EQ(p->pex[0].added, std::vector<wire::PexPeer>{expected});
    EXPECT_TRUE(p->pex[0].dropped.empty());
    EXPECT_EQ(q->pex_frames, 0u) << "a peer that did not offer ut_pex got a ut_pex message";

    // A have out of range makes the engine drop the other peer.
    q->send(wire::encode(wire::Have{pieces}));
    ASSERT_TRUE(net.run([&] { return q->closed; }, std::chrono::seconds(5)));
    ASSERT_TRUE(net.run([&] { return p->pex.size() == 2; })) << "no second ut_pex message";
    EXPECT_GE(net.now - first, std::chrono::seconds(60)) << "two messages less than a minute apart";
    EXPECT_TRUE(p->pex[1].added.empty());
    EXPECT_EQ(p->pex[1].dropped, (std::vector<wire::PexPeer>{{"127.0.0.1", other_peer_port, 0}}));
    for (const auto& m : p->pex)
        for (const auto& a : m.added) EXPECT_NE(a.port, pex_peer_port) << "the receiver was told about itself";
    EXPECT_EQ(stats(node).pex_sent, 2u);
    EXPECT_FALSE(p->closed);
}

// While the engine has nobody else to tell a ut_pex peer about, it sends nothing (an empty
// message is taken for an error by some clients), and its first message goes out within seconds
// of a second peer connecting, not a minute after the peer's own handshake.
TEST(PexSwarm, FirstMessageWaitsForASecondPeer) {
    auto [info, data] = make_torrent(1 << 20, 32768, false, 17);
    const auto pieces = info->layout.piece_count();
    Network net;
    auto* p = add(net, pex_peer_port, std::make_unique<ScriptedPeer>(ScriptedPeer::Options{}));
    auto& hub = net.add_node(info, data, Bitfield(pieces, true), {{"127.0.0.1", pex_peer_port}});
    ASSERT_TRUE(net.run([&] { return p->engine_pex_id() != 0; })) << "the engine did not offer ut_pex";
    run_for(net, std::chrono::seconds(10));
    EXPECT_EQ(p->pex_frames, 0u) << "a ut_pex message with nobody in it";

    auto& other = net.add_node(info, data, Bitfield(pieces), {{"127.0.0.1", hub.port}});
    ASSERT_TRUE(net.run([&] { return !p->pex.empty(); }, std::chrono::seconds(3)))
        << "no ut_pex message within three seconds of a second peer connecting";
    ASSERT_EQ(p->pex[0].added.size(), 1u);
    EXPECT_EQ(p->pex[0].added[0].port, other.port) << "not the port the newcomer listens on";
    EXPECT_EQ(stats(hub).pex_sent, 2u) << "one message to each peer";  // and the newcomer hears of p
}

// BEP 27: a private torrent does not offer ut_pex, sends none, and takes none, whatever id the
// peer tries.
TEST(PexSwarm, PrivateTorrentNeitherOffersNorSendsNorTakesPex) {
    auto [public_info, data] = make_torrent(1 << 20, 32768, false, 13);
    // Only the flag matters to the swarm; the info bytes stay those of the public torrent.
    auto private_info = std::make_shared<meta::TorrentInfo>(*public_info);
    private_info->is_private = true;
    const std::shared_ptr<const meta::TorrentInfo> info = private_info;
    Network net;
    auto* p = add(net, pex_peer_port, std::make_unique<ScriptedPeer>(ScriptedPeer::Options{}));
    add(net, other_peer_port, std::make_unique<ScriptedPeer>(ScriptedPeer::Options{.seed = true}));
    auto* listener = add(net, 9103, std::make_unique<Listener>());
    auto& node = net.add_node(info, data, Bitfield(info->layout.piece_count()),
                              {{"127.0.0.1", pex_peer_port}, {"127.0.0.1", other_peer_port}});

    ASSERT_TRUE(net.run([&] { return p->engine_handshake.has_value(); }));
    EXPECT_FALSE(p->engine_handshake->m.contains(wire::ut_pex_name));
    EXPECT_NE(p->engine_metadata_id(), 0) << "ut_metadata is still offered";
    for (std::uint8_t id = 1; id <= 20; ++id)
        if (id != p->engine_metadata_id())
            p->send_extended(id, wire::encode_pex(added({{"127.0.0.9", 9103, 0}})));
    run_for(net, std::chrono::seconds(130));

    EXPECT_EQ(p->pex_frames, 0u) << "a private torrent sent ut_pex";
    EXPECT_FALSE(listener->dialed) << "a private torrent took peers from PEX";
    const auto s = stats(node);
    EXPECT_EQ(s.pex_sent, 0u);
    EXPECT_EQ(s.pex_accepted, 0u);
    EXPECT_FALSE(p->closed);
}

// One PEX message per peer per 45 s is taken; the rest of a flood is ignored (and counted), the
// peer stays connected, and once the interval has passed its next message is taken again.
TEST(PexSwarm, FloodIsRateLimited) {
    auto [info, data] = make_torrent(1 << 20, 32768, false, 14);
    Network net;
    auto* p = add(net, pex_peer_port, std::make_unique<ScriptedPeer>(ScriptedPeer::Options{}));
    std::vector<Listener*> listeners;
    for (std::uint16_t i = 0; i <= 10; ++i) listeners.push_back(add(net, 9100 + i, std::make_unique<Listener>()));
    auto& node = net.add_node(info, data, Bitfield(info->layout.piece_count()), {{"127.0.0.1", pex_peer_port}});
    ASSERT_TRUE(net.run([&] { return p->engine_pex_id() != 0; }));

    for (std::uint16_t i = 0; i < 10; ++i) p->send_pex(added({{"127.0.0.2", static_cast<std::uint16_t>(9100 + i), 0}}));
    run_for(net, std::chrono::seconds(2));
    EXPECT_TRUE(listeners[0]->dialed);
    for (std::size_t i = 1; i < 10; ++i) EXPECT_FALSE(listeners[i]->dialed) << "message " << i << " was taken";
    EXPECT_EQ(stats(node).pex_accepted, 1u);
    EXPECT_EQ(stats(node).pex_rate_limited, 9u);
    EXPECT_FALSE(p->closed);

    run_for(net, std::chrono::seconds(47));
    p->send_pex(added({{"127.0.0.2", 9110, 0}}));
    ASSERT_TRUE(net.run([&] { return listeners[10]->dialed; }, std::chrono::seconds(5)));
    EXPECT_EQ(stats(node).pex_accepted, 2u);
    EXPECT_FALSE(p->closed);
}

struct BadPex {
    const char* name;
    Bytes payload;
};

class PexMalformed : public ::testing::TestWithParam<BadPex> {};

// A ut_pex payload that does not decode is ignored and counted: no crash, no disconnect, and the
// peer's next message (after the rate limit) is taken.
TEST_P(PexMalformed, IsIgnoredWithoutDisconnecting) {
    auto [info, data] = make_torrent(1 << 20, 32768, false, 15);
    Network net;
    auto* p = add(net, pex_peer_port, std::make_unique<ScriptedPeer>(ScriptedPeer::Options{}));
    auto* listener = add(net, 9100, std::make_unique<Listener>());
    auto& node = net.add_node(info, data, Bitfield(info->layout.piece_count()), {{"127.0.0.1", pex_peer_port}});
    ASSERT_TRUE(net.run([&] { return p->engine_pex_id() != 0; }));

    p->send_extended(p->engine_pex_id(), GetParam().payload);
    run_for(net, std::chrono::seconds(2));
    EXPECT_FALSE(p->closed) << GetParam().name;
    EXPECT_EQ(stats(node).pex_malformed, 1u);
    EXPECT_EQ(stats(node).pex_accepted, 0u);

    run_for(net, std::chrono::seconds(47));
    p->send_pex(added({{"127.0.0.2", 9100, 0}}));
    ASSERT_TRUE(net.run([&] { return listener->dialed; }, std::chrono::seconds(5)));
    EXPECT_FALSE(p->closed);
}

INSTANTIATE_TEST_SUITE_P(
    All, PexMalformed,
    ::testing::Values(BadPex{"NotBencode", "not bencode at all"}, BadPex{"Empty", ""}, BadPex{"AList", "li1ee"},
                      BadPex{"AddedOfSevenBytes", "d5:added7:abcdefge"}, BadPex{"AddedAnInteger", "d5:addedi7ee"},
                      BadPex{"Added6OfTwentyBytes", "d6:added620:" + Bytes(20, 'x') + "e"},
                      BadPex{"TruncatedDict", "d5:added6:abc"},
                      BadPex{"OverTheSizeLimit", "d5:added" + std::to_string(600 * 1024) + ":" +
                                                     Bytes(600 * 1024, '\1') + "e"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

// Three engines: a hub holding half the pieces, and two leechers that each know only the hub.
// Within seconds, not a minute, the hub's PEX tells each leecher about the other (at the port its
// extended handshake named, since the hub saw them as incoming connections), and they connect.
TEST(PexSwarm, TwoLeechersFindEachOtherThroughTheHub) {
    auto [info, data] = make_torrent(1 << 20, 32768, false, 16);
    const auto pieces = info->layout.piece_count();
    Bitfield half(pieces);
    for (std::uint32_t i = 0; i < pieces / 2; ++i) half.set(i);
    Network net;
    const TimePoint start = net.now;
    auto& hub = net.add_node(info, data, half);
    auto& a = net.add_node(info, data, Bitfield(pieces), {{"127.0.0.1", hub.port}});
    auto& b = net.add_node(info, data, Bitfield(pieces), {{"127.0.0.1", hub.port}});
    ASSERT_TRUE(net.run([&] { return stats(a).peers >= 2 && stats(b).peers >= 2; }, std::chrono::seconds(5)))
        << "the leechers did not find each other within five seconds";
    EXPECT_GT(net.now - start, Duration::zero());
    // Each gets the half the hub had, and the rest from nobody: both end with the hub's half.
    ASSERT_TRUE(net.run([&] { return stats(a).pieces_had == pieces / 2 && stats(b).pieces_had == pieces / 2; }));
    EXPECT_GE(stats(hub).pex_sent, 2u);
    EXPECT_GE(stats(a).pex_accepted + stats(b).pex_accepted, 2u);
    EXPECT_EQ(net.pieces_sent_unverified, 0u);
}

}  // namespace

// The contacts PEX keeps are an address's bytes: text goes in and comes out canonical, anything
// that is not an IP literal is refused, and an IPv4 address never equals the IPv6 one that starts
// with the same four bytes.
TEST(PexContact, ReadsIpLiteralsAndWritesThemCanonically) {
    const auto v4 = swarm::Contact::parse("10.0.0.2", 6881);
    ASSERT_TRUE(v4);
    EXPECT_FALSE(v4->v6);
    EXPECT_EQ(v4->ip_text(), "10.0.0.2");
    EXPECT_EQ(v4->port, 6881);
    const auto v6 = swarm::Contact::parse("2001:DB8:0:0::1", 6881);
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->v6);
    EXPECT_EQ(v6->ip_text(), "2001:db8::1");
    for (const char* bad : {"", "example.org", "10.0.0.256", "[::1]", "10.0.0.1:80", "::1%lo"})
        EXPECT_FALSE(swarm::Contact::parse(bad, 1)) << bad;
    EXPECT_FALSE(swarm::Contact::parse(std::string(100, '1'), 1));

    const auto mapped = swarm::Contact::parse("102:304::", 6881);  // bytes 1 2 3 4, then zeros
    ASSERT_TRUE(mapped);
    EXPECT_NE(*swarm::Contact::parse("1.2.3.4", 6881), *mapped);
    EXPECT_EQ(*swarm::Contact::parse("10.0.0.2", 6881), *v4);
    EXPECT_LT(*swarm::Contact::parse("10.0.0.2", 6880), *v4);
    EXPECT_LT(*swarm::Contact::parse("10.0.0.1", 6882), *v4);
}
