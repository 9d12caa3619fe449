// agora daemon driven by the real transmission-remote (Debian's transmission-cli 3.00) and by raw
// HTTP (curl) on 127.0.0.1: adding by magnet and by .torrent, listing, details, start, stop,
// verify, move, remove (with and without data), session speed limits and settings, statistics;
// the door (Basic auth, session id, Host allow-list, where it binds, allowed folders, bad JSON);
// and a restart (clean and kill -9) that keeps every torrent in its state without fetching again.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "../unit/temp_dir.hpp"
#include "process.hpp"
#include "swarm_util.hpp"

using agora::test::Process;
using agora::test::TempDir;
using namespace agora::test;
using namespace std::chrono_literals;

namespace {

std::string sq(const std::string& s) { return "'" + s + "'"; }

// One `agora daemon` with its own settings file, data and download folders.
class Daemon {
public:
    // Torrents go to `downloads` (default: dir/downloads); `more_downloads` adds lines to that section.
    Daemon(const TempDir& dir, const std::string& extra_toml = "", std::string downloads = "",
           const std::string& more_downloads = "")
        : dir_(dir) {
        if (downloads.empty()) downloads = dir / "downloads";
        std::filesystem::create_directories(downloads);
        std::ofstream(dir / "daemon.toml") << "[daemon]\ndata-dir = \"" << (dir / "data") << "\"\n"
                                           << "[peers]\nport = 0\nbind = \"127.0.0.1\"\n"
                                           << "[downloads]\ndir = \"" << downloads << "\"\n"
                                           << more_downloads
                                           << "[dht]\nenabled = false\n[lsd]\nenabled = false\n"
                                           << extra_toml;
        start();
    }
    void start() {
        process_ = std::make_unique<Process>(
            std::vector<std::string>{agora_bin, "daemon", "--config", dir_ / "daemon.toml", "--rpc-bind", "127.0.0.1:0"});
        auto line = process_->wait_for_line("RPC on http://", 30s);
        port_ = 0;
        if (line) {
            const auto at = line->find("127.0.0.1:") + 10;
            port_ = static_cast<std::uint16_t>(std::stoi(line->substr(at)));
        }
    }
    // SIGTERM, and the exit code.
    int stop() {
        process_->kill(SIGTERM);
        return process_->wait_exit(30s).value_or(-1);
    }
    void kill9() {
        process_->kill(SIGKILL);
        process_->wait_exit(10s);
    }
    std::uint16_t port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    ShellResult remote(const std::string& args) const { return shell("transmission-remote " + address() + " " + args); }
    std::string log() { return process_->log(); }
    bool wait_log(const std::string& needle, std::chrono::seconds timeout) {
        return process_->wait_for_line(needle, timeout).has_value();
    }

    // Waits until `-l` shows a line that has every one of `words` (polling the RPC, which has no
    // event stream; each poll is an answered request, not a sleep standing in for one).
    bool wait_list(const std::vector<std::string>& words, std::chrono::seconds timeout = 60s) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            std::istringstream lines(remote("-l").out);
            std::string line;
            while (std::getline(lines, line)) {
                bool all = true;
                for (const auto& w : words) all = all && line.find(w) != std::string::npos;
                if (all) return true;
            }
            std::this_thread::sleep_for(100ms);
        }
        return false;
    }

private:
    const TempDir& dir_;
    std::unique_ptr<Process> process_;
    std::uint16_t port_ = 0;
};

// An `agora seed` of a fresh v1 torrent named `name` under dir/seed-<name>: one file data.bin,
// or `count` files data0.bin, data1.bin ... (in that order in the torrent) of `size` bytes each.
struct Seeder {
    std::string torrent, hash, file;
    std::vector<std::string> files;
    std::unique_ptr<Process> process;
    std::uint16_t port = 0;

    Seeder(const TempDir& dir, const std::string& name, std::size_t size, std::uint64_t seed, int count = 1) {
        for (int i = 0; i < count; ++i) {
            files.push_back(dir / ("seed-" + name + "/" + name + "/data" + (count == 1 ? "" : std::to_string(i)) + ".bin"));
            write_random_file(files.back(), size, seed + static_cast<std::uint64_t>(i));
        }
        file = files.front();
        torrent = dir / (name + ".torrent");
        shell(agora_bin + " create " + sq(dir / ("seed-" + name + "/" + name)) + " -o " + sq(torrent) + " -q --v1-only");
        hash = info_hash_v1(torrent);
        process = std::make_unique<Process>(std::vector<std::string>{agora_bin, "seed", torrent, dir / ("seed-" + name),
                                                                     "--bind", "127.0.0.1", "--port", "0", "--no-dht",
                                                                     "--no-lsd", "--no-resume"});
        port = listening_port(*process);
    }
    std::string magnet() const { return "magnet:?xt=urn:btih:" + hash + "&x.pe=127.0.0.1:" + std::to_string(port); }
};


