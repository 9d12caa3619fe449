// What it takes to check one piece: where its bytes are and what they must hash to. A v1 piece is
// checked by the SHA-1 of all its bytes (pad bytes are zeros); a v2 piece by the merkle root of
// the SHA-256 hashes of its 16 KiB blocks within its file (BEP 52). A hybrid piece must pass both.
// io/ reads the slices and hashes; this file only plans.
#pragma once

#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "storage/layout.hpp"

namespace agora::storage {

struct PieceCheck {
    PieceIndex piece;
    std::int64_t length = 0;        // bytes of the piece in the linear space
    std::vector<Slice> slices;      // the stored bytes; anything not covered is zeros
    std::optional<Sha1> v1;         // expected SHA-1 of all `length` bytes
    std::optional<Sha256> v2;       // expected merkle root of the piece's blocks
    std::int64_t v2_bytes = 0;      // how many leading bytes are file data for v2 (the rest is padding)
    std::size_t v2_leaves = 0;      // leaf count the piece's subtree is padded to

    // Nothing to check against (a v2 piece whose layer the .torrent did not carry).
    bool checkable() const { return v1.has_value() || v2.has_value(); }
};

// The geometry of a piece without expectations: slices, length, and (when `v2`) which bytes and
// how many leaves make its v2 root. Used to check pieces and to create torrents.
PieceCheck piece_geometry(const Layout& layout, PieceIndex piece, bool v2);

// `v1_hashes` is empty for v2-only torrents; `piece_layers` is indexed by file (may be empty
// vectors). Files must be piece-aligned when v2 data is present.
PieceCheck plan_piece_check(const Layout& layout, BytesView v1_hashes,
                            const std::vector<std::vector<Sha256>>& piece_layers, PieceIndex piece);

// The v2 root of one piece from its block hashes (padded with zero leaves to `leaves`).
Sha256 piece_root_from_blocks(const std::vector<Sha256>& block_hashes, std::size_t leaves);

}  // namespace agora::storage
