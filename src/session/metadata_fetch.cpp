#include "session/metadata_fetch.hpp"

#include <cstring>

#include "core/hash.hpp"
#include "wire/limits.hpp"

namespace agora::session {

namespace {
constexpr std::int64_t piece_bytes = 16 * 1024;
constexpr Duration request_timeout = std::chrono::seconds(10);
}  // namespace

bool MetadataFetch::add_peer(PeerHandle peer, std::int64_t size) {
    if (size <= 0 || size > static_cast<std::int64_t>(wire::limits::metadata_bytes_max)) return false;
    if (size_ && *size_ != size) return false;
    if (!size_) {
        size_ = size;
        data_.assign(static_cast<std::size_t>(size), '\0');
        pieces_.assign(static_cast<std::size_t>((size + piece_bytes - 1) / piece_bytes), Piece{});
    }
    peers_[peer.value] = false;
    return true;
}

void MetadataFetch::remove_peer(PeerHandle peer) {
    peers_.erase(peer.value);
    for (auto& p : pieces_)
        if (p.asked == peer) p.asked.reset();
}

std::optional<std::uint32_t> MetadataFetch::next_request(PeerHandle peer, TimePoint now) {
    auto it = peers_.find(peer.value);
    if (it == peers_.end() || it->second) return std::nullopt;
    for (std::uint32_t i = 0; i < pieces_.size(); ++i) {
        auto& p = pieces_[i];
        if (p.have) continue;
        // Unasked pieces first; a piece asked of someone long ago may be asked again.
        if (p.asked && now - p.asked_at < request_timeout) continue;
        p.asked = peer;
        p.asked_at = now;
        it->second = true;
        return i;
    }
    return std::nullopt;
}

bool MetadataFetch::on_data(PeerHandle peer, std::uint32_t piece, std::int64_t total_size, BytesView data) {
    auto it = peers_.find(peer.value);
    if (it == peers_.end() || !size_ || total_size != *size_ || piece >= pieces_.size()) return false;
    it->second = false;
    const std::int64_t start = std::int64_t{piece} * piece_bytes;
    const std::int64_t expected = std::min(piece_bytes, *size_ - start);
    if (static_cast<std::int64_t>(data.size()) != expected) return false;
    std::memcpy(data_.data() + start, data.data(), data.size());
    pieces_[piece].have = true;
    pieces_[piece].asked.reset();
    return true;
}

void MetadataFetch::on_reject(PeerHandle peer, std::uint32_t piece) {
    if (auto it = peers_.find(peer.value); it != peers_.end()) it->second = false;
    if (piece < pieces_.size() && pieces_[piece].asked == peer) pieces_[piece].asked.reset();
}

bool MetadataFetch::complete() const {
    if (pieces_.empty()) return false;
    for (const auto& p : pieces_)
        if (!p.have) return false;
    return true;
}

std::optional<Bytes> MetadataFetch::take_verified() {
    const bool v1_ok = !expected_.v1 || sha1(data_).view() == expected_.v1->view();
    const bool v2_ok = !expected_.v2 || sha256(data_).view() == expected_.v2->view();
    if (v1_ok && v2_ok) return std::move(data_);
    for (auto& p : pieces_) p = Piece{};
    return std::nullopt;
}

}  // namespace agora::session
