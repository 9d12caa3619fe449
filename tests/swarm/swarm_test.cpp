// agora swarms on 127.0.0.1: agora processes (and opentracker) started and stopped by the test.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../unit/temp_dir.hpp"
#include "process.hpp"
#include "swarm_util.hpp"

using agora::test::Process;
using agora::test::TempDir;
using namespace agora::test;
using namespace std::chrono_literals;

namespace {

// One seeder and five leechers find each other through a real opentracker; every leecher ends
// with the exact file, and leechers uploaded to each other, not only downloaded from the seed.
TEST(AgoraSwarm, OneSeederFiveLeechersOverOpentracker) {
    if (!std::filesystem::exists("/usr/bin/opentracker")) GTEST_FAIL() << "opentracker not installed: run scripts/setup, which installs it)";
    TempDir dir;
    agora::test::write_random_file(dir / "seed/payload.bin", 24 << 20, 7);
    const std::uint16_t tracker_port = free_port();
    const std::string announce = "http://127.0.0.1:" + std::to_string(tracker_port) + "/announce";
    ASSERT_EQ(std::system((agora_bin + " create " + (dir / "seed/payload.bin") + " -o " + (dir / "t.torrent") +
                           " --v1-only --piece-size 65536 -q -t " + announce + " >/dev/null").c_str()),
              0);
    const std::string hash = info_hash_v1(dir / "t.torrent");
    ASSERT_EQ(hash.size(), 40u);
    const auto tracker = start_opentracker(dir.path(), {hash}, tracker_port);

    Process seeder({agora_bin, "seed", dir / "t.torrent", dir / "seed", "--bind", "127.0.0.1", "--port", "0",
                    "--state-dir", dir / "state-seed"});
    ASSERT_NE(listening_port(seeder), 0) << seeder.log();

    std::vector<std::unique_ptr<Process>> leechers;
    for (int i = 0; i < 5; ++i) {
        const std::string n = std::to_string(i);
        leechers.push_back(std::make_unique<Process>(
            std::vector<std::string>{agora_bin, "get", dir / "t.torrent", "-o", dir / ("leech" + n), "--bind",
                                     "127.0.0.1", "--port", "0", "--state-dir", dir / ("state" + n), "--json", "--seed"},
            dir / ("progress" + n + ".json")));
        ASSERT_NE(listening_port(*leechers.back()), 0) << leechers.back()->log();
    }
    // Each leecher seeds on after completing (--seed), so the late ones can fetch from early
    // ones; wait until every copy is complete, then stop them.
    const auto deadline = std::chrono::steady_clock::now() + 90s;
    for (int i = 0; i < 5; ++i) {
        const std::string path = dir / ("progress" + std::to_string(i) + ".json");
        bool done = false;
        while (!done && std::chrono::steady_clock::now() < deadline) {
            leechers[i]->wait_for_line("\n-never-", 200ms);  // drain stderr while waiting
            auto j = last_progress(path);
            done = !j.is_null() && j["complete"].get<bool>();
        }
        ASSERT_TRUE(done) << "leecher " << i << " did not finish:\n" << leechers[i]->log();
    }
    // The tracker counts them all as seeds now (BEP 48 scrape through agora scrape).
    auto scrape = nlohmann::json::parse(run_capture(agora_bin + " scrape --json " + (dir / "t.torrent")));
    ASSERT_EQ(scrape.size(), 1u) << scrape.dump();
    EXPECT_EQ(scrape[0].value("seeders", 0u), 6u) << scrape.dump();
    // Let the last pieces flow between leechers that are still connected, then read counters.
    std::uint64_t leecher_upload = 0;
    for (int i = 0; i < 5; ++i) {
        leechers[i]->kill(SIGTERM);
        EXPECT_EQ(leechers[i]->wait_exit(20s), 0) << leechers[i]->log();
        auto j = last_progress(dir / ("progress" + std::to_string(i) + ".json"));
        leecher_upload += j["uploaded"].get<std::uint64_t>();
        EXPECT_TRUE(agora::test::read_all(dir / ("leech" + std::to_string(i) + "/payload.bin")) ==
                    agora::test::read_all(dir / "seed/payload.bin"))
            << "leecher " << i << " has a different file";
    }
    EXPECT_GT(leecher_upload, 0u) << "leechers only downloaded from the seeder";
}

}  // namespace

