// agora against two other BitTorrent clients on 127.0.0.1, in both directions: Transmission 3.00
// (transmission-daemon, driven by transmission-remote) and aria2 1.36; then one swarm that mixes
// agora, libtorrent and aria2. Every test compares the downloaded files byte for byte.
//
// What the other programs need on loopback (see /work/shared/INTEROP-NOTES.md):
// - Transmission ignores 127.x addresses that a tracker hands out, and transmission-remote 3.00 has
//   no "add peer" command, so agora dials Transmission (`--peer`) in both directions.
// - aria2 has no option that names a peer for a torrent (only trackers, DHT, LPD and PEX find
//   them), so agora dials aria2 too; aria2 takes incoming connections on its --listen-port.
// - aria2 computes another info-hash for a hybrid torrent, and Transmission 3.00 predates v2: every
//   torrent here is v1.
// - agora speaks plain TCP only: both are told to use neither uTP nor MSE/PE encryption, and DHT,
//   LPD and PEX are off so that the peers are exactly the ones the test names.
//
// agora runs with -v, which logs why it closes each connection it closes; a test fails early, with
// that line, when agora drops the connection the transfer depends on.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../unit/temp_dir.hpp"
#include "process.hpp"
#include "swarm_util.hpp"

using agora::test::Process;
using agora::test::TempDir;
using namespace agora::test;
using namespace std::chrono_literals;

namespace {

std::string loopback(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }


// The connections agora closed for a reason other than the normal end of a transfer, one line each,
// from its -v log (empty when there were none).
std::string protocol_drops(Process& agora) {
    agora.wait_for_line("\n-never-", 20ms);  // take in what it has written so far
    std::istringstream log(agora.log());
    std::string line, drops;
    while (std::getline(log, line)) {
        if (line.find(": closing: ") == std::string::npos) continue;
        bool normal = false;
        for (const char* reason : {"both seeds", "inactive", "connected to ourselves", "not accepting"})
            normal = normal || line.find(reason) != std::string::npos;
        if (!normal) drops += line + "\n";
    }
    return drops;
}

// Calls `step` (which waits at most the slice it is given for the event the test needs, and says
// whether it came) until it succeeds or `timeout` passes. Stops early, returning false, when
// `agora` logs that it dropped a connection for a protocol error: the transfer these tests run
// depends on one connection, and the log line says why it ended.
bool await_unless_dropped(Process& agora, std::chrono::seconds timeout,
                          const std::function<bool(std::chrono::milliseconds)>& step) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (step(200ms)) return true;
        if (!protocol_drops(agora).empty()) return false;
    }
    return false;
}

// Two files in a folder, as a v1 torrent (the only kind both other clients share with agora).
struct Payload {
    TempDir dir;
    std::string torrent;
    explicit Payload(std::size_t size) {
        agora::test::write_random_file(dir / "seed/share/a.bin", size, 31);
        agora::test::write_random_file(dir / "seed/share/sub/b.bin", size / 3 + 12345, 32);
        torrent = dir / "t.torrent";
        const std::string cmd = agora_bin + " create " + (dir / "seed/share") + " -o " + torrent + " --v1-only -q >/dev/null";
        EXPECT_EQ(std::system(cmd.c_str()), 0);
    }
    std::string seed_dir() const { return dir / "seed"; }
    // Compared as booleans: a failure must not print megabytes of binary.
    void expect_same(const std::string& save, const std::string& who) const {
        for (const char* f : {"share/a.bin", "share/sub/b.bin"})
            EXPECT_TRUE(agora::test::read_all(save + "/" + f) == agora::test::read_all(dir / (std::string("seed/") + f)))
                << who << ": " << f << " differs";
    }
};

std::vector<std::string> agora_seed(const Payload& p, const std::vector<std::uint16_t>& peers) {
    std::vector<std::string> argv = {agora_bin, "seed", p.torrent, p.seed_dir(), "--bind", "127.0.0.1", "--port", "0",
                                     "--no-resume", "-v"};
    for (auto port : peers) argv.insert(argv.end(), {"--peer", loopback(port)});
    return argv;
}