// A raw HTTP exchange through curl: the status code, the headers and the body.
struct Http {
    int status = 0;
    std::string headers;
    std::string body;
};

Http http(const std::string& url, const std::string& body, const std::vector<std::string>& headers) {
    std::string cmd = "curl -s -i --max-time 10 -X POST --data-binary " + sq(body);
    for (const auto& h : headers) cmd += " -H " + sq(h);
    const auto r = shell(cmd + " " + sq(url));
    Http h;
    const auto split = r.out.find("\r\n\r\n");
    h.headers = r.out.substr(0, split);
    if (split != std::string::npos) h.body = r.out.substr(split + 4);
    if (r.out.rfind("HTTP/1.1 ", 0) == 0) h.status = std::stoi(r.out.substr(9, 3));
    return h;
}

std::string header_value(const std::string& headers, const std::string& name) {
    const auto at = headers.find(name + ": ");
    if (at == std::string::npos) return "";
    const auto end = headers.find("\r\n", at);
    return headers.substr(at + name.size() + 2, end - at - name.size() - 2);
}

}  // namespace

TEST(Daemon, TransmissionRemoteDrivesIt) {
    TempDir dir;
    Seeder pay(dir, "pay", 3 << 20, 1);
    ASSERT_NE(pay.port, 0);
    Daemon d(dir);
    ASSERT_NE(d.port(), 0) << d.log();

    // Add by magnet (x.pe names the seeder): it downloads.
    auto added = d.remote("-a " + sq(pay.magnet()));
    ASSERT_EQ(added.exit, 0) << added.out;
    EXPECT_NE(added.out.find("success"), std::string::npos) << added.out;
    ASSERT_TRUE(d.wait_list({"100%", "pay"})) << d.remote("-l").out << d.log();
    EXPECT_EQ(read_all(dir / "downloads/pay/data.bin"), read_all(pay.file));

    auto info = d.remote("-t1 -i");
    EXPECT_NE(info.out.find("Hash: " + pay.hash), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("Name: pay"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("Location: " + (dir / "downloads")), std::string::npos) << info.out;

    // Stop and start.
    ASSERT_EQ(d.remote("-t1 -S").exit, 0);
    EXPECT_TRUE(d.wait_list({"pay", "Stopped"}, 10s)) << d.remote("-l").out;
    ASSERT_EQ(d.remote("-t1 -s").exit, 0);
    EXPECT_TRUE(d.wait_list({"pay", "100%", "Idle"}, 10s)) << d.remote("-l").out;

    // Verify: the data is hashed again and found whole.
    ASSERT_EQ(d.remote("-t1 -v").exit, 0);
    EXPECT_TRUE(d.wait_list({"pay", "100%", "Idle"}, 20s)) << d.remote("-l").out;

    // Session speed limits and settings.
    ASSERT_EQ(d.remote("-d 100 -u 50").exit, 0);
    auto session = d.remote("-si");
    EXPECT_NE(session.out.find("Download speed limit: 100 kB/s"), std::string::npos) << session.out;
    EXPECT_NE(session.out.find("Upload speed limit: 50 kB/s"), std::string::npos) << session.out;
    EXPECT_NE(session.out.find("Download directory: " + (dir / "downloads")), std::string::npos) << session.out;
    auto stats = d.remote("-st");
    EXPECT_NE(stats.out.find("Downloaded: 3.1"), std::string::npos) << stats.out;  // 3 MiB = 3.1 MB

    // Add a .torrent (sent as metainfo): to an allowed folder, yes; to /etc, no.
    Seeder two(dir, "two", 200'000, 2);
    auto refused = d.remote("-a " + sq(two.torrent) + " -w /etc");
    EXPECT_NE(refused.exit, 0);
    EXPECT_NE(refused.out.find("outside the allowed download folders"), std::string::npos) << refused.out;
    ASSERT_EQ(d.remote("-a " + sq(two.torrent)).exit, 0);
    EXPECT_TRUE(d.wait_list({"two"}, 10s)) << d.remote("-l").out;

    // Move pay's data inside the download folder: the files go, the torrent stays whole.
    ASSERT_EQ(d.remote("-t1 --move " + sq(dir / "downloads/moved")).exit, 0);
    EXPECT_TRUE(d.wait_list({"pay", "100%", "Idle"}, 20s)) << d.remote("-l").out;
    EXPECT_EQ(read_all(dir / "downloads/moved/pay/data.bin"), read_all(pay.file));
    EXPECT_FALSE(std::filesystem::exists(dir / "downloads/pay/data.bin"));

    // Remove by hash, keeping the data; then remove pay with its data.
    ASSERT_EQ(d.remote("-t " + two.hash + " -r").exit, 0);
    EXPECT_EQ(d.remote("-l").out.find("two"), std::string::npos);
    ASSERT_EQ(d.remote("-t1 --remove-and-delete").exit, 0);
    EXPECT_EQ(d.remote("-l").out.find(" pay"), std::string::npos);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::filesystem::exists(dir / "downloads/moved/pay/data.bin") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(std::filesystem::exists(dir / "downloads/moved/pay/data.bin"));
    EXPECT_EQ(d.stop(), 0) << d.log();
}

// Skipping a file and raising another's priority (transmission-remote -G, -ph): only the wanted
// files are fetched and the torrent counts as done without the skipped one; the choice survives a
// restart; wanting the file again (-g) fetches it. Sequential download is set over the RPC.
TEST(Daemon, ChoosesFilesToDownload) {
    TempDir dir;
    Seeder pay(dir, "files", 1 << 20, 11, 3);
    ASSERT_NE(pay.port, 0);
    Daemon d(dir);
    ASSERT_NE(d.port(), 0) << d.log();
    ASSERT_EQ(d.remote("--start-paused -a " + sq(pay.torrent)).exit, 0);
    ASSERT_TRUE(d.wait_list({"files", "Stopped"}, 20s)) << d.remote("-l").out;
    auto skip = d.remote("-t1 -G 1 -ph 0");
    ASSERT_EQ(skip.exit, 0) << skip.out;
    auto files = d.remote("-t1 -if").out;
    EXPECT_NE(files.find("High     Yes"), std::string::npos) << files;
    EXPECT_NE(files.find("Normal   No"), std::string::npos) << files;
    // Indices the torrent does not have are refused.
    EXPECT_NE(d.remote("-t1 -G 7").out.find("not in torrent 1"), std::string::npos);

    // The .torrent names no tracker: adding the same torrent again as a magnet with x.pe hands the
    // daemon the seeder's address (a duplicate's trackers and peers join the torrent's).
    ASSERT_EQ(d.remote("-t1 -s").exit, 0);
    ASSERT_EQ(d.remote("-a " + sq(pay.magnet())).exit, 0);
    ASSERT_TRUE(d.wait_list({"files", "100%"}, 60s)) << d.remote("-l").out << d.log();
    const std::string got = dir / "downloads/files/";
    EXPECT_EQ(read_all(got + "data0.bin"), read_all(pay.files[0]));
    EXPECT_EQ(read_all(got + "data2.bin"), read_all(pay.files[2]));
    struct stat st {};
    // The skipped file holds at most the pieces it shares with its neighbours.
    if (::stat((got + "data1.bin").c_str(), &st) == 0) {
        EXPECT_LT(st.st_blocks * 512, (1 << 20) / 2);
    }
    auto info = d.remote("-t1 -i").out;
    EXPECT_NE(info.find("Percent Done: 100%"), std::string::npos) << info;

    // Kept across a restart.
    ASSERT_EQ(d.stop(), 0) << d.log();
    d.start();
    ASSERT_NE(d.port(), 0) << d.log();
    files = d.remote("-t1 -if").out;
    EXPECT_NE(files.find("High     Yes"), std::string::npos) << files;
    EXPECT_NE(files.find("Normal   No"), std::string::npos) << files;

    // Sequential download, over the RPC (transmission-remote 3.00 has no flag for it).
    const std::string url = "http://" + d.address() + "/transmission/rpc";
    const auto sid = "X-Transmission-Session-Id: " + header_value(http(url, "{}", {}).headers, "X-Transmission-Session-Id");
    auto set = http(url, R"({"method":"torrent-set","arguments":{"ids":[1],"sequentialDownload":true}})", {sid});
    EXPECT_EQ(nlohmann::json::parse(set.body).value("result", ""), "success") << set.body;
    auto get = http(url, R"({"method":"torrent-get","arguments":{"ids":[1],"fields":["sequentialDownload"]}})", {sid});
    EXPECT_EQ(nlohmann::json::parse(get.body)["arguments"]["torrents"][0]["sequentialDownload"], true) << get.body;

    // Wanted again: it is fetched and the file comes out right.
    ASSERT_EQ(d.remote("-t1 -g 1").exit, 0);
    ASSERT_TRUE(d.wait_list({"files", "100%"}, 60s)) << d.remote("-l").out << d.log();
    EXPECT_EQ(read_all(got + "data1.bin"), read_all(pay.files[1]));
    EXPECT_EQ(d.stop(), 0) << d.log();
}

// A session id for raw RPC calls (from the 409 every first request gets).
std::string session_header(const std::string& url) {
    return "X-Transmission-Session-Id: " + header_value(http(url, "{}", {}).headers, "X-Transmission-Session-Id");
}

// The download queue lets one torrent download at a time; the next starts when it stops. A
// seeding goal (transmission-remote -sr) stops the torrent once reached, shown as Finished; started
// again by hand, it seeds on with no ratio limit, as in Transmission.
TEST(Daemon, QueuesAndSeedingGoals) {
    TempDir dir;
    Daemon d(dir, "[queue]\ndownload-size = 1\n");
    ASSERT_NE(d.port(), 0) << d.log();
    // Two magnets nobody has: each would download forever.
    ASSERT_EQ(d.remote("-a " + sq("magnet:?xt=urn:btih:" + std::string(40, 'a') + "&dn=alpha")).exit, 0);
    ASSERT_EQ(d.remote("-a " + sq("magnet:?xt=urn:btih:" + std::string(40, 'b') + "&dn=bravo")).exit, 0);
    EXPECT_TRUE(d.wait_list({"alpha", "Idle"}, 10s)) << d.remote("-l").out;
    EXPECT_TRUE(d.wait_list({"bravo", "Queued"}, 10s)) << d.remote("-l").out;
    ASSERT_EQ(d.remote("-t1 -S").exit, 0);
    EXPECT_TRUE(d.wait_list({"alpha", "Stopped"}, 10s)) << d.remote("-l").out;
    EXPECT_TRUE(d.wait_list({"bravo", "Idle"}, 10s)) << d.remote("-l").out;
    // Moved to the top of the queue and started, alpha takes the place back.
    const std::string url = "http://" + d.address() + "/transmission/rpc";
    const auto sid = session_header(url);
    http(url, R"({"method":"queue-move-top","arguments":{"ids":[1]}})", {sid});
    ASSERT_EQ(d.remote("-t1 -s").exit, 0);
    EXPECT_TRUE(d.wait_list({"alpha", "Idle"}, 10s)) << d.remote("-l").out;
    EXPECT_TRUE(d.wait_list({"bravo", "Queued"}, 10s)) << d.remote("-l").out;
    ASSERT_EQ(d.remote("-t1,2 -r").exit, 0);

    // Seeding goal: ratio 1 against what it downloaded, reached when one leecher has it all.
    Seeder goal(dir, "goal", 512 << 10, 12);
    ASSERT_EQ(d.remote("-a " + sq(goal.magnet())).exit, 0);
    ASSERT_TRUE(d.wait_list({"goal", "100%"})) << d.remote("-l").out;
    goal.process.reset();  // from now on the daemon is the only source
    ASSERT_EQ(d.remote("-t3 -sr 1").exit, 0);
    EXPECT_NE(d.remote("-t3 -i").out.find("Ratio Limit: 1.0\n"), std::string::npos) << d.remote("-t3 -i").out;
    auto port = nlohmann::json::parse(
        http(url, R"({"method":"session-get","arguments":{"fields":["peer-port"]}})", {sid}).body)["arguments"]["peer-port"];
    auto got = shell("timeout 60 " + agora_bin + " get " + sq("magnet:?xt=urn:btih:" + goal.hash + "&x.pe=127.0.0.1:" + std::to_string(port.get<int>())) +
                     " -o " + sq(dir / "leecher") + " --bind 127.0.0.1 --port 0 --no-dht --no-lsd");
    ASSERT_EQ(got.exit, 0) << got.out;
    EXPECT_TRUE(d.wait_list({"goal", "100%", "Finished"}, 20s)) << d.remote("-l").out << d.log();
    // Started by hand: it seeds on, its ratio limit lifted.
    ASSERT_EQ(d.remote("-t3 -s").exit, 0);
    EXPECT_TRUE(d.wait_list({"goal", "100%", "Idle"}, 10s)) << d.remote("-l").out;
    EXPECT_NE(d.remote("-t3 -i").out.find("Ratio Limit: Unlimited"), std::string::npos) << d.remote("-t3 -i").out;
    EXPECT_EQ(d.stop(), 0) << d.log();
}

// A per-torrent download limit (transmission-remote -t N -d KBPS) holds a 1 MiB download to about
// 200 kB/s: it takes seconds, where unlimited it takes a fraction of one.
TEST(Daemon, PerTorrentSpeedLimit) {
    TempDir dir;
    Seeder slow(dir, "slow", 1 << 20, 13);
    Daemon d(dir);
    ASSERT_NE(d.port(), 0) << d.log();
    ASSERT_EQ(d.remote("--start-paused -a " + sq(slow.magnet())).exit, 0);
    ASSERT_EQ(d.remote("-t1 -d 200").exit, 0);
    EXPECT_NE(d.remote("-t1 -i").out.find("Download Limit: 200 kB/s"), std::string::npos) << d.remote("-t1 -i").out;
    const auto started = std::chrono::steady_clock::now();
    ASSERT_EQ(d.remote("-t1 -s").exit, 0);
    ASSERT_TRUE(d.wait_list({"slow", "100%"}, 60s)) << d.remote("-l").out;
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_GE(took, 3500ms);  // 1,048,576 bytes at 200,000 bytes/s: 5.2 s with no burst allowance
    EXPECT_EQ(read_all(dir / "downloads/slow/data.bin"), read_all(slow.file));
    EXPECT_EQ(d.stop(), 0) << d.log();
}

// A .torrent dropped into the watched folder is added and renamed .added; one that is not a
// torrent is set aside as .refused once it has been left alone for a while.
TEST(Daemon, WatchedFolder) {
    TempDir dir;
    Seeder watched(dir, "watched", 256 << 10, 14);
    const std::string folder = dir / "watch";
    Daemon d(dir, "", "", "watch-dir = \"" + folder + "\"\n");
    ASSERT_NE(d.port(), 0) << d.log();
    ASSERT_TRUE(std::filesystem::is_directory(folder));  // made at start
    std::filesystem::copy_file(watched.torrent, folder + "/watched.torrent");
    ASSERT_EQ(d.remote("-a " + sq(watched.magnet())).exit, 0);  // only to hand it the seeder: see below
    EXPECT_TRUE(d.wait_list({"watched", "100%"}, 30s)) << d.remote("-l").out << d.log();
    EXPECT_EQ(read_all(dir / "downloads/watched/data.bin"), read_all(watched.file));
    // One torrent, not two: the magnet and the watched file are the same torrent.
    EXPECT_EQ(d.remote("-l").out.find("watched", d.remote("-l").out.find("watched") + 1), std::string::npos);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!std::filesystem::exists(folder + "/watched.torrent.added") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    EXPECT_TRUE(std::filesystem::exists(folder + "/watched.torrent.added"));
    EXPECT_FALSE(std::filesystem::exists(folder + "/watched.torrent"));

    // Not a torrent, and last written a minute ago (not still being copied): set aside.
    std::ofstream(folder + "/junk.torrent") << "this is not bencode";
    std::filesystem::last_write_time(folder + "/junk.torrent",
                                     std::filesystem::file_time_type::clock::now() - std::chrono::minutes(1));
    EXPECT_TRUE(d.wait_log("junk.torrent not added", 20s)) << d.log();
    EXPECT_TRUE(std::filesystem::exists(folder + "/junk.torrent.refused"));
    EXPECT_EQ(d.stop(), 0) << d.log();
}

TEST(Daemon, GuardsItsDoor) {
    TempDir dir;
    Daemon d(dir, "[rpc]\nusername = \"alice\"\npassword = \"s3cret\"\n");
    ASSERT_NE(d.port(), 0) << d.log();
    const std::string url = "http://" + d.address() + "/transmission/rpc";
    const std::string list = R"({"method":"torrent-get","arguments":{"fields":["id","name"]}})";

    // transmission-remote: without credentials it is turned away, with them it works.
    EXPECT_NE(d.remote("-l").exit, 0);
    EXPECT_EQ(d.remote("-n alice:s3cret -l").exit, 0);

    // Wrong or missing credentials: 401 with a Basic challenge.
    auto wrong = http(url, list, {"Authorization: Basic YWxpY2U6d3Jvbmc="});  // alice:wrong
    EXPECT_EQ(wrong.status, 401);
    EXPECT_NE(wrong.headers.find("WWW-Authenticate: Basic"), std::string::npos) << wrong.headers;
    EXPECT_EQ(http(url, list, {}).status, 401);

    // Right credentials, no session id: 409 carrying it; with it: 200 and JSON.
    const std::string auth = "Authorization: Basic YWxpY2U6czNjcmV0";  // alice:s3cret
    auto conflict = http(url, list, {auth});
    ASSERT_EQ(conflict.status, 409);
    const auto id = header_value(conflict.headers, "X-Transmission-Session-Id");
    ASSERT_FALSE(id.empty()) << conflict.headers;
    const std::string sid = "X-Transmission-Session-Id: " + id;
    auto ok = http(url, list, {auth, sid});
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(nlohmann::json::parse(ok.body).value("result", ""), "success") << ok.body;

    // A foreign Host name (DNS rebinding) is refused; localhost is fine.
    EXPECT_EQ(http(url, list, {auth, sid, "Host: evil.example:" + std::to_string(d.port())}).status, 421);
    EXPECT_EQ(http(url, list, {auth, sid, "Host: localhost:" + std::to_string(d.port())}).status, 200);

    // Bad JSON and wrong types: a JSON error, and the daemon keeps serving.
    for (const std::string& bad : {std::string("{not json"), std::string("[1,2]"), std::string(R"({"method":42})"),
                                  std::string(R"({"method":"torrent-get","arguments":{"ids":{"x":1}}})"),
                                  std::string(R"({"method":"session-set","arguments":{"speed-limit-down":"fast"}})"),
                                  std::string(R"({"method":"torrent-add","arguments":{"metainfo":"%%%"}})"),
                                  std::string(R"({"method":"no-such-method"})"), std::string(4000, '[')}) {
        auto r = http(url, bad, {auth, sid});
        ASSERT_EQ(r.status, 200) << bad;
        auto j = nlohmann::json::parse(r.body, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << r.body;
        EXPECT_NE(j.value("result", "success"), "success") << bad;
    }
    // A folder outside the allowed ones is refused.
    auto outside = http(url, R"({"method":"torrent-add","arguments":{"filename":"magnet:?xt=urn:btih:)" +
                                     std::string(40, 'a') + R"(","download-dir":"/etc"}})",
                        {auth, sid});
    EXPECT_NE(outside.body.find("outside the allowed download folders"), std::string::npos) << outside.body;

    // It listens on 127.0.0.1 only: another loopback address gets no answer.
    EXPECT_EQ(http("http://127.0.0.2:" + std::to_string(d.port()) + "/transmission/rpc", list, {auth, sid}).status, 0);
    EXPECT_EQ(d.remote("-n alice:s3cret -l").exit, 0) << d.log();
    EXPECT_EQ(d.stop(), 0);
}

