// Text for people: byte counts, and untrusted strings made safe to print on a terminal.
#pragma once

#include <string>
#include <string_view>

namespace agora::cli {

// "1.5 MiB"
std::string format_bytes(double bytes);

// A string from a .torrent or magnet (comment, creator, URL) with control characters replaced
// by '?', so it cannot move the cursor or send escape sequences to the terminal.
std::string printable(std::string_view s);

}  // namespace agora::cli
