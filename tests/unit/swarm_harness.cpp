#include "swarm_harness.hpp"

#include <random>

#include "meta/create.hpp"
#include "meta/torrent_info.hpp"

namespace agora::test {

std::pair<std::shared_ptr<const meta::TorrentInfo>, Bytes> make_torrent(std::int64_t size, std::int64_t piece_length,
                                                                        bool hybrid, std::uint64_t seed) {
    Bytes data(static_cast<std::size_t>(size), '\0');
    std::mt19937_64 rng(seed);
    for (auto& c : data) c = static_cast<char>(rng());
    meta::CreateOptions options;
    options.piece_length = piece_length;
    options.version = hybrid ? meta::TorrentVersion::hybrid : meta::TorrentVersion::v1_only;
    auto plan = meta::plan_creation("data.bin", {meta::InputFile{{}, size, false, ""}}, options);
    EXPECT_TRUE(plan.ok());
    const auto& layout = plan->layout;
    meta::CreateHashes hashes;
    std::vector<Sha256> roots;
    io::PieceHasher hasher;
    for (std::uint32_t p = 0; p < layout.piece_count(); ++p) {
        const auto geometry = storage::piece_geometry(layout, PieceIndex(p), hybrid);
        const auto d = hasher.hash_bytes(
            geometry, BytesView(data).substr(static_cast<std::size_t>(layout.piece_offset(PieceIndex(p))),
                                             static_cast<std::size_t>(geometry.length)),
            true, hybrid);
        hashes.v1_pieces += d.v1->view();
        if (hybrid) roots.push_back(*d.v2);
    }
    if (hybrid) hashes.v2_piece_hashes = {roots};
    auto info = meta::parse_torrent(meta::build_torrent(*plan, hashes, options));
    EXPECT_TRUE(info.ok()) << (info.ok() ? "" : info.error().describe());
    return {std::make_shared<const meta::TorrentInfo>(std::move(*info)), std::move(data)};
}

}  // namespace agora::test
