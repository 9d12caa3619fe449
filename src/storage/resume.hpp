// Resume records: which pieces of a torrent were verified, and the size and modification time of
// each stored file when that was true. On start, a record whose files still match is trusted;
// otherwise the files are checked again. io/ keeps the records in SQLite; this is the format.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bitfield.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"

namespace agora::storage {

struct FileStamp {
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;  // 0 when the file does not exist
    bool operator==(const FileStamp&) const = default;
};

struct ResumeRecord {
    Bitfield verified;
    std::vector<FileStamp> files;  // one per file of the layout, pad files included (as zeros)
    bool operator==(const ResumeRecord&) const = default;
};

Bytes encode_resume(const ResumeRecord& record);
// Rejects a record that is not for a torrent of `piece_count` pieces and `file_count` files.
Result<ResumeRecord> decode_resume(BytesView bytes, std::uint32_t piece_count, std::uint32_t file_count);

}  // namespace agora::storage
