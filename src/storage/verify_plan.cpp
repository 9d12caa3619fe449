#include "storage/verify_plan.hpp"

#include "core/assert.hpp"
#include "core/limits.hpp"
#include "core/merkle.hpp"

namespace agora::storage {

PieceCheck piece_geometry(const Layout& layout, PieceIndex piece, bool v2) {
    PieceCheck c;
    c.piece = piece;
    c.length = layout.piece_size(piece);
    c.slices = layout.piece_slices(piece);
    if (!v2) return c;
    const FileIndex f = layout.file_at_offset(layout.piece_offset(piece));
    const FileEntry& file = layout.file(f);
    if (file.pad || file.size == 0) return c;
    AGORA_ASSERT(file.offset % layout.piece_length() == 0);
    const std::uint32_t within = piece.value - layout.file_first_piece(f).value;
    c.v2_bytes = std::min(c.length, file.size - std::int64_t{within} * layout.piece_length());
    if (layout.file_piece_count(f) == 1) {
        // A file of one piece is padded to its own block count, not to a whole piece.
        const auto blocks = static_cast<std::size_t>((file.size + limits::block_size_bytes - 1) / limits::block_size_bytes);
        c.v2_leaves = next_pow2(blocks);
    } else {
        c.v2_leaves = static_cast<std::size_t>(layout.piece_length() / limits::block_size_bytes);
    }
    return c;
}

PieceCheck plan_piece_check(const Layout& layout, BytesView v1_hashes,
                            const std::vector<std::vector<Sha256>>& piece_layers, PieceIndex piece) {
    const FileIndex f = layout.file_at_offset(layout.piece_offset(piece));
    const FileEntry& file = layout.file(f);
    const bool v2 = file.pieces_root.has_value() && !file.pad;
    PieceCheck c = piece_geometry(layout, piece, v2);
    if (!v1_hashes.empty()) {
        AGORA_ASSERT(v1_hashes.size() == std::size_t{layout.piece_count()} * 20);
        c.v1 = Sha1::from_bytes(v1_hashes.substr(std::size_t{piece.value} * 20, 20));
    }
    if (!v2) return c;
    const std::uint32_t within = piece.value - layout.file_first_piece(f).value;
    const std::uint32_t file_pieces = layout.file_piece_count(f);
    if (file_pieces == 1)
        c.v2 = *file.pieces_root;
    else if (f.value < piece_layers.size() && piece_layers[f.value].size() == file_pieces)
        c.v2 = piece_layers[f.value][within];
    return c;
}

Sha256 piece_root_from_blocks(const std::vector<Sha256>& block_hashes, std::size_t leaves) {
    return merkle_root(block_hashes, leaves, Sha256{});
}

}  // namespace agora::storage