namespace {

// kill -9 in the middle of a download, then the same command again: it completes, the file is
// right, and it fetches no more than the pieces it had not yet verified (plus a small margin).
TEST(AgoraSwarm, ResumesAfterKillNine) {
    TempDir dir;
    const std::int64_t piece = 65536;
    agora::test::write_random_file(dir / "seed/data.bin", 40 << 20, 21);
    ASSERT_EQ(std::system((agora_bin + " create " + (dir / "seed/data.bin") + " -o " + (dir / "t.torrent") +
                           " --piece-size 65536 -q >/dev/null").c_str()),
              0);
    Process seeder({agora_bin, "seed", dir / "t.torrent", dir / "seed", "--bind", "127.0.0.1", "--port", "0",
                    "--no-resume"});
    const auto port = listening_port(seeder);
    ASSERT_NE(port, 0) << seeder.log();
    const std::vector<std::string> get = {agora_bin, "get", dir / "t.torrent", "-o", dir / "got", "--bind", "127.0.0.1",
                                          "--port", "0", "--state-dir", dir / "state", "--json",
                                          "--peer", "127.0.0.1:" + std::to_string(port)};
    {
        // Slowed down so that the kill lands mid-way; killed once it reports 30% or more.
        auto slow = get;
        slow.push_back("--download-limit");
        slow.push_back("6M");
        Process first(slow, dir / "first.json");
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        double progress = 0;
        while (progress < 0.3 && std::chrono::steady_clock::now() < deadline) {
            first.wait_for_line("\n-never-", 200ms);
            auto j = last_progress(dir / "first.json");
            if (!j.is_null()) progress = j["progress"].get<double>();
        }
        ASSERT_GE(progress, 0.3) << first.log();
        ASSERT_LT(progress, 1.0) << "finished before it could be killed";
        first.kill(SIGKILL);
        first.wait_exit(10s);
    }
    Process second(get, dir / "second.json");
    auto start = second.wait_for_line("pieces verified", 60s);
    ASSERT_TRUE(start) << second.log();
    // "NAME: listening on port P, N of M pieces verified"
    const auto of = start->find(" of ");
    const auto comma = start->rfind(", ", of);
    const int had = std::stoi(start->substr(comma + 2, of - comma - 2));
    const int total = std::stoi(start->substr(of + 4));
    EXPECT_GT(had, 0) << "nothing survived the kill: " << *start;
    EXPECT_EQ(second.wait_exit(60s), 0) << second.log();
    auto j = last_progress(dir / "second.json");
    ASSERT_FALSE(j.is_null());
    EXPECT_TRUE(j["complete"].get<bool>());
    const auto fetched = j["downloaded"].get<std::int64_t>();
    const std::int64_t missing = std::int64_t{total - had} * piece;
    EXPECT_LE(fetched, missing + 4 * piece) << "fetched " << fetched << " bytes for " << (total - had) << " missing pieces";
    EXPECT_TRUE(agora::test::read_all(dir / "got/data.bin") == agora::test::read_all(dir / "seed/data.bin"))
        << "the resumed file differs";
}

}  // namespace

namespace {

// Trackers that are down, time out, refuse the torrent or answer garbage: the download goes on
// from the peer it was given, and the log names each tracker's problem.
TEST(AgoraSwarm, BadTrackersDoNotStopTheDownload) {
    TempDir dir;
    const std::string fake = std::string(AGORA_INTEROP_DIR) + "/fake_tracker.py";
    std::vector<std::unique_ptr<Process>> trackers;
    std::vector<std::string> urls;
    urls.push_back("http://127.0.0.1:" + std::to_string(free_port()) + "/announce");  // down: nobody listens
    for (const char* mode : {"timeout", "failure", "garbage"}) {
        trackers.push_back(std::make_unique<Process>(std::vector<std::string>{"/usr/bin/python3", fake, mode}));
        auto line = trackers.back()->wait_for_line("listening on port", 20s);
        ASSERT_TRUE(line) << trackers.back()->log();
        urls.push_back("http://127.0.0.1:" + line->substr(line->find("port ") + 5) + "/announce");
    }
    agora::test::write_random_file(dir / "seed/x.bin", 2 << 20, 31);
    std::string create = agora_bin + " create " + (dir / "seed/x.bin") + " -o " + (dir / "t.torrent") + " -q";
    for (const auto& u : urls) create += " -t " + u;
    ASSERT_EQ(std::system((create + " >/dev/null").c_str()), 0);
    Process seeder({agora_bin, "seed", dir / "t.torrent", dir / "seed", "--bind", "127.0.0.1", "--port", "0",
                    "--no-resume", "--no-trackers"});
    const auto port = listening_port(seeder);
    ASSERT_NE(port, 0) << seeder.log();
    // --seed keeps it running after the download, so every tracker tier gets its turn (the
    // time-out takes 15 s); each tracker is its own tier, tried in order (BEP 12).
    Process leecher({agora_bin, "get", dir / "t.torrent", "-o", dir / "got", "--bind", "127.0.0.1", "--port", "0",
                     "--no-resume", "--seed", "--json", "--peer", "127.0.0.1:" + std::to_string(port)},
                    dir / "progress.json");
    for (const char* why : {"cannot connect", "timed out", "failure reason: torrent not welcomed", "not bencode"})
        EXPECT_TRUE(leecher.wait_for_line(why, 40s)) << "no log line with '" << why << "':\n" << leecher.log();
    auto j = last_progress(dir / "progress.json");
    ASSERT_FALSE(j.is_null());
    EXPECT_TRUE(j["complete"].get<bool>());
    EXPECT_TRUE(agora::test::read_all(dir / "got/x.bin") == agora::test::read_all(dir / "seed/x.bin"));
    leecher.kill(SIGTERM);
    EXPECT_EQ(leecher.wait_exit(20s), 0) << leecher.log();
}

}  // namespace

