// meta/path_sanitize: what each hostile path element becomes, and unique paths.
#include <gtest/gtest.h>

#include "meta/path_sanitize.hpp"

using namespace agora::meta;

TEST(PathSanitize, Elements) {
    EXPECT_EQ(sanitize_path_element("normal.txt"), "normal.txt");
    EXPECT_EQ(sanitize_path_element(".."), std::nullopt);
    EXPECT_EQ(sanitize_path_element("."), std::nullopt);
    EXPECT_EQ(sanitize_path_element(""), std::nullopt);
    EXPECT_EQ(sanitize_path_element("a/b"), "a_b");
    EXPECT_EQ(sanitize_path_element("a\\b"), "a_b");
    EXPECT_EQ(sanitize_path_element(std::string("a\0b", 3)), "a_b");
    EXPECT_EQ(sanitize_path_element("tab\there"), "tab_here");
    EXPECT_EQ(sanitize_path_element("bad\xff" "utf8"), "bad_utf8");
    EXPECT_EQ(sanitize_path_element("\xc0\xaf"), "__");  // overlong '/' is not UTF-8
    EXPECT_EQ(sanitize_path_element("\xed\xa0\x80"), "___");  // a surrogate is not UTF-8
    EXPECT_EQ(sanitize_path_element("ファイル.bin"), "ファイル.bin");
    EXPECT_EQ(sanitize_path_element("Episode 1: Title?.mkv"), "Episode 1: Title?.mkv");
    EXPECT_EQ(sanitize_path_element("CON"), "_CON");
    EXPECT_EQ(sanitize_path_element("nul.txt"), "_nul.txt");
    EXPECT_EQ(sanitize_path_element("com1.tar.gz"), "_com1.tar.gz");
    EXPECT_EQ(sanitize_path_element("com10"), "com10");
    EXPECT_EQ(sanitize_path_element("console"), "console");
}

TEST(PathSanitize, LongNamesAreCutAtCharacterBoundariesKeepingTheExtension) {
    std::string longname;
    for (int i = 0; i < 200; ++i) longname += "é";  // 400 bytes
    auto cut = sanitize_path_element(longname + ".mkv");
    ASSERT_TRUE(cut.has_value());
    EXPECT_LE(cut->size(), 255u);
    EXPECT_TRUE(cut->ends_with(".mkv"));
    EXPECT_EQ(sanitize_path_element(*cut), cut);  // still valid UTF-8: a fixed point
}

TEST(PathSanitize, Paths) {
    EXPECT_EQ(sanitize_path({"..", "..", "etc", "passwd"}), "etc/passwd");
    EXPECT_EQ(sanitize_path({"/", "abs"}), "_/abs");
    EXPECT_EQ(sanitize_path({"..", "."}), "_");
}

TEST(UniquePaths, RenamesClashes) {
    UniquePaths u;
    EXPECT_EQ(u.claim("t/a.txt"), "t/a.txt");
    EXPECT_EQ(u.claim("t/a.txt"), "t/a.1.txt");
    EXPECT_EQ(u.claim("t/a.txt"), "t/a.2.txt");
    EXPECT_EQ(u.claim("t/dir/x"), "t/dir/x");
    EXPECT_EQ(u.claim("t/dir"), "t/dir.1");          // a file where a folder is
    EXPECT_EQ(u.claim("t/a.txt/y"), "t/a.3.txt/y");  // a folder where a file is (a.1, a.2 are taken)
}

TEST(UniquePaths, RenameBudgetEnds) {
    UniquePaths u;
    int accepted = 0;
    for (int i = 0; i < 100; ++i)
        if (u.claim("same")) ++accepted;
    EXPECT_LT(accepted, 100);  // 1 + 2 + ... renames exhaust the budget of 500
    EXPECT_GT(accepted, 10);
}