std::vector<std::string> agora_get(const Payload& p, const std::string& save, const std::vector<std::uint16_t>& peers) {
    std::vector<std::string> argv = {agora_bin, "get", p.torrent, "-o", save, "--bind", "127.0.0.1", "--port", "0",
                                     "--no-resume", "-v"};
    for (auto port : peers) argv.insert(argv.end(), {"--peer", loopback(port)});
    return argv;
}

// ---- Transmission ----------------------------------------------------------------------------

// A transmission-daemon of its own: its config folder, RPC and peer ports on 127.0.0.1, and DHT,
// LPD, PEX, uTP, port mapping and encryption off. It logs to stderr (-f, --log-info).
class Transmission {
public:
    explicit Transmission(const TempDir& dir) {
        const std::string config = dir / "transmission";
        std::filesystem::create_directories(config);
        rpc_port_ = free_port();
        do peer_port_ = free_port();
        while (peer_port_ == rpc_port_);
        const nlohmann::json settings = {
            {"dht-enabled", false}, {"lpd-enabled", false}, {"pex-enabled", false}, {"utp-enabled", false},
            {"port-forwarding-enabled", false},
            {"encryption", 0},  // 0 = tolerated: plain handshakes, as agora speaks
            {"bind-address-ipv4", "127.0.0.1"}, {"bind-address-ipv6", "::1"},
            {"peer-port", peer_port_}, {"peer-port-random-on-start", false},
            {"rpc-bind-address", "127.0.0.1"}, {"rpc-port", rpc_port_}, {"rpc-authentication-required", false},
            {"rpc-whitelist-enabled", false}, {"rpc-host-whitelist-enabled", false},
            {"download-dir", dir / "transmission-downloads"}, {"incomplete-dir-enabled", false},
            {"rename-partial-files", false}, {"start-added-torrents", true},
            {"ratio-limit-enabled", false}, {"idle-seeding-limit-enabled", false},
            {"message-level", 2},
        };
        std::ofstream(config + "/settings.json") << settings.dump(1);
        daemon_ = std::make_unique<Process>(
            std::vector<std::string>{"transmission-daemon", "-f", "-g", config, "--log-info"});
    }

    std::uint16_t peer_port() const { return peer_port_; }
    Process& daemon() { return *daemon_; }

    // Waits for its RPC server, then adds `torrent` with its data in (or to go to) `download_dir`.
    bool add(const std::string& torrent, const std::string& download_dir) {
        if (!daemon_->wait_for_line("Serving RPC and Web requests", 20s)) return false;
        return remote("-a " + torrent + " -w " + download_dir).find("success") != std::string::npos;
    }

    // Waits until the torrent is running (verified, not queued) and, if `complete`, has all data.
    // Transmission logs nothing when a verification ends, so this polls its RPC: a readiness probe
    // of a process we do not control, paced by waiting on its stderr.
    bool wait_running(bool complete, std::chrono::seconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            const std::string info = remote("-t all -i");
            const auto at = info.find("State: ");
            const std::string state = at == std::string::npos ? "" : info.substr(at + 7, info.find('\n', at) - at - 7);
            const bool running = state == "Idle" || state == "Seeding" || state == "Downloading";
            if (running && (!complete || info.find("Percent Done: 100%") != std::string::npos)) return true;
            daemon_->wait_for_line("\n-never-", 100ms);
        }
        return false;
    }

    // SIGTERM: it closes its files, which writes out what its cache still holds.
    std::optional<int> stop() {
        daemon_->kill(SIGTERM);
        return daemon_->wait_exit(30s);
    }

    std::string remote(const std::string& args) {
        return run_capture("transmission-remote " + loopback(rpc_port_) + " " + args + " 2>&1");
    }

private:
    std::uint16_t rpc_port_ = 0;
    std::uint16_t peer_port_ = 0;
    std::unique_ptr<Process> daemon_;
};

bool have_transmission() {
    return std::filesystem::exists("/usr/bin/transmission-daemon") && std::filesystem::exists("/usr/bin/transmission-remote");
}

