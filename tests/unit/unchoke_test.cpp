// Who gets an upload slot that frees up between rechokes (swarm::Torrent::fill_unchoke_slots), in
// process on virtual time: a seeding engine and scripted leechers on the test network of
// swarm_harness.hpp.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "swarm_harness.hpp"

using namespace agora;
using namespace agora::test;

namespace {

// A leecher with nothing: answers the handshake, says it is interested, and records whether the
// engine has it unchoked.
class Leecher : public ProtocolPeer {
public:
    Leecher() : ProtocolPeer('l', false) {}
    bool unchoked = false;

private:
    void on_handshake() override { send(wire::encode(wire::Interested{})); }
    void on_message(const wire::Message& m) override {
        if (std::holds_alternative<wire::Unchoke>(m)) unchoked = true;
        if (std::holds_alternative<wire::Choke>(m)) unchoked = false;
    }
};

// Six interested leechers, two slots (one regular, one optimistic). When an unchoked leecher
// loses interest, its slot goes at once to one of the four waiting, drawn at random: in the order
// they connected, the peers that came last to a crowd would be the last served by everyone.
TEST(Unchoke, AFreedSlotGoesToAWaitingPeerDrawnAtRandom) {
    auto [info, data] = make_torrent(1 << 20, 32768, false, 21);
    Bitfield all(info->layout.piece_count());
    for (std::uint32_t p = 0; p < all.size(); ++p) all.set(p);
    std::set<std::size_t> picked;  // which of the waiting leechers, in connection order
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        Network net;
        net.configure = [&](session::EngineConfig& c) {
            c.seed = seed;
            c.torrent.unchoke_slots = 1;
        };
        std::vector<Leecher*> leechers;
        std::vector<session::Endpoint> endpoints;
        for (std::uint16_t i = 0; i < 6; ++i) {
            auto peer = std::make_unique<Leecher>();
            leechers.push_back(peer.get());
            net.add_raw_peer(static_cast<std::uint16_t>(9300 + i), std::move(peer));
            endpoints.push_back({"127.0.0.1", static_cast<std::uint16_t>(9300 + i)});
        }
        net.add_node(info, data, all, endpoints);
        const auto count_unchoked = [&] {
            std::size_t n = 0;
            for (const auto* l : leechers) n += l->unchoked ? 1 : 0;
            return n;
        };
        ASSERT_TRUE(net.run([&] { return count_unchoked() == 2; }, std::chrono::seconds(5))) << "seed " << seed;
        std::vector<Leecher*> waiting;
        Leecher* leaving = nullptr;
        for (auto* l : leechers) {
            if (!l->unchoked) waiting.push_back(l);
            else if (!leaving) leaving = l;
        }
        leaving->send(wire::encode(wire::NotInterested{}));
        ASSERT_TRUE(net.run([&] { return !leaving->unchoked && count_unchoked() == 2; }, std::chrono::seconds(5)))
            << "the freed slot was not given before the next rechoke (seed " << seed << ")";
        for (std::size_t i = 0; i < waiting.size(); ++i)
            if (waiting[i]->unchoked) picked.insert(i);
    }
    EXPECT_GE(picked.size(), 2u) << "every engine seed gave the freed slot to the same waiting peer";
}

}  // namespace
