#include "io/file_access.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace agora::io {

namespace {

Error io_error(const std::string& what, int err) {
    return make_error(Error::Kind::io, what + ": " + std::strerror(err));
}

// Opens `rel` (a '/'-separated path with no "." or ".." elements) below the directory `dir_fd`,
// following no symlink on the way. With `create`, missing folders and the file are created.
Result<int> open_below(int dir_fd, const std::string& rel, int flags, bool create, const std::string& shown) {
    int current = dir_fd;
    std::size_t start = 0;
    for (;;) {
        const auto slash = rel.find('/', start);
        const std::string element = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (slash == std::string::npos) {
            const int fd = ::openat(current, element.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
            const int err = errno;
            if (current != dir_fd) ::close(current);
            if (fd < 0) return io_error(shown, err);
            return fd;
        }
        if (create && ::mkdirat(current, element.c_str(), 0755) != 0 && errno != EEXIST) {
            const int err = errno;
            if (current != dir_fd) ::close(current);
            return io_error(shown, err);
        }
        const int next = ::openat(current, element.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        const int err = errno;
        if (current != dir_fd) ::close(current);
        if (next < 0) return io_error(shown, err);
        current = next;
        start = slash + 1;
    }
}

}  // namespace

FileAccess::FileAccess(std::string save_dir, const storage::Layout& layout, Mode mode)
    : save_dir_(std::move(save_dir)), layout_(layout), mode_(mode) {}

FileAccess::~FileAccess() {
    close_all();
    if (root_fd_ >= 0) ::close(root_fd_);
}

void FileAccess::close_all() {
    for (auto& [index, fd] : open_) ::close(fd);
    open_.clear();
}

Result<int> FileAccess::open_file(FileIndex file, bool create) {
    if (auto it = open_.find(file.value); it != open_.end()) return it->second;
    if (root_fd_ < 0) {
        if (create) ::mkdir(save_dir_.c_str(), 0755);
        root_fd_ = ::open(save_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd_ < 0) return io_error(save_dir_, errno);
    }
    if (open_.size() >= fds_max) close_all();
    const auto& path = layout_.file(file).path;
    const int flags = mode_ == Mode::read_write ? O_RDWR : O_RDONLY;
    auto fd = open_below(root_fd_, path, flags, create, save_dir_ + "/" + path);
    if (!fd) return fd;
    open_.emplace(file.value, *fd);
    return fd;
}

Status FileAccess::read(const storage::Slice& slice, char* out) {
    auto fd = open_file(slice.file, false);
    if (!fd) return fd.error();
    std::int64_t done = 0;
    while (done < slice.length) {
        const auto n = ::pread(*fd, out + done, static_cast<std::size_t>(slice.length - done), slice.file_offset + done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error(save_dir_ + "/" + layout_.file(slice.file).path, errno);
        if (n == 0) return make_error(Error::Kind::io, save_dir_ + "/" + layout_.file(slice.file).path + ": file is shorter than the torrent says");
        done += n;
    }
    return Ok{};
}

Status FileAccess::write(const storage::Slice& slice, const char* data) {
    AGORA_ASSERT(mode_ == Mode::read_write);
    auto fd = open_file(slice.file, true);
    if (!fd) return fd.error();
    std::int64_t done = 0;
    while (done < slice.length) {
        const auto n = ::pwrite(*fd, data + done, static_cast<std::size_t>(slice.length - done), slice.file_offset + done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error(save_dir_ + "/" + layout_.file(slice.file).path, errno);
        done += n;
    }
    return Ok{};
}

Status FileAccess::allocate_all() {
    AGORA_ASSERT(mode_ == Mode::read_write);
    for (std::uint32_t i = 0; i < layout_.file_count(); ++i) {
        const auto& f = layout_.files()[i];
        if (f.pad || !f.symlink.empty()) continue;
        auto fd = open_file(FileIndex(i), true);
        if (!fd) return fd.error();
        struct stat st {};
        if (::fstat(*fd, &st) != 0) return io_error(f.path, errno);
        if (st.st_size < f.size && ::ftruncate(*fd, f.size) != 0) return io_error(save_dir_ + "/" + f.path, errno);
    }
    return Ok{};
}

Result<Bytes> read_small_file(const std::string& path, std::uint64_t bytes_max) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return io_error(path, errno);
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size < 0) return make_error(Error::Kind::io, path + ": cannot read");
    if (static_cast<std::uint64_t>(size) > bytes_max)
        return make_error(Error::Kind::io, path + ": file is larger than " + std::to_string(bytes_max) + " bytes");
    in.seekg(0);
    Bytes out(static_cast<std::size_t>(size), '\0');
    if (!in.read(out.data(), size)) return make_error(Error::Kind::io, path + ": read failed");
    return out;
}

}  // namespace agora::io
