#include "io/verify.hpp"

#include <mutex>

#include "io/parallel.hpp"
#include "io/piece_hasher.hpp"

namespace agora::io {

VerifyResult verify_torrent(const meta::TorrentInfo& torrent, const std::string& save_dir, unsigned threads,
                            VerifyProgress* progress) {
    const auto& layout = torrent.layout;
    VerifyResult result;
    result.have = Bitfield(layout.piece_count());
    std::atomic<std::uint32_t> unreadable{0}, unverifiable{0};
    std::mutex have_mutex;

    parallel_for(
        layout.piece_count(), threads,
        [&] { return std::make_unique<HashWorker>(save_dir, layout); },
        [&](std::unique_ptr<HashWorker>& w, std::uint32_t i) {
            const PieceIndex piece(i);
            const auto check = storage::plan_piece_check(layout, torrent.v1_piece_hashes, torrent.piece_layers, piece);
            if (!check.checkable()) {
                ++unverifiable;
            } else {
                const auto verdict = check_piece(w->hasher, check, layout, w->files);
                if (verdict.unreadable) ++unreadable;
                if (verdict.ok) {
                    std::lock_guard lock(have_mutex);
                    result.have.set(i);
                }
            }
            if (progress) {
                progress->bytes_done += static_cast<std::uint64_t>(check.length);
                ++progress->pieces_done;
            }
        });
    result.unreadable = unreadable;
    result.unverifiable = unverifiable;
    return result;
}

}  // namespace agora::io
