// Reading and writing a torrent's files under a save folder. Every path is opened component by
// component with openat(O_NOFOLLOW), so a symlink placed inside the save folder cannot redirect a
// write outside it, whatever the torrent's paths say (they are sanitised already; this is the
// second wall). Not thread-safe: give each worker thread its own FileAccess.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "storage/layout.hpp"

namespace agora::io {

class FileAccess {
public:
    enum class Mode { read_only, read_write };
    FileAccess(std::string save_dir, const storage::Layout& layout, Mode mode);
    ~FileAccess();
    FileAccess(const FileAccess&) = delete;
    FileAccess& operator=(const FileAccess&) = delete;

    // Reads exactly slice.length bytes into `out`. A missing or short file is an error.
    Status read(const storage::Slice& slice, char* out);
    // Writes the bytes of a slice, creating folders and the file as needed.
    Status write(const storage::Slice& slice, const char* data);
    // Creates every stored file at its full size without writing data (sparse where the file
    // system allows), so later writes never fail for lack of a file.
    Status allocate_all();

private:
    Result<int> open_file(FileIndex file, bool create);
    void close_all();

    std::string save_dir_;
    const storage::Layout& layout_;
    Mode mode_;
    int root_fd_ = -1;
    std::unordered_map<std::uint32_t, int> open_;  // file index -> fd, at most fds_max
    static constexpr std::size_t fds_max = 64;
};

// Reads a whole file (a .torrent) with a size cap.
Result<Bytes> read_small_file(const std::string& path, std::uint64_t bytes_max);

}  // namespace agora::io
