// agora get SOURCE / agora seed FILE.torrent DIR: download and seed with real peers.
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <cstdio>
#include <memory>
#include <random>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "dht_options.hpp"
#include "io/dht_state.hpp"
#include "io/local_discovery.hpp"
#include "io/parallel.hpp"
#include "io/resume_store.hpp"
#include "io/session_driver.hpp"
#include "io/torrent_file.hpp"
#include "meta/magnet.hpp"
#include "text.hpp"

namespace agora::cli {

namespace {

volatile std::sig_atomic_t interrupted = 0;
extern "C" void on_signal(int) { interrupted = 1; }

struct GetArgs {
    std::string source;
    std::string output = ".";
    std::vector<std::string> peers;
    int port = 6881;
    std::string bind = "0.0.0.0";
    bool seed = false;
    std::uint32_t max_peers = 50;
    bool json = false;
    bool quiet = false;
    std::string state_dir;
    bool no_resume = false;
    bool no_trackers = false;
    bool no_lsd = false;
    bool verbose = false;
    std::string download_limit;
    std::string upload_limit;
    std::string read_cache = "32M";
    std::string write_cache = "64M";
    DhtArgs dht;
};

std::optional<session::Endpoint> parse_endpoint(const std::string& text) {
    std::string host, port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos || text.find(':') != colon) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (host.empty() || port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    const int n = std::stoi(port);
    if (n < 1 || n > 65535) return std::nullopt;
    return session::Endpoint{host, static_cast<std::uint16_t>(n)};
}

std::string saved_metadata_path(const std::string& state_dir, const InfoHashes& h) {
    return state_dir + "/torrents/" + (h.v1 ? h.v1->hex() : h.v2->hex()) + ".torrent";
}

// Writes a .torrent holding the info dictionary a magnet link's peers sent (named by its hash).
void save_metadata(const std::string& state_dir, const meta::TorrentInfo& info) {
    std::error_code ec;
    std::filesystem::create_directories(state_dir + "/torrents", ec);
    const std::string path = saved_metadata_path(state_dir, info.info_hashes);
    std::ofstream out(path + ".part", std::ios::binary);
    out << "d4:info" << info.info_bytes << "e";
    out.close();
    if (out) std::filesystem::rename(path + ".part", path, ec);
}

std::string eta_text(double seconds) {
    if (seconds < 0 || seconds > 1e7) return "--";
    const auto s = static_cast<long long>(seconds);
    if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s / 60) % 60);
    if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}s", s);
}

