// Local Service Discovery (BEP 14) over real multicast, between two network namespaces joined by
// a veth pair: a seeder and a getter told of no peer, no tracker and no DHT find each other by the
// LAN announce alone. Needs root (CAP_SYS_ADMIN for `ip netns add`) and iproute2 (scripts/setup);
// without them the test fails, saying so, rather than skipping.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../unit/temp_dir.hpp"
#include "process.hpp"
#include "swarm_util.hpp"

using agora::test::Process;
using agora::test::TempDir;
using namespace agora::test;
using namespace std::chrono_literals;

namespace {

std::string ip_binary() {
    for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
        if (std::filesystem::exists(p)) return p;
    return {};
}


// Two network namespaces, each with lo up and one end of a veth pair on 10.213.X.0/24 and a route
// for multicast out of it, or (v6) on fd00:213:X::/64 only, with no IPv4 address at all (X from
// the pid, as are the names, so that concurrent runs do not collide). Deleting the namespaces, in
// the destructor, deletes the pair too.
class NamespacePair {
public:
    NamespacePair(std::string ip, bool v6) : ip_(std::move(ip)), v6_(v6) {
        const auto pid = std::to_string(::getpid());
        subnet_ = v6 ? "fd00:213:" + std::to_string(1 + ::getpid() % 250) + "::"
                     : "10.213." + std::to_string(1 + ::getpid() % 250) + ".";
        for (const char side : {'a', 'b'}) {
            names_.push_back("agora-lsd-" + pid + "-" + side);
            veths_.push_back("alsd" + pid + side);  // at most 15 characters (IFNAMSIZ)
        }
        for (const auto& ns : names_) {
            (void)shell(ip_ + " netns del " + ns);  // a leftover of a crashed run with the same pid
            auto [status, out] = shell(ip_ + " netns add " + ns);
            if (status != 0) {
                error_ = "`ip netns add " + ns + "` failed (this test needs root, i.e. CAP_SYS_ADMIN): " + out;
                return;
            }
            created_.push_back(ns);
        }
        std::vector<std::string> steps = {"-n " + names_[0] + " link add " + veths_[0] + " type veth peer name " +
                                          veths_[1] + " netns " + names_[1]};
        for (int i = 0; i < 2; ++i) {
            const auto n = "-n " + names_[i] + " ";
            if (v6_) {
                // nodad: usable at once, with no wait for duplicate address detection.
                steps.push_back(n + "addr add " + address(i) + "/64 dev " + veths_[i] + " nodad");
            } else {
                steps.push_back(n + "addr add " + address(i) + "/24 dev " + veths_[i]);
            }
            steps.push_back(n + "link set " + veths_[i] + " up");
            steps.push_back(n + "link set lo up");
            if (!v6_) steps.push_back(n + "route add 224.0.0.0/4 dev " + veths_[i]);
        }
        for (const auto& step : steps) {
            auto [status, out] = shell(ip_ + " " + step);
            if (status != 0) {
                error_ = "`ip " + step + "` failed: " + out;
                return;
            }
        }
        // IPv6 configures an interface (and its ff00::/8 multicast route) only once the veth pair
        // has carrier, which comes a moment after `link set up`; until then sends to the group
        // fail with "network unreachable". Wait for the route on both sides (bounded).
        if (v6_) {
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            for (int i = 0; i < 2; ++i) {
                while (shell(ip_ + " -n " + names_[i] + " -6 route show table local").out.find("ff00::/8 dev " + veths_[i]) ==
                       std::string::npos) {
                    if (std::chrono::steady_clock::now() > deadline) {
                        error_ = "IPv6 never came up on " + veths_[i];
                        return;
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
            }
        }
    }
    ~NamespacePair() {
        for (const auto& ns : created_) (void)shell(ip_ + " netns del " + ns);
    }
    NamespacePair(const NamespacePair&) = delete;
    NamespacePair& operator=(const NamespacePair&) = delete;

    // Empty when everything is set up; else what failed.
    const std::string& error() const { return error_; }
    std::string address(int side) const { return subnet_ + std::to_string(side + 1); }
    // `argv` run inside namespace `side`.
    std::vector<std::string> exec(int side, std::vector<std::string> argv) const {
        std::vector<std::string> out = {ip_, "netns", "exec", names_[static_cast<std::size_t>(side)]};
        out.insert(out.end(), argv.begin(), argv.end());
        return out;
    }

private:
    std::string ip_;
    bool v6_ = false;
    std::string subnet_;
    std::vector<std::string> names_;
    std::vector<std::string> veths_;
    std::vector<std::string> created_;
    std::string error_;
};

// A seeder in one namespace and a getter in the other, with no --peer, trackers or DHT: the
// getter's multicast announce reaches the seeder, which dials it, and the download completes
// with identical bytes.
void seed_and_get_across_namespaces(bool v6) {
    const auto ip = ip_binary();
    if (ip.empty()) GTEST_FAIL() << "iproute2 (the `ip` program) is not installed: run scripts/setup";
    const NamespacePair net(ip, v6);
    ASSERT_TRUE(net.error().empty()) << net.error();

    TempDir dir;
    agora::test::write_random_file(dir / "seed/lan.bin", 6 << 20, 14);
    ASSERT_EQ(std::system((agora_bin + " create " + (dir / "seed/lan.bin") + " -o " + (dir / "t.torrent") +
                           " --piece-size 65536 -q >/dev/null").c_str()),
              0);
    const std::vector<std::string> isolated = {"--port", "0", "--no-dht", "--no-trackers", "--no-resume"};

    std::vector<std::string> seed = {agora_bin, "seed", dir / "t.torrent", dir / "seed", "--bind", net.address(0),
                                     "--state-dir", dir / "state-seed"};
    seed.insert(seed.end(), isolated.begin(), isolated.end());
    Process seeder(net.exec(0, seed));
    ASSERT_NE(listening_port(seeder), 0) << seeder.log();
    // Joined the group (so the getter's announce will be heard) once it says it announces.
    ASSERT_TRUE(seeder.wait_for_line("local discovery: announcing", 30s)) << seeder.log();

    std::vector<std::string> get = {agora_bin, "get", dir / "t.torrent", "-o", dir / "got", "--bind", net.address(1),
                                    "--state-dir", dir / "state-get"};
    get.insert(get.end(), isolated.begin(), isolated.end());
    Process getter(net.exec(1, get));
    EXPECT_EQ(getter.wait_exit(90s), 0) << "getter:\n" << getter.log() << "seeder:\n" << seeder.log();
    EXPECT_TRUE(agora::test::read_all(dir / "got/lan.bin") == agora::test::read_all(dir / "seed/lan.bin"))
        << "the downloaded file differs";
    // The seeder learnt of the getter from its announce: the only way it could.
    EXPECT_TRUE(seeder.wait_for_line("local discovery: found peer " + net.address(1), 10s)) << seeder.log();
    seeder.kill(SIGTERM);
    EXPECT_EQ(seeder.wait_exit(20s), 0) << seeder.log();
}


TEST(AgoraLsd, SeedAndGetFindEachOtherAcrossNamespaces) { seed_and_get_across_namespaces(false); }

// The same over IPv6 alone (ff15::efc0:988f): the veth pair has no IPv4 address, so only the IPv6
// group can bring the two together.
TEST(AgoraLsd, SeedAndGetFindEachOtherOverIpv6) { seed_and_get_across_namespaces(true); }

}  // namespace
