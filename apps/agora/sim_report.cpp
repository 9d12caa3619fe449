#include "sim_report.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "sim/stats.hpp"

extern char** environ;

namespace agora::cli {

namespace {

// Three decimals: enough for seconds and rates, and the same text on every run.
double round3(double x) { return std::round(x * 1000) / 1000; }

Status write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return make_error(Error::Kind::io, path.string() + ": cannot write");
    return Ok{};
}

std::string quoted(const std::string& p) {
    std::string out = "\"";
    for (char c : p) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// Runs gnuplot on a script in `dir` (its names are relative, so the script is the same file
// wherever the output goes); false (with a note) when gnuplot is not installed or fails.
bool run_gnuplot(const std::filesystem::path& dir, const std::string& script) {
    char arg0[] = "gnuplot";
    std::vector<char> arg1(script.begin(), script.end());
    arg1.push_back('\0');
    char* argv[] = {arg0, arg1.data(), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        std::fprintf(stderr, "agora: gnuplot is not installed; plots skipped (the CSV files have the data)\n");
        return false;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "agora: gnuplot failed on %s; plots may be missing\n", (dir / script).c_str());
        return false;
    }
    return true;
}

// The same plot as PNG and SVG.
std::string both_formats(const std::string& stem, const std::string& body) {
    std::string out;
    out += "set terminal pngcairo size 960,600 font 'sans,11'\n";
    out += "set output " + quoted(stem + ".png") + "\n" + body;
    out += "set terminal svg size 960,600 font 'sans,11'\n";
    out += "set output " + quoted(stem + ".svg") + "\n" + body;
    return out;
}

struct Spread {
    double p10, p25, median, p75, p90, mean;
};
Spread spread(const std::vector<double>& v) {
    using sim::quantile;
    double sum = 0;
    for (double x : v) sum += x;
    return {quantile(v, 0.1), quantile(v, 0.25), quantile(v, 0.5), quantile(v, 0.75), quantile(v, 0.9),
            v.empty() ? 0 : sum / static_cast<double>(v.size())};
}
nlohmann::ordered_json to_json(const Spread& s) {
    return {{"p10", round3(s.p10)}, {"p25", round3(s.p25)}, {"median", round3(s.median)},
            {"p75", round3(s.p75)}, {"p90", round3(s.p90)}, {"mean", round3(s.mean)}};
}
std::string csv(const Spread& s) {
    return fmt::format("{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f}", s.p10, s.p25, s.median, s.p75, s.p90, s.mean);
}

// The output folder, made if missing, as an absolute path.
Result<std::filesystem::path> make_dir(const std::string& dir_text) {
    const std::filesystem::path dir = std::filesystem::absolute(dir_text);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(Error::Kind::io, dir.string() + ": " + ec.message());
    return dir;
}

// What every summary.json starts with.
nlohmann::ordered_json summary_of(const ScenarioInfo& scenario) {
    nlohmann::ordered_json j;
    j["scenario"] = scenario.name;
    j["kind"] = scenario.kind;
    j["seed"] = scenario.seed;
    return j;
}

}  // namespace

