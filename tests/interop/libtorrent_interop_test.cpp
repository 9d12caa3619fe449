// Interop tests: agora against the real libtorrent (Debian's python3-libtorrent 2.0.8, through
// lt_oracle.py) and mktorrent. For each data layout, torrents made by one program must read the
// same in the other (same info-hashes, same files in the same order), and agora's verify must see
// the same pieces as libtorrent's own check, on intact, corrupted and incomplete data.
//
// Each test makes its data in a fresh folder under /tmp from a seeded std::mt19937_64 and removes
// it at the end. Programs run as child processes; a failure prints the command and its output.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* agora_binary = AGORA_BINARY;
constexpr const char* system_python = "/usr/bin/python3";
constexpr const char* mktorrent_binary = "/usr/bin/mktorrent";
const std::string oracle_script = std::string(AGORA_INTEROP_DIR) + "/lt_oracle.py";

constexpr std::uint64_t kib = 1024;
constexpr std::uint64_t mib = 1024 * kib;
constexpr int agora_exit_incomplete = 4;  // `agora verify`: pieces missing or wrong
constexpr int mktorrent_piece_exp_min = 15;  // mktorrent 1.1 refuses pieces under 32 KiB

// --- layouts ---------------------------------------------------------------------------------

struct FileSpec {
    std::string path;  // as agora and libtorrent report it: the torrent name first for folders
    std::uint64_t size_bytes;
};

struct Layout {
    std::string label;  // test-name suffix: [A-Za-z0-9_] only
    std::string name;   // the torrent's name: the file, or the top folder, under SAVE/
    std::uint64_t piece_size_bytes;
    std::vector<FileSpec> files;
};

