// Which blocks to ask a peer for. Rarest first with a random tie-break, pieces already started
// before new ones (so pieces complete and can be shared sooner), and endgame: once every missing
// block is requested, a block may be requested again from a second peer.
//
// Pieces have priorities (skip, low, normal, high: what the user chose for the files they hold);
// a skipped piece is never requested and higher ones are taken before lower ones. Sequential mode
// (for streaming) takes pieces in order instead of rarest first.
//
// A piece moves: missing -> partial (some blocks requested or received) -> complete (every
// block received, waiting for its hash) -> had (hash passed) or back to missing (hash failed).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/bitfield.hpp"
#include "core/ids.hpp"
#include "core/rng.hpp"

namespace agora::swarm {

struct BlockRef {
    PieceIndex piece;
    std::uint32_t block = 0;  // index within the piece
    bool operator==(const BlockRef&) const = default;
};

class PiecePicker {
public:
    PiecePicker(std::uint32_t piece_count, std::int64_t piece_length, std::int64_t total_size);

    std::uint32_t piece_count() const { return piece_count_; }
    std::uint32_t blocks_in_piece(PieceIndex p) const;
    std::uint32_t block_length(BlockRef b) const;

    // What we have (verified).
    const Bitfield& have() const { return have_; }
    void set_have(PieceIndex p);      // hash passed
    bool is_complete() const { return have_.all(); }
    // Every wanted piece is had (the same as complete unless some are skipped).
    bool is_done() const;
    bool am_interested_in(const Bitfield& peer_has) const;

    // Per-piece priority, one of the values below; an empty vector means all normal.
    static constexpr std::uint8_t skip = 0, low = 1, normal = 2, high = 3;
    void set_priorities(std::vector<std::uint8_t> priorities);
    std::uint8_t priority(PieceIndex p) const { return priorities_.empty() ? normal : priorities_[p.value]; }
    void set_sequential(bool on) {
        sequential_ = on;
        ++epoch_;
    }
    bool sequential() const { return sequential_; }

    // Availability: one count per peer that has the piece.
    void add_peer(const Bitfield& peer_has);
    void remove_peer(const Bitfield& peer_has);
    void add_have(PieceIndex p);

    // How a pick is narrowed for one peer.
    struct PickLimits {
        std::vector<BlockRef> exclude;       // blocks already asked of this peer (endgame)
        std::vector<PieceIndex> skip;        // pieces this peer must not touch
        bool fresh_only = false;             // only pieces nobody has started (parole)
        std::uint32_t pieces_max = UINT32_MAX;  // distinct pieces the result may span
        std::vector<PieceIndex> in_flight;   // pieces this peer already has requests in
        std::uint32_t new_pieces_max = UINT32_MAX;  // pieces the result may start (memory budget)
    };
    // Up to `count` blocks that `peer_has` offers and nobody was asked for yet (or, in endgame,
    // blocks already requested from others but not from this peer: only when this peer has no
    // request outstanding, and at most endgame_blocks_max of them, the least asked-for first).
    std::vector<BlockRef> pick(const Bitfield& peer_has, std::uint32_t count, Rng& rng, const PickLimits& limits);
    bool is_partial(PieceIndex p) const { return find_partial(p) != nullptr; }

    // Endgame asks a peer for at most this many blocks that are already in flight elsewhere. Asking
    // every idle peer for every missing block (as a naive endgame does) makes each slow sender's
    // queued copies arrive after the fast one's: in a 100-peer flash crowd that wasted a fifth of
    // every download. libtorrent likewise only asks an idle peer for busy blocks.
    static constexpr std::uint32_t endgame_blocks_max = 2;

    void mark_requested(BlockRef b);
    // A request failed (timeout, reject, peer gone): the block can be picked again.
    void abort_request(BlockRef b);
    // Returns true when this completed the piece (every block received).
    bool mark_received(BlockRef b);
    bool is_received(BlockRef b) const;
    // Whether any block of a started piece was asked of two peers at once (endgame): only then
    // can a peer other than the sender still have a request out for one of its blocks.
    bool asked_twice(PieceIndex p) const;
    // The piece failed its hash: all its blocks are wanted again.
    void reset_piece(PieceIndex p);

    bool in_endgame() const;
    std::uint32_t partial_count() const;

    // Changes whenever a pick that found nothing might find something now for a peer whose
    // pieces did not change: a block is wanted again, endgame begins, priorities or order change.
    // (Not when a piece is had, a block requested outside endgame or received: those only take
    // blocks away.) Lets a caller skip picks that would be empty again.
    std::uint64_t epoch() const { return epoch_; }

private:
    enum class BlockState : std::uint8_t { none, requested, received };
    struct Partial {
        PieceIndex piece;
        std::vector<BlockState> blocks;
        std::vector<std::uint8_t> requests;  // outstanding requests per block (endgame may exceed 1)
        std::uint32_t received = 0;
        std::uint32_t unrequested = 0;       // blocks in state none
    };
    // Every change of a block's state goes through here, so the counts stay true.
    void set_state(Partial& x, std::uint32_t block, BlockState s);
    void erase_partial(PieceIndex p);
    Partial* find_partial(PieceIndex p);
    const Partial* find_partial(PieceIndex p) const;
    Partial& start_partial(PieceIndex p);
    bool wanted(std::uint32_t i) const { return !have_.get(i) && (priorities_.empty() || priorities_[i] != skip); }
    // May piece i be started for a peer that has `peer_has`?
    bool startable(std::uint32_t i, const Bitfield& peer_has, const PickLimits& limits) const;

    std::uint32_t piece_count_;
    std::int64_t piece_length_;
    std::int64_t total_size_;
    Bitfield have_;
    std::vector<std::uint32_t> availability_;
    std::vector<std::uint8_t> priorities_;  // empty: all normal
    bool sequential_ = false;
    std::vector<Partial> partials_;  // tens at a time: linear search is fine
    Bitfield started_;               // the pieces partials_ holds, for the scans over every piece
    // Blocks in state none over all partials. Most picks find nothing (a peer whose pieces are
    // all being fetched from others is asked again after each message it sends), so the checks
    // that end such a pick must not walk every block.
    std::uint32_t unrequested_ = 0;
    // Pieces wanted and not had: what endgame and done compare against, kept as pieces are had
    // and priorities change, so that neither walks every piece on every block.
    std::uint32_t wanted_missing_ = 0;
    std::uint64_t epoch_ = 0;
    // pick's working lists, kept to reuse their memory: started pieces, pieces spanned, new candidates
    std::vector<Partial*> started_scratch_;
    std::vector<PieceIndex> spanned_scratch_;
    std::vector<std::uint32_t> candidates_scratch_;
};

}  // namespace agora::swarm
