// swarm/piece_picker and swarm/choker on their own: rarest first, started pieces first, endgame,
// the unproven and parole limits; tit-for-tat slots, the optimistic rotation, seed rotation.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "swarm/choker.hpp"
#include "swarm/piece_picker.hpp"

using namespace agora;
using namespace agora::swarm;

namespace {

Bitfield bits(std::uint32_t n, std::initializer_list<std::uint32_t> set) {
    Bitfield b(n);
    for (auto i : set) b.set(i);
    return b;
}

// The rarest piece a peer has is picked first; a started piece is finished before a new one.
TEST(PiecePicker, RarestFirstThenStartedPiecesFirst) {
    PiecePicker picker(4, 32768, 4 * 32768);  // 4 pieces of 2 blocks
    picker.add_peer(bits(4, {0, 1, 2, 3}));
    picker.add_peer(bits(4, {0, 1, 3}));
    picker.add_peer(bits(4, {0, 3}));  // availability: 3, 2, 1, 3
    Rng rng(1);
    auto first = picker.pick(Bitfield(4, true), 1, rng, {});
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].piece, PieceIndex(2));  // the rarest
    picker.mark_requested(first[0]);
    // The second block of the started piece comes before any new piece, rarity notwithstanding.
    auto second = picker.pick(Bitfield(4, true), 1, rng, {});
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0], (BlockRef{PieceIndex(2), 1}));
}

// The scan skips eight pieces at a time where none can be started; whatever piece the scan starts
// at, and however the piece count ends inside a byte, the one piece a peer can give is found.
TEST(PiecePicker, FindsTheOnlyStartablePieceFromAnyStart) {
    for (std::uint32_t n = 1; n <= 20; ++n)
        for (std::uint32_t only = 0; only < n; ++only)
            for (std::uint64_t seed = 1; seed <= 8; ++seed) {
                PiecePicker picker(n, 16384, std::int64_t{n} * 16384);
                for (std::uint32_t i = 0; i < n; ++i)
                    if (i != only && i % 3 == 0) picker.set_have(PieceIndex(i));
                Bitfield peer(n, true);
                if (only % 3 == 0) continue;  // we have it
                for (std::uint32_t i = 0; i < n; ++i)
                    if (i != only && i % 3 != 0) picker.mark_requested(BlockRef{PieceIndex(i), 0});
                Rng rng(seed);
                auto picks = picker.pick(peer, 4, rng, {});
                ASSERT_EQ(picks.size(), 1u) << "n=" << n << " only=" << only << " seed=" << seed;
                EXPECT_EQ(picks[0], (BlockRef{PieceIndex(only), 0}));
            }
}

// Pieces the peer lacks, and pieces we have, are never picked.
TEST(PiecePicker, OnlyWhatThePeerHasAndWeLack) {
    PiecePicker picker(3, 16384, 3 * 16384);
    picker.set_have(PieceIndex(0));
    Rng rng(2);
    auto picks = picker.pick(bits(3, {0, 2}), 10, rng, {});
    ASSERT_EQ(picks.size(), 1u);
    EXPECT_EQ(picks[0].piece, PieceIndex(2));
    EXPECT_FALSE(picker.am_interested_in(bits(3, {0})));
    EXPECT_TRUE(picker.am_interested_in(bits(3, {1})));
}

// Once every missing block is requested, endgame lets a second peer ask for blocks still in
// flight, but never twice the same peer.
TEST(PiecePicker, Endgame) {
    PiecePicker picker(1, 32768, 32768);
    Rng rng(3);
    auto all = picker.pick(Bitfield(1, true), 10, rng, {});
    ASSERT_EQ(all.size(), 2u);
    for (auto b : all) picker.mark_requested(b);
    EXPECT_TRUE(picker.in_endgame());
    PiecePicker::PickLimits mine;
    mine.exclude = all;
    EXPECT_TRUE(picker.pick(Bitfield(1, true), 10, rng, mine).empty());  // the same peer: nothing
    auto dup = picker.pick(Bitfield(1, true), 10, rng, {});             // another peer: both again
    EXPECT_EQ(dup.size(), 2u);
    EXPECT_FALSE(picker.mark_received(all[0]));
    EXPECT_TRUE(picker.mark_received(all[1]));  // the piece is complete
    EXPECT_FALSE(picker.mark_received(all[1])); // a duplicate changes nothing
}

