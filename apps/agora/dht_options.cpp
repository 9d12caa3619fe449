#include "dht_options.hpp"

#include <filesystem>
#include <random>

#include "io/dht_state.hpp"

namespace agora::cli {

void add_dht_options(CLI::App* cmd, DhtArgs& a, bool allow_off) {
    if (allow_off) cmd->add_flag("--no-dht", a.off, "Do not use the DHT to find peers");
    cmd->add_option("--bootstrap", a.bootstrap,
                    "DHT node to join through (HOST:PORT; repeatable). Without it a node starts from the nodes it "
                    "saved last time, or else from the built-in routers (router.bittorrent.com and others)");
    cmd->add_flag("--dht-read-only", a.read_only,
                  "Query the DHT without answering (BEP 43), for a node others cannot reach");
}

Result<std::optional<io::NodeDb>> configure_dht(const DhtArgs& a, const std::string& state_dir, const std::string& bind,
                                                session::EngineConfig& engine, io::DriverConfig& driver) {
    if (a.off) return std::optional<io::NodeDb>();
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    auto db = io::NodeDb::open(state_dir + "/node.sqlite");
    if (!db) return db.error();
    const auto saved = io::load_dht_state(*db);
    dht::NodeConfig node;
    node.id = saved.id;
    node.read_only = a.read_only;
    node.seed = std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32);
    node.ipv6 = bind.find(':') != std::string::npos;
    engine.dht = node;
    driver.dht_known = saved.nodes;
    driver.dht_routers = a.bootstrap;
    const bool loopback = bind.starts_with("127.") || bind == "::1";
    if (a.bootstrap.empty() && saved.nodes.empty() && !loopback) driver.dht_routers = io::default_dht_routers();
    return std::optional<io::NodeDb>(std::move(*db));
}

}  // namespace agora::cli
