// Where a torrent's bytes live: the files in order, each at an offset in one linear byte space
// that pieces cut into equal lengths (BEP 3). Pad files (BEP 47) occupy that space but are never
// stored; their bytes are zeros. For v2 and hybrid torrents every file with data starts on a piece
// boundary, so a piece belongs to exactly one file (BEP 52). No file access here: io/ does that.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.hpp"
#include "core/ids.hpp"

namespace agora::storage {

struct FileEntry {
    std::string path;          // relative to the save folder, '/'-separated, already made safe
    std::int64_t size = 0;
    std::int64_t offset = 0;   // in the torrent's linear byte space
    bool pad = false;          // BEP 47 padding: zeros, not stored
    bool executable = false;   // BEP 47 attr 'x'
    bool hidden = false;       // BEP 47 attr 'h'
    std::string symlink;       // BEP 47 attr 'l': target, relative to the torrent's root folder
    std::optional<Sha256> pieces_root;  // BEP 52, files with data in v2 and hybrid torrents

    bool stored() const { return !pad && symlink.empty() && size > 0; }
};

// A run of bytes inside one file.
struct Slice {
    FileIndex file;
    std::int64_t file_offset = 0;
    std::int64_t length = 0;
};

class Layout {
public:
    Layout() = default;
    // `files` must be in order with contiguous offsets starting at 0; piece_length > 0.
    Layout(std::int64_t piece_length, std::vector<FileEntry> files);

    std::int64_t piece_length() const { return piece_length_; }
    std::int64_t total_size() const { return total_size_; }
    std::uint32_t piece_count() const { return piece_count_; }
    std::int64_t piece_size(PieceIndex p) const;
    std::int64_t piece_offset(PieceIndex p) const { return std::int64_t{p.value} * piece_length_; }

    const std::vector<FileEntry>& files() const { return files_; }
    const FileEntry& file(FileIndex f) const { return files_[f.value]; }
    std::uint32_t file_count() const { return static_cast<std::uint32_t>(files_.size()); }

    // The stored slices covering [offset, offset+length) of the linear space, in order. Pad files
    // and zero-length files yield no slice (the caller treats the gap as zeros).
    std::vector<Slice> slices(std::int64_t offset, std::int64_t length) const;
    std::vector<Slice> piece_slices(PieceIndex p) const { return slices(piece_offset(p), piece_size(p)); }

    // The file a piece starts in (for v2: the only file it holds data of).
    FileIndex file_at_offset(std::int64_t offset) const;
    // For piece-aligned files: the first piece of file f and how many pieces it spans.
    PieceIndex file_first_piece(FileIndex f) const;
    std::uint32_t file_piece_count(FileIndex f) const;

    // One priority per piece from one per file (same length as files(); pad files ignored): a
    // piece takes the highest priority of the stored files it holds bytes of, 0 if none.
    std::vector<std::uint8_t> piece_priorities(const std::vector<std::uint8_t>& file_priorities) const;

private:
    std::int64_t piece_length_ = 0;
    std::int64_t total_size_ = 0;
    std::uint32_t piece_count_ = 0;
    std::vector<FileEntry> files_;
};

}  // namespace agora::storage
