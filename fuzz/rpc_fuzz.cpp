// Fuzzes the remote control's front door: an HTTP request (headers chosen by the first byte, the
// rest as the body) through rpc::Server — the gate, the Transmission RPC's JSON parsing, the
// argument checks and the dispatch — over a Control that holds two torrents and accepts
// everything. Every answer must be a response; every RPC body must be JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "rpc/server.hpp"

namespace {

using namespace agora;

class Accepting final : public rpc::Control {
public:
    std::vector<rpc::TorrentView> torrents(bool details) override {
        std::vector<rpc::TorrentView> out(2);
        out[0].id = 1;
        out[0].hash = std::string(40, 'a');
        out[0].name = "one";
        out[1].id = 2;
        out[1].hash = std::string(40, 'b');
        out[1].has_metadata = false;
        if (details) out[0].files.push_back({"one/a", 10, 5, true, 0});
        return out;
    }
    Result<rpc::AddResult> add(const rpc::AddRequest& r) override {
        if (r.metainfo.empty() && r.uri.empty()) return make_error(Error::Kind::bad_argument, "empty");
        return rpc::AddResult{3, "new", std::string(40, 'c'), false};
    }
    Status start(const std::vector<std::uint32_t>&) override { return Ok{}; }
    Status stop(const std::vector<std::uint32_t>&) override { return Ok{}; }
    Status verify(const std::vector<std::uint32_t>&) override { return Ok{}; }
    Status remove(const std::vector<std::uint32_t>&, bool) override { return Ok{}; }
    Status set_location(const std::vector<std::uint32_t>&, const std::string&, bool) override { return Ok{}; }
    Status change(const std::vector<std::uint32_t>&, const rpc::TorrentChanges&) override { return Ok{}; }
    Status move_in_queue(const std::vector<std::uint32_t>&, rpc::QueueMove) override { return Ok{}; }
    rpc::SessionSettings settings() override { return {}; }
    Status change_settings(const rpc::SessionChanges&) override { return Ok{}; }
    rpc::SessionStats stats() override { return {}; }
    Result<std::uint64_t> free_space(const std::string&) override { return std::uint64_t{1}; }
    rpc::NodeMetrics node_metrics() override { return {}; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Accepting control;
    static rpc::Server server(control, rpc::AccessConfig{"u", "p", {"box.lan"}, 1000000}, "sid");
    if (size == 0) return 0;
    const auto mode = data[0];
    rpc::HttpRequest r;
    r.method = mode & 1 ? "POST" : "GET";
    r.target = mode & 2 ? "/transmission/rpc/" : "/transmission/rpc?x";
    if (mode & 4) r.headers.emplace_back("Authorization", "Basic dTpw");  // u:p
    if (mode & 8) r.headers.emplace_back("X-Transmission-Session-Id", "sid");
    if (mode & 16) r.headers.emplace_back("Host", "box.lan:9091");
    else if (mode & 32) r.headers.emplace_back("Host", std::string(reinterpret_cast<const char*>(data + 1), std::min<std::size_t>(size - 1, 40)));
    if (mode & 64) r.headers.emplace_back("Authorization", std::string(reinterpret_cast<const char*>(data + 1), std::min<std::size_t>(size - 1, 60)));
    r.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto response = server.handle(r);
    if (response.status == 200 && !nlohmann::json::accept(response.body)) std::abort();
    return 0;
}
