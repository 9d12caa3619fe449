// The agora subcommands. Each registers its options on the CLI and runs when chosen.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "core/result.hpp"

namespace agora::cli {

// Exit codes, documented in the README and in `agora --help`.
enum ExitCode : int {
    exit_ok = 0,
    exit_error = 1,        // I/O or other operating error
    exit_usage = 2,        // bad command line
    exit_bad_input = 3,    // a bad .torrent, magnet link or bencode
    exit_incomplete = 4,   // verify: data missing or wrong
    exit_interrupted = 5,  // get/seed: stopped (signal) before the download completed
};

// This run's BitTorrent peer id: Azureus-style prefix "-AG0100-" (BEP 20), then random characters.
std::array<std::uint8_t, 20> make_peer_id();

// Prints "agora: <message>" on stderr and returns the exit code for the kind of error.
int report(const Error& error);

// Each adds a subcommand to `app`; `run` is set to the action to take if it is chosen.
void add_create(CLI::App& app, std::function<int()>& run);
void add_info(CLI::App& app, std::function<int()>& run);
void add_verify(CLI::App& app, std::function<int()>& run);
void add_get(CLI::App& app, std::function<int()>& run);
void add_seed(CLI::App& app, std::function<int()>& run);
void add_scrape(CLI::App& app, std::function<int()>& run);
void add_dht(CLI::App& app, std::function<int()>& run);
void add_daemon(CLI::App& app, std::function<int()>& run);
void add_sim(CLI::App& app, std::function<int()>& run);

}  // namespace agora::cli