TEST(Daemon, RestartKeepsTorrentsAndStates) {
    TempDir dir;
    Seeder pay(dir, "pay", 2 << 20, 3);
    Seeder two(dir, "two", 300'000, 4);
    Daemon d(dir);
    ASSERT_NE(d.port(), 0) << d.log();
    ASSERT_EQ(d.remote("-a " + sq(pay.magnet())).exit, 0);
    ASSERT_TRUE(d.wait_list({"pay", "100%"})) << d.remote("-l").out << d.log();
    ASSERT_EQ(d.remote("-a " + sq(two.magnet())).exit, 0);
    ASSERT_TRUE(d.wait_list({"two", "100%"})) << d.remote("-l").out;
    ASSERT_EQ(d.remote("-t2 -S").exit, 0);
    ASSERT_TRUE(d.wait_list({"two", "Stopped"}, 10s));

    ASSERT_EQ(d.remote("-d 300 -gsr 1.5").exit, 0);  // session settings changed over the RPC

    // Nobody to fetch from any more: whatever shows as done after a restart came from disk.
    pay.process.reset();
    two.process.reset();
    ASSERT_EQ(d.stop(), 0) << d.log();
    d.start();
    ASSERT_NE(d.port(), 0) << d.log();
    EXPECT_TRUE(d.wait_list({"pay", "100%", "Idle"}, 20s)) << d.remote("-l").out;
    EXPECT_TRUE(d.wait_list({"two", "100%", "Stopped"}, 20s)) << d.remote("-l").out;
    const auto session = d.remote("-si").out;
    EXPECT_NE(session.find("Download speed limit: 300 kB/s"), std::string::npos) << session;
    EXPECT_NE(session.find("Default seed ratio limit: 1.5\n"), std::string::npos) << session;

    // kill -9 loses nothing either.
    d.kill9();
    d.start();
    ASSERT_NE(d.port(), 0) << d.log();
    EXPECT_TRUE(d.wait_list({"pay", "100%", "Idle"}, 20s)) << d.remote("-l").out;
    EXPECT_TRUE(d.wait_list({"two", "100%", "Stopped"}, 20s)) << d.remote("-l").out;
    EXPECT_EQ(read_all(dir / "downloads/pay/data.bin"), read_all(pay.file));
    EXPECT_EQ(d.stop(), 0);
}

// The web page in Debian's chromium, driven by playwright-core (tests/browser/page_test.mjs) on a
// phone-sized screen: add a magnet of a torrent another agora seeds, watch it reach 100%, pause
// and resume it. The screenshot is left in the test's working folder (build-*/tests/).
TEST(Daemon, WebPageInChromium) {
    const std::string browser_dir = std::string(AGORA_INTEROP_DIR) + "/../browser";
    ASSERT_TRUE(std::filesystem::exists(browser_dir + "/node_modules/playwright-core"))
        << "playwright-core is not installed: run scripts/setup";
    ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "chromium is not installed: run scripts/setup";
    TempDir dir;
    Seeder pay(dir, "web", 2 << 20, 5);
    ASSERT_NE(pay.port, 0);
    Daemon d(dir);
    ASSERT_NE(d.port(), 0) << d.log();
    const auto screenshot = (std::filesystem::current_path() / "daemon-web-page.png").string();
    auto r = shell("node " + sq(browser_dir + "/page_test.mjs") + " " + sq("http://" + d.address() + "/") + " " +
                   sq(pay.magnet()) + " " + sq(screenshot));
    EXPECT_EQ(r.exit, 0) << r.out << d.log();
    EXPECT_TRUE(std::filesystem::exists(screenshot));
    EXPECT_EQ(read_all(dir / "downloads/web/data.bin"), read_all(pay.file));
    EXPECT_EQ(d.stop(), 0);
}

// /metrics in Prometheus' text format, behind the same door as the RPC.
TEST(Daemon, MetricsInPrometheusFormat) {
    TempDir dir;
    Seeder pay(dir, "metered", 1 << 20, 6);
    Daemon d(dir);
    ASSERT_NE(d.port(), 0) << d.log();
    ASSERT_EQ(d.remote("-a " + sq(pay.magnet())).exit, 0);
    ASSERT_TRUE(d.wait_list({"metered", "100%"})) << d.remote("-l").out;
    auto m = shell("curl -s -i --max-time 10 http://" + d.address() + "/metrics");
    EXPECT_NE(m.out.find("HTTP/1.1 200"), std::string::npos) << m.out;
    EXPECT_NE(m.out.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << m.out;
    EXPECT_NE(m.out.find("# TYPE agora_downloaded_bytes_total counter"), std::string::npos) << m.out;
    EXPECT_NE(m.out.find("agora_downloaded_bytes_total 1048576"), std::string::npos) << m.out;
    EXPECT_NE(m.out.find("agora_torrents{state=\"seeding\"} 1"), std::string::npos) << m.out;
    EXPECT_NE(m.out.find("agora_torrent_left_bytes{hash=\"" + pay.hash + "\",name=\"metered\"} 0"), std::string::npos)
        << m.out;
    EXPECT_NE(shell("curl -s -i --max-time 10 -H 'Host: evil.example' http://" + d.address() + "/metrics").out.find("421"),
              std::string::npos);
    EXPECT_EQ(d.stop(), 0);
}

// A small filesystem (a tmpfs the test mounts; needs root, as CI runs): a .torrent bigger than the
// free space is refused at add; a download that fills the disk halfway stops with the reason
// shown, keeps what it verified, and goes on by itself once space is freed, ending with the right
// bytes.
TEST(Daemon, FullDiskPausesAndResumes) {
    TempDir dir;
    const std::string small = dir / "small";
    std::filesystem::create_directories(small);
    auto mounted = shell("mount -t tmpfs -o size=8m agora-test " + sq(small));
    ASSERT_EQ(mounted.exit, 0) << "mounting a tmpfs needs root: " << mounted.out;
    struct Unmount {
        std::string path;
        ~Unmount() { shell("umount " + sq(path)); }
    } unmount{small};

    Seeder fill(dir, "fill", 6 << 20, 7);
    ASSERT_NE(fill.port, 0);
    write_random_file(dir / "big-src/big/data.bin", 10 << 20, 8);
    shell(agora_bin + " create " + sq(dir / "big-src/big") + " -o " + sq(dir / "big.torrent") + " -q --v1-only");
    Daemon d(dir, "", small);
    ASSERT_NE(d.port(), 0) << d.log();

    auto refused = d.remote("-a " + sq(dir / "big.torrent"));
    EXPECT_NE(refused.exit, 0);
    EXPECT_NE(refused.out.find("not enough free space"), std::string::npos) << refused.out;

    // Slow enough (500 kB/s) that the disk fills halfway through.
    ASSERT_EQ(d.remote("-d 500").exit, 0);
    ASSERT_EQ(d.remote("-a " + sq(fill.magnet())).exit, 0);
    const std::string target = small + "/fill/data.bin";
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!std::filesystem::exists(target) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(std::filesystem::exists(target)) << d.log();
    write_random_file(small + "/filler.bin", 5 << 20, 9);  // leaves less than the torrent needs
    ASSERT_TRUE(d.wait_list({"fill", "Stopped", "*"}, 60s)) << d.remote("-l").out << d.log();
    auto info = d.remote("-t1 -i");
    EXPECT_NE(info.out.find("cannot write"), std::string::npos) << info.out;

    std::filesystem::remove(small + "/filler.bin");
    ASSERT_EQ(d.remote("-D").exit, 0);  // no limit: finish quickly
    EXPECT_TRUE(d.wait_list({"fill", "100%"}, 60s)) << d.remote("-l").out << d.log();
    EXPECT_EQ(read_all(target), read_all(fill.file));
    EXPECT_EQ(d.stop(), 0);
}

// The control plane never waits on the disk: while the daemon checks a 4 GiB torrent (a sparse
// file, so the test costs no disk space; hashing it still takes seconds), torrent-get answers in
// under 100 ms at the 99th percentile (timed by curl, request to last byte).
TEST(Daemon, RpcStaysQuickWhileCheckingData) {
    TempDir dir;
    const std::string data = dir / "downloads/huge/data.bin";
    std::filesystem::create_directories(dir / "downloads/huge");
    { std::ofstream(data, std::ios::binary); }
    std::filesystem::resize_file(data, std::uintmax_t{4} << 30);
    ASSERT_EQ(shell(agora_bin + " create " + sq(dir / "downloads/huge") + " -o " + sq(dir / "huge.torrent") +
                    " -q --v1-only --piece-size 4194304").exit,
              0);
    Daemon d(dir);
    ASSERT_NE(d.port(), 0) << d.log();
    const std::string url = "http://" + d.address() + "/transmission/rpc";
    const auto id = header_value(http(url, "{}", {}).headers, "X-Transmission-Session-Id");
    ASSERT_FALSE(id.empty());
    ASSERT_EQ(d.remote("-a " + sq(dir / "huge.torrent")).exit, 0);

    // One curl per request; -w prints the request's own time, so process start-up is not counted.
    std::vector<double> ms;
    bool checking = true;
    const auto deadline = std::chrono::steady_clock::now() + 300s;
    while (checking && std::chrono::steady_clock::now() < deadline) {
        auto r = shell("curl -s --max-time 10 -w '\\n%{time_total}' -H " + sq("X-Transmission-Session-Id: " + id) +
                       " --data-binary " + sq(R"({"method":"torrent-get","arguments":{"fields":["id","status","recheckProgress"]}})") +
                       " " + sq(url));
        const auto nl = r.out.rfind('\n');
        ASSERT_NE(nl, std::string::npos) << r.out;
        auto j = nlohmann::json::parse(r.out.substr(0, nl), nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << r.out;
        checking = j["arguments"]["torrents"][0]["status"] == 2;
        if (checking) ms.push_back(std::stod(r.out.substr(nl + 1)) * 1000);
    }
    ASSERT_GE(ms.size(), 20u) << "the check ended before there were enough samples";
    std::sort(ms.begin(), ms.end());
    const double p99 = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
    std::printf("torrent-get while checking 4 GiB: %zu requests, median %.1f ms, p99 %.1f ms, max %.1f ms\n", ms.size(),
                ms[ms.size() / 2], p99, ms.back());
    EXPECT_LT(p99, 100.0);
    EXPECT_TRUE(d.wait_list({"huge", "100%"}, 300s)) << d.remote("-l").out;  // zeros hash as zeros: all there
    EXPECT_EQ(d.stop(), 0);
}

namespace {

// hash -> "status haveValid" of every torrent, through the RPC.
std::map<std::string, std::string> states(const Daemon& d) {
    const std::string url = "http://" + d.address() + "/transmission/rpc";
    const auto id = header_value(http(url, "{}", {}).headers, "X-Transmission-Session-Id");
    auto r = http(url, R"({"method":"torrent-get","arguments":{"fields":["hashString","status","haveValid"]}})",
                  {"X-Transmission-Session-Id: " + id});
    std::map<std::string, std::string> out;
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_discarded()) return out;
    for (const auto& t : j["arguments"]["torrents"])
        out[t["hashString"].get<std::string>()] =
            std::to_string(t["status"].get<int>()) + " " + std::to_string(t["haveValid"].get<std::uint64_t>());
    return out;
}

// Waits until no torrent is being checked (status 1 or 2) and `count` are listed.
std::map<std::string, std::string> settled(const Daemon& d, std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    for (;;) {
        auto s = states(d);
        bool checking = s.size() != count;
        for (const auto& [h, v] : s) checking = checking || v.rfind("1 ", 0) == 0 || v.rfind("2 ", 0) == 0;
        if (!checking || std::chrono::steady_clock::now() > deadline) return s;
        std::this_thread::sleep_for(50ms);
    }
}

}  // namespace

// 20 torrents in mixed states — seeding, stopped, and half-downloaded with nobody to fetch from —
// come back after a clean stop and after kill -9 in the same states with the same verified bytes.
TEST(Daemon, TwentyTorrentsKeepTheirStatesAcrossRestarts) {
    TempDir dir;
    Daemon d(dir);
    ASSERT_NE(d.port(), 0) << d.log();
    std::vector<std::string> hashes;
    for (int i = 0; i < 20; ++i) {
        const std::string name = "m" + std::to_string(i);
        const std::string file = dir / ("downloads/" + name + "/data.bin");
        write_random_file(file, 256 * 1024, 100 + static_cast<std::uint64_t>(i));
        const std::string torrent = dir / (name + ".torrent");
        shell(agora_bin + " create " + sq(dir / ("downloads/" + name)) + " -o " + sq(torrent) +
              " -q --v1-only --piece-size 16384");
        hashes.push_back(info_hash_v1(torrent));
        if (i % 3 == 2) {  // the second half lost: half-downloaded, and no peer to finish it
            std::ofstream out(file, std::ios::binary | std::ios::in);
            out.seekp(128 * 1024);
            out << std::string(128 * 1024, '\0');
        }
        ASSERT_EQ(d.remote("-a " + sq(torrent)).exit, 0);
    }
    auto before = settled(d, 20);
    ASSERT_EQ(before.size(), 20u);
    for (int i = 0; i < 20; i += 4) ASSERT_EQ(d.remote("-t " + hashes[static_cast<std::size_t>(i)] + " -S").exit, 0);
    before = settled(d, 20);
    int seeding = 0, stopped = 0, partial = 0;
    for (const auto& [h, v] : before) {
        seeding += v == "6 262144";
        stopped += v.rfind("0 ", 0) == 0;
        partial += v == "4 131072";
    }
    EXPECT_EQ(stopped, 5);
    EXPECT_GE(seeding, 8);
    EXPECT_GE(partial, 4);

    ASSERT_EQ(d.stop(), 0) << d.log();
    d.start();
    ASSERT_NE(d.port(), 0) << d.log();
    EXPECT_EQ(settled(d, 20), before);

    d.kill9();
    d.start();
    ASSERT_NE(d.port(), 0) << d.log();
    EXPECT_EQ(settled(d, 20), before);
    EXPECT_EQ(d.stop(), 0);
}
