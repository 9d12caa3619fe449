// bencode: decoding with limits and offsets, canonical checks, encoding round trips.
#include <gtest/gtest.h>

#include "core/bencode.hpp"

using namespace agora;
using namespace agora::bencode;

TEST(Bencode, DecodesScalarsAndContainers) {
    const std::string in = "d3:bari-42e3:fool4:spami0eee";
    auto doc = decode(in);
    ASSERT_TRUE(doc.ok()) << doc.error().describe();
    Value root = doc->root();
    ASSERT_TRUE(root.is_dict());
    EXPECT_EQ(root.size(), 2u);
    EXPECT_EQ(root.find_int("bar"), -42);
    Value foo = root.find_list("foo");
    ASSERT_TRUE(foo.valid());
    EXPECT_EQ(foo.size(), 2u);
    EXPECT_EQ(foo.at(0).as_string(), "spam");
    EXPECT_EQ(foo.at(1).as_int(), 0);
    EXPECT_FALSE(foo.at(2).valid());
    EXPECT_EQ(foo.raw(), "l4:spami0ee");
    EXPECT_FALSE(root.find("missing").valid());
}

TEST(Bencode, StringsPointIntoTheInput) {
    const std::string in = "5:hello";
    auto doc = decode(in);
    ASSERT_TRUE(doc.ok());
    EXPECT_EQ(doc->root().as_string().data(), in.data() + 2);  // no copy
}

TEST(Bencode, IntegerRange) {
    auto max = decode("i9223372036854775807e");
    ASSERT_TRUE(max.ok());
    EXPECT_EQ(max->root().as_int(), INT64_MAX);
    auto min = decode("i-9223372036854775808e");
    ASSERT_TRUE(min.ok());
    EXPECT_EQ(min->root().as_int(), INT64_MIN);
    EXPECT_FALSE(decode("i9223372036854775808e").ok());
    EXPECT_FALSE(decode("i-9223372036854775809e").ok());
}

struct Malformed {
    const char* input;
    const char* message;
    std::int64_t offset;
};

class BencodeMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(BencodeMalformed, FailsWithMessageAndOffset) {
    const auto& m = GetParam();
    auto r = decode(m.input);
    ASSERT_FALSE(r.ok()) << m.input;
    EXPECT_EQ(r.error().kind, Error::Kind::bad_bencode);
    EXPECT_NE(r.error().message.find(m.message), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().offset, m.offset) << m.input;
}

INSTANTIATE_TEST_SUITE_P(
    All, BencodeMalformed,
    ::testing::Values(Malformed{"", "empty input", 0}, Malformed{"i12", "truncated", 3},
                      Malformed{"i012e", "leading zero", 1}, Malformed{"i-0e", "negative zero", 0},
                      Malformed{"ie", "expected a digit", 1}, Malformed{"i1xe", "expected 'e'", 2},
                      Malformed{"i99999999999999999999e", "out of range", 1},
                      Malformed{"5:abc", "runs past the end", 0}, Malformed{"03:abc", "leading zero", 0},
                      Malformed{"4294967296:x", "out of range", 0}, Malformed{"l", "truncated", 1},
                      Malformed{"d3:foo", "truncated", 6}, Malformed{"di1ei2ee", "not a string", 1},
                      Malformed{"d3:fooe", "without a value", 6}, Malformed{"e", "unexpected 'e'", 0},
                      Malformed{"x", "unexpected byte", 0}, Malformed{"i1ei2e", "trailing", 3},
                      Malformed{"4:spam ", "trailing", 6}));

TEST(Bencode, DepthLimit) {
    std::string deep(101, 'l');
    deep += std::string(101, 'e');
    auto r = decode(deep);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("nested too deeply"), std::string::npos);
    EXPECT_EQ(r.error().offset, 100);
    std::string ok(100, 'l');
    ok += std::string(100, 'e');
    EXPECT_TRUE(decode(ok).ok());
}

TEST(Bencode, TokenLimit) {
    DecodeLimits limits;
    limits.tokens_max = 3;
    EXPECT_TRUE(decode("li1ei2ee", limits).ok());
    auto r = decode("li1ei2ei3ee", limits);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("too many"), std::string::npos);
    EXPECT_EQ(r.error().offset, 7);
}

TEST(Bencode, HugeLengthFieldAllocatesNothing) {
    // A length field claiming 4 GiB is rejected before any allocation: the input is 15 bytes.
    auto r = decode("4294967295:abc");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("runs past the end"), std::string::npos);
}

TEST(Bencode, TrailingBytesAllowedWhenAsked) {
    DecodeLimits limits;
    limits.allow_trailing = true;
    auto r = decode("d1:ai1eePAYLOAD", limits);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->consumed(), 8u);
}

TEST(Bencode, CanonicalCheck) {
    auto sorted = decode("d1:ai1e1:bd1:xi1e1:yi2eee");
    ASSERT_TRUE(sorted.ok());
    EXPECT_FALSE(first_non_canonical(sorted->root()).has_value());
    auto unsorted = decode("d1:bi1e1:ai2ee");
    ASSERT_TRUE(unsorted.ok());
    EXPECT_EQ(first_non_canonical(unsorted->root()), 7u);
    auto duplicate = decode("d1:ai1e1:ai2ee");
    ASSERT_TRUE(duplicate.ok());
    EXPECT_EQ(first_non_canonical(duplicate->root()), 7u);
    auto nested = decode("d1:ad1:zi1e1:yi2eee");
    ASSERT_TRUE(nested.ok());
    EXPECT_EQ(first_non_canonical(nested->root()), 11u);
}

TEST(Bencode, EncodeIsCanonicalAndRoundTrips) {
    Node n;
    n["zeta"] = 1;
    n["alpha"] = Node::List{Node("x"), Node(std::int64_t{-7})};
    n["mid"]["inner"] = "v";
    const Bytes out = encode(n);
    EXPECT_EQ(out, "d5:alphal1:xi-7ee3:midd5:inner1:ve4:zetai1ee");
    auto back = decode(out);
    ASSERT_TRUE(back.ok());
    EXPECT_FALSE(first_non_canonical(back->root()).has_value());
    EXPECT_EQ(back->root().raw(), out);
}

TEST(Bencode, ChildrenOfDict) {
    auto doc = decode("d1:ai1e1:bi2ee");
    ASSERT_TRUE(doc.ok());
    auto children = doc->root().children();
    ASSERT_EQ(children.size(), 2u);
    EXPECT_EQ(children[0].key.as_string(), "a");
    EXPECT_EQ(children[1].value.as_int(), 2);
}
