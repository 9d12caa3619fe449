// agora sim SCENARIO.toml [--seed N] [--out DIR]: runs a scenario in the simulator (src/sim/) —
// real agora engines on a simulated network, disk and clock — shows progress, and writes the
// results and plots. The scenario file's keys are documented in scenarios/README.md.
#include <toml++/toml.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <malloc.h>
#include <unistd.h>

#include "commands.hpp"
#include "sim/flash_crowd.hpp"
#include "sim_report.hpp"

namespace agora::cli {

namespace {

Error bad(std::string message) { return make_error(Error::Kind::bad_argument, std::move(message)); }

std::string fmt_range(const char* key, double min, double max) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s must be a number from %g to %g", key, min, max);
    return buf;
}

struct Scenario {
    ScenarioInfo info;
    std::vector<std::uint32_t> crowd_sizes;
    sim::FlashCrowdConfig crowd;
};

std::uint64_t mbit(double m) { return static_cast<std::uint64_t>(m * 1e6 / 8); }

Result<Scenario> read_scenario(const std::string& path) {
    toml::table t;
    try {
        t = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        return bad(path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    }
    Scenario s;
    s.info.name = std::filesystem::path(path).stem().string();
    const std::set<std::string> known = {"kind", "seed", "leechers", "file-mib", "piece-kib", "seed-upload-mbit",
                                         "seed-download-mbit", "latency-ms", "loss", "arrival-window-s",
                                         "time-limit-s", "max-peers", "link"};
    for (const auto& [key, value] : t)
        if (!known.contains(std::string(key.str()))) return bad(path + ": unknown setting '" + std::string(key.str()) + "'");
    std::string error;
    auto number = [&](const char* key, double min, double max) -> std::optional<double> {
        auto n = t[key];
        if (!n) return std::nullopt;
        auto v = n.value<double>();
        if (!v || *v < min || *v > max) {
            error = fmt_range(key, min, max);
            return std::nullopt;
        }
        return *v;
    };
    s.info.kind = t["kind"].value_or(std::string());
    if (s.info.kind != "flash-crowd") return bad(path + ": kind must be \"flash-crowd\" (the scenarios this build runs)");
    if (auto v = number("seed", 0, 9007199254740991.0)) s.info.seed = static_cast<std::uint64_t>(*v);
    else s.info.seed = 1;
    if (const auto* a = t["leechers"].as_array()) {
        for (const auto& x : *a) {
            auto v = x.value<std::int64_t>();
            if (!v || *v < 1 || *v > 1'000'000) return bad(path + ": leechers must be a list of counts from 1 to 1000000");
            s.crowd_sizes.push_back(static_cast<std::uint32_t>(*v));
        }
    } else if (auto v = t["leechers"].value<std::int64_t>(); v && *v >= 1 && *v <= 1'000'000) {
        s.crowd_sizes.push_back(static_cast<std::uint32_t>(*v));
    }
    if (s.crowd_sizes.empty()) return bad(path + ": leechers must be a count or a list of counts (1 to 1000000)");
    auto& c = s.crowd;
    if (auto v = number("file-mib", 0.0625, 1 << 20)) c.file_bytes = static_cast<std::int64_t>(*v * (1 << 20));
    if (auto v = number("piece-kib", 0, 1 << 16)) c.piece_length = static_cast<std::int64_t>(*v) * 1024;
    if (c.piece_length % (16 * 1024) != 0) return bad(path + ": piece-kib must be a multiple of 16 (or 0 for automatic)");
    if (auto v = number("seed-upload-mbit", 0.01, 1e6)) c.seed_upload = mbit(*v);
    if (auto v = number("seed-download-mbit", 0.01, 1e6)) c.seed_download = mbit(*v);
    if (auto v = number("loss", 0, 0.5)) c.loss = *v;
    if (auto v = number("arrival-window-s", 0, 1e6)) c.arrival_window = Duration(static_cast<Duration::rep>(*v * 1e6));
    if (auto v = number("time-limit-s", 1, 1e7)) c.time_limit = Duration(static_cast<Duration::rep>(*v * 1e6));
    if (auto v = number("max-peers", 2, 1000)) c.max_peers = static_cast<std::uint32_t>(*v);
    if (auto n = t["latency-ms"]) {
        const auto* a = n.as_array();
        std::optional<double> lo, hi;
        if (a && a->size() == 2) {
            lo = (*a)[0].value<double>();
            hi = (*a)[1].value<double>();
        }
        if (!lo || !hi || *lo < 0 || *hi < *lo || *hi > 10000) return bad(path + ": latency-ms must be [min, max], 0 to 10000");
        c.latency = {Duration(static_cast<Duration::rep>(*lo * 1000)), Duration(static_cast<Duration::rep>(*hi * 1000))};
    }
    if (auto n = t["link"]) {
        const auto* a = n.as_array();
        if (!a || a->empty()) return bad(path + ": [[link]] entries: name, share, up-mbit, down-mbit");
        c.links.clear();
        for (const auto& item : *a) {
            const auto* l = item.as_table();
            auto name = l ? (*l)["name"].value<std::string>() : std::nullopt;
            auto share = l ? (*l)["share"].value<double>() : std::nullopt;
            auto up = l ? (*l)["up-mbit"].value<double>() : std::nullopt;
            auto down = l ? (*l)["down-mbit"].value<double>() : std::nullopt;
            if (!name || !share || !up || !down || *share <= 0 || *up < 0.01 || *down < 0.01 || *up > 1e6 || *down > 1e6)
                return bad(path + ": every [[link]] needs name, share > 0, up-mbit and down-mbit from 0.01 to 1000000");
            c.links.push_back({*name, *share, mbit(*up), mbit(*down)});
        }
    }
    if (!error.empty()) return bad(path + ": " + error);
    return s;
}

}  // namespace

void add_sim(CLI::App& app, std::function<int()>& run) {
    struct Args {
        std::string scenario;
        std::optional<std::uint64_t> seed;
        std::string out;
        bool quiet = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand(
        "sim",
        "Run a scenario in the simulator: real agora nodes on a simulated network and clock, deterministic from a "
        "seed. Writes summary.json, CSV files and plots (gnuplot) to the output folder.");
    cmd->add_option("scenario", a->scenario, "Scenario file (TOML), e.g. scenarios/flash-crowd.toml")->required();
    cmd->add_option("--seed", a->seed, "World seed (default: the scenario's `seed`, else 1)");
    cmd->add_option("--out", a->out, "Output folder (default: sim-out/SCENARIO-SEED)");
    cmd->add_flag("-q,--quiet", a->quiet, "No progress line");
    cmd->callback([&run, a] {
        run = [a]() -> int {
            // Piece buffers come and go by the million: keep freed memory in the process rather
            // than mapping and zeroing fresh pages for each (glibc maps blocks over 128 KiB).
            mallopt(M_MMAP_THRESHOLD, 64 << 20);
            mallopt(M_TRIM_THRESHOLD, 512 << 20);
            auto s = read_scenario(a->scenario);
            if (!s) return report(s.error());
            if (a->seed) s->info.seed = *a->seed;
            const std::string out =
                a->out.empty() ? "sim-out/" + s->info.name + "-" + std::to_string(s->info.seed) : a->out;
            const bool tty = isatty(STDERR_FILENO) != 0;
            std::vector<sim::FlashCrowdResult> runs;
            for (const auto n : s->crowd_sizes) {
                auto config = s->crowd;
                config.leechers = n;
                const auto started = std::chrono::steady_clock::now();
                auto last = started;
                std::uint64_t last_events = 0;
                auto progress = [&](const sim::Progress& p) {
                    if (a->quiet) return;
                    const auto now = std::chrono::steady_clock::now();
                    const auto since = std::chrono::duration<double>(now - last).count();
                    if (since < (tty ? 1.0 : 10.0)) return;
                    std::fprintf(stderr, "%ssim: N=%u  t=%.0f s simulated  %.2fM events/s  %zu nodes alive  %u/%u complete%s",
                                 tty ? "\r" : "", n, p.simulated_s,
                                 static_cast<double>(p.events - last_events) / since / 1e6, p.alive, p.completed, p.of,
                                 tty ? "   " : "\n");
                    std::fflush(stderr);
                    last = now;
                    last_events = p.events;
                };
                // Each crowd size is its own world, with its own seed derived from the scenario's.
                auto r = sim::run_flash_crowd(config, s->info.seed * 1000003 + n, progress);
                const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
                if (!a->quiet)
                    std::fprintf(stderr, "%ssim: N=%u  %u/%u complete, swarm %.1f s, bound %.1f s (ratio %.2f), server %.1f s; "
                                 "%llu events in %.1f s wall\n",
                                 tty ? "\r" : "", n, r.completed, n, r.swarm_s, r.bound_s, r.ratio_to_bound, r.server_s,
                                 static_cast<unsigned long long>(r.events), wall);
                if (r.failure) std::fprintf(stderr, "agora: INVARIANT BROKEN at N=%u: %s\n", n, r.failure->c_str());
                runs.push_back(std::move(r));
            }
            if (auto w = write_flash_crowd(out, s->info, runs); !w) return report(w.error());
            std::printf("%s\n", (std::filesystem::path(out) / "summary.json").string().c_str());
            for (const auto& r : runs)
                if (r.failure) return exit_error;
            return exit_ok;
        };
    });
}

}  // namespace agora::cli