Status write_lossy(const std::string& dir_text, const ScenarioInfo& scenario, const std::vector<LossyRun>& runs) {
    const auto made = make_dir(dir_text);
    if (!made) return made.error();
    const std::filesystem::path& dir = *made;
    nlohmann::ordered_json summary = summary_of(scenario);
    std::string table = "condition,loss,latency_min_ms,latency_max_ms,leechers,completed,swarm_s,mean_s,"
                        "mean_throughput_bytes_per_s,nodes,lookups,found_rate,lookup_latency_median_s,"
                        "lookup_latency_p90_s,lookup_messages_median\n";
    for (const auto& run : runs) {
        const auto& c = run.condition;
        const std::string label = fmt::format("{:g}% loss, {:g}-{:g} ms", 100 * c.loss, c.latency_min_ms, c.latency_max_ms);
        std::vector<double> latency, messages;
        for (const auto& l : run.dht.lookups)
            if (l.ok) {
                latency.push_back(l.latency_s);
                messages.push_back(l.messages);
            }
        const Spread lat = spread(latency), msg = spread(messages);
        const double throughput = run.crowd.mean_s > 0 ? static_cast<double>(run.crowd.config.file_bytes) / run.crowd.mean_s : 0;
        const double found_rate =
            run.dht.lookups.empty() ? 0 : static_cast<double>(run.dht.found) / static_cast<double>(run.dht.lookups.size());
        nlohmann::ordered_json j;
        j["condition"] = label;
        j["loss"] = c.loss;
        j["latency_ms"] = {c.latency_min_ms, c.latency_max_ms};
        j["swarm"] = {{"leechers", run.crowd.config.leechers}, {"world_seed", run.crowd.world_seed},
                      {"completed", run.crowd.completed}, {"swarm_seconds", round3(run.crowd.swarm_s)},
                      {"mean_seconds", round3(run.crowd.mean_s)}, {"mean_throughput_bytes_per_s", std::round(throughput)},
                      {"invariants", run.crowd.failure ? *run.crowd.failure : "held"}};
        j["dht"] = {{"nodes", run.dht.config.nodes}, {"world_seed", run.dht.world_seed},
                    {"lookups", run.dht.lookups.size()}, {"found_rate", round3(found_rate)},
                    {"latency_seconds", to_json(lat)}, {"messages", to_json(msg)},
                    {"invariants", run.dht.failure ? *run.dht.failure : "held"}};
        summary["runs"].push_back(j);
        table += fmt::format("\"{}\",{},{:g},{:g},{},{},{:.3f},{:.3f},{:.0f},{},{},{:.3f},{:.3f},{:.3f},{:.3f}\n", label,
                             c.loss, c.latency_min_ms, c.latency_max_ms, run.crowd.config.leechers, run.crowd.completed,
                             run.crowd.swarm_s, run.crowd.mean_s, throughput, run.dht.config.nodes,
                             run.dht.lookups.size(), found_rate, lat.median, lat.p90, msg.median);
    }
    if (auto w = write_file(dir / "lossy.csv", table); !w) return w;
    if (auto w = write_file(dir / "summary.json", summary.dump(2) + "\n"); !w) return w;
    std::string script = fmt::format("set datafile separator ','\nset grid\nset key top right\nset style fill solid 0.5\n"
                                     "set boxwidth 0.5\nset xrange [-0.5:{}.5]\nset yrange [0:*]\n",
                                     runs.size() - 1);
    script += both_formats("throughput",
                           "set ylabel 'mean download throughput per leecher (MB/s)'\n"
                           "set title 'Swarm throughput under loss and latency'\n"
                           "plot 'lossy.csv' every ::1 using 0:($9/1e6):xtic(1) with boxes title 'flash crowd'\n");
    script += both_formats("lookup-latency",
                           "set ylabel 'lookup latency (s)'\nset title 'DHT lookup latency under loss and latency'\n"
                           "plot 'lossy.csv' every ::1 using 0:13:xtic(1) with boxes title 'median', "
                           "'' every ::1 using 0:14 with linespoints title 'p90'\n");
    if (auto w = write_file(dir / "plots.gp", script); !w) return w;
    run_gnuplot(dir, "plots.gp");
    return Ok{};
}