std::vector<Layout> layouts() {
    return {
        {"SingleFileUnaligned16K", "single.bin", 16 * kib, {{"single.bin", 5 * 16 * kib + 777}}},
        {"SingleFileAligned4M", "aligned.bin", 4 * mib, {{"aligned.bin", 3 * 4 * mib}}},
        {"NestedThreeLevels16K",
         "nest",
         16 * kib,
         {{"nest/top.bin", 40'000},
          {"nest/a/mid.bin", 3 * 16 * kib},
          {"nest/a/b/side.bin", 1},
          {"nest/a/b/c/deep.bin", 70'001}}},
        {"EmptyFilesFirstMiddleLast16K",
         "empties",
         16 * kib,
         {{"empties/a_first_empty", 0},
          {"empties/b.bin", 50'000},
          {"empties/c_middle_empty", 0},
          {"empties/d.bin", 2 * 16 * kib},
          {"empties/z_last_empty", 0}}},
        {"NonAsciiNames16K",
         "données",
         16 * kib,
         {{"données/ファイル.bin", 60'000},
          {"données/Ünïcödé", 20'000},
          {"données/sous-dossier/ñandú.txt", 16 * kib}}},
        {"MultiFile4M",
         "big",
         4 * mib,
         {{"big/one.bin", 5 * mib + 3}, {"big/two.bin", 4 * mib}, {"big/three.bin", mib - 1}}},
    };
}

enum class Mode { hybrid, v1_only };

const char* mode_name(Mode mode) { return mode == Mode::hybrid ? "Hybrid" : "V1Only"; }

// --- child processes -------------------------------------------------------------------------

struct ProcessResult {
    std::string command;
    int exit_code = -1;  // -1: did not exit normally
    std::string out;
    std::string err;

    std::string describe() const {
        return "command: " + command + "\nexit code: " + std::to_string(exit_code) +
               "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
};

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string shell_quote(const std::string& arg) {
    std::string quoted = "'";
    for (char c : arg) quoted += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// Runs argv[0] with the arguments, stdout and stderr going to files in `scratch` (files rather than
// pipes: nothing can fill up and block while we wait), and returns both with the exit code.
ProcessResult run_process(const std::vector<std::string>& argv, const fs::path& scratch, int serial) {
    ProcessResult result;
    for (const auto& arg : argv) result.command += (result.command.empty() ? "" : " ") + shell_quote(arg);
    const fs::path out_path = scratch / ("run" + std::to_string(serial) + ".out");
    const fs::path err_path = scratch / ("run" + std::to_string(serial) + ".err");

    std::vector<char*> c_argv;
    for (const auto& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
    c_argv.push_back(nullptr);

    const pid_t pid = fork();
    if (pid < 0) {
        result.err = "fork failed";
        return result;
    }
    if (pid == 0) {
        const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out_fd < 0 || err_fd < 0) _exit(126);
        dup2(out_fd, STDOUT_FILENO);
        dup2(err_fd, STDERR_FILENO);
        execv(c_argv[0], c_argv.data());
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    result.out = slurp(out_path);
    result.err = slurp(err_path);
    return result;
}

// --- what each program reports, in one shape -------------------------------------------------

struct TorrentView {
    std::string v1;  // hex, "" when absent
    std::string v2;  // hex, "" when absent
    std::vector<FileSpec> files;
    std::uint64_t piece_length = 0;
    std::uint64_t piece_count = 0;
    std::string source;  // the command and its output, for failure messages
};

std::string hex_or_empty(const json& value) { return value.is_null() ? std::string() : value.get<std::string>(); }

std::vector<FileSpec> files_of(const json& files) {
    std::vector<FileSpec> result;
    for (const auto& f : files) result.push_back({f.at("path").get<std::string>(), f.at("size").get<std::uint64_t>()});
    return result;
}

std::string describe(const std::vector<FileSpec>& files) {
    std::ostringstream s;
    for (const auto& f : files) s << "  " << f.path << " (" << f.size_bytes << " bytes)\n";
    return s.str();
}

bool same_files(const std::vector<FileSpec>& a, const std::vector<FileSpec>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const FileSpec& x, const FileSpec& y) { return x.path == y.path && x.size_bytes == y.size_bytes; });
}

std::string describe(const std::set<std::uint64_t>& pieces) {
    std::string s = "{";
    for (auto p : pieces) s += (s.size() > 1 ? ", " : "") + std::to_string(p);
    return s + "}";
}

// A seed from a label that is the same on every machine and library (std::hash need not be).
std::uint64_t fnv1a(const std::string& text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

// --- the fixture -----------------------------------------------------------------------------

class InteropTest : public testing::Test {
protected:
    void SetUp() override {
        if (access(system_python, X_OK) != 0 || access(mktorrent_binary, X_OK) != 0) {
            GTEST_FAIL() << "needs /usr/bin/python3 with python3-libtorrent, and mktorrent (apt-get install "
                            "python3-libtorrent mktorrent)";
        }
        std::string pattern = "/tmp/agora-interop-XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr) << "mkdtemp failed";
        root_ = pattern;
        fs::create_directories(root_ / "scratch");
    }

    void TearDown() override {
        if (!root_.empty()) {
            std::error_code ignored;
            fs::remove_all(root_, ignored);
        }
    }

    fs::path save_dir() const { return root_ / "save"; }
    fs::path content_path(const Layout& layout) const { return save_dir() / layout.name; }
    fs::path torrent_path(const std::string& stem) const { return root_ / (stem + ".torrent"); }

    // Writes every file of the layout under SAVE/, each from its own seeded generator.
    void write_layout(const Layout& layout) {
        std::uint64_t seed = fnv1a(layout.label);
        for (const auto& file : layout.files) {
            const fs::path path = save_dir() / file.path;
            fs::create_directories(path.parent_path());
            std::mt19937_64 random(seed++);
            std::string bytes(file.size_bytes, '\0');
            for (std::size_t i = 0; i < bytes.size(); i += 8) {
                std::uint64_t word = random();
                for (std::size_t j = 0; j < 8 && i + j < bytes.size(); ++j) {
                    bytes[i + j] = static_cast<char>(word >> (8 * j));
                }
            }
            std::ofstream out(path, std::ios::binary);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            ASSERT_TRUE(out.good()) << "cannot write " << path;
        }
    }

    ProcessResult run(const std::vector<std::string>& argv) { return run_process(argv, root_ / "scratch", serial_++); }

    // Runs and expects exit code `expected_exit`; on mismatch, the failure shows the whole run.
    ProcessResult run_expecting(const std::vector<std::string>& argv, int expected_exit = 0) {
        ProcessResult r = run(argv);
        EXPECT_EQ(r.exit_code, expected_exit) << r.describe();
        return r;
    }

    json parse_json(const ProcessResult& r) {
        try {
            return json::parse(r.out);
        } catch (const json::exception& e) {
            ADD_FAILURE() << "not JSON (" << e.what() << ")\n" << r.describe();
            return json::object();
        }
    }

    // --- the programs ---

    void agora_create(const Layout& layout, Mode mode, const fs::path& out, bool default_piece_size = false) {
        std::vector<std::string> argv = {agora_binary, "create", content_path(layout).string(), "-o", out.string(), "-q",
                                         "--no-date"};
        if (!default_piece_size) {
            argv.push_back("--piece-size");
            argv.push_back(std::to_string(layout.piece_size_bytes));
        }
        if (mode == Mode::v1_only) argv.push_back("--v1-only");
        run_expecting(argv);
    }

    void libtorrent_create(const Layout& layout, Mode mode, const fs::path& out, bool default_piece_size = false) {
        std::vector<std::string> argv = {system_python, oracle_script, "create", content_path(layout).string(),
                                         out.string()};
        if (!default_piece_size) {
            argv.push_back("--piece-size");
            argv.push_back(std::to_string(layout.piece_size_bytes));
        }
        if (mode == Mode::v1_only) argv.push_back("--v1-only");
        run_expecting(argv);
    }

    TorrentView agora_info(const fs::path& torrent) {
        const ProcessResult r = run_expecting({agora_binary, "info", torrent.string(), "--json"});
        const json j = parse_json(r);
        TorrentView view;
        view.source = r.describe();
        if (!j.contains("info_hash_v1")) return view;
        view.v1 = hex_or_empty(j.at("info_hash_v1"));
        view.v2 = hex_or_empty(j.at("info_hash_v2"));
        view.files = files_of(j.at("files"));
        view.piece_length = j.at("piece_length").get<std::uint64_t>();
        view.piece_count = j.at("piece_count").get<std::uint64_t>();
        return view;
    }

    TorrentView libtorrent_info(const fs::path& torrent) {
        const ProcessResult r = run_expecting({system_python, oracle_script, "info", torrent.string()});
        const json j = parse_json(r);
        TorrentView view;
        view.source = r.describe();
        if (!j.contains("v1")) return view;
        view.v1 = hex_or_empty(j.at("v1"));
        view.v2 = hex_or_empty(j.at("v2"));
        view.files = files_of(j.at("files"));
        view.piece_length = j.at("piece_length").get<std::uint64_t>();
        view.piece_count = j.at("num_pieces").get<std::uint64_t>();
        return view;
    }

    // The pieces `agora verify` finds good, with the exit code checked against completeness.
    std::set<std::uint64_t> agora_have(const fs::path& torrent, std::string& source) {
        const ProcessResult r = run({agora_binary, "verify", torrent.string(), save_dir().string(), "--json", "-q"});
        source = r.describe();
        const json j = parse_json(r);
        if (!j.contains("pieces_total")) return {};
        const bool complete = j.at("complete").get<bool>();
        EXPECT_EQ(r.exit_code, complete ? 0 : agora_exit_incomplete) << r.describe();
        std::set<std::uint64_t> have;
        for (std::uint64_t i = 0; i < j.at("pieces_total").get<std::uint64_t>(); ++i) have.insert(i);
        for (const auto& missing : j.at("missing")) have.erase(missing.get<std::uint64_t>());
        EXPECT_EQ(have.size(), j.at("pieces_have").get<std::uint64_t>()) << r.describe();
        return have;
    }

    std::set<std::uint64_t> libtorrent_have(const fs::path& torrent, std::string& source) {
        const ProcessResult r = run_expecting({system_python, oracle_script, "check", torrent.string(), save_dir().string()});
        source = r.describe();
        const json j = parse_json(r);
        std::set<std::uint64_t> have;
        if (!j.contains("have")) return have;
        for (const auto& piece : j.at("have")) have.insert(piece.get<std::uint64_t>());
        return have;
    }

    // Both programs' views of the same data; they must agree, and the result is returned.
    std::set<std::uint64_t> agreed_have(const fs::path& torrent) {
        std::string agora_source;
        std::string libtorrent_source;
        const auto by_agora = agora_have(torrent, agora_source);
        const auto by_libtorrent = libtorrent_have(torrent, libtorrent_source);
        EXPECT_EQ(by_agora, by_libtorrent) << "agora verify has " << describe(by_agora) << "\nlibtorrent has  "
                                           << describe(by_libtorrent) << "\n" << agora_source << "\n"
                                           << libtorrent_source;
        return by_agora;
    }

private:
    fs::path root_;
    int serial_ = 0;
};

// Expects two views of one torrent to agree on hashes, piece geometry and files; a failure shows
// both commands and their output.
void expect_same_torrent(const TorrentView& first, const TorrentView& second, Mode mode) {
    SCOPED_TRACE("first view from:\n" + first.source + "\nsecond view from:\n" + second.source);
    EXPECT_EQ(first.v1, second.v1) << "v1 info-hash";
    EXPECT_EQ(first.v2, second.v2) << "v2 info-hash";
    EXPECT_FALSE(first.v1.empty()) << "every torrent here has a v1 hash";
    EXPECT_EQ(first.v2.empty(), mode == Mode::v1_only) << "a v2 hash exactly for hybrids";
    EXPECT_EQ(first.piece_length, second.piece_length);
    EXPECT_EQ(first.piece_count, second.piece_count);
    EXPECT_TRUE(same_files(first.files, second.files)) << "first files:\n" << describe(first.files)
                                                             << "second files:\n" << describe(second.files);
}

// Expects the torrent to list exactly the files the layout wrote (in any order).
void expect_files_of_layout(const TorrentView& view, const Layout& layout) {
    auto by_path = [](const FileSpec& a, const FileSpec& b) { return a.path < b.path; };
    auto listed = view.files;
    auto written = layout.files;
    std::sort(listed.begin(), listed.end(), by_path);
    std::sort(written.begin(), written.end(), by_path);
    EXPECT_TRUE(same_files(listed, written)) << "listed:\n" << describe(listed) << "written:\n" << describe(written);
}

// Where the file's byte lands in the torrent, as a piece index. Hybrid torrents pad every file to
// a piece boundary (BEP 47 pad files, which both programs leave out of the file lists); v1-only
// torrents made here have no padding.
std::uint64_t piece_of_byte(const TorrentView& view, Mode mode, const std::string& path, std::uint64_t offset) {
    std::uint64_t torrent_offset = 0;
    for (const auto& file : view.files) {
        if (file.path == path) return (torrent_offset + offset) / view.piece_length;
        const std::uint64_t padded = (file.size_bytes + view.piece_length - 1) / view.piece_length * view.piece_length;
        torrent_offset += mode == Mode::hybrid ? padded : file.size_bytes;
    }
    ADD_FAILURE() << path << " is not in the torrent";
    return 0;
}

const FileSpec& largest_file(const Layout& layout) {
    return *std::max_element(layout.files.begin(), layout.files.end(),
                             [](const FileSpec& a, const FileSpec& b) { return a.size_bytes < b.size_bytes; });
}

// --- parameterised over layout × mode --------------------------------------------------------

struct Case {
    Layout layout;
    Mode mode;
};

// Names a case in failure messages instead of gtest's byte dump.
void PrintTo(const Case& c, std::ostream* os) { *os << c.layout.label << " " << mode_name(c.mode); }
void PrintTo(const Layout& layout, std::ostream* os) { *os << layout.label; }

class LayoutModeTest : public InteropTest, public testing::WithParamInterface<Case> {};

std::vector<Case> all_cases() {
    std::vector<Case> cases;
    for (const auto& layout : layouts()) {
        cases.push_back({layout, Mode::hybrid});
        cases.push_back({layout, Mode::v1_only});
    }
    return cases;
}

// A torrent agora makes reads in libtorrent with the info-hashes and files agora reports.
TEST_P(LayoutModeTest, AgoraCreatedTorrentReadsTheSameInLibtorrent) {
    const auto& [layout, mode] = GetParam();
    ASSERT_NO_FATAL_FAILURE(write_layout(layout));
    const auto torrent = torrent_path("agora");
    agora_create(layout, mode, torrent);
    const auto by_agora = agora_info(torrent);
    expect_same_torrent(by_agora, libtorrent_info(torrent), mode);
    expect_files_of_layout(by_agora, layout);
    EXPECT_EQ(by_agora.piece_length, layout.piece_size_bytes);
}

// A torrent libtorrent makes reads in agora with libtorrent's own info-hashes and files.
TEST_P(LayoutModeTest, LibtorrentCreatedTorrentReadsTheSameInAgora) {
    const auto& [layout, mode] = GetParam();
    ASSERT_NO_FATAL_FAILURE(write_layout(layout));
    const auto torrent = torrent_path("libtorrent");
    libtorrent_create(layout, mode, torrent);
    const auto by_libtorrent = libtorrent_info(torrent);
    expect_same_torrent(agora_info(torrent), by_libtorrent, mode);
    expect_files_of_layout(by_libtorrent, layout);
}

// agora and libtorrent, given the same data and piece size, build byte-identical info dicts
// (the same info-hashes); with no piece size given, both choose the same one.
TEST_P(LayoutModeTest, AgoraAndLibtorrentMakeTheSameInfoHashes) {
    const auto& [layout, mode] = GetParam();
    ASSERT_NO_FATAL_FAILURE(write_layout(layout));
    // libtorrent lists a v1-only torrent's files in directory-read order, agora in sorted order
    // (BEP 3 sets none; BEP 52's file tree is sorted, so hybrids agree): for several files in v1
    // only the same files and geometry can be expected, not the same hash.
    const bool order_may_differ = mode == Mode::v1_only && layout.files.size() > 1;
    for (bool default_piece_size : {false, true}) {
        SCOPED_TRACE(default_piece_size ? "default piece size" : "explicit piece size");
        const auto by_agora = torrent_path(default_piece_size ? "agora-default" : "agora");
        const auto by_libtorrent = torrent_path(default_piece_size ? "libtorrent-default" : "libtorrent");
        agora_create(layout, mode, by_agora, default_piece_size);
        libtorrent_create(layout, mode, by_libtorrent, default_piece_size);
        const auto agora_view = agora_info(by_agora);
        const auto libtorrent_view = agora_info(by_libtorrent);
        if (order_may_differ) {
            EXPECT_EQ(agora_view.piece_length, libtorrent_view.piece_length);
            EXPECT_EQ(agora_view.piece_count, libtorrent_view.piece_count);
            expect_files_of_layout(agora_view, layout);
            expect_files_of_layout(libtorrent_view, layout);
        } else {
            expect_same_torrent(agora_view, libtorrent_view, mode);
        }
    }
}

// On intact data, agora verify and libtorrent's check both have every piece, for a torrent made
// by agora and for one made by libtorrent (whose v1-only file order is not agora's).
TEST_P(LayoutModeTest, VerifyAgreesOnIntactData) {
    const auto& [layout, mode] = GetParam();
    ASSERT_NO_FATAL_FAILURE(write_layout(layout));
    const auto by_agora = torrent_path("agora");
    agora_create(layout, mode, by_agora);
    EXPECT_EQ(agreed_have(by_agora).size(), agora_info(by_agora).piece_count);
    const auto by_libtorrent = torrent_path("libtorrent");
    libtorrent_create(layout, mode, by_libtorrent);
    EXPECT_EQ(agreed_have(by_libtorrent).size(), libtorrent_info(by_libtorrent).piece_count);
}

// One flipped byte in the middle of a file: agora and libtorrent both miss exactly its piece.
TEST_P(LayoutModeTest, VerifyAgreesOnOneCorruptedByte) {
    const auto& [layout, mode] = GetParam();
    ASSERT_NO_FATAL_FAILURE(write_layout(layout));
    const auto torrent = torrent_path("agora");
    agora_create(layout, mode, torrent);
    const auto view = agora_info(torrent);

    const FileSpec& victim = largest_file(layout);
    const std::uint64_t offset = victim.size_bytes / 2;
    {
        std::fstream file(save_dir() / victim.path, std::ios::in | std::ios::out | std::ios::binary);
        file.seekg(static_cast<std::streamoff>(offset));
        const char old_byte = static_cast<char>(file.get());
        file.seekp(static_cast<std::streamoff>(offset));
        file.put(static_cast<char>(old_byte ^ 0x5a));
        ASSERT_TRUE(file.good()) << "cannot corrupt " << victim.path;
    }
    const std::uint64_t bad_piece = piece_of_byte(view, mode, victim.path, offset);
    SCOPED_TRACE("flipped byte " + std::to_string(offset) + " of " + victim.path + ", in piece " +
                 std::to_string(bad_piece));

    const auto have = agreed_have(torrent);
    std::set<std::uint64_t> expected;
    for (std::uint64_t i = 0; i < view.piece_count; ++i) {
        if (i != bad_piece) expected.insert(i);
    }
    EXPECT_EQ(have, expected) << "have " << describe(have);
}

// One file deleted: agora and libtorrent agree on which pieces remain, and some are missing.
TEST_P(LayoutModeTest, VerifyAgreesWithOneFileDeleted) {
    const auto& [layout, mode] = GetParam();
    ASSERT_NO_FATAL_FAILURE(write_layout(layout));
    const auto torrent = torrent_path("agora");
    agora_create(layout, mode, torrent);
    const auto view = agora_info(torrent);

    // The first file with data: in a multi-file layout its neighbours stay, in v1 they may share
    // pieces with it.
    const auto victim = std::find_if(layout.files.begin(), layout.files.end(),
                                     [](const FileSpec& f) { return f.size_bytes > 0; });
    ASSERT_NE(victim, layout.files.end());
    ASSERT_TRUE(fs::remove(save_dir() / victim->path)) << victim->path;
    SCOPED_TRACE("deleted " + victim->path);

    const auto have = agreed_have(torrent);
    EXPECT_LT(have.size(), view.piece_count);
    EXPECT_EQ(have.count(piece_of_byte(view, mode, victim->path, 0)), 0U);
}

std::string case_name(const testing::TestParamInfo<Case>& param_info) {
    return param_info.param.layout.label + "_" + mode_name(param_info.param.mode);
}

INSTANTIATE_TEST_SUITE_P(Layouts, LayoutModeTest, testing::ValuesIn(all_cases()), case_name);

// --- mktorrent (v1 only) ---------------------------------------------------------------------

class LayoutTest : public InteropTest, public testing::WithParamInterface<Layout> {};

// A v1 torrent made by mktorrent gets the same info-hash and files in agora as in libtorrent.
TEST_P(LayoutTest, MktorrentTorrentReadsTheSameInAgoraAndLibtorrent) {
    const Layout& layout = GetParam();
    ASSERT_NO_FATAL_FAILURE(write_layout(layout));
    int piece_exp = 0;
    while ((std::uint64_t{1} << piece_exp) < layout.piece_size_bytes) ++piece_exp;
    piece_exp = std::max(piece_exp, mktorrent_piece_exp_min);
    const auto torrent = torrent_path("mktorrent");
    run_expecting({mktorrent_binary, "-l", std::to_string(piece_exp), "-o", torrent.string(),
                   content_path(layout).string()});
    const auto by_libtorrent = libtorrent_info(torrent);
    expect_same_torrent(agora_info(torrent), by_libtorrent, Mode::v1_only);
    expect_files_of_layout(by_libtorrent, layout);
}

std::string layout_name(const testing::TestParamInfo<Layout>& param_info) { return param_info.param.label; }

INSTANTIATE_TEST_SUITE_P(Layouts, LayoutTest, testing::ValuesIn(layouts()), layout_name);

}  // namespace
