// The remote control without sockets: the gate (Basic auth, lock-out, Host allow-list, session id)
// and the Transmission RPC codec (ids in every shape, strict types, tags, integer fields) over a
// Control that records what it is asked. The daemon itself is tested with the real
// transmission-remote in tests/swarm/daemon_test.cpp.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/base64.hpp"
#include "rpc/metrics.hpp"
#include "rpc/server.hpp"

using namespace agora;
using nlohmann::json;

namespace {

class Recording final : public rpc::Control {
public:
    std::vector<std::uint32_t> started, stopped;
    rpc::SessionChanges session;
    rpc::AddRequest last_add;

    std::vector<rpc::TorrentView> torrents(bool details) override {
        std::vector<rpc::TorrentView> out(3);
        for (std::uint32_t i = 0; i < 3; ++i) {
            out[i].id = i + 1;
            out[i].hash = std::string(40, static_cast<char>('a' + i));
            out[i].name = "t" + std::to_string(i + 1);
            out[i].size_when_done = 1000;
            out[i].left_until_done = 250;
            out[i].rate_download = 12345;
            out[i].status = rpc::TorrentStatus::downloading;
            if (details) out[i].files.push_back({"t/a", 1000, 750, true, 0});
        }
        return out;
    }
    Result<rpc::AddResult> add(const rpc::AddRequest& r) override {
        last_add = r;
        return rpc::AddResult{4, "new", std::string(40, 'd'), false};
    }
    Status start(const std::vector<std::uint32_t>& ids) override {
        started = ids;
        return Ok{};
    }
    Status stop(const std::vector<std::uint32_t>& ids) override {
        stopped = ids;
        return Ok{};
    }
    Status verify(const std::vector<std::uint32_t>&) override { return Ok{}; }
    Status remove(const std::vector<std::uint32_t>&, bool) override { return Ok{}; }
    Status set_location(const std::vector<std::uint32_t>&, const std::string&, bool) override {
        return make_error(Error::Kind::bad_argument, "not there");
    }
    Status change(const std::vector<std::uint32_t>&, const rpc::TorrentChanges&) override { return Ok{}; }
    Status move_in_queue(const std::vector<std::uint32_t>&, rpc::QueueMove) override { return Ok{}; }
    rpc::SessionSettings settings() override { return {}; }
    Status change_settings(const rpc::SessionChanges& c) override {
        session = c;
        return Ok{};
    }
    rpc::SessionStats stats() override { return {}; }
    Result<std::uint64_t> free_space(const std::string&) override { return std::uint64_t{42}; }
    rpc::NodeMetrics node_metrics() override { return {7, 1, 2, 3}; }
};

json call(rpc::Transmission& t, const std::string& body) { return json::parse(t.handle(body)); }

rpc::HttpRequest post(std::vector<std::pair<std::string, std::string>> headers) {
    rpc::HttpRequest r;
    r.method = "POST";
    r.target = "/transmission/rpc/";
    r.headers = std::move(headers);
    r.body = R"({"method":"session-get"})";
    return r;
}

}  // namespace

TEST(Rpc, Base64RoundTripsAndRejects) {
    EXPECT_EQ(base64::encode("alice:s3cret"), "YWxpY2U6czNjcmV0");
    EXPECT_EQ(base64::decode("YWxpY2U6czNjcmV0"), std::optional<std::string>("alice:s3cret"));
    EXPECT_EQ(base64::decode("YWxp\nY2U6\r\nczNjcmV0"), std::optional<std::string>("alice:s3cret"));
    EXPECT_FALSE(base64::decode("YWxpY2U6czNjcmV0!"));
    EXPECT_FALSE(base64::decode("YWx"));
}

TEST(Rpc, HostOfHeader) {
    EXPECT_EQ(rpc::host_of("127.0.0.1:9091"), "127.0.0.1");
    EXPECT_EQ(rpc::host_of("LocalHost"), "localhost");
    EXPECT_EQ(rpc::host_of("[::1]:9091"), "::1");
    EXPECT_EQ(rpc::host_of("::1"), "::1");
    EXPECT_EQ(rpc::host_of("box.lan:80"), "box.lan");
    EXPECT_EQ(rpc::host_of("[::1"), "");
}