namespace {

// The same swarm over opentracker's UDP side (BEP 15): leechers find the seeder through it.
TEST(AgoraSwarm, UdpTrackerAnnounces) {
    if (!std::filesystem::exists("/usr/bin/opentracker")) GTEST_FAIL() << "opentracker not installed";
    TempDir dir;
    agora::test::write_random_file(dir / "seed/u.bin", 4 << 20, 41);
    const std::uint16_t port = free_port();
    ASSERT_EQ(std::system((agora_bin + " create " + (dir / "seed/u.bin") + " -o " + (dir / "t.torrent") +
                           " --v1-only -q -t udp://127.0.0.1:" + std::to_string(port) + "/announce >/dev/null").c_str()),
              0);
    {
        std::ofstream whitelist(dir / "whitelist");
        whitelist << info_hash_v1(dir / "t.torrent") << "\n";
    }
    std::filesystem::permissions(dir.path(), std::filesystem::perms::others_read | std::filesystem::perms::others_exec,
                                 std::filesystem::perm_options::add);
    Process tracker({"/usr/bin/opentracker", "-i", "127.0.0.1", "-p", std::to_string(port), "-P",
                     std::to_string(port), "-w", dir / "whitelist"});
    Process seeder({agora_bin, "seed", dir / "t.torrent", dir / "seed", "--bind", "127.0.0.1", "--port", "0",
                    "--no-resume", "-v"});
    ASSERT_NE(listening_port(seeder), 0) << seeder.log();
    // The leecher starts once the seeder's announce went through (-v logs each reply), so the
    // tracker knows the seeder when the leecher asks. (If opentracker was not listening yet, the
    // seeder resends after 15 s, as BEP 15 says.)
    ASSERT_TRUE(seeder.wait_for_line("peers, next announce", 60s)) << seeder.log();
    Process leecher({agora_bin, "get", dir / "t.torrent", "-o", dir / "got", "--bind", "127.0.0.1", "--port", "0",
                     "--no-resume"});
    EXPECT_EQ(leecher.wait_exit(90s), 0) << leecher.log() << seeder.log();
    EXPECT_TRUE(agora::test::read_all(dir / "got/u.bin") == agora::test::read_all(dir / "seed/u.bin"));
}

}  // namespace

namespace {

// The same transfer over IPv6 (::1): listening, dialling and peer keys in [addr]:port form.
TEST(AgoraSwarm, SeedAndGetOverIpv6) {
    TempDir dir;
    agora::test::write_random_file(dir / "seed/six.bin", 3 << 20, 51);
    ASSERT_EQ(std::system((agora_bin + " create " + (dir / "seed/six.bin") + " -o " + (dir / "t.torrent") + " -q >/dev/null").c_str()), 0);
    Process seeder({agora_bin, "seed", dir / "t.torrent", dir / "seed", "--bind", "::1", "--port", "0", "--no-resume"});
    const auto port = listening_port(seeder);
    ASSERT_NE(port, 0) << seeder.log();
    Process leecher({agora_bin, "get", dir / "t.torrent", "-o", dir / "got", "--bind", "::1", "--port", "0",
                     "--no-resume", "--peer", "[::1]:" + std::to_string(port)});
    EXPECT_EQ(leecher.wait_exit(60s), 0) << leecher.log() << seeder.log();
    EXPECT_TRUE(agora::test::read_all(dir / "got/six.bin") == agora::test::read_all(dir / "seed/six.bin"));
}

}  // namespace
