// agora daemon: many torrents, always on, remote-controlled over the Transmission RPC. Settings
// come from a TOML file (every key is listed in contrib/agora-daemon.toml with its default);
// --data-dir and --rpc-bind override it.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include <CLI/CLI.hpp>
#include <toml++/toml.h>

#include "commands.hpp"
#include "dht_options.hpp"
#include "io/daemon.hpp"
#include "io/local_discovery.hpp"
#include "io/resume_store.hpp"

namespace agora::cli {

namespace {

volatile std::sig_atomic_t daemon_stop = 0;
void on_daemon_signal(int) { daemon_stop = 1; }

struct DaemonArgs {
    std::string config;
    std::string data_dir;
    std::string rpc_bind;
};

std::string default_config_path() {
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/agora/daemon.toml";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.config/agora/daemon.toml";
    return "daemon.toml";
}

std::string expand_home(const std::string& path) {
    if (path.rfind("~/", 0) == 0)
        if (const char* home = std::getenv("HOME")) return std::string(home) + path.substr(1);
    return path;
}

Error bad(std::string m) { return make_error(Error::Kind::bad_argument, std::move(m)); }

// "ADDR:PORT" or "[v6]:PORT".
Result<std::pair<std::string, std::uint16_t>> parse_bind(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return bad("--rpc-bind " + text + ": expected ADDRESS:PORT, e.g. 127.0.0.1:9091");
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    char* end = nullptr;
    const long port = std::strtol(text.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535) return bad("--rpc-bind " + text + ": the port must be 0-65535");
    return std::pair{host, static_cast<std::uint16_t>(port)};
}

struct Settings {
    io::DaemonConfig daemon;
    std::string rpc_bind = "127.0.0.1:9091";
    std::string peer_bind = "0.0.0.0";
    std::uint16_t peer_port = 51413;
    std::uint32_t peers_per_torrent = 50;
    DhtArgs dht;
    bool lsd = true;
};

// Reads the TOML settings; a key this version does not know is an error (a typo would otherwise
// be silently ignored).
Result<Settings> read_settings(const std::string& path, bool must_exist) {
    Settings s;
    s.daemon.data_dir = io::default_state_dir();
    s.daemon.download_dir = expand_home("~/Downloads");
    s.daemon.config_dir = std::filesystem::path(path).parent_path().string();
    if (!std::filesystem::exists(path)) {
        if (must_exist) return make_error(Error::Kind::io, path + ": no such file");
        return s;
    }
    toml::table t;
    try {
        t = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        return bad(path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    }
    const std::map<std::string, std::set<std::string>> known = {
        {"daemon", {"data-dir"}},
        {"rpc", {"bind", "username", "password", "host-allow"}},
        {"peers", {"port", "bind", "max-per-torrent"}},
        {"downloads", {"dir", "allowed-dirs", "start-added", "watch-dir"}},
        {"queue", {"download-enabled", "download-size", "seed-enabled", "seed-size"}},
        {"seeding", {"ratio-limited", "ratio-limit", "idle-limited", "idle-minutes"}},
        {"limits", {"download-kbps", "upload-kbps"}},
        {"dht", {"enabled", "bootstrap", "read-only"}},
        {"lsd", {"enabled"}},
    };
    for (const auto& [section, node] : t) {
        auto it = known.find(std::string(section.str()));
        if (it == known.end() || !node.is_table()) return bad(path + ": unknown section [" + std::string(section.str()) + "]");
        for (const auto& [key, value] : *node.as_table())
            if (!it->second.contains(std::string(key.str())))
                return bad(path + ": unknown setting " + std::string(section.str()) + "." + std::string(key.str()));
    }
    std::string error;
    auto text = [&](const char* where, std::string& out) {
        auto n = t.at_path(where);
        if (!n) return;
        if (auto v = n.value<std::string>()) out = expand_home(*v);
        else error = std::string(where) + " must be a string";
    };
    auto integer = [&](const char* where, auto& out, std::int64_t max) {
        auto n = t.at_path(where);
        if (!n) return;
        auto v = n.value_exact<std::int64_t>();
        if (!v || *v < 0 || *v > max) error = std::string(where) + " must be an integer from 0 to " + std::to_string(max);
        else out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
    };
    auto boolean = [&](const char* where, bool& out) {
        auto n = t.at_path(where);
        if (!n) return;
        if (auto v = n.value<bool>()) out = *v;
        else error = std::string(where) + " must be true or false";
    };
    auto number = [&](const char* where, double& out, double max) {
        auto n = t.at_path(where);
        if (!n) return;
        auto v = n.value<double>();
        if (!v || *v < 0 || *v > max) error = std::string(where) + " must be a number from 0 to " + std::to_string(max);
        else out = *v;
    };
    auto strings = [&](const char* where, std::vector<std::string>& out) {
        auto n = t.at_path(where);
        if (!n) return;
        const auto* a = n.as_array();
        if (!a) { error = std::string(where) + " must be a list of strings"; return; }
        for (const auto& item : *a) {
            if (auto v = item.value<std::string>()) out.push_back(expand_home(*v));
            else error = std::string(where) + " must be a list of strings";
        }
    };
    text("daemon.data-dir", s.daemon.data_dir);
    text("rpc.bind", s.rpc_bind);
    text("rpc.username", s.daemon.access.username);
    text("rpc.password", s.daemon.access.password);
    strings("rpc.host-allow", s.daemon.access.host_allow);
    integer("peers.port", s.peer_port, 65535);
    text("peers.bind", s.peer_bind);
    integer("peers.max-per-torrent", s.peers_per_torrent, 10000);
    text("downloads.dir", s.daemon.download_dir);
    strings("downloads.allowed-dirs", s.daemon.allowed_dirs);
    boolean("downloads.start-added", s.daemon.settings.start_added_torrents);
    text("downloads.watch-dir", s.daemon.watch_dir);
    boolean("queue.download-enabled", s.daemon.settings.download_queue_enabled);
    integer("queue.download-size", s.daemon.settings.download_queue_size, 100'000);
    boolean("queue.seed-enabled", s.daemon.settings.seed_queue_enabled);
    integer("queue.seed-size", s.daemon.settings.seed_queue_size, 100'000);
    boolean("seeding.ratio-limited", s.daemon.settings.seed_ratio_limited);
    number("seeding.ratio-limit", s.daemon.settings.seed_ratio_limit, 1e6);
    boolean("seeding.idle-limited", s.daemon.settings.idle_seeding_limit_enabled);
    integer("seeding.idle-minutes", s.daemon.settings.idle_seeding_limit, 1'000'000);
    integer("limits.download-kbps", s.daemon.settings.speed_limit_down, 100'000'000);
    integer("limits.upload-kbps", s.daemon.settings.speed_limit_up, 100'000'000);
    bool dht = true;
    boolean("dht.enabled", dht);
    s.dht.off = !dht;
    strings("dht.bootstrap", s.dht.bootstrap);
    boolean("dht.read-only", s.dht.read_only);
    boolean("lsd.enabled", s.lsd);
    if (!error.empty()) return bad(path + ": " + error);
    s.daemon.settings.speed_limit_down_enabled = s.daemon.settings.speed_limit_down > 0;
    s.daemon.settings.speed_limit_up_enabled = s.daemon.settings.speed_limit_up > 0;
    return s;
}

int run_daemon(const DaemonArgs& a) {
    const bool explicit_config = !a.config.empty();
    auto settings = read_settings(explicit_config ? a.config : default_config_path(), explicit_config);
    if (!settings) return report(settings.error());
    auto& s = *settings;
    if (!a.data_dir.empty()) s.daemon.data_dir = a.data_dir;
    if (!a.rpc_bind.empty()) s.rpc_bind = a.rpc_bind;
    auto rpc_at = parse_bind(s.rpc_bind);
    if (!rpc_at) return report(rpc_at.error());
    s.daemon.rpc_address = rpc_at->first;
    s.daemon.rpc_port = rpc_at->second;
    std::error_code ec;
    std::filesystem::create_directories(s.daemon.download_dir, ec);
    if (ec) return report(make_error(Error::Kind::io, s.daemon.download_dir + ": " + ec.message()));
    if (!s.daemon.watch_dir.empty()) std::filesystem::create_directories(s.daemon.watch_dir, ec);
    if (ec) return report(make_error(Error::Kind::io, "downloads.watch-dir " + s.daemon.watch_dir + ": " + ec.message()));

    session::EngineConfig engine;
    engine.peer_id = make_peer_id();
    engine.seed = std::random_device{}();
    engine.max_peers_per_torrent = s.peers_per_torrent;
    io::DriverConfig driver;
    driver.listen_address = s.peer_bind;
    driver.listen_port = s.peer_port;
    driver.local_discovery = s.lsd && !io::is_loopback_address(s.peer_bind);
    auto dht_db = configure_dht(s.dht, s.daemon.data_dir, s.peer_bind, engine, driver);
    if (!dht_db) return report(dht_db.error());
    // The engine must know the port it listens on (it announces it): bind first, then build the
    // real driver on that port.
    auto probe = std::make_unique<io::SessionDriver>(engine, driver);
    if (auto started = probe->start(); !started) return report(started.error());
    engine.listen_port = driver.listen_port = probe->listen_port();
    probe.reset();
    auto session = std::make_unique<io::SessionDriver>(engine, driver);
    if (auto started = session->start(); !started) return report(started.error());

    io::Daemon daemon(s.daemon, std::move(session), std::move(*dht_db));
    if (auto started = daemon.start(); !started) return report(started.error());
    std::fprintf(stderr, "agora daemon: RPC on http://%s:%u/transmission/rpc, peers on port %u, data in %s\n",
                 s.daemon.rpc_address.c_str(), daemon.rpc_port(), driver.listen_port, s.daemon.data_dir.c_str());
    std::signal(SIGINT, on_daemon_signal);
    std::signal(SIGTERM, on_daemon_signal);
    daemon.run([] { return daemon_stop != 0; });
    std::fprintf(stderr, "agora daemon: stopping\n");
    daemon.shutdown();
    return exit_ok;
}

}  // namespace

void add_daemon(CLI::App& app, std::function<int()>& run) {
    auto a = std::make_shared<DaemonArgs>();
    auto* cmd = app.add_subcommand(
        "daemon", "Run in the foreground with many torrents, controlled over the Transmission RPC (transmission-remote works)");
    cmd->add_option("--config", a->config,
                    "Settings file (TOML; default $XDG_CONFIG_HOME/agora/daemon.toml; every key is in contrib/agora-daemon.toml)");
    cmd->add_option("--data-dir", a->data_dir, "Where the database lives (default $XDG_DATA_HOME/agora); overrides daemon.data-dir");
    cmd->add_option("--rpc-bind", a->rpc_bind, "Address and port of the remote control (default 127.0.0.1:9091); overrides rpc.bind");
    cmd->footer("SIGTERM or Ctrl-C stops it cleanly: trackers are told, state is written.");
    cmd->callback([a, &run] { run = [a] { return run_daemon(*a); }; });
}

}  // namespace agora::cli
