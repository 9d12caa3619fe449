// agora sim SCENARIO.toml [--seed N] [--out DIR]: runs a scenario in the simulator (src/sim/) —
// real agora engines on a simulated network, disk and clock — shows progress, and writes the
// results and plots. The scenario file's keys are documented in scenarios/README.md.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include "commands.hpp"
#include "sim/churn.hpp"
#include "sim/dht_scale.hpp"
#include "sim/flash_crowd.hpp"
#include "scenario.hpp"
#include "sim_report.hpp"

namespace agora::cli {
namespace {

// A large world is a few GiB of small objects touched at random, so TLB misses on 4 KiB pages
// weigh on every event. glibc backs its heap with transparent huge pages when asked by the
// glibc.malloc.hugetlb tunable, which is read only at start-up, so the command starts itself again
// with it set (once: the tunable in the environment marks the second start). The flash crowd ran
// in 181 s instead of 217 s with it at 1,000 leechers and 2,389 s instead of 3,206 s at 10,000,
// outputs byte-identical (allocation addresses never decide anything in a run). Kernels without
// THP ignore the advice.
void restart_with_huge_pages() {
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    if (tunables != nullptr && std::string_view(tunables).find("glibc.malloc.hugetlb") != std::string_view::npos) return;
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::vector<std::string> args;
    for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
    if (args.empty()) return;
    std::string value = "glibc.malloc.hugetlb=1";
    if (tunables != nullptr && *tunables != '\0') value = std::string(tunables) + ":" + value;
    if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::fflush(nullptr);
    execv("/proc/self/exe", argv.data());  // returns only on failure: run without
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
            restart_with_huge_pages();
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
            // A progress line: every wall second on a terminal, every ten otherwise.
            struct Meter {
                std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now(), last = started;
                std::uint64_t last_events = 0;
                double wall() const {
                    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
                }
            };
            auto meter_for = [&](std::uint32_t n, Meter& m, const char* what) {
                return [&m, n, what, tty, quiet = a->quiet](const sim::Progress& p) {
                    if (quiet) return;
                    const auto now = std::chrono::steady_clock::now();
                    const auto since = std::chrono::duration<double>(now - m.last).count();
                    if (since < (tty ? 1.0 : 10.0)) return;
                    std::fprintf(stderr, "%ssim: N=%u  t=%.0f s simulated  %.2fM events/s  %zu nodes alive  %u/%u %s%s",
                                 tty ? "\r" : "", n, p.simulated_s,
                                 static_cast<double>(p.events - m.last_events) / since / 1e6, p.alive, p.completed, p.of,
                                 what, tty ? "   " : "\n");
                    std::fflush(stderr);
                    m.last = now;
                    m.last_events = p.events;
                };
            };
            auto peak_mib = [] {
                rusage u{};
                getrusage(RUSAGE_SELF, &u);
                return static_cast<double>(u.ru_maxrss) / 1024;  // ru_maxrss is in KiB
            };
            bool broken = false;
            // Each size is its own world, with its own seed derived from the scenario's.
            if (s->info.kind == "flash-crowd") {
                std::vector<sim::FlashCrowdResult> runs;
                for (const auto n : s->sizes) {
                    auto config = s->crowd;
                    config.leechers = n;
                    Meter m;
                    auto r = sim::run_flash_crowd(config, s->info.seed * 1000003 + n, meter_for(n, m, "complete"));
                    if (!a->quiet)
                        std::fprintf(stderr,
                                     "%ssim: N=%u  %u/%u complete, swarm %.1f s, bound %.1f s (ratio %.2f), server %.1f s; "
                                     "%llu events in %.1f s wall (%.2fM/s), peak memory %.0f MiB\n",
                                     tty ? "\r" : "", n, r.completed, n, r.swarm_s, r.bound_s, r.ratio_to_bound, r.server_s,
                                     static_cast<unsigned long long>(r.events), m.wall(),
                                     static_cast<double>(r.events) / m.wall() / 1e6, peak_mib());
                    if (r.failure) std::fprintf(stderr, "agora: INVARIANT BROKEN at N=%u: %s\n", n, r.failure->c_str());
                    broken = broken || r.failure;
                    runs.push_back(std::move(r));
                }
                if (auto w = write_flash_crowd(out, s->info, runs); !w) return report(w.error());
            } else if (s->info.kind == "churn") {
                Meter m;
                auto r = sim::run_churn(s->churn, s->info.seed * 1000003, meter_for(s->churn.initial, m, "complete"));
                if (!a->quiet)
                    std::fprintf(stderr,
                                 "%ssim: %u arrived, %u completed, %u left incomplete; lookups found the closest node "
                                 "%.0f%% before, %.0f%% over the three intervals after half left, %.0f%% at the end; recovered in %s; "
                                 "%.1f s wall\n",
                                 tty ? "\r" : "", r.arrived, r.completed, r.left_incomplete, 100 * r.found_before,
                                 100 * r.found_after, 100 * r.found_end,
                                 r.recovery_s ? (std::to_string(static_cast<int>(*r.recovery_s)) + " s").c_str() : "never",
                                 m.wall());
                if (r.failure) std::fprintf(stderr, "agora: INVARIANT BROKEN: %s\n", r.failure->c_str());
                broken = r.failure.has_value();
                if (auto w = write_churn(out, s->info, r); !w) return report(w.error());
            } else if (s->info.kind == "lossy") {
                std::vector<LossyRun> runs;
                for (std::size_t i = 0; i < s->conditions.size(); ++i) {
                    const auto& c = s->conditions[i];
                    const sim::LatencyRange latency{Duration(static_cast<Duration::rep>(c.latency_min_ms * 1000)),
                                                    Duration(static_cast<Duration::rep>(c.latency_max_ms * 1000))};
                    auto crowd = s->crowd;
                    crowd.loss = c.loss;
                    crowd.latency = latency;
                    auto dht = s->dht;
                    dht.loss = c.loss;
                    dht.latency = latency;
                    const auto n = static_cast<std::uint32_t>(i);
                    Meter m;
                    LossyRun result{c, sim::run_flash_crowd(crowd, s->info.seed * 1000003 + 2 * i, meter_for(n, m, "complete")),
                                 sim::run_dht_scale(dht, s->info.seed * 1000003 + 2 * i + 1, meter_for(n, m, "lookups"))};
                    if (!a->quiet)
                        std::fprintf(stderr,
                                     "%ssim: loss %.1f%%, latency %g-%g ms: swarm %.1f s (mean %.1f s), %u/%zu lookups "
                                     "found the closest node; %.1f s wall\n",
                                     tty ? "\r" : "", 100 * c.loss, c.latency_min_ms, c.latency_max_ms,
                                     result.crowd.swarm_s, result.crowd.mean_s, result.dht.found, result.dht.lookups.size(), m.wall());
                    for (const auto* f : {&result.crowd.failure, &result.dht.failure})
                        if (*f) {
                            std::fprintf(stderr, "agora: INVARIANT BROKEN: %s\n", (*f)->c_str());
                            broken = true;
                        }
                    runs.push_back(std::move(result));
                }
                if (auto w = write_lossy(out, s->info, runs); !w) return report(w.error());
            } else {
                std::vector<sim::DhtScaleResult> runs;
                for (const auto n : s->sizes) {
                    auto config = s->dht;
                    config.nodes = n;
                    Meter m;
                    auto r = sim::run_dht_scale(config, s->info.seed * 1000003 + n, meter_for(n, m, "lookups done"));
                    if (!a->quiet)
                        std::fprintf(stderr,
                                     "%ssim: N=%u  %u/%zu lookups found the closest node; %llu events in %.1f s wall "
                                     "(%.2fM/s), peak memory %.0f MiB\n",
                                     tty ? "\r" : "", n, r.found, r.lookups.size(),
                                     static_cast<unsigned long long>(r.events), m.wall(),
                                     static_cast<double>(r.events) / m.wall() / 1e6, peak_mib());
                    if (r.failure) std::fprintf(stderr, "agora: INVARIANT BROKEN at N=%u: %s\n", n, r.failure->c_str());
                    broken = broken || r.failure;
                    runs.push_back(std::move(r));
                }
                if (auto w = write_dht_scale(out, s->info, runs); !w) return report(w.error());
            }
            std::printf("%s\n", (std::filesystem::path(out) / "summary.json").string().c_str());
            return broken ? exit_error : exit_ok;
        };
    });
}

}  // namespace agora::cli
