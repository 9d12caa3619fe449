// Base64 (RFC 4648, the standard alphabet with padding) over libsodium: HTTP Basic credentials and
// the .torrent files that Transmission RPC clients send inside JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace agora::base64 {

std::string encode(std::string_view bytes);
// nullopt for anything that is not whole, padded base64 (whitespace and newlines are skipped, as
// clients wrap long lines).
std::optional<std::string> decode(std::string_view text);

}  // namespace agora::base64
