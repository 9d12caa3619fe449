// BEP 3 handshake: the 68 bytes each side sends first, before any length-prefixed message.
//
//   offset  size  field
//        0     1  19 (length of the protocol string)
//        1    19  "BitTorrent protocol"
//       20     8  reserved: capability bits (BEP 4 lists them)
//       28    20  info-hash (v1, or a v2 hash truncated to 20 bytes)
//       48    20  peer id
//
// A pure codec: the caller owns the bytes and decides what to do with a handshake for a torrent it
// does not serve.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace agora::wire {

inline constexpr std::size_t handshake_bytes = 68;
inline constexpr BytesView protocol_prefix{"\x13" "BitTorrent protocol", 20};

struct Handshake {
    std::array<std::uint8_t, 8> reserved{};
    std::array<std::uint8_t, 20> info_hash{};
    std::array<std::uint8_t, 20> peer_id{};

    // Capability bits (BEP 4). Each is only in effect when both sides set it.
    bool extensions() const { return (reserved[5] & 0x10) != 0; }  // BEP 10 extension protocol
    bool fast() const { return (reserved[7] & 0x04) != 0; }        // BEP 6 fast extension
    bool dht() const { return (reserved[7] & 0x01) != 0; }         // BEP 5: sends a port message
    void set_extensions(bool on) { set_bit(5, 0x10, on); }
    void set_fast(bool on) { set_bit(7, 0x04, on); }
    void set_dht(bool on) { set_bit(7, 0x01, on); }

    bool operator==(const Handshake&) const = default;

private:
    void set_bit(std::size_t byte, std::uint8_t mask, bool on) {
        reserved[byte] = static_cast<std::uint8_t>(on ? reserved[byte] | mask : reserved[byte] & ~mask);
    }
};

// The 68 handshake bytes.
Bytes encode_handshake(const Handshake& handshake);

// Reads a handshake from the start of `input` (bytes after the first 68 are the peer's first
// messages and are not looked at). Returns nullopt while fewer than 68 bytes are present, and an
// error (Kind::bad_argument, offset of the first wrong byte) as soon as the bytes present disagree
// with "\x13BitTorrent protocol", so a caller can drop a non-BitTorrent connection early.
Result<std::optional<Handshake>> decode_handshake(BytesView input);

}  // namespace agora::wire
