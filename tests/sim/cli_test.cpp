// `agora sim` as a user runs it: a scenario file in, a folder of results and plots out, the same
// bytes for the same seed, other bytes for another, and a clear error for a bad scenario.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

struct Run {
    int code = -1;
    std::string output;
};

Run agora(const std::string& args) {
    Run r;
    const std::string command = std::string(AGORA_BINARY) + " " + args + " 2>&1";
    FILE* p = popen(command.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, p)) r.output += buf;
    const int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

fs::path scratch(const std::string& name) {
    const auto dir = fs::temp_directory_path() / ("agora-sim-cli-" + std::to_string(getpid())) / name;
    fs::remove_all(dir);
    return dir;
}

std::string scenario(const char* name) { return std::string(AGORA_TEST_DATA) + "/sim/" + name; }

// Every file of `a` has a twin of the same bytes in `b`, and there are as many.
void expect_same_files(const fs::path& a, const fs::path& b) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(a)) {
        ++n;
        EXPECT_EQ(slurp(e.path()), slurp(b / e.path().filename())) << e.path().filename();
    }
    EXPECT_EQ(n, static_cast<std::size_t>(std::distance(fs::directory_iterator(b), fs::directory_iterator{})));
}

TEST(SimCommand, FlashCrowdWritesResultsAndPlotsTheSameForOneSeed) {
    const auto one = scratch("crowd-1"), two = scratch("crowd-2"), other = scratch("crowd-3");
    const auto r1 = agora("sim " + scenario("tiny-crowd.toml") + " -q --out " + one.string());
    ASSERT_EQ(r1.code, 0) << r1.output;
    for (const char* f : {"summary.json", "flash-crowd.csv", "timeseries-3.csv", "timeseries-6.csv", "nodes-6.csv",
                          "completion.png", "completion.svg", "progress-6.png", "progress-6.svg", "plots.gp"})
        EXPECT_TRUE(fs::exists(one / f)) << f;
    const auto summary = nlohmann::json::parse(slurp(one / "summary.json"));
    ASSERT_EQ(summary["runs"].size(), 2u);
    for (const auto& run : summary["runs"]) {
        EXPECT_EQ(run["completed"], run["leechers"]);
        EXPECT_EQ(run["invariants"], "held");
        EXPECT_GE(run["swarm_seconds"].get<double>(), run["kumar_ross_bound_seconds"].get<double>());
    }
    ASSERT_EQ(agora("sim " + scenario("tiny-crowd.toml") + " -q --out " + two.string()).code, 0);
    expect_same_files(one, two);
    ASSERT_EQ(agora("sim " + scenario("tiny-crowd.toml") + " -q --seed 4 --out " + other.string()).code, 0);
    EXPECT_NE(slurp(one / "summary.json"), slurp(other / "summary.json"));
    EXPECT_NE(slurp(one / "nodes-6.csv"), slurp(other / "nodes-6.csv"));
}

// A crowd of one size is one point on the completion plot: plotted without a word from gnuplot
// (which cannot autoscale a log axis around one point by itself), so -q prints only the summary's path.
TEST(SimCommand, OneCrowdSizeIsPlottedQuietly) {
    const auto out = scratch("crowd-one-size");
    fs::create_directories(out);
    std::string text = slurp(scenario("tiny-crowd.toml"));
    const auto at = text.find("leechers = ");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, text.find('\n', at) - at, "leechers = [4]");
    const auto file = out / "one-size.toml";
    std::ofstream(file) << text;
    const auto r = agora("sim " + file.string() + " -q --out " + (out / "results").string());
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_EQ(r.output, (out / "results" / "summary.json").string() + "\n");
    EXPECT_TRUE(fs::exists(out / "results" / "completion.png"));
}

// Runs a tiny crowd of 8 leechers, which must all complete; the rows of its nodes-8.csv, split.
std::vector<std::vector<std::string>> run_crowd_of_8(const char* file, const char* name) {
    const auto out = scratch(name);
    const auto r = agora("sim " + scenario(file) + " -q --out " + out.string());
    EXPECT_EQ(r.code, 0) << r.output;
    if (r.code != 0) return {};
    const auto summary = nlohmann::json::parse(slurp(out / "summary.json"));
    EXPECT_EQ(summary["runs"][0]["completed"], 8);
    std::istringstream nodes(slurp(out / "nodes-8.csv"));
    std::string line;
    std::getline(nodes, line);
    EXPECT_EQ(line, "node,link,upload_bytes_per_s,download_bytes_per_s,arrived_s,completed_s,bytes_sent,bytes_received");
    std::vector<std::vector<std::string>> rows;
    while (std::getline(nodes, line)) {
        std::vector<std::string> cell;
        std::istringstream fields(line);
        for (std::string f; std::getline(fields, f, ',');) cell.push_back(f);
        EXPECT_EQ(cell.size(), 8u) << line;
        if (cell.size() == 8) rows.push_back(std::move(cell));
    }
    return rows;
}

