// The swarm against peers that lie or break the protocol, in-process on virtual time (the
// engine is sans-I/O, so the whole exchange runs without sockets and replays exactly).
#include <gtest/gtest.h>

#include <cstring>

#include "swarm_harness.hpp"

using namespace agora;
using namespace agora::test;

namespace {

// A seeder written for the tests: answers the handshake, has everything, unchokes anyone
// interested, and serves blocks through `corrupt` (which may damage them).
class ScriptedSeeder : public ProtocolPeer {
public:
    ScriptedSeeder(std::shared_ptr<const meta::TorrentInfo> info, Bytes data,
                   std::function<void(std::uint32_t piece, std::uint32_t offset, Bytes& block)> corrupt)
        : ProtocolPeer('h', false), info_(std::move(info)), data_(std::move(data)), corrupt_(std::move(corrupt)) {}

    std::uint32_t blocks_served = 0;

private:
    void on_handshake() override { send(wire::encode(wire::HaveAll{})); }
    void on_message(const wire::Message& m) override {
        if (std::holds_alternative<wire::Interested>(m)) send(wire::encode(wire::Unchoke{}));
        if (auto* r = std::get_if<wire::Request>(&m)) {
            const auto off = static_cast<std::size_t>(info_->layout.piece_offset(PieceIndex(r->piece)) + r->offset);
            Bytes block = data_.substr(off, r->length);
            corrupt_(r->piece, r->offset, block);
            ++blocks_served;
            send(wire::encode(wire::Piece{r->piece, r->offset, block}));
        }
    }

