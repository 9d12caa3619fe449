// Downloads between agora and the real libtorrent (python3-libtorrent) on 127.0.0.1, both ways.
#include <gtest/gtest.h>

#include <filesystem>

#include "../unit/temp_dir.hpp"
#include "process.hpp"
#include "swarm_util.hpp"

using agora::test::Process;
using agora::test::TempDir;
using namespace agora::test;
using namespace std::chrono_literals;

namespace {

struct Shared {
    TempDir dir;
    std::string torrent;
    Shared(const std::string& version_flag, std::size_t size) {
        agora::test::write_random_file(dir / "seed/share/a.bin", size, 11);
        agora::test::write_random_file(dir / "seed/share/sub/b.bin", size / 3 + 12345, 12);
        torrent = dir / "t.torrent";
        const std::string cmd = agora_bin + " create " + (dir / "seed/share") + " -o " + torrent + " -q " + version_flag + " >/dev/null";
        EXPECT_EQ(std::system(cmd.c_str()), 0);
    }
    void expect_same(const std::string& save) {
        // Compared as booleans: a failure must not print megabytes of binary.
        for (const char* f : {"share/a.bin", "share/sub/b.bin"})
            EXPECT_TRUE(agora::test::read_all(save + "/" + f) == agora::test::read_all(dir / (std::string("seed/") + f)))
                << f << " differs";
    }
};

class LibtorrentInterop : public ::testing::TestWithParam<std::string> {};

// libtorrent seeds, agora downloads: agora speaks the peer protocol as libtorrent expects.
TEST_P(LibtorrentInterop, AgoraDownloadsFromLibtorrent) {
    Shared s(GetParam(), 6 << 20);
    Process seeder({"/usr/bin/python3", lt_peer, "seed", s.torrent, s.dir / "seed"});
    const auto port = listening_port(seeder);
    ASSERT_NE(port, 0) << seeder.log();
    Process leecher({agora_bin, "get", s.torrent, "-o", s.dir / "got", "--bind", "127.0.0.1", "--port", "0",
                     "--no-resume", "--peer", "127.0.0.1:" + std::to_string(port)});
    EXPECT_EQ(leecher.wait_exit(60s), 0) << leecher.log() << seeder.log();
    s.expect_same(s.dir / "got");
}

// agora seeds, libtorrent downloads: agora serves what libtorrent asks for, and libtorrent
// verifies every piece it gets.
TEST_P(LibtorrentInterop, LibtorrentDownloadsFromAgora) {
    Shared s(GetParam(), 6 << 20);
    Process seeder({agora_bin, "seed", s.torrent, s.dir / "seed", "--bind", "127.0.0.1", "--port", "0", "--no-resume"});
    const auto port = listening_port(seeder);
    ASSERT_NE(port, 0) << seeder.log();
    Process leecher({"/usr/bin/python3", lt_peer, "get", s.torrent, s.dir / "got", "--peer",
                     "127.0.0.1:" + std::to_string(port)});
    EXPECT_EQ(leecher.wait_exit(60s), 0) << leecher.log() << seeder.log();
    s.expect_same(s.dir / "got");
}

INSTANTIATE_TEST_SUITE_P(Versions, LibtorrentInterop, ::testing::Values("", "--v1-only", "--v2-only"),
                         [](const auto& param_info) {
                             return param_info.param.empty() ? std::string("hybrid")
                                                       : param_info.param == "--v1-only" ? "v1" : "v2";
                         });

}  // namespace

namespace {

// A bare magnet link with x.pe= pointing at a libtorrent seeder: agora gets the metadata
// (BEP 9) and then the files from it.
TEST(LibtorrentMagnet, AgoraFetchesMetadataAndDataFromLibtorrent) {
    Shared s("", 4 << 20);
    Process seeder({"/usr/bin/python3", lt_peer, "seed", s.torrent, s.dir / "seed"});
    const auto port = listening_port(seeder);
    ASSERT_NE(port, 0) << seeder.log();
    const std::string hash = info_hash_v1(s.torrent);
    const std::string magnet = "magnet:?xt=urn:btih:" + hash + "&x.pe=127.0.0.1:" + std::to_string(port);
    Process leecher({agora_bin, "get", magnet, "-o", s.dir / "got", "--bind", "127.0.0.1", "--port", "0",
                     "--state-dir", s.dir / "state"});
    EXPECT_TRUE(leecher.wait_for_line("metadata received", 60s)) << leecher.log();
    EXPECT_EQ(leecher.wait_exit(60s), 0) << leecher.log() << seeder.log();
    s.expect_same(s.dir / "got");
    EXPECT_TRUE(std::filesystem::exists(s.dir / ("state/torrents/" + hash + ".torrent")));
}

}  // namespace