// A [[link]] may sit behind a NAT. With every leecher behind one, no two leechers meet: each
// gets the file from the seed and sends no block to anyone (requests and handshakes only).
TEST(SimCommand, LinksBehindNatsAreReadAndRun) {
    const auto rows = run_crowd_of_8("tiny-nat.toml", "crowd-nat");
    std::set<std::string> links;
    for (const auto& cell : rows) {
        links.insert(cell[1]);
        EXPECT_LT(std::stoull(cell[6]), 16'384u) << "node " << cell[0];
    }
    EXPECT_EQ(rows.size(), 8u);
    EXPECT_EQ(links, (std::set<std::string>{"cone", "symmetric"}));
}

// The same with port-forward on one link: its leechers take connections, so blocks flow between
// leechers (none would if the key were read and dropped: see the test above).
TEST(SimCommand, APortForwardOnALinkIsReadAndRun) {
    std::uint64_t forwarded_sent = 0;
    for (const auto& cell : run_crowd_of_8("tiny-nat-forward.toml", "crowd-nat-forward"))
        if (cell[1] == "forwarded") forwarded_sent += std::stoull(cell[6]);
    EXPECT_GT(forwarded_sent, 2u << 20) << "the forwarded leechers uploaded more than the file, together";
}

TEST(SimCommand, DhtScaleWritesResultsAndPlotsTheSameForOneSeed) {
    const auto one = scratch("dht-1"), two = scratch("dht-2");
    const auto r1 = agora("sim " + scenario("tiny-dht.toml") + " -q --out " + one.string());
    ASSERT_EQ(r1.code, 0) << r1.output;
    for (const char* f : {"summary.json", "dht-scale.csv", "lookups-30.csv", "lookups-60.csv", "hops.png", "hops.svg",
                          "messages.png", "latency.svg"})
        EXPECT_TRUE(fs::exists(one / f)) << f;
    const auto summary = nlohmann::json::parse(slurp(one / "summary.json"));
    for (const auto& run : summary["runs"]) {
        EXPECT_EQ(run["finished"], 20);
        EXPECT_GE(run["found_rate"].get<double>(), 0.9);
        EXPECT_EQ(run["invariants"], "held");
    }
    ASSERT_EQ(agora("sim " + scenario("tiny-dht.toml") + " -q --out " + two.string()).code, 0);
    expect_same_files(one, two);
}

TEST(SimCommand, LossAndLatencySlowTheSwarmAndTheLookups) {
    const auto out = scratch("lossy");
    const auto r = agora("sim " + scenario("tiny-lossy.toml") + " -q --out " + out.string());
    ASSERT_EQ(r.code, 0) << r.output;
    for (const char* f : {"summary.json", "lossy.csv", "throughput.png", "lookup-latency.svg"})
        EXPECT_TRUE(fs::exists(out / f)) << f;
    const auto runs = nlohmann::json::parse(slurp(out / "summary.json"))["runs"];
    ASSERT_EQ(runs.size(), 3u);
    double last_throughput = 1e18;
    for (const auto& run : runs) {
        EXPECT_EQ(run["swarm"]["completed"], 6) << run.dump();
        EXPECT_EQ(run["swarm"]["invariants"], "held");
        EXPECT_EQ(run["dht"]["invariants"], "held");
        const double throughput = run["swarm"]["mean_throughput_bytes_per_s"].get<double>();
        EXPECT_LT(throughput, last_throughput) << run.dump();  // more loss, slower
        last_throughput = throughput;
    }
    // Against the clean network: the lossy links cut throughput several-fold and slow lookups.
    const double clean = runs[0]["swarm"]["mean_throughput_bytes_per_s"].get<double>();
    EXPECT_LT(runs[1]["swarm"]["mean_throughput_bytes_per_s"].get<double>() * 2, clean);
    EXPECT_GE(runs[0]["dht"]["found_rate"].get<double>(), 0.9);
    EXPECT_LT(runs[0]["dht"]["latency_seconds"]["median"].get<double>(),
              runs[2]["dht"]["latency_seconds"]["median"].get<double>());
}

TEST(SimCommand, ChurnWritesItsSeriesAndSummary) {
    const auto out = scratch("churn");
    const auto r = agora("sim " + scenario("tiny-churn.toml") + " -q --out " + out.string());
    ASSERT_EQ(r.code, 0) << r.output;
    for (const char* f : {"summary.json", "churn.csv", "churn.png", "churn.svg"}) EXPECT_TRUE(fs::exists(out / f)) << f;
    const auto s = nlohmann::json::parse(slurp(out / "summary.json"));
    EXPECT_EQ(s["invariants"], "held");
    EXPECT_GT(s["arrived"].get<int>(), 20);
    EXPECT_GT(s["departed_at_once"].get<int>(), 5);
    EXPECT_GE(s["completion_rate"].get<double>(), 0.7);
    EXPECT_FALSE(s["recovery_seconds"].is_null());
}

TEST(SimCommand, BadScenariosAreRefusedClearly) {
    const auto dir = scratch("bad");
    fs::create_directories(dir);
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    };
    struct Case {
        std::string text;
        std::string says;
    };
    for (const auto& c : std::vector<Case>{
             {"kind = \"swarm\"\n", "kind must be"},
             {"kind = \"flash-crowd\"\n", "leechers must be"},
             {"kind = \"flash-crowd\"\nleechers = [0]\n", "leechers must be"},
             {"kind = \"flash-crowd\"\nleechers = [10, 1e300]\n", "leechers must be"},
             {"kind = \"flash-crowd\"\nleechers = 5\nnodes = 3\n", "unknown setting 'nodes'"},
             {"kind = \"flash-crowd\"\nleechers = 5\nloss = 2\n", "loss must be a number from 0 to 0.5"},
             {"kind = \"flash-crowd\"\nleechers = 5\nloss = nan\n", "loss must be a number from 0 to 0.5"},
             {"kind = \"flash-crowd\"\nleechers = 5\n[[link]]\nname = \"x\"\nshare = inf\nup-mbit = 1\ndown-mbit = 1\n",
              "every [[link]] needs"},
             {"kind = \"flash-crowd\"\nleechers = 5\n[[link]]\nname = \"x\"\nshare = 1\nup-mbit = 1\ndown-mbit = 1\n"
              "nat = \"cone\"\n",
              "[[link]] x: nat must be"},
             {"kind = \"flash-crowd\"\nleechers = 5\n[[link]]\nname = \"x\"\nshare = 1\nup-mbit = 1\ndown-mbit = 1\n"
              "nat = \"full-cone\"\nport-forward = \"yes\"\n",
              "[[link]] x: port-forward must be true or false"},
             {"kind = \"flash-crowd\"\nleechers = 5\n[[link]]\nname = \"x\"\nshare = 1\nup-mbit = 1\ndown-mbit = 1\n"
              "port-forward = true\n",
              "[[link]] x: port-forward needs a nat"},
             {"kind = \"flash-crowd\"\nleechers = 5\n[[link]]\nname = \"x\"\nshare = 1\nup-mbit = 1\ndown-mbit = 1\n"
              "up = 2\n",
              "unknown setting 'up' in a [[link]]"},
             {"kind = \"flash-crowd\"\nleechers = 5\npiece-kib = 20\n", "multiple of 16"},
             {"kind = \"dht-scale\"\nnodes = 10\nlatency-ms = [50, 10]\n", "latency-ms must be"},
             {"kind = = \"dht-scale\"\n", "bad.toml:1"},
             {"kind = \"lossy\"\nleechers = 5\nnodes = 10\n", "conditions must list"},
             {"kind = \"churn\"\ninitial = 5\ndeparture-at-s = 100\nduration-s = 50\n", "within duration-s"},
             {"kind = \"lossy\"\nleechers = 5\nnodes = 10\nconditions = [[0.9, 1, 2]]\n", "every condition must be"},
         }) {
        const auto r = agora("sim " + write("bad.toml", c.text) + " -q --out " + (dir / "out").string());
        EXPECT_EQ(r.code, 2) << c.text << r.output;
        EXPECT_NE(r.output.find(c.says), std::string::npos) << c.text << r.output;
    }
    const auto missing = agora("sim " + (dir / "nope.toml").string());
    EXPECT_NE(missing.code, 0);
}

}  // namespace
