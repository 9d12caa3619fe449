// Fixed-size digests (SHA-1 = 20 bytes, SHA-256 = 32 bytes) with hex and base32 forms, and the
// strong id types built on them. A digest is plain data: comparable, hashable, copyable.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace agora {

std::string to_hex(BytesView bytes);
// The value of one hex digit of either case, or -1.
int hex_digit_value(char c);
// Decodes hex of any case; nullopt on an odd length or a non-hex character.
std::optional<Bytes> from_hex(std::string_view hex);
// RFC 4648 base32, upper case, no padding (the form magnet links use).
std::string to_base32(BytesView bytes);
// Accepts either case, no padding; nullopt on a bad character or a length that is not whole bytes.
std::optional<Bytes> from_base32(std::string_view text);

// `Tag` makes digests of the same size but different meaning distinct types.
template <std::size_t N, typename Tag>
struct Digest {
    static constexpr std::size_t size_bytes = N;
    std::array<std::uint8_t, N> bytes{};

    static std::optional<Digest> from_bytes(BytesView b) {
        if (b.size() != N) return std::nullopt;
        Digest d;
        std::memcpy(d.bytes.data(), b.data(), N);
        return d;
    }
    static std::optional<Digest> parse_hex(std::string_view hex) {
        auto raw = from_hex(hex);
        if (!raw) return std::nullopt;
        return from_bytes(*raw);
    }
    BytesView view() const { return {reinterpret_cast<const char*>(bytes.data()), N}; }
    std::string hex() const { return to_hex(view()); }
    bool is_zero() const {
        for (auto b : bytes)
            if (b != 0) return false;
        return true;
    }
    auto operator<=>(const Digest&) const = default;
};

struct Sha1Tag {};
struct Sha256Tag {};
struct InfoHashV1Tag {};
struct InfoHashV2Tag {};

using Sha1 = Digest<20, Sha1Tag>;
using Sha256 = Digest<32, Sha256Tag>;
using InfoHashV1 = Digest<20, InfoHashV1Tag>;  // SHA-1 of the bencoded info dictionary
using InfoHashV2 = Digest<32, InfoHashV2Tag>;  // SHA-256 of the bencoded info dictionary

// A torrent has a v1 hash, a v2 hash, or both (hybrid).
struct InfoHashes {
    std::optional<InfoHashV1> v1;
    std::optional<InfoHashV2> v2;
    bool operator==(const InfoHashes&) const = default;
};

}  // namespace agora

template <std::size_t N, typename Tag>
struct std::hash<agora::Digest<N, Tag>> {
    std::size_t operator()(const agora::Digest<N, Tag>& d) const noexcept {
        std::size_t h;
        std::memcpy(&h, d.bytes.data(), sizeof h);  // digests are uniformly distributed already
        return h;
    }
};