TEST(Rpc, GateOrderAndAnswers) {
    Recording control;
    rpc::Server server(control, rpc::AccessConfig{"alice", "s3cret", {"box.lan"}, 3}, "token");
    const std::pair<std::string, std::string> auth{"Authorization", "Basic " + base64::encode("alice:s3cret")};
    const std::pair<std::string, std::string> host{"Host", "127.0.0.1:9091"};
    const std::pair<std::string, std::string> sid{"X-Transmission-Session-Id", "token"};

    auto r = server.handle(post({host}));
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.headers.back().first, "WWW-Authenticate");
    EXPECT_EQ(server.handle(post({host, auth})).status, 409);
    r = server.handle(post({host, auth}));
    ASSERT_EQ(r.headers.back().first, "X-Transmission-Session-Id");
    EXPECT_EQ(r.headers.back().second, "token");
    EXPECT_EQ(server.handle(post({host, auth, sid})).status, 200);
    EXPECT_EQ(server.handle(post({{"Host", "box.lan:9091"}, auth, sid})).status, 200);
    EXPECT_EQ(server.handle(post({{"Host", "[::1]:9091"}, auth, sid})).status, 200);
    EXPECT_EQ(server.handle(post({{"Host", "evil.example"}, auth, sid})).status, 421);
    EXPECT_EQ(server.handle(post({auth, sid})).status, 421);  // no Host at all
    auto get = post({host, auth, sid});
    get.method = "GET";
    EXPECT_EQ(server.handle(get).status, 405);
    auto other = post({host, auth});
    other.target = "/nothing";
    EXPECT_EQ(server.handle(other).status, 404);

    // Three wrong passwords, then even the right one is refused until a restart.
    const std::pair<std::string, std::string> wrong{"Authorization", "Basic " + base64::encode("alice:guess")};
    for (int i = 0; i < 3; ++i) EXPECT_EQ(server.handle(post({host, wrong})).status, 401);
    EXPECT_EQ(server.handle(post({host, auth, sid})).status, 403);
}

TEST(Rpc, IdsInEveryShape) {
    Recording control;
    rpc::Transmission t(control);
    EXPECT_EQ(call(t, R"({"method":"torrent-start","arguments":{}})")["result"], "success");
    EXPECT_EQ(control.started, (std::vector<std::uint32_t>{1, 2, 3}));  // absent: all
    call(t, R"({"method":"torrent-start","arguments":{"ids":2}})");
    EXPECT_EQ(control.started, (std::vector<std::uint32_t>{2}));
    call(t, R"({"method":"torrent-start","arguments":{"ids":"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"}})");
    EXPECT_EQ(control.started, (std::vector<std::uint32_t>{3}));  // a hash, any case
    call(t, R"({"method":"torrent-stop","arguments":{"ids":[3,"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",3,99]}})");
    EXPECT_EQ(control.stopped, (std::vector<std::uint32_t>{1, 3}));  // unknown ones left out, no repeats
    auto recent = call(t, R"({"method":"torrent-get","arguments":{"ids":"recently-active","fields":["id"]}})");
    EXPECT_EQ(recent["arguments"]["torrents"].size(), 3u);
    EXPECT_TRUE(recent["arguments"]["removed"].is_array());
    EXPECT_NE(call(t, R"({"method":"torrent-start","arguments":{"ids":{"a":1}}})")["result"], "success");
    EXPECT_NE(call(t, R"({"method":"torrent-start","arguments":{"ids":[1.5]}})")["result"], "success");
}

TEST(Rpc, ListFieldsAreIntegersAndTagsAreEchoed) {
    Recording control;
    rpc::Transmission t(control);
    auto r = call(t, R"({"method":"torrent-get","tag":4,"arguments":{"fields":["error","errorString","eta","id",)"
                     R"("isFinished","leftUntilDone","name","peersGettingFromUs","peersSendingToUs","rateDownload",)"
                     R"("rateUpload","sizeWhenDone","status","uploadRatio","files","no-such-field"]}})");
    EXPECT_EQ(r["tag"], 4);
    ASSERT_EQ(r["result"], "success");
    const auto& row = r["arguments"]["torrents"][0];
    for (const char* f : {"eta", "id", "leftUntilDone", "rateDownload", "rateUpload", "sizeWhenDone", "status"})
        EXPECT_TRUE(row[f].is_number_integer()) << f;  // transmission-remote skips rows otherwise
    EXPECT_EQ(row["status"], 4);
    EXPECT_EQ(row["files"][0]["bytesCompleted"], 750);
    EXPECT_FALSE(row.contains("no-such-field"));
    auto table = call(t, R"({"method":"torrent-get","arguments":{"format":"table","fields":["id","name"]}})");
    EXPECT_EQ(table["arguments"]["torrents"][0], json({"id", "name"}));
    EXPECT_EQ(table["arguments"]["torrents"][1], json({1, "t1"}));
}

