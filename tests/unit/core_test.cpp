// core: hex and base32, digests, the bitfield in wire order, merkle trees, the seeded rng.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/bitfield.hpp"
#include "core/bytes.hpp"
#include "core/digest.hpp"
#include "core/handle_map.hpp"
#include "core/hash.hpp"
#include "core/merkle.hpp"
#include "core/poll_queue.hpp"
#include "core/rng.hpp"

using namespace agora;

TEST(Digest, HexRoundTripAndErrors) {
    EXPECT_EQ(to_hex("\x01\xab\xff"), "01abff");
    EXPECT_EQ(from_hex("01ABff"), Bytes("\x01\xab\xff"));
    EXPECT_FALSE(from_hex("abc").has_value());   // odd length
    EXPECT_FALSE(from_hex("zz").has_value());    // not hex
    auto d = InfoHashV1::parse_hex("0123456789abcdef0123456789abcdef01234567");
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->hex(), "0123456789abcdef0123456789abcdef01234567");
    EXPECT_FALSE(InfoHashV1::parse_hex("0123").has_value());  // wrong size
}

TEST(Digest, Base32AsMagnetLinksUseIt) {
    // RFC 4648 test vectors (without padding).
    EXPECT_EQ(to_base32("foobar"), "MZXW6YTBOI");
    EXPECT_EQ(from_base32("MZXW6YTBOI"), Bytes("foobar"));
    EXPECT_EQ(from_base32("mzxw6ytboi"), Bytes("foobar"));
    EXPECT_FALSE(from_base32("MZXW6YTBO1").has_value());  // '1' is not in the alphabet
    const Bytes twenty(20, '\x5a');
    EXPECT_EQ(to_base32(twenty).size(), 32u);
    EXPECT_EQ(from_base32(to_base32(twenty)), twenty);
}

