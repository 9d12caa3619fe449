// Hashes one piece from disk: the SHA-1 of all its bytes (v1) and the merkle root of its 16 KiB
// blocks (v2), in one pass over the data. Memory is one fixed read buffer, whatever the piece
// length. One PieceHasher per worker thread.
#pragma once

#include <optional>
#include <vector>

#include "core/hash.hpp"
#include "core/result.hpp"
#include "io/file_access.hpp"
#include "storage/verify_plan.hpp"

namespace agora::io {

struct PieceDigest {
    std::optional<Sha1> v1;
    std::optional<Sha256> v2;
};

class PieceHasher {
public:
    // Small enough to stay in L2 cache between the read and the hashing.
    static constexpr std::size_t read_chunk_bytes = 256 * 1024;
    PieceHasher() : buffer_(read_chunk_bytes) {}

    // `piece` gives the geometry (piece_geometry or plan_piece_check). v2 is computed when
    // piece.v2_leaves > 0 and want_v2.
    Result<PieceDigest> hash(const storage::PieceCheck& piece, const storage::Layout& layout, FileAccess& files,
                             bool want_v1, bool want_v2);

    // The same for a piece already in memory (`data` holds all piece.length bytes, pads included).
    PieceDigest hash_bytes(const storage::PieceCheck& piece, BytesView data, bool want_v1, bool want_v2);

private:
    void begin(const storage::PieceCheck& piece, bool want_v1, bool want_v2);
    PieceDigest finish(const storage::PieceCheck& piece);
    void feed(const char* data, std::size_t n);

    std::vector<char> buffer_;
    Sha1Hasher sha1_;
    Sha256Hasher sha256_;
    std::vector<Sha256> blocks_;
    // Per-piece state while feeding.
    bool v1_ = false;
    bool v2_ = false;
    std::int64_t position_ = 0;       // bytes of the piece fed so far
    std::int64_t v2_bytes_ = 0;
    std::uint32_t block_filled_ = 0;  // bytes in the current v2 block
};

// What one worker thread owns to hash pieces: its own open files and its own hasher.
struct HashWorker {
    HashWorker(const std::string& save_dir, const storage::Layout& layout)
        : files(save_dir, layout, FileAccess::Mode::read_only) {}
    FileAccess files;
    PieceHasher hasher;
};

// Checks one planned piece: true when every expectation it has is met.
struct PieceVerdict {
    bool ok = false;
    bool unreadable = false;  // a file was missing or short
};
PieceVerdict check_piece(PieceHasher& hasher, const storage::PieceCheck& check, const storage::Layout& layout,
                         FileAccess& files);

}  // namespace agora::io
