// io/file_access, storage/resume and io/resume_db: writes land where the layout says and never
// outside the save folder; resume records round-trip and survive reopening the database.
#include <gtest/gtest.h>

#include <filesystem>

#include "io/file_access.hpp"
#include "io/resume_db.hpp"
#include "storage/resume.hpp"
#include "temp_dir.hpp"

using namespace agora;
using agora::test::TempDir;

namespace {

storage::Layout two_files() {
    std::vector<storage::FileEntry> files(3);
    files[0].path = "t/a";
    files[0].size = 10;
    files[1].path = ".pad/6";
    files[1].size = 6;
    files[1].offset = 10;
    files[1].pad = true;
    files[2].path = "t/sub/b";
    files[2].size = 20;
    files[2].offset = 16;
    return storage::Layout(16, std::move(files));
}

TEST(Layout, SlicesSkipPadFiles) {
    auto layout = two_files();
    EXPECT_EQ(layout.piece_count(), 3u);
    auto s = layout.slices(5, 20);  // 5 bytes of a, 6 of pad (no slice), 9 of b
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].file, FileIndex(0));
    EXPECT_EQ(s[0].file_offset, 5);
    EXPECT_EQ(s[0].length, 5);
    EXPECT_EQ(s[1].file, FileIndex(2));
    EXPECT_EQ(s[1].file_offset, 0);
    EXPECT_EQ(s[1].length, 9);
    EXPECT_EQ(layout.file_at_offset(16), FileIndex(2));
    EXPECT_EQ(layout.piece_size(PieceIndex(2)), 4);
}

// A piece takes the highest priority of the files it holds bytes of; pad files count for nothing.
TEST(Layout, PiecePrioritiesFromFilePriorities) {
    auto layout = two_files();  // piece 0: a + pad; pieces 1, 2: b
    EXPECT_EQ(layout.piece_priorities({3, 3, 0}), (std::vector<std::uint8_t>{3, 0, 0}));
    EXPECT_EQ(layout.piece_priorities({0, 3, 1}), (std::vector<std::uint8_t>{0, 1, 1}));
    std::vector<storage::FileEntry> files(2);
    files[0].path = "x";
    files[0].size = 20;  // pieces 0 and 1 (its end shares piece 1 with y)
    files[1].path = "y";
    files[1].size = 12;
    files[1].offset = 20;
    storage::Layout shared(16, std::move(files));
    EXPECT_EQ(shared.piece_priorities({0, 2}), (std::vector<std::uint8_t>{0, 2}));
    EXPECT_EQ(shared.piece_priorities({3, 1}), (std::vector<std::uint8_t>{3, 3}));
}

TEST(FileAccess, WritesAndReadsBack) {
    TempDir dir;
    auto layout = two_files();
    io::FileAccess files(dir.path().string(), layout, io::FileAccess::Mode::read_write);
    ASSERT_TRUE(files.allocate_all().ok());
    EXPECT_EQ(std::filesystem::file_size(dir / "t/sub/b"), 20u);
    EXPECT_FALSE(std::filesystem::exists(dir / ".pad"));  // pad files are never stored
    const std::string data = "0123456789";
    ASSERT_TRUE(files.write(storage::Slice{FileIndex(2), 5, 10}, data.data()).ok());
    char back[10];
    ASSERT_TRUE(files.read(storage::Slice{FileIndex(2), 5, 10}, back).ok());
    EXPECT_EQ(std::string(back, 10), data);
    EXPECT_FALSE(files.read(storage::Slice{FileIndex(2), 15, 10}, back).ok());  // past the end: short
}

TEST(FileAccess, ASymlinkInTheSaveFolderCannotRedirectWrites) {
    TempDir dir, outside;
    std::filesystem::create_directories(dir / "t");
    std::filesystem::create_symlink(outside.path(), dir / "t/sub");  // t/sub -> elsewhere
    auto layout = two_files();
    io::FileAccess files(dir.path().string(), layout, io::FileAccess::Mode::read_write);
    const std::string data(20, 'x');
    auto r = files.write(storage::Slice{FileIndex(2), 0, 20}, data.data());
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(std::filesystem::is_empty(outside.path()));
}

TEST(Resume, RecordRoundTripAndChecks) {
    storage::ResumeRecord r{Bitfield(10), {{100, 5}, {0, 0}, {20, 7}}};
    r.verified.set(3);
    const Bytes bytes = storage::encode_resume(r);
    auto back = storage::decode_resume(bytes, 10, 3);
    ASSERT_TRUE(back.ok()) << back.error().describe();
    EXPECT_EQ(*back, r);
    EXPECT_FALSE(storage::decode_resume(bytes, 11, 3).ok());  // another torrent's record
    EXPECT_FALSE(storage::decode_resume(bytes, 10, 2).ok());
    EXPECT_FALSE(storage::decode_resume("garbage", 10, 3).ok());
}

TEST(NodeDb, ResumeRecordsPersistAcrossReopen) {
    TempDir dir;
    const std::string path = dir / "node.sqlite";
    {
        auto db = io::NodeDb::open(path);
        ASSERT_TRUE(db.ok()) << db.error().describe();
        ASSERT_TRUE(db->save_resume("hash-1", "record-1").ok());
        ASSERT_TRUE(db->save_resume("hash-1", "record-2").ok());  // replaces
        ASSERT_TRUE(db->save_resume("hash-2", std::string("\0bin", 4)).ok());
    }
    auto db = io::NodeDb::open(path);
    ASSERT_TRUE(db.ok());
    auto one = db->load_resume("hash-1");
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->value_or(""), "record-2");
    EXPECT_EQ(db->load_resume("hash-2")->value_or(""), std::string("\0bin", 4));
    EXPECT_FALSE(db->load_resume("hash-3")->has_value());
    ASSERT_TRUE(db->erase_resume("hash-1").ok());
    EXPECT_FALSE(db->load_resume("hash-1")->has_value());
}

TEST(NodeDb, UnopenablePathIsAnError) {
    auto db = io::NodeDb::open("/nonexistent-dir/x/node.sqlite");
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.error().kind, Error::Kind::io);
}

}  // namespace
