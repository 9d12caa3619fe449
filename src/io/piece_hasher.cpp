#include "io/piece_hasher.hpp"

#include <algorithm>
#include <array>

#include "core/limits.hpp"

namespace agora::io {

namespace {
constexpr std::size_t zeros_bytes = 64 * 1024;
const std::array<char, zeros_bytes> zeros{};
}  // namespace

void PieceHasher::feed(const char* data, std::size_t n) {
    // Walk the data one v2 block at a time and give each span to SHA-1 and SHA-256 back to back,
    // so the second hash reads it from L1 cache.
    while (n > 0) {
        std::size_t take = n;
        if (v2_ && position_ < v2_bytes_)
            take = static_cast<std::size_t>(std::min<std::int64_t>(
                {static_cast<std::int64_t>(n), static_cast<std::int64_t>(limits::block_size_bytes - block_filled_),
                 v2_bytes_ - position_}));
        else if (v1_)
            take = std::min<std::size_t>(n, limits::block_size_bytes);
        if (v1_) sha1_.update(BytesView(data, take));
        if (v2_ && position_ < v2_bytes_) {
            sha256_.update(BytesView(data, take));
            block_filled_ += static_cast<std::uint32_t>(take);
            if (block_filled_ == limits::block_size_bytes || position_ + static_cast<std::int64_t>(take) == v2_bytes_) {
                blocks_.push_back(sha256_.finish());
                block_filled_ = 0;
            }
        }
        position_ += static_cast<std::int64_t>(take);
        data += take;
        n -= take;
    }
}

Result<PieceDigest> PieceHasher::hash(const storage::PieceCheck& piece, const storage::Layout& layout,
                                      FileAccess& files, bool want_v1, bool want_v2) {
    begin(piece, want_v1, want_v2);
    const std::int64_t piece_start = layout.piece_offset(piece.piece);
    auto feed_zeros = [&](std::int64_t n) {
        while (n > 0) {
            const auto k = static_cast<std::size_t>(std::min<std::int64_t>(n, zeros_bytes));
            feed(zeros.data(), k);
            n -= static_cast<std::int64_t>(k);
        }
    };
    for (const auto& s : piece.slices) {
        const std::int64_t at = layout.file(s.file).offset + s.file_offset - piece_start;
        feed_zeros(at - position_);
        for (std::int64_t done = 0; done < s.length;) {
            const std::int64_t n = std::min<std::int64_t>(s.length - done, static_cast<std::int64_t>(buffer_.size()));
            storage::Slice part{s.file, s.file_offset + done, n};
            if (auto r = files.read(part, buffer_.data()); !r) return r.error();
            feed(buffer_.data(), static_cast<std::size_t>(n));
            done += n;
        }
    }
    feed_zeros(piece.length - position_);
    return finish(piece);
}

void PieceHasher::begin(const storage::PieceCheck& piece, bool want_v1, bool want_v2) {
    v1_ = want_v1;
    v2_ = want_v2 && piece.v2_leaves > 0;
    position_ = 0;
    v2_bytes_ = piece.v2_bytes;
    block_filled_ = 0;
    blocks_.clear();
}

PieceDigest PieceHasher::finish(const storage::PieceCheck& piece) {
    AGORA_ASSERT(position_ == piece.length);
    PieceDigest d;
    if (v1_) d.v1 = sha1_.finish();
    if (v2_) d.v2 = storage::piece_root_from_blocks(blocks_, piece.v2_leaves);
    return d;
}

PieceDigest PieceHasher::hash_bytes(const storage::PieceCheck& piece, BytesView data, bool want_v1, bool want_v2) {
    AGORA_ASSERT(static_cast<std::int64_t>(data.size()) == piece.length);
    begin(piece, want_v1, want_v2);
    feed(data.data(), data.size());
    return finish(piece);
}

PieceVerdict check_piece(PieceHasher& hasher, const storage::PieceCheck& check, const storage::Layout& layout,
                         FileAccess& files) {
    if (!check.checkable()) return {};
    auto digest = hasher.hash(check, layout, files, check.v1.has_value(), check.v2.has_value());
    if (!digest) return PieceVerdict{false, true};
    const bool v1_ok = !check.v1 || digest->v1 == check.v1;
    const bool v2_ok = !check.v2 || digest->v2 == check.v2;
    return PieceVerdict{v1_ok && v2_ok, false};
}

}  // namespace agora::io