Status write_churn(const std::string& dir_text, const ScenarioInfo& scenario, const sim::ChurnResult& r) {
    const auto made = make_dir(dir_text);
    if (!made) return made.error();
    const std::filesystem::path& dir = *made;
    nlohmann::ordered_json j = summary_of(scenario);
    j["world_seed"] = r.world_seed;
    j["arrived"] = r.arrived;
    j["completed"] = r.completed;
    j["completion_rate"] = round3(r.arrived == 0 ? 0 : static_cast<double>(r.completed) / r.arrived);
    j["left_incomplete"] = r.left_incomplete;
    j["departed_at_once"] = r.departed_at_once;
    j["departure_at_seconds"] = round3(std::chrono::duration<double>(r.config.departure_at).count());
    j["lookup_found_rate_before"] = round3(r.found_before);
    j["lookup_found_rate_after"] = round3(r.found_after);  // over the three intervals after the departure
    j["lookup_found_rate_at_end"] = round3(r.found_end);
    j["recovery_seconds"] = r.recovery_s ? nlohmann::ordered_json(round3(*r.recovery_s)) : nlohmann::ordered_json();
    j["events"] = r.events;
    j["simulated_seconds"] = round3(r.simulated_s);
    j["invariants"] = r.failure ? *r.failure : "held";
    std::string table = "t_s,alive,arrived,left,completed,lookups,found,found_rate,download_bytes_per_s\n";
    for (const auto& s : r.series)
        table += fmt::format("{:.3f},{},{},{},{},{},{},{:.3f},{:.0f}\n", s.t, s.alive, s.arrived, s.left, s.completed,
                             s.lookups, s.found, s.lookups == 0 ? 0.0 : static_cast<double>(s.found) / s.lookups,
                             s.download_rate);
    if (auto w = write_file(dir / "churn.csv", table); !w) return w;
    if (auto w = write_file(dir / "summary.json", j.dump(2) + "\n"); !w) return w;
    const std::string script =
        "set datafile separator ','\nset grid\nset key center right\n" +
        both_formats("churn",
                     fmt::format("set xlabel 'simulated time (s)'\nset ylabel 'nodes'\nset y2label 'lookups that found "
                                 "the closest live node'\nset y2range [0:1.05]\nset y2tics\nset ytics nomirror\n"
                                 "set arrow from {0},graph 0 to {0},graph 1 nohead dt 2\n"
                                 "set title 'Churn: half the nodes leave at {0:g} s'\n"
                                 "plot 'churn.csv' every ::1 using 1:2 with lines lw 2 title 'alive', "
                                 "'' every ::1 using 1:3 with lines title 'arrived', "
                                 "'' every ::1 using 1:5 with lines title 'completed', "
                                 "'' every ::1 using 1:8 axes x1y2 with linespoints title 'lookups found closest'\n",
                                 std::chrono::duration<double>(r.config.departure_at).count()));
    if (auto w = write_file(dir / "plots.gp", script); !w) return w;
    run_gnuplot(dir, "plots.gp");
    return Ok{};
}

