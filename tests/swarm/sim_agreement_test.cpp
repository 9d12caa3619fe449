// The simulator against the real thing: the same small swarm (one seed limited to 1 MiB/s, three
// leechers, an 8 MiB file in 64 KiB pieces, a tracker) run as agora processes on 127.0.0.1 and as
// `agora sim`. They must agree in kind: every leecher gets every piece in both, and the times to
// completion are of the same order (each within 3x of the other), above the seed's bound F/u_s.
#include <gtest/gtest.h>

#include <chrono>
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

constexpr int leechers = 3;
constexpr std::int64_t file_bytes = 8 << 20;
constexpr double seed_rate = 1 << 20;  // bytes/s: "--upload-limit 1M"

TEST(SimAgreement, SimulatedAndRealSwarmsAgreeInKind) {
    if (!std::filesystem::exists("/usr/bin/opentracker")) GTEST_FAIL() << "opentracker not installed: run scripts/setup";
    TempDir dir;

    // The real swarm.
    agora::test::write_random_file(dir / "seed/swarm.bin", file_bytes, 11);
    const std::uint16_t tracker_port = free_port();
    const std::string announce = "http://127.0.0.1:" + std::to_string(tracker_port) + "/announce";
    ASSERT_EQ(std::system((agora_bin + " create " + (dir / "seed/swarm.bin") + " -o " + (dir / "t.torrent") +
                           " --v1-only --piece-size 65536 -q -t " + announce + " >/dev/null").c_str()),
              0);
    const auto tracker = start_opentracker(dir.path(), {info_hash_v1(dir / "t.torrent")}, tracker_port);
    Process seeder({agora_bin, "seed", dir / "t.torrent", dir / "seed", "--bind", "127.0.0.1", "--port", "0",
                    "--no-resume", "--upload-limit", "1M"});
    ASSERT_NE(listening_port(seeder), 0) << seeder.log();
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<Process>> procs;
    for (int i = 0; i < leechers; ++i) {
        const std::string n = std::to_string(i);
        procs.push_back(std::make_unique<Process>(
            std::vector<std::string>{agora_bin, "get", dir / "t.torrent", "-o", dir / ("leech" + n), "--bind",
                                     "127.0.0.1", "--port", "0", "--state-dir", dir / ("state" + n), "--json", "--seed"},
            dir / ("progress" + n + ".json")));
    }
    double real_s = 0;
    const auto deadline = started + 120s;
    for (int i = 0; i < leechers; ++i) {
        const std::string path = dir / ("progress" + std::to_string(i) + ".json");
        bool done = false;
        while (!done && std::chrono::steady_clock::now() < deadline) {
            procs[i]->wait_for_line("\n-never-", 100ms);  // drain stderr while waiting
            auto j = last_progress(path);
            done = !j.is_null() && j["complete"].get<bool>();
        }
        ASSERT_TRUE(done) << "leecher " << i << " did not finish:\n" << procs[i]->log();
        real_s = std::max(real_s, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    for (int i = 0; i < leechers; ++i) {
        procs[i]->kill(SIGTERM);
        procs[i]->wait_exit(20s);
        EXPECT_TRUE(agora::test::read_all(dir / ("leech" + std::to_string(i) + "/swarm.bin")) ==
                    agora::test::read_all(dir / "seed/swarm.bin"))
            << "leecher " << i;
    }

    // The same swarm, simulated: loopback-fast leechers, the seed's limit, latency under a millisecond.
    {
        std::ofstream s(dir / "same.toml");
        s << "kind = \"flash-crowd\"\nleechers = " << leechers << "\nfile-mib = " << file_bytes / (1 << 20)
          << "\npiece-kib = 64\nseed-upload-mbit = " << seed_rate * 8 / 1e6
          << "\nseed-download-mbit = 1000\nlatency-ms = [0, 1]\ntime-limit-s = 600\n"
             "[[link]]\nname = \"loopback\"\nshare = 1\nup-mbit = 1000\ndown-mbit = 1000\n";
    }
    const auto sim = shell(agora_bin + " sim " + (dir / "same.toml") + " -q --out " + (dir / "sim"));
    ASSERT_EQ(sim.exit, 0) << sim.out;
    std::ifstream in(dir / "sim/summary.json");
    const auto run = nlohmann::json::parse(in)["runs"][0];
    EXPECT_EQ(run["invariants"], "held");
    EXPECT_EQ(run["completed"], leechers);
    // The same pieces: both torrents have 128 of 64 KiB, and every leecher verified them all.
    EXPECT_EQ(run["pieces"], file_bytes / 65536);
    const double sim_s = run["swarm_seconds"].get<double>();
    const double bound_s = static_cast<double>(file_bytes) / seed_rate;
    EXPECT_GE(sim_s, bound_s * 0.99);
    EXPECT_GE(real_s, bound_s * 0.9);  // the limiter's first second may run a little ahead
    EXPECT_LT(real_s / sim_s, 3.0) << "real " << real_s << " s, simulated " << sim_s << " s";
    EXPECT_LT(sim_s / real_s, 3.0) << "real " << real_s << " s, simulated " << sim_s << " s";
    std::printf("real swarm %.2f s, simulated %.2f s, bound %.2f s\n", real_s, sim_s, bound_s);
}

}  // namespace