// Downloads (or seeds) one torrent until complete, or forever with `keep_seeding`.
int run_swarm(const GetArgs& a, bool keep_seeding) {
    std::vector<session::Endpoint> peers;
    for (const auto& p : a.peers) {
        auto e = parse_endpoint(p);
        if (!e) return report(make_error(Error::Kind::bad_argument, "--peer " + p + ": expected HOST:PORT"));
        peers.push_back(*e);
    }
    const std::string state_dir = a.state_dir.empty() ? io::default_state_dir() : a.state_dir;

    // A .torrent, or a magnet link whose metadata we may have saved on an earlier run.
    std::shared_ptr<const meta::TorrentInfo> info;
    std::optional<meta::Magnet> magnet;
    if (a.source.starts_with("magnet:") || a.source.starts_with("MAGNET:")) {
        auto m = meta::parse_magnet(a.source);
        if (!m) return report(m.error());
        magnet = std::move(*m);
        for (const auto& p : magnet->peers) peers.push_back(session::Endpoint{p.host, p.port});
        if (!a.no_resume)
            if (auto saved = io::load_torrent_file(saved_metadata_path(state_dir, magnet->info_hashes)); saved)
                info = std::make_shared<const meta::TorrentInfo>(std::move(*saved));
    } else {
        auto loaded = io::load_torrent_file(a.source);
        if (!loaded) return report(loaded.error());
        info = std::make_shared<const meta::TorrentInfo>(std::move(*loaded));
    }

    std::optional<io::ResumeStore> store;
    if (!a.no_resume) {
        auto s = io::ResumeStore::open(state_dir);
        if (!s) return report(s.error());
        store.emplace(std::move(*s));
    }
    Bitfield have;
    if (info) have = io::verified_pieces(store ? &*store : nullptr, *info, a.output, io::default_worker_count());

    session::EngineConfig config;
    config.peer_id = make_peer_id();
    config.max_peers_per_torrent = a.max_peers;
    config.seed = std::random_device{}();
    config.log_peers = a.verbose;
    auto write_cache = parse_rate(a.write_cache);
    if (!write_cache || *write_cache < (1u << 20))
        return report(make_error(Error::Kind::bad_argument, "--write-cache " + a.write_cache + ": expected a size of at least 1M, e.g. 64M"));
    config.torrent.checking_bytes_max = static_cast<std::size_t>(*write_cache);
    io::DriverConfig driver_config;
    driver_config.listen_address = a.bind;
    driver_config.listen_port = static_cast<std::uint16_t>(a.port);
    for (auto [text, target, flag] : {std::tuple{&a.download_limit, &driver_config.download_limit, "--download-limit"},
                                      std::tuple{&a.upload_limit, &driver_config.upload_limit, "--upload-limit"}}) {
        if (text->empty()) continue;
        auto rate = parse_rate(*text);
        if (!rate) return report(make_error(Error::Kind::bad_argument, std::string(flag) + " " + *text + ": expected a rate such as 500k or 2M"));
        *target = *rate;
    }
    auto read_cache = parse_rate(a.read_cache);
    if (!read_cache) return report(make_error(Error::Kind::bad_argument, "--read-cache " + a.read_cache + ": expected a size such as 32M (0 turns it off)"));
    driver_config.read_cache_bytes = static_cast<std::size_t>(*read_cache);
    // Multicast from a loopback address never leaves the host: no use, and tests that bind there
    // must not send it.
    driver_config.local_discovery = !a.no_lsd && !io::is_loopback_address(a.bind);
    auto dht_db = configure_dht(a.dht, state_dir, a.bind, config, driver_config);
    if (!dht_db) return report(dht_db.error());
    if (magnet && magnet->trackers.empty() && peers.empty() && !config.dht && !driver_config.local_discovery)
        return report(make_error(Error::Kind::bad_argument, "this magnet link names no tracker and no peer, and the DHT "
                                                            "and local discovery are off: no way to find peers"));
    auto driver = std::make_unique<io::SessionDriver>(config, driver_config);
    if (auto s = driver->start(); !s) {
        if (a.port == 0) return report(s.error());
        // The usual port is taken (another client?): any free port will do.
        driver_config.listen_port = 0;
        driver = std::make_unique<io::SessionDriver>(config, driver_config);
        if (auto again = driver->start(); !again) return report(again.error());
    }
    // The engine announces the port it listens on.
    config.listen_port = driver->listen_port();
    driver_config.listen_port = driver->listen_port();
    driver = std::make_unique<io::SessionDriver>(config, driver_config);
    if (auto s = driver->start(); !s) return report(s.error());

    session::AddTorrentOptions options;
    options.have = have;
    options.peers = peers;
    options.use_trackers = !a.no_trackers;
    if (magnet) options.trackers = magnet->trackers;
    TorrentHandle handle;
    if (info) {
        auto added = driver->add_torrent(info, a.output, options);
        if (!added) return report(added.error());
        handle = *added;
    } else {
        handle = driver->add_magnet(magnet->info_hashes, a.output, options);
    }

    Bitfield verified = have;
    bool dirty = false;
    driver->on_metadata = [&](TorrentHandle, std::shared_ptr<const meta::TorrentInfo> received) {
        info = received;
        verified = Bitfield(info->layout.piece_count());
        // Kept, so that running the same magnet link again resumes without asking peers.
        if (!a.no_resume) save_metadata(state_dir, *info);
        if (!a.quiet && !a.json)
            std::fprintf(stderr, "%s%s: metadata received, %u pieces\n", ::isatty(STDERR_FILENO) ? "\r\x1b[K" : "",
                         info->name.c_str(), info->layout.piece_count());
    };
    driver->on_piece_verified = [&](TorrentHandle, PieceIndex p) {
        verified.set(p.value);
        dirty = true;
    };
    driver->on_log = [&](const std::string& line) {
        if (!a.quiet) std::fprintf(stderr, "%s\n", printable(line).c_str());
    };

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    if (!a.quiet) {
        if (info)
            std::fprintf(stderr, "%s: listening on port %u, %u of %u pieces verified\n", info->name.c_str(),
                         driver->listen_port(), have.count(), have.size());
        else
            std::fprintf(stderr, "%s: listening on port %u, fetching metadata from peers\n",
                         magnet->display_name.empty() ? "magnet" : printable(magnet->display_name).c_str(),
                         driver->listen_port());
    }

    const bool tty = ::isatty(STDERR_FILENO) == 1;
    auto report_progress = [&] {
        const auto* t = driver->engine().torrent(handle);
        if (!t) {
            if (a.json) {
                std::printf("{\"metadata\":false,\"complete\":false,\"progress\":0,\"downloaded\":0,\"uploaded\":0}\n");
                std::fflush(stdout);
            } else if (!a.quiet) {
                std::fprintf(stderr, tty ? "\rfetching metadata...\x1b[K" : "fetching metadata...\n");
            }
            return;
        }
        const auto s = t->stats();
        const double fraction = s.pieces_total ? static_cast<double>(s.pieces_had) / s.pieces_total : 1.0;
        const double left = static_cast<double>(info->layout.total_size()) * (1 - fraction);
        if (a.json) {
            nlohmann::json j = {{"name", info->name},
                                {"progress", fraction},
                                {"pieces_had", s.pieces_had},
                                {"pieces_total", s.pieces_total},
                                {"download_rate", s.download_rate},
                                {"upload_rate", s.upload_rate},
                                {"downloaded", s.payload_downloaded},
                                {"uploaded", s.payload_uploaded},
                                {"peers", s.peers},
                                {"seeds", s.seeds},
                                {"hash_failures", s.hash_failures},
                                {"complete", s.complete}};
            std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
            std::fflush(stdout);
            return;
        }
        if (a.quiet) return;
        const std::string line = fmt::format(
            "{} {:5.1f}%  down {}/s  up {}/s  peers {} ({} seeds)  {}", s.complete ? "seeding" : "downloading",
            100 * fraction, format_bytes(s.download_rate), format_bytes(s.upload_rate), s.peers, s.seeds,
            s.complete ? fmt::format("uploaded {}", format_bytes(static_cast<double>(s.payload_uploaded)))
                       : "ETA " + eta_text(s.download_rate > 0 ? left / s.download_rate : -1));
        if (tty)
            std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
        else
            std::fprintf(stderr, "%s\n", line.c_str());
    };
    int seconds = 0;
    auto every_second = [&] {
        report_progress();
        // Record progress every few seconds, so a kill loses little (and never verified data:
        // pieces on record were written before they were recorded).
        ++seconds;
        if (*dht_db && seconds % 60 == 0) (void)io::save_dht_state(**dht_db, *driver->engine().dht());
        if (dirty && store && info && seconds % 5 == 0) {
            if (auto s = store->save(*info, a.output, verified); !s && !a.quiet)
                std::fprintf(stderr, "agora: cannot save resume data: %s\n", s.error().describe().c_str());
            dirty = false;
        }
    };
    auto is_complete = [&] {
        const auto* t = driver->engine().torrent(handle);
        return t && t->complete();
    };
    driver->run([&] { return interrupted || (!keep_seeding && is_complete()); }, every_second);
    const bool complete = is_complete();
    report_progress();
    if (tty && !a.quiet && !a.json) std::fprintf(stderr, "\n");
    if (*dht_db) (void)io::save_dht_state(**dht_db, *driver->engine().dht());
    driver->shutdown();
    if (store && info)
        if (auto s = store->save(*info, a.output, verified); !s)
            std::fprintf(stderr, "agora: cannot save resume data: %s\n", s.error().describe().c_str());
    if (!complete) {
        if (info)
            std::fprintf(stderr, "agora: interrupted: %u of %u pieces verified; run again to resume\n",
                         verified.count(), verified.size());
        else
            std::fprintf(stderr, "agora: interrupted before the metadata arrived\n");
        return exit_interrupted;
    }
    return exit_ok;
}