Status write_dht_scale(const std::string& dir_text, const ScenarioInfo& scenario,
                       const std::vector<sim::DhtScaleResult>& runs) {
    const auto made = make_dir(dir_text);
    if (!made) return made.error();
    const std::filesystem::path& dir = *made;
    nlohmann::ordered_json summary = summary_of(scenario);
    std::string table = "nodes,log2_nodes,lookups,finished,found_rate,"
                        "hops_p10,hops_p25,hops_median,hops_p75,hops_p90,hops_mean,"
                        "messages_p10,messages_p25,messages_median,messages_p75,messages_p90,messages_mean,"
                        "latency_p10,latency_p25,latency_median,latency_p75,latency_p90,latency_mean,events,simulated_s\n";
    for (const auto& r : runs) {
        std::vector<double> hops, messages, latency;
        std::string rows = "node,started_s,ok,found,hops,messages,replied,latency_s\n";
        for (const auto& l : r.lookups) {
            if (l.ok) {
                hops.push_back(l.hops);
                messages.push_back(l.messages);
                latency.push_back(l.latency_s);
            }
            rows += fmt::format("{},{:.3f},{},{},{},{},{},{:.3f}\n", l.node, l.started_s, l.ok ? 1 : 0, l.found ? 1 : 0,
                                l.hops, l.messages, l.replied, l.latency_s);
        }
        if (auto w = write_file(dir / fmt::format("lookups-{}.csv", r.config.nodes), rows); !w) return w;
        const double found_rate = r.lookups.empty() ? 0 : static_cast<double>(r.found) / static_cast<double>(r.lookups.size());
        const double log2n = std::log2(static_cast<double>(r.config.nodes));
        nlohmann::ordered_json j;
        j["nodes"] = r.config.nodes;
        j["world_seed"] = r.world_seed;
        j["log2_nodes"] = round3(log2n);
        j["lookups"] = r.lookups.size();
        j["finished"] = r.finished;
        j["found_closest"] = r.found;
        j["found_rate"] = round3(found_rate);
        j["mean_routing_table_nodes"] = round3(r.mean_table_nodes);
        j["hops"] = to_json(spread(hops));
        j["messages"] = to_json(spread(messages));
        j["latency_seconds"] = to_json(spread(latency));
        j["events"] = r.events;
        j["simulated_seconds"] = round3(r.simulated_s);
        j["invariants"] = r.failure ? *r.failure : "held";
        summary["runs"].push_back(j);
        table += fmt::format("{},{:.3f},{},{},{:.3f},{},{},{},{},{:.3f}\n", r.config.nodes, log2n, r.lookups.size(),
                             r.finished, found_rate, csv(spread(hops)), csv(spread(messages)), csv(spread(latency)),
                             r.events, r.simulated_s);
    }
    if (auto w = write_file(dir / "dht-scale.csv", table); !w) return w;
    if (auto w = write_file(dir / "summary.json", summary.dump(2) + "\n"); !w) return w;

    // Candlesticks: box p25-p75, whiskers p10-p90, a bar at the median; one column per N.
    std::string script = fmt::format("set datafile separator ','\nset grid\nset key top left\nset bars 4\n"
                                     "set xlabel 'DHT nodes (N)'\nset boxwidth 0.3 absolute\nset xrange [-0.5:{}.5]\n"
                                     "set yrange [0:*]\n",
                                     runs.size() - 1);
    auto panel = [&](const std::string& stem, int first_column, const std::string& ylabel, const std::string& title,
                     bool with_log2) {
        const int p10 = first_column, p25 = first_column + 1, med = first_column + 2, p75 = first_column + 3,
                  p90 = first_column + 4;
        std::string body = fmt::format("set ylabel '{}'\nset title '{}'\n", ylabel, title);
        body += fmt::format("plot 'dht-scale.csv' every ::1 using 0:{}:{}:{}:{}:xtic(1) with candlesticks lw 2 "
                            "title 'p10, p25, p75, p90', '' every ::1 using 0:{}:{}:{}:{} with candlesticks lt -1 lw 2 "
                            "notitle, '' every ::1 using 0:{} with linespoints title 'median'",
                            p25, p10, p90, p75, med, med, med, med, med);
        if (with_log2) body += ", '' every ::1 using 0:2 with linespoints dt 2 title 'log2(N)'";
        script += both_formats(stem, body + "\n");
    };
    panel("hops", 6, "hops to the closest node", "DHT lookups: hops against N", true);
    panel("messages", 12, "queries sent per lookup", "DHT lookups: messages against N", true);
    panel("latency", 18, "seconds per lookup", "DHT lookups: latency against N", false);
    if (auto w = write_file(dir / "plots.gp", script); !w) return w;
    run_gnuplot(dir, "plots.gp");
    return Ok{};
}