// Transmission seeds, agora downloads: agora's handshake, requests and piece handling work with
// Transmission's peer code (agora dials it; Transmission sends its first block after its rechoke).
TEST(TransmissionInterop, AgoraDownloadsFromTransmission) {
    if (!have_transmission()) GTEST_FAIL() << "transmission-daemon not installed";
    Payload p(6 << 20);
    Transmission tr(p.dir);
    ASSERT_TRUE(tr.add(p.torrent, p.seed_dir())) << tr.daemon().log();
    ASSERT_TRUE(tr.wait_running(/*complete=*/true, 30s)) << tr.remote("-t all -i") << tr.daemon().log();

    Process leecher(agora_get(p, p.dir / "got", {tr.peer_port()}));
    ASSERT_NE(listening_port(leecher), 0) << leecher.log();
    std::optional<int> code;
    EXPECT_TRUE(await_unless_dropped(leecher, 50s, [&](auto slice) { return (code = leecher.wait_exit(slice)).has_value(); }))
        << "agora did not finish:\n" << leecher.log() << tr.remote("-t all -i") << tr.daemon().log();
    EXPECT_EQ(code, 0) << leecher.log();
    EXPECT_EQ(protocol_drops(leecher), "");
    p.expect_same(p.dir / "got", "agora");
}

// agora seeds, Transmission downloads over the connection agora opens to it: agora serves what
// Transmission asks for, and Transmission verifies every piece and declares the torrent complete.
TEST(TransmissionInterop, TransmissionDownloadsFromAgora) {
    if (!have_transmission()) GTEST_FAIL() << "transmission-daemon not installed";
    Payload p(6 << 20);
    Transmission tr(p.dir);
    std::filesystem::create_directories(p.dir / "got");
    ASSERT_TRUE(tr.add(p.torrent, p.dir / "got")) << tr.daemon().log();
    // Running first, so that agora's first dial finds the torrent (one that is still being checked
    // refuses the handshake, and agora would wait 5 s to dial again).
    ASSERT_TRUE(tr.wait_running(/*complete=*/false, 30s)) << tr.remote("-t all -i") << tr.daemon().log();

    Process seeder(agora_seed(p, {tr.peer_port()}));
    ASSERT_NE(listening_port(seeder), 0) << seeder.log();
    EXPECT_TRUE(await_unless_dropped(seeder, 50s, [&](auto slice) {
        return tr.daemon().wait_for_line("to \"Complete\"", slice).has_value();
    })) << "Transmission did not finish:\n"
        << tr.remote("-t all -i") << tr.daemon().log() << seeder.log();
    EXPECT_EQ(tr.stop(), 0) << tr.daemon().log();
    EXPECT_EQ(protocol_drops(seeder), "");
    p.expect_same(p.dir / "got", "Transmission");
}

// ---- aria2 -----------------------------------------------------------------------------------

// An aria2c listening on `listen_port`, with DHT, LPD, PEX and encryption off; its console output
// goes to stderr (--stderr) so that the test can wait on its lines.
std::unique_ptr<Process> start_aria2(std::uint16_t listen_port, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"aria2c", "--no-conf", "--stderr=true", "--enable-color=false",
                                     "--console-log-level=notice", "--summary-interval=0", "--show-console-readout=false",
                                     "--listen-port=" + std::to_string(listen_port), "--enable-dht=false",
                                     "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
                                     "--bt-require-crypto=false", "--bt-min-crypto-level=plain",
                                     "--file-allocation=none"};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<Process>(argv);
}

bool have_aria2() { return std::filesystem::exists("/usr/bin/aria2c"); }

// aria2 checks the data it has and seeds it, agora downloads: agora works with aria2's handshake,
// its have_all and allowed-fast messages, and its one-second request loop.
TEST(Aria2Interop, AgoraDownloadsFromAria2) {
    if (!have_aria2()) GTEST_FAIL() << "aria2c not installed";
    Payload p(6 << 20);
    const std::uint16_t aria2_port = free_port();
    // -V checks the files in place; --seed-ratio=0.0 without --seed-time seeds until killed.
    auto aria2 = start_aria2(aria2_port, {"--dir=" + p.seed_dir(), "-V", "--seed-ratio=0.0", p.torrent});
    // It listens once the check is over.
    ASSERT_TRUE(aria2->wait_for_line("listening on TCP port", 30s)) << aria2->log();

    Process leecher(agora_get(p, p.dir / "got", {aria2_port}));
    ASSERT_NE(listening_port(leecher), 0) << leecher.log();
    std::optional<int> code;
    EXPECT_TRUE(await_unless_dropped(leecher, 50s, [&](auto slice) { return (code = leecher.wait_exit(slice)).has_value(); }))
        << "agora did not finish:\n" << leecher.log() << aria2->log();
    EXPECT_EQ(code, 0) << leecher.log();
    EXPECT_EQ(protocol_drops(leecher), "");
    p.expect_same(p.dir / "got", "agora");
}