TEST(Rpc, WrongInputGetsAReasonNeverACrash) {
    Recording control;
    rpc::Transmission t(control);
    EXPECT_EQ(call(t, "{oops")["result"], "the request is not a JSON object");
    EXPECT_EQ(call(t, "[]")["result"], "the request is not a JSON object");
    EXPECT_EQ(call(t, R"({"arguments":{}})")["result"], "no method name");
    EXPECT_EQ(call(t, R"({"method":"frobnicate"})")["result"], "method name not recognized");
    EXPECT_EQ(call(t, std::string(100, '[') + std::string(100, ']'))["result"], "JSON nested too deeply");
    EXPECT_NE(call(t, R"({"method":"session-set","arguments":{"speed-limit-down":"fast"}})")["result"], "success");
    EXPECT_NE(call(t, R"({"method":"session-set","arguments":{"speed-limit-down":-5}})")["result"], "success");
    EXPECT_NE(call(t, R"({"method":"session-set","arguments":{"speed-limit-down":1.5}})")["result"], "success");
    EXPECT_NE(call(t, R"({"method":"torrent-add","arguments":{"metainfo":"***"}})")["result"], "success");
    EXPECT_NE(call(t, R"({"method":"torrent-add","arguments":{}})")["result"], "success");
    EXPECT_NE(call(t, R"({"method":"torrent-set","arguments":{"files-wanted":"all"}})")["result"], "success");
    EXPECT_EQ(call(t, R"({"method":"torrent-set-location","arguments":{"location":"/x"}})")["result"], "not there");
    EXPECT_NE(call(t, R"({"method":"port-test"})")["result"], "success");
    EXPECT_NE(call(t, R"({"method":"session-get","arguments":[1]})")["result"], "success");
}

TEST(Rpc, SessionSetAndAddPassTheirArguments) {
    Recording control;
    rpc::Transmission t(control);
    ASSERT_EQ(call(t, R"({"method":"session-set","arguments":{"speed-limit-down":100,"speed-limit-down-enabled":1,)"
                      R"("speed-limit-up-enabled":"false","unknown-key":3}})")["result"],
              "success");
    EXPECT_EQ(control.session.speed_limit_down, std::optional<std::uint64_t>(100));
    EXPECT_EQ(control.session.speed_limit_down_enabled, std::optional<bool>(true));
    EXPECT_EQ(control.session.speed_limit_up_enabled, std::optional<bool>(false));
    EXPECT_FALSE(control.session.speed_limit_up);
    auto added = call(t, R"({"method":"torrent-add","tag":8,"arguments":{"metainfo":")" + base64::encode("d4:infoe") +
                             R"(","download-dir":"/srv/x","paused":true}})");
    EXPECT_EQ(added["arguments"]["torrent-added"]["id"], 4);
    EXPECT_EQ(control.last_add.metainfo, "d4:infoe");
    EXPECT_EQ(control.last_add.download_dir, "/srv/x");
    EXPECT_EQ(control.last_add.paused, std::optional<bool>(true));
    EXPECT_EQ(call(t, R"({"method":"free-space","arguments":{"path":"/"}})")["arguments"]["size-bytes"], 42);
}

TEST(Rpc, MetricsText) {
    EXPECT_EQ(rpc::escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    rpc::TorrentView t;
    t.hash = std::string(40, 'f');
    t.name = "odd \"name\"";
    t.status = rpc::TorrentStatus::seeding;
    t.peers_connected = 3;
    t.hash_failures = 2;
    rpc::SessionStats s;
    s.cumulative.downloaded = 1234;
    const auto text = rpc::prometheus_text({t}, s, rpc::NodeMetrics{7, 1, 2, 3});
    for (const char* line : {"# TYPE agora_downloaded_bytes_total counter\n", "agora_downloaded_bytes_total 1234\n",
                             "agora_torrents{state=\"seeding\"} 1\n", "agora_torrents{state=\"stopped\"} 0\n",
                             "agora_peers 3\n", "agora_hash_failures_total 2\n", "agora_dht_nodes 7\n",
                             "agora_dht_datagrams_total{direction=\"out\"} 2\n", "agora_disk_jobs 3\n"})
        EXPECT_NE(text.find(line), std::string::npos) << line;
    EXPECT_NE(text.find("agora_torrent_peers{hash=\"ffffffffffffffffffffffffffffffffffffffff\",name=\"odd \\\"name\\\"\"} 3"),
              std::string::npos)
        << text;
}

TEST(Rpc, PageAndMetricsNeedNoSessionIdButPassTheGate) {
    Recording control;
    rpc::Server server(control, rpc::AccessConfig{}, "token");
    rpc::HttpRequest r;
    r.method = "GET";
    r.target = "/";
    r.headers = {{"Host", "localhost:9091"}};
    auto page = server.handle(r);
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("/transmission/rpc"), std::string::npos);
    r.target = "/metrics";
    EXPECT_EQ(server.handle(r).status, 200);
    r.headers = {{"Host", "evil.example"}};
    EXPECT_EQ(server.handle(r).status, 421);
}
