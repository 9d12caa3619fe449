// Every bound agora puts on outside input, in one place (STYLE.md, practice 8). Going over a limit
// is a typed error (the input is rejected), never an allocation sized by the input.
#pragma once

#include <cstdint>

namespace agora::limits {

// bencode
inline constexpr int bencode_depth_max = 100;                    // libtorrent's default too
inline constexpr std::uint32_t bencode_tokens_max = 3'000'000;   // libtorrent: 3,000,000 for .torrent

// .torrent and info dictionaries
inline constexpr std::uint64_t torrent_file_bytes_max = 64ull << 20;  // a .torrent read from disk
inline constexpr std::uint32_t piece_count_max = 1u << 21;            // 2,097,152, as libtorrent
inline constexpr std::int64_t piece_length_max = 1ll << 30;           // 1 GiB (and power of two for v2)
inline constexpr std::int64_t piece_length_min_v2 = 16 * 1024;
inline constexpr std::uint32_t file_count_max = 1'000'000;
inline constexpr int file_tree_depth_max = 100;
inline constexpr std::uint32_t path_element_bytes_max = 255;          // bytes, POSIX NAME_MAX
inline constexpr std::uint32_t path_bytes_max = 4000;                 // whole relative path
inline constexpr std::int64_t total_size_max = 1ll << 50;             // 1 PiB
inline constexpr int duplicate_name_attempts_max = 500;                // libtorrent: 500
inline constexpr std::uint32_t trackers_max = 1000;
inline constexpr std::uint32_t url_bytes_max = 4096;

// magnet links
inline constexpr std::uint32_t magnet_bytes_max = 64 * 1024;
inline constexpr std::uint32_t magnet_params_max = 1000;

// BitTorrent's transfer unit: 16 KiB blocks (BEP 3 de facto, BEP 52 merkle leaves).
inline constexpr std::uint32_t block_size_bytes = 16 * 1024;

}  // namespace agora::limits
