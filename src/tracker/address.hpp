// Internal helpers shared by the HTTP and UDP codecs: IP addresses between bytes and text, compact
// peer lists (BEP 23 / BEP 7), and making tracker-supplied text safe to log. Not part of the
// tracker's public API, but declared here so that both codecs and the tests can use them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "tracker/types.hpp"

namespace agora::tracker::detail {

// Compact peer strides: 4 or 16 address bytes, then a big-endian port.
inline constexpr std::size_t compact_v4_bytes = 6;
inline constexpr std::size_t compact_v6_bytes = 18;

std::string format_ipv4(const std::uint8_t* bytes);   // 4 bytes -> "a.b.c.d"
std::string format_ipv6(const std::uint8_t* bytes);   // 16 bytes -> RFC 5952 text

// Strict parsers: dotted-quad IPv4 with no leading zeros; IPv6 with at most one "::" and an
// optional dotted IPv4 tail, no zone id. nullopt on anything else.
std::optional<std::array<std::uint8_t, 4>> parse_ipv4(std::string_view text);
std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view text);

// The canonical text of an IPv4 or IPv6 literal, or nullopt if `text` is neither (a host name).
std::optional<std::string> canonical_ip(std::string_view text);

// Appends the peers of a compact list whose size is a multiple of `stride` (6 or 18), skipping
// port 0 and stopping once `out` holds limits::peers_max peers.
void append_compact_peers(BytesView compact, std::size_t stride, std::vector<Peer>& out);

// Tracker text for a log line: cut to limits::message_bytes_max, control bytes replaced by '?'.
std::string sanitize_message(std::string_view text);

}  // namespace agora::tracker::detail
