// The 108 libtorrent test torrents (tests/data/libtorrent-test-torrents, see its README): each is
// accepted or rejected as index.tsv says; accepted ones have only safe, unique paths; and parsing
// never allocates more than a small multiple of the input's size at once.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <set>
#include <sstream>

#include "meta/torrent_info.hpp"

namespace {
// Largest single allocation while `tracking` is set (global operator new is replaced for this
// test binary; it only counts and forwards to malloc).
std::atomic<bool> tracking{false};
std::atomic<std::size_t> largest_allocation{0};
}  // namespace

void* operator new(std::size_t size) {
    if (tracking.load(std::memory_order_relaxed)) {
        std::size_t seen = largest_allocation.load(std::memory_order_relaxed);
        while (size > seen && !largest_allocation.compare_exchange_weak(seen, size)) {
        }
    }
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
// The nothrow form too (std::stable_sort's temporary buffer uses it): its memory is freed by the
// replaced operator delete below, so it must come from malloc as well.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return std::malloc(size ? size : 1); }
// GCC's optimiser sees free() meet memory it believes came from operator new and warns; here the
// pairing is right, as every operator new above takes its memory from malloc.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace {

const std::string corpus_dir = std::string(AGORA_TEST_DATA) + "/libtorrent-test-torrents";

struct Row {
    std::string file;
    std::string expected;
    std::string note;
};

std::vector<Row> read_index() {
    std::ifstream in(corpus_dir + "/index.tsv");
    std::vector<Row> rows;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::vector<std::string> cols;
        std::stringstream ss(line);
        std::string col;
        while (std::getline(ss, col, '\t')) cols.push_back(col);
        if (cols.size() >= 4) rows.push_back(Row{cols[0], cols[3], cols.size() > 5 ? cols[5] : ""});
    }
    return rows;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// True when `path` (relative, '/'-separated) stays inside a save folder once resolved.
bool stays_inside(const std::string& path) {
    namespace fs = std::filesystem;
    if (path.empty() || path.front() == '/') return false;
    const fs::path save = "/save";
    const auto resolved = (save / path).lexically_normal();
    auto [end, _] = std::mismatch(save.begin(), save.end(), resolved.begin(), resolved.end());
    if (end != save.end()) return false;
    for (const auto& part : fs::path(path)) {
        const auto s = part.string();
        if (s.empty() || s == "." || s == "..") return false;
        for (char c : s)
            if (static_cast<unsigned char>(c) < 0x20) return false;
    }
    return true;
}

TEST(LibtorrentCorpus, EveryFileAsIndexSays) {
    const auto rows = read_index();
    ASSERT_EQ(rows.size(), 108u);
    int valid = 0, invalid = 0;
    for (const auto& row : rows) {
        SCOPED_TRACE(row.file + " (" + row.note + ")");
        const std::string bytes = read_file(corpus_dir + "/" + row.file);
        ASSERT_FALSE(bytes.empty());

        largest_allocation = 0;
        tracking = true;
        auto t = agora::meta::parse_torrent(bytes);
        tracking = false;
        // Memory: no single allocation beyond 16x the input (plus a small constant for tables).
        EXPECT_LE(largest_allocation.load(), 16 * bytes.size() + 4096);

        if (row.expected == "valid") {
            ++valid;
            ASSERT_TRUE(t.ok()) << t.error().describe();
            std::set<std::string> paths;
            for (const auto& f : t->layout.files()) {
                if (f.pad) continue;
                EXPECT_TRUE(stays_inside(f.path)) << f.path;
                EXPECT_TRUE(paths.insert(f.path).second) << "two files on " << f.path;
                if (!f.symlink.empty()) {
                    EXPECT_TRUE(stays_inside(f.symlink)) << f.symlink;
                }
            }
            // No file may sit where another needs a folder.
            for (const auto& p : paths)
                for (auto slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1))
                    EXPECT_FALSE(paths.contains(p.substr(0, slash))) << p;
            EXPECT_TRUE(t->has_v1() || t->has_v2());
        } else {
            ++invalid;
            EXPECT_FALSE(t.ok()) << "accepted a torrent libtorrent rejects";
            if (!t.ok()) {
                EXPECT_FALSE(t.error().message.empty());
            }
        }
    }
    EXPECT_EQ(valid, 65);
    EXPECT_EQ(invalid, 43);
}

// The sanitised paths of the adversarial files, so a change in the policy is a visible choice.
TEST(LibtorrentCorpus, AdversarialPathsAreSanitisedNotRejected) {
    auto paths_of = [](const std::string& file) {
        auto t = agora::meta::parse_torrent(read_file(corpus_dir + "/" + file));
        EXPECT_TRUE(t.ok()) << file;
        std::vector<std::string> out;
        if (t.ok())
            for (const auto& f : t->layout.files())
                if (!f.pad) out.push_back(f.path);
        return out;
    };
    EXPECT_EQ(paths_of("parent_path.torrent"), std::vector<std::string>{"temp/bar"});
    EXPECT_EQ(paths_of("absolute_filename.torrent"), (std::vector<std::string>{"temp/abcde", "temp/_foobar"}));
    EXPECT_EQ(paths_of("slash_path.torrent"), std::vector<std::string>{"temp/_/_/bar"});
    EXPECT_EQ(paths_of("duplicate_files.torrent"), (std::vector<std::string>{"temp/foo/bar.txt", "temp/foo/bar.1.txt"}));
    auto name2 = paths_of("invalid_name2.torrent");  // name ".." becomes the info-hash
    ASSERT_EQ(name2.size(), 2u);
    EXPECT_EQ(name2[0].size(), 40u + 12u);
}

// Known hashes: v2.torrent is a hybrid whose hashes libtorrent's tests pin.
TEST(LibtorrentCorpus, HybridHasBothHashes) {
    auto t = agora::meta::parse_torrent(read_file(corpus_dir + "/v2.torrent"));
    ASSERT_TRUE(t.ok());
    EXPECT_TRUE(t->has_v1());
    EXPECT_TRUE(t->has_v2());
    auto only = agora::meta::parse_torrent(read_file(corpus_dir + "/v2_only.torrent"));
    ASSERT_TRUE(only.ok());
    EXPECT_FALSE(only->has_v1());
    EXPECT_TRUE(only->has_v2());
}

}  // namespace