TEST(Hash, KnownVectors) {
    EXPECT_EQ(sha1("abc").hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(sha256("abc").hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Sha1Hasher h;  // incremental equals one-shot, and finish() resets
    h.update("a");
    h.update("bc");
    EXPECT_EQ(h.finish(), sha1("abc"));
    h.update("abc");
    EXPECT_EQ(h.finish(), sha1("abc"));
}

TEST(Bitfield, WireOrderAndSpareBits) {
    Bitfield b(10);
    b.set(0);
    b.set(9);
    EXPECT_EQ(b.count(), 2u);
    EXPECT_EQ(b.bytes(), Bytes("\x80\x40", 2));
    auto back = Bitfield::from_bytes(b.bytes(), 10);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, b);
    EXPECT_FALSE(Bitfield::from_bytes(Bytes("\x80\x41", 2), 10).has_value());  // a spare bit set
    EXPECT_FALSE(Bitfield::from_bytes(Bytes("\x80", 1), 10).has_value());      // too short
    Bitfield all(10, true);
    EXPECT_TRUE(all.all());
    EXPECT_EQ(all.bytes(), Bytes("\xff\xc0", 2));
    all.set(3, false);
    EXPECT_EQ(all.count(), 9u);
}

// Proves all_zero finds a single set bit anywhere (in a 256-byte block, at a block's edge, in the
// tail past the last whole block) and accepts only zeros, empty included.
TEST(Bytes, AllZero) {
    EXPECT_TRUE(all_zero(""));
    for (const std::size_t size : {1u, 255u, 256u, 257u, 1000u, 16384u}) {
        Bytes b(size, '\0');
        EXPECT_TRUE(all_zero(b)) << size;
        for (const std::size_t at : {std::size_t{0}, size / 2, size - 1}) {
            b[at] = '\x10';
            EXPECT_FALSE(all_zero(b)) << size << " " << at;
            b[at] = '\0';
        }
    }
}

// Proves HandleMap behaves as a std::map under a random mix of inserts (mostly increasing
// handles, some older ones), lookups, erases and clears: same elements, same order, and
// references that survive other inserts.
TEST(HandleMap, MatchesStdMap) {
    HandleMap<std::uint64_t> map;
    std::map<std::uint32_t, std::uint64_t> reference;
    Rng rng(11);
    std::uint32_t next = 1;
    for (int op = 0; op < 20000; ++op) {
        const auto roll = rng.below(100);
        if (roll < 45) {
            const std::uint32_t k = rng.below(4) == 0 ? static_cast<std::uint32_t>(rng.below(next)) : next++;
            map[k] = reference[k] = rng.next();
        } else if (roll < 75) {
            const auto k = static_cast<std::uint32_t>(rng.below(next + 1));
            const auto it = map.find(k);
            ASSERT_EQ(it != map.end(), reference.contains(k)) << k;
            if (it != map.end()) {
                ASSERT_EQ(it->first, k);
                ASSERT_EQ(it->second, reference[k]);
                // A found iterator reaches its element through the index; walking on from it
                // must read the array again.
                auto after = it;
                ++after;
                const auto reference_after = reference.upper_bound(k);
                ASSERT_EQ(after == map.end(), reference_after == reference.end()) << k;
                if (reference_after != reference.end()) {
                    ASSERT_EQ(after->first, reference_after->first);
                }
            }
        } else if (roll < 98) {
            const auto k = static_cast<std::uint32_t>(rng.below(next + 1));
            if (rng.below(2) == 0) {
                ASSERT_EQ(map.erase(k), reference.erase(k)) << k;
            } else if (const auto it = map.find(k); it != map.end()) {
                const auto next_it = map.erase(it);
                const auto reference_next = reference.erase(reference.find(k));
                ASSERT_EQ(next_it == map.end(), reference_next == reference.end()) << k;
                if (reference_next != reference.end()) {
                    ASSERT_EQ(next_it->first, reference_next->first);
                }
            }
        } else if (roll < 99) {
            map.clear();
            reference.clear();
        }
        ASSERT_EQ(map.size(), reference.size());
    }
    std::vector<std::pair<std::uint32_t, std::uint64_t>> a, b(reference.begin(), reference.end());
    for (const auto& [k, v] : map) a.emplace_back(k, v);
    EXPECT_EQ(a, b);
    std::uint64_t& kept = map[next];
    kept = 42;
    for (std::uint32_t i = 1; i <= 100; ++i) map[next + i] = i;
    map.erase(next + 50);
    EXPECT_EQ(map.find(next)->second, 42u);
    EXPECT_EQ(&kept, &map.find(next)->second);
}

// Proves a PollQueue hands out elements in the order pushed, across bursts, whether or not it
// gives its room back in between (it does after a burst larger than it keeps), and that back() is
// the last element not yet polled.
TEST(PollQueue, PollsInOrderAcrossBursts) {
    PollQueue<std::string, 4> q;
    EXPECT_FALSE(q.poll());
    for (const std::size_t burst : {3u, 10u, 1u}) {
        if (burst == 1) {
            EXPECT_EQ(q.capacity(), 0u);  // the burst of 10 was given back
        }
        for (std::size_t i = 0; i < burst; ++i) q.push_back(std::to_string(burst) + "-" + std::to_string(i));
        q.back() += "!";
        EXPECT_EQ(q.size(), burst);
        EXPECT_EQ(*q.poll(), std::to_string(burst) + "-0" + (burst == 1 ? "!" : ""));
        q.emplace_back("late");  // pushed while others wait: after them
        for (std::size_t i = 1; i < burst; ++i)
            EXPECT_EQ(*q.poll(), std::to_string(burst) + "-" + std::to_string(i) + (i + 1 == burst ? "!" : ""));
        EXPECT_EQ(q.back(), "late");
        EXPECT_EQ(*q.poll(), "late");
        EXPECT_TRUE(q.empty());
        EXPECT_FALSE(q.poll());
        EXPECT_LE(q.capacity(), 4u);
    }
}

TEST(Merkle, RootsAndPadding) {
    const Sha256 a = sha256("a"), b = sha256("b"), c = sha256("c");
    auto pair = [](const Sha256& l, const Sha256& r) {
        Sha256Hasher h;
        h.update(l.view());
        h.update(r.view());
        return h.finish();
    };
    EXPECT_EQ(merkle_root(std::vector<Sha256>{a}, 1, Sha256{}), a);
    EXPECT_EQ(merkle_root(std::vector<Sha256>{a, b}, 2, Sha256{}), pair(a, b));
    // Three leaves padded to four with zero leaves.
    EXPECT_EQ(merkle_root(std::vector<Sha256>{a, b, c}, 4, Sha256{}), pair(pair(a, b), pair(c, Sha256{})));
    // merkle_pad(n) is the root of n zero leaves.
    EXPECT_EQ(merkle_pad(1), Sha256{});
    EXPECT_EQ(merkle_pad(4), pair(pair(Sha256{}, Sha256{}), pair(Sha256{}, Sha256{})));
    // Padding a layer with merkle_pad(2) equals padding the level below with zero leaves.
    EXPECT_EQ(merkle_root(std::vector<Sha256>{pair(a, b), pair(c, Sha256{})}, 4, merkle_pad(2)),
              merkle_root(std::vector<Sha256>{a, b, c}, 8, Sha256{}));
    EXPECT_EQ(next_pow2(0), 1u);
    EXPECT_EQ(next_pow2(5), 8u);
    EXPECT_EQ(next_pow2(8), 8u);
}

TEST(Rng, SeededAndBounded) {
    Rng a(42), b(42), c(43);
    const auto first = a.next();
    EXPECT_EQ(first, b.next());
    EXPECT_NE(first, c.next());
    for (int i = 0; i < 1000; ++i) EXPECT_LT(a.below(7), 7u);
}
