// Magnet links in-process: the info dictionary comes from peers (BEP 9), is checked against the
// info-hash, and the download then runs as for a .torrent.
#include <gtest/gtest.h>

#include "session/metadata_fetch.hpp"
#include "swarm_harness.hpp"

using namespace agora;
using namespace agora::test;

namespace {

// A magnet leecher gets the metadata and then the data from a seeder that has the .torrent.
TEST(MagnetFetch, MetadataThenDataFromOneSeeder) {
    auto [info, data] = make_torrent(2 << 20, 16384, true, 5);  // an info dict of several 16 KiB pieces
    Network net;
    auto& seeder = net.add_node(info, data, Bitfield(info->layout.piece_count(), true));
    auto& leecher = net.add_magnet_node(info->info_hashes, {{"127.0.0.1", seeder.port}});
    ASSERT_TRUE(net.run([&] {
        const auto* t = leecher.engine->torrent(leecher.torrent);
        return t && t->complete();
    }));
    ASSERT_TRUE(leecher.info);
    EXPECT_EQ(leecher.info->info_bytes, info->info_bytes);
    EXPECT_TRUE(leecher.data == data);
    EXPECT_EQ(net.pieces_sent_unverified, 0u);
}

// Metadata that does not hash to the magnet's info-hash is thrown away, never used.
TEST(MagnetFetch, MetadataThatDoesNotMatchTheHashIsRejected) {
    auto [info, data] = make_torrent(1 << 20, 16384, false, 6);
    InfoHashes wrong;
    wrong.v1 = InfoHashV1{};
    wrong.v1->bytes[0] = 1;
    session::MetadataFetch fetch(wrong);
    const auto size = static_cast<std::int64_t>(info->info_bytes.size());
    ASSERT_TRUE(fetch.add_peer(PeerHandle(1), size));
    EXPECT_FALSE(fetch.add_peer(PeerHandle(2), size + 1));  // disagrees on the size
    for (std::uint32_t piece = 0; fetch.next_request(PeerHandle(1), TimePoint{}) || !fetch.complete();) {
        const auto start = std::size_t{piece} * 16384;
        ASSERT_TRUE(fetch.on_data(PeerHandle(1), piece, size, BytesView(info->info_bytes).substr(start, 16384)));
        ++piece;
        if (fetch.complete()) break;
    }
    ASSERT_TRUE(fetch.complete());
    EXPECT_FALSE(fetch.take_verified().has_value());
    EXPECT_FALSE(fetch.complete());  // everything must be fetched again

    session::MetadataFetch right(info->info_hashes);
    ASSERT_TRUE(right.add_peer(PeerHandle(1), size));
    for (std::uint32_t piece = 0; !right.complete(); ++piece) {
        ASSERT_TRUE(right.next_request(PeerHandle(1), TimePoint{}).has_value());
        ASSERT_TRUE(right.on_data(PeerHandle(1), piece, size, BytesView(info->info_bytes).substr(std::size_t{piece} * 16384, 16384)));
    }
    auto bytes = right.take_verified();
    ASSERT_TRUE(bytes.has_value());
    EXPECT_EQ(*bytes, info->info_bytes);
    // A piece of the wrong length is refused.
    session::MetadataFetch strict(info->info_hashes);
    ASSERT_TRUE(strict.add_peer(PeerHandle(1), size));
    ASSERT_TRUE(strict.next_request(PeerHandle(1), TimePoint{}).has_value());
    EXPECT_FALSE(strict.on_data(PeerHandle(1), 0, size, "short"));
}

}  // namespace