// agora seeds, aria2 downloads over the connection agora opens to it, and exits 0 once complete
// (--seed-time=0). aria2 announces its progress in its own way: a have per piece, but a whole
// bitfield in the middle of the connection whenever that is shorter than the haves it replaces
// (DefaultBtInteractive::checkHave). libtorrent takes those (seen: six such bitfields in one
// 6 MB download from lt_peer.py, which aria2 finished); agora must take them too.
TEST(Aria2Interop, Aria2DownloadsFromAgora) {
    if (!have_aria2()) GTEST_FAIL() << "aria2c not installed";
    Payload p(6 << 20);
    const std::uint16_t aria2_port = free_port();
    auto aria2 = start_aria2(aria2_port, {"--dir=" + (p.dir / "got"), "--seed-time=0", p.torrent});
    ASSERT_TRUE(aria2->wait_for_line("listening on TCP port", 30s)) << aria2->log();

    Process seeder(agora_seed(p, {aria2_port}));
    ASSERT_NE(listening_port(seeder), 0) << seeder.log();
    std::optional<int> code;
    EXPECT_TRUE(await_unless_dropped(seeder, 50s, [&](auto slice) { return (code = aria2->wait_exit(slice)).has_value(); }))
        << "aria2 did not finish; agora says:\n" << protocol_drops(seeder) << "aria2 says:\n" << aria2->log();
    EXPECT_EQ(code, 0) << aria2->log();
    EXPECT_EQ(protocol_drops(seeder), "");
    p.expect_same(p.dir / "got", "aria2");
}

// ---- A mixed swarm ---------------------------------------------------------------------------

// One agora seeder; an agora, a libtorrent and an aria2 leecher at once, each connected to every
// other peer (each dials those started before it; aria2 only accepts). All three finish with the
// exact files, and agora closes no connection to either foreign client for a protocol error.
TEST(MixedSwarm, AgoraLibtorrentAndAria2LeechFromAnAgoraSeeder) {
    if (!have_aria2()) GTEST_FAIL() << "aria2c not installed";
    Payload p(6 << 20);  // 6 MiB + 2 MiB
    const std::uint16_t aria2_port = free_port();
    auto aria2 = start_aria2(aria2_port, {"--dir=" + (p.dir / "aria2"), "--seed-time=0", p.torrent});
    ASSERT_TRUE(aria2->wait_for_line("listening on TCP port", 30s)) << aria2->log();

    Process seeder(agora_seed(p, {aria2_port}));
    const auto seed_port = listening_port(seeder);
    ASSERT_NE(seed_port, 0) << seeder.log();
    Process agora_leech(agora_get(p, p.dir / "agora", {seed_port, aria2_port}));
    const auto agora_port = listening_port(agora_leech);
    ASSERT_NE(agora_port, 0) << agora_leech.log();
    Process lt_leech({"/usr/bin/python3", lt_peer, "get", p.torrent, p.dir / "libtorrent", "--peer", loopback(seed_port),
                      "--peer", loopback(aria2_port), "--peer", loopback(agora_port)});
    ASSERT_NE(listening_port(lt_leech), 0) << lt_leech.log();

    const auto deadline = std::chrono::steady_clock::now() + 50s;
    const auto left = [&] {
        return std::max(1ms, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    };
    EXPECT_EQ(agora_leech.wait_exit(left()), 0) << "agora leecher:\n" << agora_leech.log();
    EXPECT_EQ(lt_leech.wait_exit(left()), 0) << "libtorrent leecher:\n" << lt_leech.log();
    EXPECT_EQ(aria2->wait_exit(left()), 0) << "aria2 leecher:\n" << aria2->log();
    EXPECT_EQ(protocol_drops(seeder), "") << "agora seeder";
    EXPECT_EQ(protocol_drops(agora_leech), "") << "agora leecher";
    p.expect_same(p.dir / "agora", "agora");
    p.expect_same(p.dir / "libtorrent", "libtorrent");
    p.expect_same(p.dir / "aria2", "aria2");
}

}  // namespace