void add_common(CLI::App* cmd, GetArgs& a) {
    cmd->add_option("--peer", a.peers, "Connect to this peer (HOST:PORT; repeatable)");
    cmd->add_option("--port", a.port, "TCP port to listen on (default 6881; 0 picks a free one)")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--bind", a.bind, "Address to listen on (default 0.0.0.0)");
    cmd->add_option("--max-peers", a.max_peers, "Most peers to be connected to at once (default 50)");
    cmd->add_option("--state-dir", a.state_dir, "Where the resume database lives (default $XDG_DATA_HOME/agora)");
    cmd->add_flag("--no-resume", a.no_resume, "Neither read nor write resume records (always check the data)");
    cmd->add_flag("--no-trackers", a.no_trackers, "Do not announce to the torrent's trackers");
    cmd->add_flag("--no-lsd", a.no_lsd,
                  "Do not look for peers on the local network (BEP 14; always off when --bind is a loopback address)");
    cmd->add_flag("--json", a.json, "Print one JSON object of progress per second on stdout");
    cmd->add_flag("-q,--quiet", a.quiet, "No progress output");
    cmd->add_option("--download-limit", a.download_limit, "Most bytes per second to receive, e.g. 500k or 2M (default: no limit)");
    cmd->add_option("--upload-limit", a.upload_limit, "Most bytes per second to send, e.g. 500k or 2M (default: no limit)");
    cmd->add_option("--read-cache", a.read_cache, "Memory for pieces read to upload, e.g. 32M (default 32M; 0 turns it off)");
    cmd->add_option("--write-cache", a.write_cache,
                    "Most memory for downloaded pieces waiting to be checked and written (default 64M); past it, "
                    "agora asks for nothing more until the disk catches up");
    cmd->add_flag("-v,--verbose", a.verbose, "Log why each peer connection we close was closed");
    add_dht_options(cmd, a.dht, true);
}

}  // namespace

