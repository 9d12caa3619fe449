#include "io/create_torrent.hpp"

#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <mutex>

#include "core/limits.hpp"
#include "io/parallel.hpp"
#include "io/piece_hasher.hpp"

namespace agora::io {

namespace fs = std::filesystem;

namespace {
Error io_fail(const std::string& message) { return make_error(Error::Kind::io, message); }

bool is_executable(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && (st.st_mode & S_IXUSR) != 0;
}
}  // namespace

Result<std::vector<meta::InputFile>> scan_input(const std::string& path) {
    std::error_code ec;
    const fs::path root(path);
    const auto status = fs::status(root, ec);
    if (ec) return io_fail(path + ": " + ec.message());
    std::vector<meta::InputFile> files;
    if (fs::is_regular_file(status)) {
        const auto size = fs::file_size(root, ec);
        if (ec) return io_fail(path + ": " + ec.message());
        files.push_back(meta::InputFile{{}, static_cast<std::int64_t>(size), is_executable(root), root.string()});
        return files;
    }
    if (!fs::is_directory(status)) return io_fail(path + ": not a regular file or folder");
    fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
    if (ec) return io_fail(path + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec) return io_fail(it->path().string() + ": " + ec.message());
        const auto& entry = *it;
        if (!entry.is_regular_file(ec) || entry.is_symlink(ec)) continue;
        if (files.size() >= limits::file_count_max) return io_fail(path + ": too many files");
        meta::InputFile f;
        for (const auto& part : fs::relative(entry.path(), root)) f.path.push_back(part.string());
        f.size = static_cast<std::int64_t>(entry.file_size(ec));
        if (ec) return io_fail(entry.path().string() + ": " + ec.message());
        f.executable = is_executable(entry.path());
        f.source = entry.path().string();
        files.push_back(std::move(f));
    }
    if (files.empty()) return io_fail(path + ": the folder holds no files");
    return files;
}

Result<Bytes> create_torrent(const std::string& path, const meta::CreateOptions& options, unsigned threads,
                             CreateProgress* progress) {
    auto files = scan_input(path);
    if (!files) return files.error();
    std::string name = fs::path(path).lexically_normal().filename().string();
    if (name.empty()) name = fs::path(path).lexically_normal().parent_path().filename().string();
    auto plan = meta::plan_creation(name, std::move(*files), options);
    if (!plan) return plan.error();
    const auto& layout = plan->layout;
    if (progress) progress->bytes_total = static_cast<std::uint64_t>(layout.total_size());

    // The plan's paths are the torrent's; reading goes to each file's source instead, so the
    // reader gets a copy of the layout whose paths are the sources (relative to "/").
    std::vector<storage::FileEntry> sources = layout.files();
    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (sources[i].pad) continue;
        std::error_code ec;
        // Canonical: FileAccess follows no symlink, and the user's own path may pass through one.
        const auto real = fs::canonical(plan->sources[i], ec);
        if (ec) return io_fail(plan->sources[i] + ": " + ec.message());
        sources[i].path = real.relative_path().string();
    }
    const storage::Layout read_layout(layout.piece_length(), std::move(sources));

    const bool v1 = options.version != meta::TorrentVersion::v2_only;
    const bool v2 = options.version != meta::TorrentVersion::v1_only;
    meta::CreateHashes hashes;
    if (v1) hashes.v1_pieces.assign(std::size_t{layout.piece_count()} * 20, '\0');
    std::vector<Sha256> piece_roots(v2 ? layout.piece_count() : 0);
    std::mutex error_mutex;
    std::optional<Error> error;

    parallel_for(
        layout.piece_count(), threads,
        [&] { return std::make_unique<HashWorker>("/", read_layout); },
        [&](std::unique_ptr<HashWorker>& w, std::uint32_t i) {
            const auto geometry = storage::piece_geometry(read_layout, PieceIndex(i), v2);
            auto digest = w->hasher.hash(geometry, read_layout, w->files, v1, v2);
            if (!digest) {
                std::lock_guard lock(error_mutex);
                if (!error) error = digest.error();
                return;
            }
            if (v1) std::memcpy(hashes.v1_pieces.data() + std::size_t{i} * 20, digest->v1->bytes.data(), 20);
            if (v2 && digest->v2) piece_roots[i] = *digest->v2;
            if (progress) progress->bytes_done += static_cast<std::uint64_t>(geometry.length);
        });
    if (error) return *error;

    if (v2) {
        hashes.v2_piece_hashes.resize(layout.file_count());
        for (std::uint32_t f = 0; f < layout.file_count(); ++f) {
            const auto& file = layout.files()[f];
            if (file.pad || file.size == 0) continue;
            const auto first = layout.file_first_piece(FileIndex(f)).value;
            const auto count = layout.file_piece_count(FileIndex(f));
            hashes.v2_piece_hashes[f].assign(piece_roots.begin() + first, piece_roots.begin() + first + count);
        }
    }
    return meta::build_torrent(*plan, hashes, options);
}

}  // namespace agora::io
