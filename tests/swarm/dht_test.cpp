// The Mainline DHT against the real libtorrent on 127.0.0.1: a 30-node DHT of agora nodes and
// python3-libtorrent sessions (each side bootstrapping from the other), peers found both ways,
// bare-magnet downloads both ways, BEP 44 items both ways, and a restart from the saved table.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "../unit/temp_dir.hpp"
#include "process.hpp"
#include "swarm_util.hpp"

using agora::test::Process;
using agora::test::TempDir;
using namespace agora::test;
using namespace std::chrono_literals;

namespace {

const std::string lt_dht = std::string(AGORA_INTEROP_DIR) + "/lt_dht.py";

// lt_dht.py, driven through its stdin and stdout: one command line in, one JSON line out.
class LibtorrentSessions {
public:
    LibtorrentSessions(int count, const std::string& bootstrap) {
        int in[2], out[2];
        EXPECT_EQ(::pipe(in), 0);
        EXPECT_EQ(::pipe(out), 0);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            ::close(in[1]);
            ::close(out[0]);
            const std::string n = std::to_string(count);
            ::execl("/usr/bin/python3", "python3", lt_dht.c_str(), n.c_str(), bootstrap.c_str(), nullptr);
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        // Writing to a helper that died then fails, and the test says so, rather than the signal
        // killing the whole test binary.
        ::signal(SIGPIPE, SIG_IGN);
        to_ = in[1];
        from_ = out[0];
        auto hello = read_json(30s);
        if (hello.contains("ports"))
            for (auto& p : hello["ports"]) ports.push_back(p.get<int>());
    }
    ~LibtorrentSessions() {
        (void)!::write(to_, "quit\n", 5);
        ::close(to_);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                ::close(from_);
                return;
            }
            ::usleep(50000);
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        ::close(from_);
    }
    // The helper's answer, an object; {"error": ...} when it gave none (it may have died).
    nlohmann::json ask(const std::string& line, std::chrono::milliseconds timeout = 90s) {
        const std::string l = line + "\n";
        nlohmann::json answer;
        if (::write(to_, l.data(), l.size()) == static_cast<ssize_t>(l.size())) answer = read_json(timeout);
        if (!answer.is_object()) answer = {{"error", "the libtorrent helper gave no answer to: " + line}};
        return answer;
    }
    std::vector<int> ports;

private:
    nlohmann::json read_json(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
                auto line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return nlohmann::json::parse(line, nullptr, false);
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return {};
            pollfd p{from_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return {};
            char buf[4096];
            const auto n = ::read(from_, buf, sizeof buf);
            if (n <= 0) return {};
            buffer_.append(buf, static_cast<std::size_t>(n));
        }
    }
    pid_t pid_ = -1;
    int to_ = -1, from_ = -1;
    std::string buffer_;
};

struct Ran {
    int exit = -1;
    std::string out;
    std::string err;
};

// Runs agora to completion and captures stdout and stderr.
Ran run_agora(std::vector<std::string> args, const std::string& out_path, std::chrono::milliseconds timeout = 60s) {
    args.insert(args.begin(), agora_bin);
    Process p(args, out_path);
    Ran r;
    r.exit = p.wait_exit(timeout).value_or(-1);
    r.err = p.log();
    r.out = read_all(out_path);
    return r;
}

std::uint16_t serve_port(Process& p) {
    auto line = p.wait_for_line("listening on", 30s);
    if (!line) return 0;
    return static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
}

