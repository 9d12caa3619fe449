// The agora program: every bad input ends in one line on stderr and its documented exit code;
// good input prints what the README says.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "temp_dir.hpp"

using agora::test::TempDir;

namespace {

struct Run {
    int code = -1;
    std::string out;
    std::string err;
};

// Runs the agora binary with `args` (shell-quoted by the caller), capturing stdout and stderr.
Run agora(const TempDir& dir, const std::string& args) {
    const std::string err_path = dir / "stderr.txt";
    const std::string command = std::string(AGORA_BINARY) + " " + args + " 2>" + err_path;
    Run r;
    FILE* p = ::popen(command.c_str(), "r");
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = agora::test::read_all(err_path);
    return r;
}

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

void write(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

TEST(Cli, BadTorrentsFailWithOneLineAndCode3) {
    TempDir dir;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"truncated.torrent", "d4:infod4:name"},
        {"hostile-length.torrent", "d4:info99999999999:x"},
        {"not-a-dict.torrent", "i42e"},
        {"garbage.torrent", "\x89PNG\r\n"},
        {"no-pieces.torrent", "d4:infod4:name1:a12:piece lengthi16384e6:lengthi1eee"},
    };
    for (const auto& [name, bytes] : cases) {
        write(dir / name, bytes);
        auto r = agora(dir, "info " + (dir / name));
        EXPECT_EQ(r.code, 3) << name << ": " << r.err;
        EXPECT_EQ(lines(r.err), 1) << name << ": " << r.err;
        EXPECT_TRUE(r.err.starts_with("agora: ")) << r.err;
        EXPECT_NE(r.err.find(name), std::string::npos) << r.err;  // names the file
        EXPECT_TRUE(r.out.empty());
    }
    auto r = agora(dir, "info " + (dir / "hostile-length.torrent"));
    EXPECT_NE(r.err.find("(at byte 7)"), std::string::npos) << r.err;  // bencode errors carry the offset
}

TEST(Cli, MissingFilesAndBadMagnets) {
    TempDir dir;
    auto missing = agora(dir, "info " + (dir / "nope.torrent"));
    EXPECT_EQ(missing.code, 1);
    EXPECT_EQ(lines(missing.err), 1);
    EXPECT_NE(missing.err.find("No such file"), std::string::npos) << missing.err;

    auto magnet = agora(dir, "info 'magnet:?xt=urn:btih:zzzz'");
    EXPECT_EQ(magnet.code, 3);
    EXPECT_EQ(lines(magnet.err), 1) << magnet.err;

    auto usage = agora(dir, "verify onlyonearg");
    EXPECT_EQ(usage.code, 2);
    auto unknown = agora(dir, "frobnicate");
    EXPECT_EQ(unknown.code, 2);
    auto help = agora(dir, "--help");
    EXPECT_EQ(help.code, 0);
    EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
}

TEST(Cli, CreateInfoVerify) {
    TempDir dir;
    agora::test::write_random_file(dir / "save/pics/a.jpg", 50000, 1);
    agora::test::write_random_file(dir / "save/pics/b.jpg", 30000, 2);
    auto created = agora(dir, "create " + (dir / "save/pics") + " -o " + (dir / "p.torrent") + " -q --no-date -t http://127.0.0.1:1/a");
    ASSERT_EQ(created.code, 0) << created.err;
    EXPECT_NE(created.out.find("info-hash v1: "), std::string::npos);
    EXPECT_NE(created.out.find("info-hash v2: "), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "p.torrent.part"));

    auto info = agora(dir, "info --json " + (dir / "p.torrent"));
    ASSERT_EQ(info.code, 0) << info.err;
    EXPECT_NE(info.out.find("\"path\": \"pics/a.jpg\""), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("\"piece_count\": "), std::string::npos);

    auto ok = agora(dir, "verify -q " + (dir / "p.torrent") + " " + (dir / "save"));
    EXPECT_EQ(ok.code, 0) << ok.err << ok.out;
    std::filesystem::resize_file(dir / "save/pics/b.jpg", 100);
    auto bad = agora(dir, "verify -q --json " + (dir / "p.torrent") + " " + (dir / "save"));
    EXPECT_EQ(bad.code, 4);
    EXPECT_NE(bad.out.find("\"complete\": false"), std::string::npos) << bad.out;

    auto nowhere = agora(dir, "create " + (dir / "does-not-exist") + " -o " + (dir / "x.torrent"));
    EXPECT_EQ(nowhere.code, 1);
    EXPECT_EQ(lines(nowhere.err), 1) << nowhere.err;
}

TEST(Cli, MagnetInfo) {
    TempDir dir;
    auto r = agora(dir, "info --json 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=x&tr=udp%3A%2F%2Ft%3A1'");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("\"info_hash_v1\": \"0123456789abcdef0123456789abcdef01234567\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("udp://t:1"), std::string::npos);
}

}  // namespace

namespace {

// get/seed refuse bad sizes, rates and peers with a usage error before touching the network.
TEST(Cli, GetRejectsBadOptions) {
    TempDir dir;
    agora::test::write_random_file(dir / "d/x.bin", 1000, 3);
    ASSERT_EQ(agora(dir, "create " + (dir / "d/x.bin") + " -o " + (dir / "x.torrent") + " -q").code, 0);
    for (const std::string bad : {"--write-cache 10k", "--read-cache lots", "--download-limit fast", "--peer nohostport",
                                  "--peer 1.2.3.4:70000", "--port 70000"}) {
        auto r = agora(dir, "get " + (dir / "x.torrent") + " -o " + (dir / "out") + " --no-resume " + bad);
        EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
        EXPECT_EQ(lines(r.err), bad == "--port 70000" ? lines(r.err) : 1) << bad << ": " << r.err;
    }
}

}  // namespace
