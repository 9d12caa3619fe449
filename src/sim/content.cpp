#include "sim/content.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/bytes.hpp"
#include "core/hash.hpp"
#include "core/limits.hpp"
#include "meta/create.hpp"

namespace agora::sim {

namespace {

constexpr std::uint32_t block = limits::block_size_bytes;

std::array<char, token_bytes> token(std::uint32_t content, std::uint64_t block_index, bool honest) {
    std::array<char, token_bytes> t{};
    std::memcpy(t.data(), honest ? "agorasim" : "agorabad", 8);
    for (int i = 0; i < 4; ++i) t[8 + i] = static_cast<char>(content >> (8 * (3 - i)));
    for (int i = 0; i < 8; ++i) t[12 + i] = static_cast<char>(block_index >> (8 * (7 - i)));
    return t;
}

}  // namespace

void fill_content(Bytes& out, std::uint32_t content, std::int64_t offset, std::uint32_t length, bool honest) {
    out.assign(length, '\0');
    write_content_over_zeros(out.data(), content, offset, length, honest);
}

void write_content_over_zeros(char* zeros, std::uint32_t content, std::int64_t offset, std::uint32_t length,
                              bool honest) {
    std::int64_t at = offset;
    const std::int64_t end = offset + length;
    while (at < end) {
        const auto index = static_cast<std::uint64_t>(at / block);
        const std::int64_t within = at % block;
        if (within < static_cast<std::int64_t>(token_bytes)) {
            const auto t = token(content, index, honest);
            const auto n = std::min<std::int64_t>(static_cast<std::int64_t>(token_bytes) - within, end - at);
            std::memcpy(zeros + (at - offset), t.data() + within, static_cast<std::size_t>(n));
        }
        at = (static_cast<std::int64_t>(index) + 1) * block;
    }
}

Bytes content_bytes(std::uint32_t content, std::int64_t offset, std::uint32_t length, bool honest) {
    Bytes out;
    fill_content(out, content, offset, length, honest);
    return out;
}

bool matches(std::uint32_t content, std::int64_t offset, BytesView data) {
    const std::int64_t end = offset + static_cast<std::int64_t>(data.size());
    std::int64_t at = offset;
    while (at < end) {
        const auto index = static_cast<std::uint64_t>(at / block);
        const std::int64_t block_start = static_cast<std::int64_t>(index) * block;
        const std::int64_t token_end = std::min<std::int64_t>(block_start + static_cast<std::int64_t>(token_bytes), end);
        const std::int64_t block_end = std::min<std::int64_t>(block_start + block, end);
        if (at < token_end) {
            const auto t = token(content, index, true);
            if (std::memcmp(data.data() + (at - offset), t.data() + (at - block_start),
                            static_cast<std::size_t>(token_end - at)) != 0)
                return false;
            at = token_end;
        }
        if (at < block_end && !all_zero(data.substr(static_cast<std::size_t>(at - offset),
                                                     static_cast<std::size_t>(block_end - at))))
            return false;
        at = block_end;
    }
    return true;
}

Result<std::shared_ptr<const meta::TorrentInfo>> make_torrent(std::uint32_t content, std::string name,
                                                               std::int64_t size, std::int64_t piece_length,
                                                               std::vector<std::string> trackers) {
    meta::CreateOptions options;
    options.version = meta::TorrentVersion::v1_only;
    options.piece_length = piece_length;
    options.trackers = std::move(trackers);
    options.created_by = "agora sim";
    std::vector<meta::InputFile> files(1);
    files[0].size = size;
    auto plan = meta::plan_creation(std::move(name), std::move(files), options);
    if (!plan) return plan.error();
    meta::CreateHashes hashes;
    const std::int64_t length = plan->layout.piece_length();
    Bytes piece;
    for (std::uint32_t p = 0; p < plan->layout.piece_count(); ++p) {
        const auto at = std::int64_t{p} * length;
        fill_content(piece, content, at, static_cast<std::uint32_t>(std::min(length, size - at)));
        const auto digest = sha1(piece);
        hashes.v1_pieces.append(reinterpret_cast<const char*>(digest.bytes.data()), digest.bytes.size());
    }
    auto parsed = meta::parse_torrent(meta::build_torrent(*plan, hashes, options));
    if (!parsed) return parsed.error();
    return std::shared_ptr<const meta::TorrentInfo>(std::make_shared<meta::TorrentInfo>(std::move(*parsed)));
}

}  // namespace agora::sim