    std::shared_ptr<const meta::TorrentInfo> info_;
    Bytes data_;
    std::function<void(std::uint32_t, std::uint32_t, Bytes&)> corrupt_;
};

bool complete(Network::Node& n) { return n.engine->torrent(n.torrent)->complete(); }

bool logged(const Network::Node& n, const std::string& needle) {
    for (const auto& l : n.logs)
        if (l.find(needle) != std::string::npos) return true;
    return false;
}

// Two engines in one process: the plain case the hostile ones build on.
TEST(Swarm, LeecherCompletesFromSeederInProcess) {
    auto [info, data] = make_torrent(3 << 20, 32768, true, 1);
    Network net;
    auto& seeder = net.add_node(info, data, Bitfield(info->layout.piece_count(), true));
    auto& leecher = net.add_node(info, data, Bitfield(info->layout.piece_count()), {{"127.0.0.1", seeder.port}});
    ASSERT_TRUE(net.run([&] { return complete(leecher); }));
    EXPECT_TRUE(leecher.data == data);
    EXPECT_EQ(net.pieces_sent_unverified, 0u);
}

struct Hostility {
    const char* name;
    std::function<void(std::uint32_t piece, std::uint32_t offset, Bytes& block)> corrupt;
};

class HostileSeeder : public ::testing::TestWithParam<Hostility> {};

// A peer that serves wrong bytes beside an honest seeder: it is banned, at most 4 pieces are
// wasted on it, and the download completes with the right data.
// Upload pacing: a seeder reads blocks for a peer only while what it sent and the driver has not
// written stays under the send buffer. With writes never completing, it stops after a few
// blocks; once they complete, the rest follows.
TEST(Swarm, SeederStopsReadingWhileItsSendsAreNotWritten) {
    auto [info, data] = make_torrent(2 << 20, 32768, true, 1);
    Network net;
    net.report_sent = false;
    auto& seeder = net.add_node(info, data, Bitfield(info->layout.piece_count(), true));
    auto& leecher = net.add_node(info, data, Bitfield(info->layout.piece_count()), {{"127.0.0.1", seeder.port}});
    EXPECT_FALSE(net.run([&] { return complete(leecher); }, std::chrono::seconds(30)));
    const auto got = leecher.engine->torrent(leecher.torrent)->stats().payload_downloaded;
    EXPECT_GT(got, 0u);
    EXPECT_LE(got, swarm::TorrentConfig{}.send_buffer_min + limits::block_size_bytes);
    net.report_sent = true;
    net.release_sent();
    ASSERT_TRUE(net.run([&] { return complete(leecher); }));
    EXPECT_TRUE(leecher.data == data);
}

// The memory budget for pieces being downloaded: with room for one piece, six seeders share it
// block by block; another starts only when one completes, or for a seeder with nothing in
// flight (at most one each), so no piece that stops progressing can stall the download.
TEST(Swarm, PiecesInProgressStayWithinTheirBudget) {
    auto [info, data] = make_torrent(4 << 20, 131072, true, 1);
    Network net;
    std::vector<session::Endpoint> seeders;
    for (int i = 0; i < 6; ++i)
        seeders.push_back({"127.0.0.1", net.add_node(info, data, Bitfield(info->layout.piece_count(), true)).port});
    net.configure = [](session::EngineConfig& c) { c.torrent.partial_bytes_max = 131072; };
    auto& leecher = net.add_node(info, data, Bitfield(info->layout.piece_count()), seeders);
    std::uint32_t most = 0;
    net.observe = [&] { most = std::max(most, leecher.engine->torrent(leecher.torrent)->stats().pieces_in_memory); };
    ASSERT_TRUE(net.run([&] { return complete(leecher); }));
    EXPECT_GE(most, 1u);
    EXPECT_LE(most, 1u + 6u) << "most " << most;
    EXPECT_TRUE(leecher.data == data);
}

TEST_P(HostileSeeder, IsBannedAndTheDownloadCompletes) {
    auto [info, data] = make_torrent(4 << 20, 32768, false, 2);
    Network net;
    auto& honest = net.add_node(info, data, Bitfield(info->layout.piece_count(), true));
    auto liar = std::make_unique<ScriptedSeeder>(info, data, GetParam().corrupt);
    auto* liar_ptr = liar.get();
    net.add_raw_peer(9999, std::move(liar));
    // The liar is listed first, so it is asked for blocks from the start.
    auto& leecher = net.add_node(info, data, Bitfield(info->layout.piece_count()),
                                 {{"127.0.0.1", 9999}, {"127.0.0.1", honest.port}});
    ASSERT_TRUE(net.run([&] { return complete(leecher); })) << "did not complete";
    EXPECT_TRUE(leecher.data == data) << "wrong data after completion";
    EXPECT_TRUE(liar_ptr->closed) << "the liar is still connected";
    EXPECT_TRUE(logged(leecher, "banned 127.0.0.1:9999")) << "the liar was not banned";
    const auto stats = leecher.engine->torrent(leecher.torrent)->stats();
    EXPECT_GE(stats.hash_failures, 1u);
    EXPECT_LE(stats.hash_failures, 4u) << "wasted more than 4 pieces on one hostile peer";
    EXPECT_GT(liar_ptr->blocks_served, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    All, HostileSeeder,
    ::testing::Values(Hostility{"WholePiecesWrong",
                                [](std::uint32_t, std::uint32_t, Bytes& b) {
                                    for (auto& c : b) c = static_cast<char>(~c);
                                }},
                      Hostility{"OneBlockPerPieceWrong",
                                [](std::uint32_t, std::uint32_t offset, Bytes& b) {
                                    if (offset == 0) b[0] = static_cast<char>(b[0] ^ 1);
                                }}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

// A peer that breaks the protocol right after the handshake.
class Malformed : public RawPeer {
public:
    explicit Malformed(Bytes frame) : frame_(std::move(frame)) {}
    void on_bytes(BytesView bytes) override {
        if (done_) return;
        pending_ += bytes;
        auto hs = wire::decode_handshake(pending_);
        if (!hs.ok() || !*hs) return;
        done_ = true;
        wire::Handshake reply = **hs;
        reply.peer_id.fill('m');
        send(wire::encode_handshake(reply));
        send(frame_);
    }

private:
    Bytes frame_;
    Bytes pending_;
    bool done_ = false;
};

Bytes frame(std::uint32_t length, std::uint8_t id, Bytes body) {
    Bytes out;
    append_be32(out, length);
    out.push_back(static_cast<char>(id));
    return out + body;
}

Bytes be32(std::uint32_t v) {
    Bytes out;
    append_be32(out, v);
    return out;
}

struct BadFrame {
    const char* name;
    std::function<Bytes(std::uint32_t piece_count)> make;
};

class MalformedPeer : public ::testing::TestWithParam<BadFrame> {};

// Each malformed message closes that connection (no crash, no large allocation: ASan would
// report one) while the download goes on from an honest seeder.
TEST_P(MalformedPeer, IsDisconnectedAndTheDownloadGoesOn) {
    auto [info, data] = make_torrent(1 << 20, 32768, false, 3);
    Network net;
    auto& honest = net.add_node(info, data, Bitfield(info->layout.piece_count(), true));
    auto bad = std::make_unique<Malformed>(GetParam().make(info->layout.piece_count()));
    auto* bad_ptr = bad.get();
    net.add_raw_peer(9998, std::move(bad));
    auto& leecher = net.add_node(info, data, Bitfield(info->layout.piece_count()),
                                 {{"127.0.0.1", 9998}, {"127.0.0.1", honest.port}});
    ASSERT_TRUE(net.run([&] { return complete(leecher); }));
    EXPECT_TRUE(bad_ptr->closed) << GetParam().name;
    EXPECT_TRUE(leecher.data == data);
}

INSTANTIATE_TEST_SUITE_P(
    All, MalformedPeer,
    ::testing::Values(
        BadFrame{"LengthPrefix4GiB", [](std::uint32_t) { return be32(0xffffffffu) + "x"; }},
        BadFrame{"HaveOfWrongLength", [](std::uint32_t) { return frame(6, 4, be32(0) + "x"); }},
        BadFrame{"HaveOutOfRange", [](std::uint32_t n) { return frame(5, 4, be32(n)); }},
        BadFrame{"BitfieldTooShort", [](std::uint32_t n) { return frame(1 + (n + 7) / 8 - 1, 5, Bytes((n + 7) / 8 - 1, '\xff')); }},
        BadFrame{"BitfieldTooLong", [](std::uint32_t n) { return frame(1 + (n + 7) / 8 + 1, 5, Bytes((n + 7) / 8 + 1, '\xff')); }},
        BadFrame{"RequestOutOfRange", [](std::uint32_t n) { return frame(13, 6, be32(n + 5) + be32(0) + be32(16384)); }},
        BadFrame{"RequestTooLong", [](std::uint32_t) { return frame(13, 6, be32(0) + be32(0) + be32(1 << 20)); }},
        BadFrame{"PieceOutOfRange", [](std::uint32_t n) { return frame(9 + 4, 7, be32(n) + be32(0) + "abcd"); }},
        BadFrame{"AllowedFastOutOfRange", [](std::uint32_t n) { return frame(5, 17, be32(n)); }},
        BadFrame{"LateBitfieldOfWrongSize", [](std::uint32_t n) {
            return frame(5, 4, be32(0)) + frame(1 + (n + 7) / 8 + 1, 5, Bytes((n + 7) / 8 + 1, '\0'));
        }},
        BadFrame{"ExtendedHandshakeNotADict", [](std::uint32_t) { return frame(2 + 4, 20, Bytes(1, '\0') + "i42e"); }}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