Status write_flash_crowd(const std::string& dir_text, const ScenarioInfo& scenario,
                         const std::vector<sim::FlashCrowdResult>& runs) {
    const auto made = make_dir(dir_text);
    if (!made) return made.error();
    const std::filesystem::path& dir = *made;

    nlohmann::ordered_json summary = summary_of(scenario);
    std::string table = "leechers,completed,swarm_s,server_s,bound_s,ratio_to_bound,mean_s,median_s,p90_s,events,simulated_s\n";
    for (const auto& r : runs) {
        nlohmann::ordered_json j;
        j["leechers"] = r.config.leechers;
        j["world_seed"] = r.world_seed;
        j["file_bytes"] = r.config.file_bytes;
        j["pieces"] = r.pieces;
        j["seed_upload_bytes_per_s"] = r.config.seed_upload;
        j["completed"] = r.completed;
        j["swarm_seconds"] = round3(r.swarm_s);
        j["server_seconds"] = round3(r.server_s);
        j["kumar_ross_bound_seconds"] = round3(r.bound_s);
        j["ratio_to_bound"] = round3(r.ratio_to_bound);
        j["mean_seconds"] = round3(r.mean_s);
        j["median_seconds"] = round3(r.median_s);
        j["p90_seconds"] = round3(r.p90_s);
        j["events"] = r.events;
        j["simulated_seconds"] = round3(r.simulated_s);
        j["invariants"] = r.failure ? *r.failure : "held";
        summary["runs"].push_back(j);
        table += fmt::format("{},{},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{},{:.3f}\n", r.config.leechers,
                             r.completed, r.swarm_s, r.server_s, r.bound_s, r.ratio_to_bound, r.mean_s, r.median_s,
                             r.p90_s, r.events, r.simulated_s);

        std::string series = "t_s,completed,alive,download_bytes_per_s,seed_upload_bytes_per_s\n";
        for (const auto& s : r.series)
            series += fmt::format("{:.3f},{},{},{:.0f},{:.0f}\n", s.t, s.completed, s.alive, s.download_rate,
                                  s.seed_upload_rate);
        if (auto w = write_file(dir / fmt::format("timeseries-{}.csv", r.config.leechers), series); !w) return w;
        std::string nodes = "node,link,upload_bytes_per_s,download_bytes_per_s,arrived_s,completed_s,bytes_sent,bytes_received\n";
        for (const auto& l : r.leechers)
            nodes += fmt::format("{},{},{},{},{:.3f},{},{},{}\n", l.node, l.link, l.upload, l.download, l.arrived_s,
                                 l.completed_s ? fmt::format("{:.3f}", *l.completed_s) : std::string(), l.bytes_sent,
                                 l.bytes_received);
        if (auto w = write_file(dir / fmt::format("nodes-{}.csv", r.config.leechers), nodes); !w) return w;
    }
    if (auto w = write_file(dir / "flash-crowd.csv", table); !w) return w;
    if (auto w = write_file(dir / "summary.json", summary.dump(2) + "\n"); !w) return w;

    std::string script = "set datafile separator ','\nset grid\nset key top left\n";
    // One size alone is a point: gnuplot cannot autoscale a log axis around it (and says so).
    const std::string x_range = runs.size() == 1 ? fmt::format("set xrange [{}:{}]\n", std::max(1u, runs[0].config.leechers / 2),
                                                               runs[0].config.leechers * 2)
                                                 : std::string();
    script += both_formats("completion",
                           "set logscale xy\n" + x_range + "set xlabel 'leechers arriving at once (N)'\n"
                           "set ylabel 'time until every leecher has the file (s)'\n"
                           "set title 'Flash crowd: agora swarm, one server, and the Kumar-Ross bound'\n"
                           "plot " + quoted("flash-crowd.csv") +
                               " every ::1 using 1:3 with linespoints lw 2 title 'agora swarm', "
                               "'' every ::1 using 1:4 with linespoints title 'one server: N F / u_s', "
                               "'' every ::1 using 1:5 with linespoints title 'Kumar-Ross lower bound'\n"
                           "unset logscale\nset autoscale x\n");
    for (const auto& r : runs) {
        const auto csv = quoted(fmt::format("timeseries-{}.csv", r.config.leechers));
        script += both_formats(fmt::format("progress-{}", r.config.leechers),
                               fmt::format("set xlabel 'simulated time (s)'\nset ylabel 'leechers complete'\n"
                                           "set y2label 'download, all nodes (MB/s)'\nset y2tics\nset ytics nomirror\n"
                                           "set title 'Flash crowd of {}: completions and aggregate download rate'\n"
                                           "plot {} every ::1 using 1:2 with lines lw 2 title 'complete', "
                                           "'' every ::1 using 1:($4/1e6) axes x1y2 with lines title 'download rate'\n"
                                           "unset y2tics\nunset y2label\nset ytics mirror\n",
                                           r.config.leechers, csv));
    }
    if (auto w = write_file(dir / "plots.gp", script); !w) return w;
    run_gnuplot(dir, "plots.gp");
    return Ok{};
}

}  // namespace agora::cli