// One DHT for every test in the suite: 15 agora nodes and 15 libtorrent sessions.
class DhtInterop : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir = new TempDir();
        std::filesystem::permissions(dir->path(), std::filesystem::perms::all);
        auto serve = [](int i, const std::string& bootstrap) {
            std::vector<std::string> argv{agora_bin, "dht", "serve", "--bind", "127.0.0.1", "--listen-port", "0",
                                          "--state-dir", *dir / ("node" + std::to_string(i))};
            if (!bootstrap.empty()) argv.insert(argv.end(), {"--bootstrap", bootstrap});
            nodes.push_back(std::make_unique<Process>(argv));
            ports.push_back(serve_port(*nodes.back()));
        };
        serve(0, "");
        first = "127.0.0.1:" + std::to_string(ports[0]);
        for (int i = 1; i < 8; ++i) serve(i, first);
        // libtorrent sessions join through an agora node ...
        lt = new LibtorrentSessions(15, first);
        // ... and the remaining agora nodes join through libtorrent sessions.
        for (int i = 8; i < 15; ++i)
            serve(i, lt->ports.empty() ? first : "127.0.0.1:" + std::to_string(lt->ports[static_cast<std::size_t>(i)]));
    }
    static void TearDownTestSuite() {
        delete lt;
        nodes.clear();
        ports.clear();
        delete dir;
    }
    void SetUp() override {
        ASSERT_EQ(ports.size(), 15u);
        for (auto p : ports) ASSERT_NE(p, 0) << "an agora DHT node did not start";
        ASSERT_EQ(lt->ports.size(), 15u) << "libtorrent sessions did not start";
    }
    // agora dht ... through node 0 (or --bootstrap given in args), as a fresh node each time.
    Ran agora_dht(std::vector<std::string> args, const std::string& state) {
        args.insert(args.begin(), "dht");
        args.insert(args.end(), {"--bind", "127.0.0.1", "--state-dir", *dir / state, "--json"});
        if (std::find(args.begin(), args.end(), "--bootstrap") == args.end()) args.insert(args.end(), {"--bootstrap", first});
        return run_agora(args, *dir / (state + ".out"));
    }
    // Polls agora's get-peers until `peer` shows up (an announce elsewhere is asynchronous).
    bool agora_finds(const std::string& hash, const std::string& peer) {
        for (int attempt = 0; attempt < 10; ++attempt) {
            auto r = agora_dht({"get-peers", hash}, "finder" + std::to_string(attempt));
            auto j = nlohmann::json::parse(r.out, nullptr, false);
            if (j.is_object() && j.contains("peers"))
                for (auto& p : j["peers"])
                    if (p == peer) return true;
        }
        return false;
    }

    static inline TempDir* dir = nullptr;
    static inline std::vector<std::unique_ptr<Process>> nodes;
    static inline std::vector<std::uint16_t> ports;
    static inline std::string first;
    static inline LibtorrentSessions* lt = nullptr;
};

TEST_F(DhtInterop, PeersAnnouncedOnOneSideAreFoundOnTheOther) {
    // libtorrent seeds a torrent, so announces it; agora's get_peers finds it.
    write_random_file(*dir / "announced/x/a.bin", 100000, 31);
    const std::string t = *dir / "announced.torrent";
    ASSERT_EQ(std::system((agora_bin + " create " + (*dir / "announced/x") + " -o " + t + " -q --v1-only >/dev/null").c_str()), 0);
    const auto h1 = info_hash_v1(t);
    EXPECT_TRUE(lt->ask("seed 3 " + t + " " + (*dir / "announced")).value("ok", false));
    EXPECT_TRUE(agora_finds(h1, "127.0.0.1:" + std::to_string(lt->ports[3])));

    // agora announces; libtorrent's get_peers finds it.
    const std::string h2 = "2222222222222222222222222222222222222222";
    auto a = agora_dht({"announce", h2, "--port", "8888"}, "announcer");
    ASSERT_EQ(a.exit, 0) << a.err << a.out;
    auto j = nlohmann::json::parse(a.out);
    EXPECT_GE(j["stored_at"].get<int>(), 4) << a.out;
    bool found = false;
    for (int attempt = 0; attempt < 5 && !found; ++attempt) {
        auto peers = lt->ask("get_peers 9 " + h2);
        for (auto& p : peers["peers"]) found = found || p == "127.0.0.1:8888";
    }
    EXPECT_TRUE(found);
    // The lookups converge: a few dozen messages for 30 nodes, not a flood.
    auto again = agora_dht({"get-peers", h1}, "counter");
    EXPECT_LT(nlohmann::json::parse(again.out)["messages_sent"].get<int>(), 60) << again.out;
}

TEST_F(DhtInterop, BareMagnetsDownloadBothWays) {
    // libtorrent seeds; agora downloads from magnet:?xt=urn:btih:... with nothing else.
    write_random_file(*dir / "lt-seed/from-lt/a.bin", 3 << 20, 21);
    const std::string t1 = *dir / "t1.torrent";
    ASSERT_EQ(std::system((agora_bin + " create " + (*dir / "lt-seed/from-lt") + " -o " + t1 + " -q --v1-only >/dev/null").c_str()), 0);
    const auto h1 = info_hash_v1(t1);
    EXPECT_TRUE(lt->ask("seed 5 " + t1 + " " + (*dir / "lt-seed")).value("ok", false));
    const auto lt_port = lt->ports[5];
    ASSERT_TRUE(agora_finds(h1, "127.0.0.1:" + std::to_string(lt_port))) << "libtorrent's announce never showed up";
    auto got = run_agora({"get", "magnet:?xt=urn:btih:" + h1, "-o", *dir / "agora-got", "--bind", "127.0.0.1", "--port",
                          "0", "--no-resume", "--state-dir", *dir / "getter", "--bootstrap", first},
                         *dir / "get.out", 90s);
    ASSERT_EQ(got.exit, 0) << got.err;
    EXPECT_TRUE(read_all(*dir / "agora-got/from-lt/a.bin") == read_all(*dir / "lt-seed/from-lt/a.bin"));

    // agora seeds; libtorrent downloads the bare magnet.
    write_random_file(*dir / "agora-seed/from-agora/b.bin", 3 << 20, 22);
    const std::string t2 = *dir / "t2.torrent";
    ASSERT_EQ(std::system((agora_bin + " create " + (*dir / "agora-seed/from-agora") + " -o " + t2 + " -q >/dev/null").c_str()), 0);
    const auto h2 = info_hash_v1(t2);
    Process seeder({agora_bin, "seed", t2, *dir / "agora-seed", "--bind", "127.0.0.1", "--port", "0", "--no-resume",
                    "--state-dir", *dir / "seeder", "--bootstrap", "127.0.0.1:" + std::to_string(lt->ports[0]), "-v"});
    ASSERT_NE(listening_port(seeder), 0) << seeder.log();
    // -v logs each DHT lookup; the seeder has announced once one says so.
    bool announced = false;
    for (int i = 0; i < 10 && !announced; ++i) {
        auto line = seeder.wait_for_line("dht lookup:", 30s);
        if (!line) break;
        announced = line->find("announced to 0") == std::string::npos;
    }
    ASSERT_TRUE(announced) << seeder.log();
    auto done = lt->ask("magnet 11 magnet:?xt=urn:btih:" + h2 + " " + (*dir / "lt-got"));
    EXPECT_TRUE(done.value("done", false)) << seeder.log();
    EXPECT_TRUE(read_all(*dir / "lt-got/from-agora/b.bin") == read_all(*dir / "agora-seed/from-agora/b.bin"));
}

