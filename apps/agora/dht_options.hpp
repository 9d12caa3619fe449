// The DHT options get, seed and dht share (--no-dht, --bootstrap, --dht-read-only), and turning
// them plus the saved state into the engine's and driver's DHT settings.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "io/resume_db.hpp"
#include "io/session_driver.hpp"

namespace agora::cli {

struct DhtArgs {
    bool off = false;
    std::vector<std::string> bootstrap;
    bool read_only = false;
};

void add_dht_options(CLI::App* cmd, DhtArgs& a, bool allow_off);

// Opens the node database under `state_dir` and fills the DHT parts of both configs: the saved
// id and nodes, and the routers: --bootstrap ones always; the built-in list only when nothing is
// saved and the node is not bound to a loopback address (from where the internet is unreachable).
// Returns the database (to save the table into at exit), or nullopt when the DHT is off.
Result<std::optional<io::NodeDb>> configure_dht(const DhtArgs& a, const std::string& state_dir, const std::string& bind,
                                                session::EngineConfig& engine, io::DriverConfig& driver);

}  // namespace agora::cli
