#include "swarm/piece_picker.hpp"

#include <algorithm>

#include "core/assert.hpp"
#include "core/limits.hpp"

namespace agora::swarm {

PiecePicker::PiecePicker(std::uint32_t piece_count, std::int64_t piece_length, std::int64_t total_size)
    : piece_count_(piece_count), piece_length_(piece_length), total_size_(total_size), have_(piece_count),
      availability_(piece_count, 0), started_(piece_count), wanted_missing_(piece_count) {
    AGORA_ASSERT(piece_count > 0 && piece_length > 0);
}

std::uint32_t PiecePicker::blocks_in_piece(PieceIndex p) const {
    const std::int64_t size = std::min(piece_length_, total_size_ - std::int64_t{p.value} * piece_length_);
    return static_cast<std::uint32_t>((size + limits::block_size_bytes - 1) / limits::block_size_bytes);
}

std::uint32_t PiecePicker::block_length(BlockRef b) const {
    const std::int64_t piece_size = std::min(piece_length_, total_size_ - std::int64_t{b.piece.value} * piece_length_);
    const std::int64_t start = std::int64_t{b.block} * limits::block_size_bytes;
    return static_cast<std::uint32_t>(std::min<std::int64_t>(limits::block_size_bytes, piece_size - start));
}

void PiecePicker::set_have(PieceIndex p) {
    if (wanted(p.value)) --wanted_missing_;
    have_.set(p.value);
    erase_partial(p);
}

bool PiecePicker::is_done() const { return wanted_missing_ == 0; }

bool PiecePicker::am_interested_in(const Bitfield& peer_has) const {
    if (priorities_.empty()) {
        // A byte at a time: any piece the peer has and we lack (spare bits are zero in both).
        const BytesView theirs = peer_has.bytes(), ours = have_.bytes();
        for (std::size_t b = 0; b < theirs.size() && b < ours.size(); ++b)
            if ((static_cast<unsigned char>(theirs[b]) & ~static_cast<unsigned char>(ours[b])) != 0) return true;
        return false;
    }
    for (std::uint32_t i = 0; i < piece_count_; ++i)
        if (peer_has.get(i) && wanted(i)) return true;
    return false;
}

void PiecePicker::set_priorities(std::vector<std::uint8_t> priorities) {
    AGORA_ASSERT(priorities.empty() || priorities.size() == piece_count_);
    if (std::all_of(priorities.begin(), priorities.end(), [](std::uint8_t x) { return x == normal; })) priorities.clear();
    priorities_ = std::move(priorities);
    wanted_missing_ = 0;
    for (std::uint32_t i = 0; i < piece_count_; ++i) wanted_missing_ += wanted(i) ? 1 : 0;
    ++epoch_;
}

bool PiecePicker::startable(std::uint32_t i, const Bitfield& peer_has, const PickLimits& limits) const {
    const PieceIndex p(i);
    return wanted(i) && peer_has.get(i) && !started_.get(i) &&
           std::find(limits.skip.begin(), limits.skip.end(), p) == limits.skip.end();
}

void PiecePicker::add_peer(const Bitfield& peer_has) {
    for (std::uint32_t i = 0; i < piece_count_; ++i)
        if (peer_has.get(i)) ++availability_[i];
}

void PiecePicker::remove_peer(const Bitfield& peer_has) {
    for (std::uint32_t i = 0; i < piece_count_; ++i)
        if (peer_has.get(i) && availability_[i] > 0) --availability_[i];
}

void PiecePicker::add_have(PieceIndex p) { ++availability_[p.value]; }

PiecePicker::Partial* PiecePicker::find_partial(PieceIndex p) {
    for (auto& x : partials_)
        if (x.piece == p) return &x;
    return nullptr;
}
const PiecePicker::Partial* PiecePicker::find_partial(PieceIndex p) const {
    for (const auto& x : partials_)
        if (x.piece == p) return &x;
    return nullptr;
}

PiecePicker::Partial& PiecePicker::start_partial(PieceIndex p) {
    if (auto* x = find_partial(p)) return *x;
    const auto n = blocks_in_piece(p);
    started_.set(p.value);
    unrequested_ += n;
    partials_.push_back(Partial{p, std::vector<BlockState>(n, BlockState::none), std::vector<std::uint8_t>(n, 0), 0, n});
    return partials_.back();
}

void PiecePicker::set_state(Partial& x, std::uint32_t block, BlockState s) {
    const BlockState was = x.blocks[block];
    if (was == s) return;
    if (was == BlockState::none) --x.unrequested, --unrequested_;
    if (s == BlockState::none) ++x.unrequested, ++unrequested_;
    if (was == BlockState::received) --x.received;
    if (s == BlockState::received) ++x.received;
    x.blocks[block] = s;
    if (s == BlockState::none || (unrequested_ == 0 && in_endgame())) ++epoch_;  // wanted again, or endgame
}

std::vector<BlockRef> PiecePicker::pick(const Bitfield& peer_has, std::uint32_t count, Rng& rng,
                                        const PickLimits& limits) {
    std::vector<BlockRef> out;
    if (count == 0) return out;
    out.reserve(std::min<std::uint32_t>(count, 256));  // one allocation, not one per doubling
    const auto& exclude = limits.exclude;
    auto excluded = [&](BlockRef b) { return std::find(exclude.begin(), exclude.end(), b) != exclude.end(); };
    auto skipped = [&](PieceIndex p) { return std::find(limits.skip.begin(), limits.skip.end(), p) != limits.skip.end(); };
    // Distinct pieces touched: those already in flight with the peer plus new ones taken here.
    auto& spanned = spanned_scratch_;
    spanned.assign(limits.in_flight.begin(), limits.in_flight.end());
    auto may_span = [&](PieceIndex p) {
        if (std::find(spanned.begin(), spanned.end(), p) != spanned.end()) return true;
        if (spanned.size() >= limits.pieces_max) return false;
        spanned.push_back(p);
        return true;
    };

    // 1. Blocks nobody was asked for, in pieces already started (rarest of those first).
    auto& started = started_scratch_;
    started.clear();
    if (unrequested_ > 0 && !limits.fresh_only)
        for (auto& x : partials_)
            if (x.unrequested > 0 && peer_has.get(x.piece.value) && !skipped(x.piece) && priority(x.piece) != skip)
                started.push_back(&x);
    std::sort(started.begin(), started.end(), [&](const Partial* a, const Partial* b) {
        if (priority(a->piece) != priority(b->piece)) return priority(a->piece) > priority(b->piece);
        if (sequential_) return a->piece.value < b->piece.value;
        return availability_[a->piece.value] < availability_[b->piece.value];
    });
    for (auto* x : started) {
        if (out.size() >= count) break;
        if (!may_span(x->piece)) continue;
        for (std::uint32_t k = 0; k < x->blocks.size() && out.size() < count; ++k)
            if (x->blocks[k] == BlockState::none) out.push_back(BlockRef{x->piece, k});
    }
    if (out.size() >= count) return out;

    // 2. New pieces: the highest priority first; within it, in order when sequential, else rarest
    // first with ties broken at random by starting the scan at a random piece.
    std::uint32_t started_here = 0;
    auto take = [&](std::uint32_t i) {
        if (started_here >= limits.new_pieces_max || !may_span(PieceIndex(i))) return false;
        ++started_here;
        auto& x = start_partial(PieceIndex(i));
        for (std::uint32_t k = 0; k < x.blocks.size() && out.size() < count; ++k) out.push_back(BlockRef{x.piece, k});
        return out.size() < count;
    };
    if (limits.new_pieces_max == 0) {
        // nothing new may start: straight on to endgame
    } else if (sequential_) {
        for (int level = high; level > skip && out.size() < count; --level)
            for (std::uint32_t i = 0; i < piece_count_; ++i)
                if (priority(PieceIndex(i)) == level && startable(i, peer_has, limits) && !take(i)) break;
    } else {
        std::uint8_t best_priority = skip;
        std::uint32_t best_availability = UINT32_MAX;
        auto& candidates = candidates_scratch_;
        candidates.clear();
        const auto offset = static_cast<std::uint32_t>(rng.below(piece_count_));
        auto consider = [&](std::uint32_t i) {
            if (!startable(i, peer_has, limits)) return;
            const auto prio = priority(PieceIndex(i));
            if (prio > best_priority || (prio == best_priority && availability_[i] < best_availability)) {
                best_priority = prio;
                best_availability = availability_[i];
                candidates.clear();
            }
            if (prio == best_priority && availability_[i] == best_availability) candidates.push_back(i);
        };
        // Only the pieces the peer has and we neither have nor started, found eight at a time: late
        // in a download most bytes of the bitfields hold none, and a peer with nothing new for us
        // is asked again after every message it sends. From the random offset to the end, then
        // from piece 0 back to it.
        const BytesView theirs = peer_has.bytes(), ours = have_.bytes(), begun = started_.bytes();
        auto scan = [&](std::uint32_t from, std::uint32_t to) {
            for (std::uint32_t i = from; i < to;) {
                const std::size_t byte = i / 8;
                const auto open = static_cast<std::uint8_t>(static_cast<std::uint8_t>(theirs[byte]) &
                                                            ~static_cast<std::uint8_t>(ours[byte]) &
                                                            ~static_cast<std::uint8_t>(begun[byte]));
                const std::uint32_t next = std::min<std::uint32_t>((i / 8 + 1) * 8, to);
                if (open != 0)
                    for (; i < next; ++i)
                        if (open & (0x80u >> (i % 8))) consider(i);
                i = next;
            }
        };
        scan(offset, piece_count_);
        scan(0, offset);
        // Take new pieces from the best group until enough blocks are picked. (The group is
        // recomputed only per call; a call asks for a pipeline's worth, so that is often enough.)
        for (std::uint32_t i : candidates)
            if (out.size() >= count || !take(i)) break;
    }
    if (!out.empty() || !in_endgame() || limits.fresh_only) return out;

    // 3. Endgame: everything missing is requested; a peer with nothing outstanding is also asked
    // for a few blocks still in flight elsewhere, those asked of the fewest peers first.
    if (!limits.in_flight.empty()) return out;
    struct Busy {
        BlockRef block;
        std::uint8_t asked;
    };
    std::vector<Busy> busy;
    for (auto& x : partials_) {
        if (!peer_has.get(x.piece.value) || skipped(x.piece) || priority(x.piece) == skip) continue;
        for (std::uint32_t k = 0; k < x.blocks.size(); ++k) {
            const BlockRef b{x.piece, k};
            if (x.blocks[k] == BlockState::requested && !excluded(b)) busy.push_back({b, x.requests[k]});
        }
    }
    std::stable_sort(busy.begin(), busy.end(), [](const Busy& a, const Busy& b) { return a.asked < b.asked; });
    for (const auto& b : busy) {
        if (out.size() >= std::min(count, endgame_blocks_max)) break;
        if (may_span(b.block.piece)) out.push_back(b.block);
    }
    return out;
}

void PiecePicker::mark_requested(BlockRef b) {
    auto& x = start_partial(b.piece);
    if (x.blocks[b.block] == BlockState::none) set_state(x, b.block, BlockState::requested);
    if (x.requests[b.block] < 255) ++x.requests[b.block];
}

void PiecePicker::abort_request(BlockRef b) {
    auto* x = find_partial(b.piece);
    if (!x || b.block >= x->blocks.size()) return;
    if (x->requests[b.block] > 0) --x->requests[b.block];
    if (x->blocks[b.block] == BlockState::requested && x->requests[b.block] == 0) set_state(*x, b.block, BlockState::none);
}

bool PiecePicker::mark_received(BlockRef b) {
    auto* x = find_partial(b.piece);
    if (!x || b.block >= x->blocks.size() || x->blocks[b.block] == BlockState::received) return false;
    set_state(*x, b.block, BlockState::received);
    return x->received == x->blocks.size();
}

bool PiecePicker::is_received(BlockRef b) const {
    const auto* x = find_partial(b.piece);
    return x && b.block < x->blocks.size() && x->blocks[b.block] == BlockState::received;
}

bool PiecePicker::asked_twice(PieceIndex p) const {
    const auto* x = find_partial(p);
    return x && std::any_of(x->requests.begin(), x->requests.end(), [](std::uint8_t n) { return n > 1; });
}

void PiecePicker::reset_piece(PieceIndex p) {
    erase_partial(p);
    ++epoch_;
}

void PiecePicker::erase_partial(PieceIndex p) {
    std::erase_if(partials_, [&](const Partial& x) {
        if (x.piece != p) return false;
        unrequested_ -= x.unrequested;
        return true;
    });
    started_.set(p.value, false);
}

bool PiecePicker::in_endgame() const {
    // Every wanted missing piece is started and none of their blocks is unrequested.
    if (priorities_.empty()) return wanted_missing_ == partials_.size() && unrequested_ == 0;
    std::uint32_t started = 0;
    for (const auto& x : partials_) {
        if (priority(x.piece) == skip) continue;
        if (x.unrequested != 0) return false;
        ++started;
    }
    return wanted_missing_ == started;
}

std::uint32_t PiecePicker::partial_count() const { return static_cast<std::uint32_t>(partials_.size()); }

}  // namespace agora::swarm