// Endgame ends when a block is wanted again (its request failed, or its piece failed the hash) and
// resumes when the block arrives after all: the picker's running count of unrequested blocks
// follows every change of a block's state.
TEST(PiecePicker, EndgameFollowsEveryBlockState) {
    PiecePicker picker(2, 2 * 16384, 2 * 2 * 16384);  // 2 pieces of 2 blocks
    Rng rng(4);
    auto all = picker.pick(Bitfield(2, true), 10, rng, {});
    ASSERT_EQ(all.size(), 4u);
    for (auto b : all) picker.mark_requested(b);
    ASSERT_TRUE(picker.in_endgame());
    picker.abort_request(all[1]);
    EXPECT_FALSE(picker.in_endgame());
    auto again = picker.pick(Bitfield(2, true), 10, rng, {});
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0], all[1]);
    EXPECT_FALSE(picker.mark_received(all[1]));  // it came after all: nothing is unrequested now
    EXPECT_TRUE(picker.in_endgame());
    const PieceIndex failed = all[0].piece;
    EXPECT_TRUE(picker.mark_received(all[0]));
    picker.reset_piece(failed);  // the hash failed: both its blocks are wanted again
    EXPECT_FALSE(picker.in_endgame());
    auto retry = picker.pick(Bitfield(2, true), 10, rng, {});
    ASSERT_EQ(retry.size(), 2u);
    for (const auto& b : retry) EXPECT_EQ(b.piece, failed);
    for (auto b : retry) picker.mark_requested(b);
    EXPECT_TRUE(picker.in_endgame());
}

// Endgame is frugal: a peer still waiting for blocks gets no busy ones; an idle peer gets at most
// two, those asked of the fewest peers first.
TEST(PiecePicker, EndgameAsksOnlyIdlePeersForAFewBusyBlocks) {
    PiecePicker picker(2, 4 * 16384, 2 * 4 * 16384);  // 2 pieces of 4 blocks
    Rng rng(5);
    auto all = picker.pick(Bitfield(2, true), 10, rng, {});
    ASSERT_EQ(all.size(), 8u);
    for (auto b : all) picker.mark_requested(b);
    // Blocks 0-5 were asked of a second peer too; blocks 6 and 7 of one peer only.
    for (std::size_t i = 0; i < 6; ++i) picker.mark_requested(all[i]);
    ASSERT_TRUE(picker.in_endgame());
    PiecePicker::PickLimits busy_peer;
    busy_peer.in_flight = {PieceIndex(0)};
    EXPECT_TRUE(picker.pick(Bitfield(2, true), 10, rng, busy_peer).empty());
    auto idle = picker.pick(Bitfield(2, true), 10, rng, {});
    ASSERT_EQ(idle.size(), PiecePicker::endgame_blocks_max);
    EXPECT_NE(idle[0], idle[1]);
    for (const auto& b : idle) EXPECT_TRUE(b == all[6] || b == all[7]);
}

// The span limit keeps an unproven peer to a few pieces; fresh_only keeps a peer on parole off
// pieces others started.
TEST(PiecePicker, SpanAndFreshLimits) {
    PiecePicker picker(8, 16384, 8 * 16384);
    Rng rng(4);
    PiecePicker::PickLimits limits;
    limits.pieces_max = 3;
    auto picks = picker.pick(Bitfield(8, true), 100, rng, limits);
    std::set<std::uint32_t> pieces;
    for (auto b : picks) pieces.insert(b.piece.value);
    EXPECT_EQ(pieces.size(), 3u);
    picker.mark_requested(picks[0]);
    PiecePicker::PickLimits parole;
    parole.fresh_only = true;
    parole.pieces_max = 1;
    auto fresh = picker.pick(Bitfield(8, true), 100, rng, parole);
    ASSERT_EQ(fresh.size(), 1u);
    EXPECT_NE(fresh[0].piece, picks[0].piece);
}

