// Text for people: byte counts, and untrusted strings made safe to print on a terminal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agora::cli {

// "1.5 MiB"
std::string format_bytes(double bytes);

// A rate such as "500k", "2M" or "1048576" (bytes per second; k = KiB, M = MiB, G = GiB).
// nullopt when it is not one.
std::optional<std::uint64_t> parse_rate(std::string_view text);

// A string from a .torrent or magnet (comment, creator, URL) with control characters replaced
// by '?', so it cannot move the cursor or send escape sequences to the terminal.
std::string printable(std::string_view s);

}  // namespace agora::cli
