// io/create_torrent and io/verify: torrents agora makes load back with the same layout, verify
// finds intact data complete and pinpoints damage; creation is deterministic.
#include <gtest/gtest.h>

#include <filesystem>

#include "io/create_torrent.hpp"
#include "io/verify.hpp"
#include "meta/torrent_info.hpp"
#include "temp_dir.hpp"

using namespace agora;
using agora::test::TempDir;

namespace {

struct Made {
    meta::TorrentInfo info;
    Bytes bytes;
};

Made make(const std::string& path, meta::TorrentVersion version, std::int64_t piece_length = 16384) {
    meta::CreateOptions o;
    o.version = version;
    o.piece_length = piece_length;
    auto bytes = io::create_torrent(path, o, 2);
    EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? "" : bytes.error().describe());
    auto info = meta::parse_torrent(*bytes);
    EXPECT_TRUE(info.ok()) << (info.ok() ? "" : info.error().describe());
    return Made{std::move(*info), std::move(*bytes)};
}

void corrupt_byte(const std::string& path, std::int64_t offset) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(offset);
    char c = 0;
    f.get(c);
    f.seekp(offset);
    f.put(static_cast<char>(c ^ 0x5a));
}

class CreateVerify : public ::testing::TestWithParam<meta::TorrentVersion> {};

TEST_P(CreateVerify, FolderRoundTripAndDamage) {
    TempDir dir;
    const std::string root = dir / "share";
    test::write_random_file(root + "/b/big.bin", 100000, 1);
    test::write_random_file(root + "/a.txt", 777, 2);
    test::write_random_file(root + "/b/empty", 0, 3);
    test::write_random_file(root + "/c/d/e.dat", 16384 * 2, 4);

    auto made = make(root, GetParam());
    const auto& t = made.info;
    EXPECT_EQ(t.name, "share");
    EXPECT_TRUE(t.multi_file);
    std::vector<std::string> paths;
    for (const auto& f : t.layout.files())
        if (!f.pad) paths.push_back(f.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"share/a.txt", "share/b/big.bin", "share/b/empty", "share/c/d/e.dat"}));
    EXPECT_EQ(t.has_v1(), GetParam() != meta::TorrentVersion::v2_only);
    EXPECT_EQ(t.has_v2(), GetParam() != meta::TorrentVersion::v1_only);

    auto result = io::verify_torrent(t, dir.path().string(), 2);
    EXPECT_TRUE(result.have.all()) << result.have.count() << " of " << t.layout.piece_count();

    // One flipped byte in big.bin: exactly the piece holding it is lost.
    corrupt_byte(root + "/b/big.bin", 50000);
    result = io::verify_torrent(t, dir.path().string(), 2);
    EXPECT_EQ(result.have.count(), t.layout.piece_count() - 1);
    const auto big = std::find_if(t.layout.files().begin(), t.layout.files().end(),
                                  [](const auto& f) { return f.path == "share/b/big.bin"; });
    const auto bad_piece = static_cast<std::uint32_t>((big->offset + 50000) / t.layout.piece_length());
    EXPECT_FALSE(result.have.get(bad_piece));

    // A missing file: its pieces are unreadable, the rest still verify.
    std::filesystem::remove(root + "/a.txt");
    result = io::verify_torrent(t, dir.path().string(), 2);
    EXPECT_GT(result.unreadable, 0u);
    EXPECT_FALSE(result.have.get(0));
}

TEST_P(CreateVerify, SingleFileAndDeterminism) {
    TempDir dir;
    test::write_random_file(dir / "one.bin", 16384 * 3 + 5, 9);
    auto first = make(dir / "one.bin", GetParam());
    auto second = make(dir / "one.bin", GetParam());
    EXPECT_EQ(first.bytes, second.bytes);  // no creation date given: byte-identical
    EXPECT_FALSE(first.info.multi_file);
    EXPECT_EQ(first.info.layout.files()[0].path, "one.bin");
    EXPECT_TRUE(io::verify_torrent(first.info, dir.path().string(), 1).have.all());
}

INSTANTIATE_TEST_SUITE_P(AllVersions, CreateVerify,
                         ::testing::Values(meta::TorrentVersion::hybrid, meta::TorrentVersion::v1_only,
                                           meta::TorrentVersion::v2_only));

TEST(Create, HybridPadsEveryUnalignedFile) {
    TempDir dir;
    test::write_random_file(dir / "s/a", 1000, 1);
    test::write_random_file(dir / "s/b", 20000, 2);
    auto made = make(dir / "s", meta::TorrentVersion::hybrid);
    const auto& files = made.info.layout.files();
    ASSERT_EQ(files.size(), 4u);  // a, pad, b, tail pad (as libtorrent writes them)
    EXPECT_TRUE(files[1].pad);
    EXPECT_EQ(files[1].size, 16384 - 1000);
    EXPECT_EQ(files[2].offset % 16384, 0);
    EXPECT_TRUE(files[3].pad);
    EXPECT_EQ(made.info.layout.total_size() % 16384, 0);
}

TEST(Create, PieceLengthChoiceFollowsLibtorrent) {
    EXPECT_EQ(meta::auto_piece_length(1000), 16384);
    EXPECT_EQ(meta::auto_piece_length(32ll << 20), 65536);
    EXPECT_EQ(meta::auto_piece_length(100ll << 20), 131072);
    EXPECT_EQ(meta::auto_piece_length(2ll << 30), 524288);
    EXPECT_EQ(meta::auto_piece_length(20ll << 30), 2097152);
}

TEST(Create, ClearErrors) {
    TempDir dir;
    meta::CreateOptions o;
    auto missing = io::create_torrent(dir / "nope", o, 1);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().kind, Error::Kind::io);
    std::filesystem::create_directories(dir / "emptydir");
    auto empty = io::create_torrent(dir / "emptydir", o, 1);
    ASSERT_FALSE(empty.ok());
    EXPECT_NE(empty.error().message.find("no files"), std::string::npos);
    test::write_random_file(dir / "zero/z", 0, 1);
    auto zero = io::create_torrent(dir / "zero", o, 1);
    ASSERT_FALSE(zero.ok());
    EXPECT_NE(zero.error().message.find("every file is empty"), std::string::npos);
    test::write_random_file(dir / "x.bin", 100, 1);
    o.piece_length = 20000;
    auto odd = io::create_torrent(dir / "x.bin", o, 1);
    ASSERT_FALSE(odd.ok());
    EXPECT_NE(odd.error().message.find("power of two"), std::string::npos);
    test::write_random_file(dir / "bad/ctl\x01name", 10, 1);
    o.piece_length = 0;
    auto ctl = io::create_torrent(dir / "bad", o, 1);
    ASSERT_FALSE(ctl.ok());
    EXPECT_NE(ctl.error().message.find("cannot be shared"), std::string::npos);
}

}  // namespace