TEST_F(DhtInterop, Bep44ItemsCrossBothWays) {
    // agora puts an immutable item, libtorrent reads it.
    auto put = agora_dht({"put", "--immutable", "made by agora"}, "putter");
    ASSERT_EQ(put.exit, 0) << put.err;
    const auto target = nlohmann::json::parse(put.out)["target"].get<std::string>();
    EXPECT_EQ(lt->ask("get_immutable 7 " + target)["value"], "made by agora");

    // libtorrent puts one, agora reads it.
    const auto lt_target = lt->ask("put_immutable 2 made by libtorrent")["target"].get<std::string>();
    auto got = agora_dht({"get", lt_target}, "getter1");
    ASSERT_EQ(got.exit, 0) << got.err;
    EXPECT_EQ(nlohmann::json::parse(got.out)["v"], "made by libtorrent");

    // Mutable: agora signs seq 1, libtorrent reads it and puts seq 2 with the same key, agora
    // reads seq 2.
    const std::string key = *dir / "item.key";
    auto m1 = agora_dht({"put", "--mutable", "first", "--key", key, "--salt", "s"}, "putter2");
    ASSERT_EQ(m1.exit, 0) << m1.err;
    EXPECT_EQ(nlohmann::json::parse(m1.out)["seq"], 1);
    const auto pub = m1.err.substr(m1.err.find("public key ") + 11, 64);
    auto read = lt->ask("get_mutable 4 " + pub + " s");
    EXPECT_EQ(read["value"], "first");
    EXPECT_EQ(read["seq"], 1);
    std::string seed;
    std::ifstream(key) >> seed;
    EXPECT_TRUE(lt->ask("put_mutable 6 " + seed + " " + pub + " s second").value("ok", false));
    auto m2 = agora_dht({"get", "--key-public", pub, "--salt", "s"}, "getter2");
    ASSERT_EQ(m2.exit, 0) << m2.err;
    auto j = nlohmann::json::parse(m2.out);
    EXPECT_EQ(j["v"], "second");
    EXPECT_EQ(j["seq"], 2);
}

TEST_F(DhtInterop, ARestartedNodeRejoinsFromItsSavedTable) {
    auto first_run = agora_dht({"find-node", "3333333333333333333333333333333333333333"}, "restarter");
    ASSERT_EQ(first_run.exit, 0) << first_run.err;
    // Started again with no --bootstrap: only the saved table can get it in (bound to loopback,
    // the built-in routers are not used).
    auto args = std::vector<std::string>{"dht", "status", "--bind", "127.0.0.1", "--state-dir", *dir / "restarter", "--json"};
    auto second = run_agora(args, *dir / "restart.out");
    ASSERT_EQ(second.exit, 0) << second.err;
    auto j = nlohmann::json::parse(second.out);
    EXPECT_GE(j["good"].get<int>(), 8) << second.out;
    // And a node that knows nobody says so instead of hanging.
    auto lonely = run_agora({"dht", "get-peers", "3333333333333333333333333333333333333333", "--bind", "127.0.0.1",
                             "--state-dir", *dir / "nobody"},
                            *dir / "lonely.out");
    EXPECT_EQ(lonely.exit, 2) << lonely.err;
    EXPECT_NE(lonely.err.find("no DHT node to start from"), std::string::npos) << lonely.err;
}

}  // namespace