ChokeCandidate candidate(std::uint32_t peer, bool interested, double rate, bool unchoked = false,
                         TimePoint last = TimePoint{}) {
    return ChokeCandidate{PeerHandle(peer), interested, unchoked, rate, 0, last};
}

// Leeching: the regular slots go to the interested peers that give us most; one more slot is
// the optimistic unchoke, among the others; uninterested peers get nothing.
// Skipped pieces are never picked nor make us interested; high ones come before rarer normal
// ones; done means every wanted piece is had, and endgame counts only wanted pieces.
TEST(PiecePicker, PrioritiesAndSkippedPieces) {
    PiecePicker picker(4, 16384, 4 * 16384);
    picker.add_peer(bits(4, {0, 1, 2, 3}));
    picker.add_peer(bits(4, {0, 1, 3}));  // availability: 2, 2, 1, 2
    picker.set_priorities({PiecePicker::skip, PiecePicker::high, PiecePicker::normal, PiecePicker::normal});
    Rng rng(4);
    auto first = picker.pick(Bitfield(4, true), 1, rng, {});
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].piece, PieceIndex(1));  // high, though piece 2 is rarer
    picker.mark_requested(first[0]);
    std::set<std::uint32_t> rest;  // one rarity group per call: piece 2, then piece 3, then endgame
    for (int call = 0; call < 3; ++call)
        for (auto b : picker.pick(Bitfield(4, true), 10, rng, {})) {
            rest.insert(b.piece.value);
            picker.mark_requested(b);
        }
    EXPECT_FALSE(rest.contains(0));
    EXPECT_TRUE(rest.contains(2) && rest.contains(3));
    EXPECT_TRUE(picker.in_endgame());
    EXPECT_FALSE(picker.am_interested_in(bits(4, {0})));
    EXPECT_TRUE(picker.am_interested_in(bits(4, {0, 3})));
    for (std::uint32_t p : {1u, 2u, 3u}) picker.set_have(PieceIndex(p));
    EXPECT_TRUE(picker.is_done());
    EXPECT_FALSE(picker.is_complete());
    picker.set_priorities({});  // all normal again: piece 0 is wanted
    EXPECT_FALSE(picker.is_done());
    EXPECT_TRUE(picker.am_interested_in(bits(4, {0})));
    picker.set_priorities({PiecePicker::skip, PiecePicker::normal, PiecePicker::normal, PiecePicker::normal});
    picker.set_have(PieceIndex(0));  // a skipped piece had anyway (a file's edge): nothing changes
    EXPECT_TRUE(picker.is_done());
    picker.set_priorities({});
    EXPECT_TRUE(picker.is_done() && picker.is_complete());
}

// Sequential mode takes pieces in order whatever their rarity, higher priority first.
TEST(PiecePicker, SequentialTakesPiecesInOrder) {
    PiecePicker picker(6, 16384, 6 * 16384);
    picker.add_peer(bits(6, {0, 1, 2, 3, 4, 5}));
    picker.add_peer(bits(6, {0, 1, 2, 3, 4}));  // piece 5 is the rarest
    picker.set_sequential(true);
    Rng rng(5);
    std::vector<std::uint32_t> order;
    for (int i = 0; i < 3; ++i) {
        auto b = picker.pick(Bitfield(6, true), 1, rng, {});
        ASSERT_EQ(b.size(), 1u);
        picker.mark_requested(b[0]);
        order.push_back(b[0].piece.value);
    }
    EXPECT_EQ(order, (std::vector<std::uint32_t>{0, 1, 2}));
    picker.set_priorities({2, 2, 2, 2, 2, 3});
    auto b = picker.pick(Bitfield(6, true), 1, rng, {});
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].piece, PieceIndex(5));
}

