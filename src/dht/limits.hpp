// Limits on what the DHT accepts from the network and keeps for others (STYLE.md: every parser of
// outside input has limits). Defaults follow libtorrent's where a BEP is silent.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace agora::dht::limits {

inline constexpr std::size_t datagram_bytes_max = 1500;     // larger datagrams are dropped unread
inline constexpr int bencode_depth_max = 12;                // BEP 44 values may nest a little
inline constexpr std::uint32_t bencode_tokens_max = 600;
inline constexpr std::size_t transaction_id_bytes_max = 16;
inline constexpr std::size_t token_bytes_max = 64;
inline constexpr std::size_t version_bytes_max = 16;
inline constexpr std::size_t nodes_per_reply_max = 16;      // more compact nodes in one reply are ignored
inline constexpr std::size_t values_per_reply_max = 200;    // peers taken from one get_peers reply
inline constexpr std::size_t values_sent_max = 50;          // peers we put in one reply (fits a datagram)

inline constexpr std::size_t bucket_size = 8;               // k
inline constexpr int buckets_max = 160;
inline constexpr std::size_t lookup_alpha = 3;
inline constexpr std::size_t lookup_candidates_max = 100;   // the closest kept per lookup
inline constexpr std::size_t transactions_max = 2000;       // in flight at once
inline constexpr std::size_t queries_max = 64;              // user lookups at once

inline constexpr std::size_t stored_torrents_max = 2000;
inline constexpr std::size_t stored_peers_per_torrent_max = 200;
inline constexpr auto stored_peer_lifetime = std::chrono::minutes(30);

inline constexpr double source_rate_per_second = 20;        // queries from one ip:port
inline constexpr double source_burst = 40;
inline constexpr double address_rate_per_second = 200;      // from one non-local IP, all ports together
inline constexpr double address_burst = 400;
inline constexpr std::size_t rate_sources_max = 10000;

inline constexpr auto query_stall = std::chrono::milliseconds(1000);   // a lookup stops waiting for it
inline constexpr auto query_timeout = std::chrono::milliseconds(4000);  // the node counts as failed
inline constexpr auto node_good_for = std::chrono::minutes(15);
inline constexpr auto bucket_refresh = std::chrono::minutes(15);
inline constexpr auto token_rotation = std::chrono::minutes(5);

}  // namespace agora::dht::limits