std::array<std::uint8_t, 20> make_peer_id() {
    // Azureus-style client prefix (BEP 20), then random printable characters.
    std::array<std::uint8_t, 20> id{};
    const std::string prefix = "-AG0100-";
    std::copy(prefix.begin(), prefix.end(), id.begin());
    std::random_device rd;
    static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (std::size_t i = prefix.size(); i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(alphabet[rd() % 62]);
    return id;
}

void add_get(CLI::App& app, std::function<int()>& run) {
    auto args = std::make_shared<GetArgs>();
    auto* cmd = app.add_subcommand("get", "Download a torrent from its peers (resumes where it stopped)");
    cmd->add_option("SOURCE", args->source, "A .torrent file or a magnet: link (x.pe= peers and tr= trackers are used; the DHT finds peers for a bare info-hash)")
        ->required();
    cmd->add_option("-o,--output", args->output, "Save folder: the content goes under the torrent's name (default .)");
    cmd->add_flag("--seed", args->seed, "Keep seeding after the download completes, until interrupted");
    add_common(cmd, *args);
    cmd->callback([args, &run] { run = [args] { return run_swarm(*args, args->seed); }; });
}

void add_seed(CLI::App& app, std::function<int()>& run) {
    auto args = std::make_shared<GetArgs>();
    auto* cmd = app.add_subcommand("seed", "Check data against a .torrent, then serve it until interrupted");
    cmd->add_option("TORRENT", args->source, "The .torrent file")->required();
    cmd->add_option("DIR", args->output, "Save folder holding the content under the torrent's name")->required();
    add_common(cmd, *args);
    cmd->callback([args, &run] { run = [args] { return run_swarm(*args, true); }; });
}

}  // namespace agora::cli