TEST(Choker, ReciprocationAndOptimisticSlot) {
    TitForTatChoker choker(2);
    Rng rng(5);
    std::vector<ChokeCandidate> peers{candidate(1, true, 100), candidate(2, true, 900), candidate(3, true, 500),
                                      candidate(4, false, 10'000), candidate(5, true, 1)};
    auto chosen = choker.choose(peers, false, rng, TimePoint{});
    ASSERT_EQ(chosen.size(), 3u);
    EXPECT_EQ(chosen[0], PeerHandle(2));
    EXPECT_EQ(chosen[1], PeerHandle(3));
    EXPECT_TRUE(chosen[2] == PeerHandle(1) || chosen[2] == PeerHandle(5));
    EXPECT_EQ(std::count(chosen.begin(), chosen.end(), PeerHandle(4)), 0);
    // The optimistic slot stays put for 30 s, then moves on.
    const auto optimistic = chosen[2];
    EXPECT_EQ(choker.choose(peers, false, rng, TimePoint{} + std::chrono::seconds(10))[2], optimistic);
    std::set<std::uint32_t> seen;
    for (int i = 1; i <= 20; ++i)
        seen.insert(choker.choose(peers, false, rng, TimePoint{} + std::chrono::seconds(30 * i))[2].value);
    EXPECT_EQ(seen, (std::set<std::uint32_t>{1, 5}));
}

// One optimistic slot per five regular ones (libtorrent's automatic number): random peers beyond
// the regular ones, kept for 30 s; one that becomes a regular peer gives its slot to another.
TEST(Choker, OptimisticSlotsScaleWithTheRegularOnes) {
    TitForTatChoker choker(10);
    Rng rng(11);
    std::vector<ChokeCandidate> peers;
    for (std::uint32_t i = 1; i <= 20; ++i) peers.push_back(candidate(i, true, 100.0 * i));  // 11..20 give most
    auto chosen = choker.choose(peers, false, rng, TimePoint{});
    ASSERT_EQ(chosen.size(), 12u);
    const std::vector<PeerHandle> optimistic(chosen.begin() + 10, chosen.end());
    for (auto h : optimistic) EXPECT_LE(h.value, 10u);
    EXPECT_NE(optimistic[0], optimistic[1]);
    auto later = choker.choose(peers, false, rng, TimePoint{} + std::chrono::seconds(10));
    EXPECT_EQ(std::vector<PeerHandle>(later.begin() + 10, later.end()), optimistic);
    // The first optimistic peer now gives us the most: it is a regular one, and another takes its
    // optimistic slot.
    peers[optimistic[0].value - 1].download_rate = 10'000;
    later = choker.choose(peers, false, rng, TimePoint{} + std::chrono::seconds(20));
    ASSERT_EQ(later.size(), 12u);
    EXPECT_EQ(later[0], optimistic[0]);
    EXPECT_EQ(std::count(later.begin(), later.end(), optimistic[0]), 1);
    EXPECT_EQ(std::count(later.begin() + 10, later.end(), optimistic[1]), 1);
    // Each optimistic peer has its own 30 s: at 30 s the one drawn at 0 s may be replaced, the one
    // drawn at 20 s stays.
    const PeerHandle drawn_at_20 = later[10] == optimistic[1] ? later[11] : later[10];
    for (int i = 0; i < 5; ++i) {
        later = choker.choose(peers, false, rng, TimePoint{} + std::chrono::seconds(30 + i));
        EXPECT_EQ(std::count(later.begin() + 10, later.end(), drawn_at_20), 1);
    }
}

// When the slots shrink back, so do the optimistic ones, at once.
TEST(Choker, OptimisticSlotsShrinkWithTheRegularOnes) {
    TitForTatChoker choker(5);
    Rng rng(12);
    std::vector<ChokeCandidate> peers;
    for (std::uint32_t i = 1; i <= 30; ++i) peers.push_back(candidate(i, true, 100.0 * i));
    for (std::uint32_t i = 0; i < 8; ++i) {
        peers[i].unchoked = true;
        peers[i].upload_rate = 50 * 1024;  // eight peers well served: 17 regular slots, 3 optimistic
    }
    EXPECT_EQ(choker.choose(peers, false, rng, TimePoint{}).size(), 20u);
    for (auto& p : peers) p.upload_rate = 0;
    EXPECT_EQ(choker.choose(peers, false, rng, TimePoint{} + std::chrono::seconds(10)).size(), 6u);
}

// A fast uplink gets more regular slots: while the k-th fastest peer we upload to gets at least
// 1 KiB/s + 2 KiB/s per peer before it, the slots grow (to twice those peers, plus one); when the
// rates fall, they shrink back to the configured number.
TEST(Choker, SlotsGrowWhileEveryUnchokedPeerGetsAGoodRate) {
    TitForTatChoker choker(1);
    Rng rng(7);
    std::vector<ChokeCandidate> peers;
    for (std::uint32_t i = 1; i <= 12; ++i) peers.push_back(candidate(i, true, 100.0 * i));
    auto regular = [&](const std::vector<PeerHandle>& chosen) { return chosen.size() - 1; };  // minus the optimistic
    EXPECT_EQ(regular(choker.choose(peers, false, rng, TimePoint{})), 1u);
    // Three unchoked peers each take 20 KiB/s of our upload (the thresholds are 1, 3 and 5 KiB/s).
    for (std::uint32_t i = 0; i < 3; ++i) {
        peers[i].upload_rate = 20 * 1024;
        peers[i].unchoked = true;
    }
    auto chosen = choker.choose(peers, false, rng, TimePoint{});
    EXPECT_EQ(regular(chosen), 7u);
    EXPECT_EQ(chosen[0], PeerHandle(12));  // still the ones that give us most first
    // The third gets less than 5 KiB/s: two peers are well served, five slots.
    peers[2].upload_rate = 4 * 1024;
    EXPECT_EQ(regular(choker.choose(peers, false, rng, TimePoint{})), 5u);
    // Peers choked since: their rates are the past, decaying, and do not count.
    peers[2].upload_rate = 20 * 1024;
    peers[0].unchoked = peers[1].unchoked = false;
    EXPECT_EQ(regular(choker.choose(peers, false, rng, TimePoint{})), 3u);
    for (auto& p : peers) p.upload_rate = 0;
    EXPECT_EQ(regular(choker.choose(peers, false, rng, TimePoint{})), 1u);
}

// new_pieces_max bounds the pieces one pick may start; blocks of started pieces are still given.
TEST(PiecePicker, NewPiecesMaxBoundsWhatAPickStarts) {
    PiecePicker picker(8, 32768, 8 * 32768);  // 8 pieces of 2 blocks
    Rng rng(3);
    PiecePicker::PickLimits one;
    one.new_pieces_max = 1;
    auto first = picker.pick(Bitfield(8, true), 6, rng, one);
    ASSERT_EQ(first.size(), 2u);  // one piece: its two blocks
    EXPECT_EQ(first[0].piece, first[1].piece);
    picker.mark_requested(first[0]);
    PiecePicker::PickLimits none;
    none.new_pieces_max = 0;
    auto rest = picker.pick(Bitfield(8, true), 6, rng, none);
    ASSERT_EQ(rest.size(), 1u);  // the started piece's other block, nothing new
    EXPECT_EQ(rest[0], first[1]);
    EXPECT_EQ(picker.partial_count(), 1u);
}

// Seeding: slots go round the interested peers, longest-waiting first, not to the fastest.
TEST(Choker, SeedingRotates) {
    TitForTatChoker choker(1);
    Rng rng(6);
    const TimePoint t0{};
    std::vector<ChokeCandidate> peers{candidate(1, true, 0, false, t0 + std::chrono::seconds(50)),
                                      candidate(2, true, 0, false, t0 + std::chrono::seconds(10)),
                                      candidate(3, true, 0, false, t0 + std::chrono::seconds(30))};
    auto chosen = choker.choose(peers, true, rng, t0 + std::chrono::seconds(60));
    ASSERT_FALSE(chosen.empty());
    EXPECT_EQ(chosen[0], PeerHandle(2));  // unchoked longest ago
}

}  // namespace
