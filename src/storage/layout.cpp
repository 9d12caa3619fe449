#include "storage/layout.hpp"

#include <algorithm>

#include "core/assert.hpp"

namespace agora::storage {

Layout::Layout(std::int64_t piece_length, std::vector<FileEntry> files)
    : piece_length_(piece_length), files_(std::move(files)) {
    AGORA_ASSERT(piece_length_ > 0);
    for (const auto& f : files_) {
        AGORA_ASSERT(f.offset == total_size_);
        AGORA_ASSERT(f.size >= 0);
        total_size_ += f.size;
    }
    piece_count_ = static_cast<std::uint32_t>((total_size_ + piece_length_ - 1) / piece_length_);
}

std::int64_t Layout::piece_size(PieceIndex p) const {
    AGORA_ASSERT(p.value < piece_count_);
    return std::min(piece_length_, total_size_ - piece_offset(p));
}

FileIndex Layout::file_at_offset(std::int64_t offset) const {
    // The last file whose start is <= offset and that is not empty (empty files take no space).
    auto it = std::upper_bound(files_.begin(), files_.end(), offset,
                               [](std::int64_t o, const FileEntry& f) { return o < f.offset; });
    AGORA_ASSERT(it != files_.begin());
    --it;
    while (it != files_.begin() && it->size == 0) --it;
    return FileIndex(static_cast<std::uint32_t>(it - files_.begin()));
}

std::vector<std::uint8_t> Layout::piece_priorities(const std::vector<std::uint8_t>& file_priorities) const {
    std::vector<std::uint8_t> out(piece_count_, 0);
    for (std::size_t f = 0; f < files_.size() && f < file_priorities.size(); ++f) {
        const auto& file = files_[f];
        if (file.pad || file.size <= 0) continue;
        const auto first = static_cast<std::uint32_t>(file.offset / piece_length_);
        const auto last = static_cast<std::uint32_t>((file.offset + file.size - 1) / piece_length_);
        for (auto p = first; p <= last && p < piece_count_; ++p) out[p] = std::max(out[p], file_priorities[f]);
    }
    return out;
}

std::vector<Slice> Layout::slices(std::int64_t offset, std::int64_t length) const {
    AGORA_ASSERT(offset >= 0 && length >= 0 && offset + length <= total_size_);
    std::vector<Slice> out;
    if (length == 0) return out;
    auto it = std::upper_bound(files_.begin(), files_.end(), offset,
                               [](std::int64_t o, const FileEntry& f) { return o < f.offset; });
    --it;
    const std::int64_t end = offset + length;
    for (; it != files_.end() && it->offset < end; ++it) {
        const std::int64_t from = std::max(offset, it->offset);
        const std::int64_t to = std::min(end, it->offset + it->size);
        if (to <= from || !it->stored()) continue;
        out.push_back(Slice{FileIndex(static_cast<std::uint32_t>(it - files_.begin())), from - it->offset, to - from});
    }
    return out;
}

PieceIndex Layout::file_first_piece(FileIndex f) const {
    return PieceIndex(static_cast<std::uint32_t>(file(f).offset / piece_length_));
}

std::uint32_t Layout::file_piece_count(FileIndex f) const {
    return static_cast<std::uint32_t>((file(f).size + piece_length_ - 1) / piece_length_);
}

}  // namespace agora::storage
