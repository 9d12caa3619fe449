// BEP 11 ut_pex: the payload of a peer exchange message, a bencoded dictionary carried in an
// Extended message under the id the peer gave "ut_pex" in its extended handshake (extension.hpp).
//
// On the wire each address family has its own keys: "added" / "added.f" / "dropped" hold IPv4
// contacts (6 bytes: address, big-endian port), "added6" / "added6.f" / "dropped6" IPv6 ones
// (18 bytes); the .f strings carry one flag byte per added contact. PexMessage keeps both families
// in one list per direction and the codec splits and joins them. When and what to send (the
// 60-second rhythm, the diff against the last message, BEP 11's 50-contact budget after the first
// message) is the session's job, not this file's.
//
// Errors are Kind::bad_bencode when the bytes are not bencode and Kind::bad_argument otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "wire/limits.hpp"

namespace agora::wire {

inline constexpr std::string_view ut_pex_name = "ut_pex";

// Flag bits of an added contact (BEP 11; libtorrent's pex_flags_t has the same values). They are
// hints from the sender: 0 says nothing (a peer without pex_flag_utp may still speak uTP).
inline constexpr std::uint8_t pex_flag_encryption = 0x01;  // prefers encrypted connections
inline constexpr std::uint8_t pex_flag_seed = 0x02;        // a seed or upload-only
inline constexpr std::uint8_t pex_flag_utp = 0x04;         // supports uTP
inline constexpr std::uint8_t pex_flag_holepunch = 0x08;   // supports ut_holepunch (a rendezvous)
inline constexpr std::uint8_t pex_flag_reachable = 0x10;   // the sender connected out to it

struct PexPeer {
    std::string ip;           // dotted IPv4 or IPv6 text as inet_ntop writes it ("::1", no brackets)
    std::uint16_t port = 0;   // never 0 in a decoded message
    std::uint8_t flags = 0;   // pex_flag_* bits; always 0 for dropped peers (they carry none)

    bool operator==(const PexPeer&) const = default;
};

struct PexMessage {
    std::vector<PexPeer> added;    // IPv4 and IPv6 contacts the sender connected to since last time
    std::vector<PexPeer> dropped;  // contacts the sender lost since last time

    bool operator==(const PexMessage&) const = default;
};

// The bencoded dictionary (the Extended payload, without the id byte). As libtorrent does, all six
// keys are always written, empty strings included, and added.f / added6.f have one byte per added
// contact. Peers keep their order within a family. Flags of dropped peers are not sent (there is
// no dropped.f). Preconditions (asserted): every ip parses as IPv4 or IPv6 (an IPv4-mapped IPv6
// address counts as IPv6), no port is 0, and no family of either list is over
// limits::pex_added_per_family_max / limits::pex_dropped_per_family_max.
Bytes encode_pex(const PexMessage& message);

// Rules:
// - errors: a payload over limits::pex_payload_bytes_max, not bencode, not a dictionary; any of
//   the six keys present with a non-string value; a compact string whose length is not a multiple
//   of 6 (IPv4 keys) or 18 (IPv6 keys);
// - contacts with port 0 are skipped (nobody listens there), and so is their flag byte;
// - each list keeps at most its cap per family (the first ones; the rest is ignored, not refused:
//   libtorrent's first message carries up to 100 contacts);
// - an added.f shorter than its added list gives flags 0 to the contacts it does not cover, bytes
//   past the end of the list are ignored; a missing key is an empty list; unknown keys are
//   ignored. Duplicates are passed on as sent; the caller's peer list deduplicates.
// Decoded added lists hold IPv4 contacts first, then IPv6, each in the sender's order.
Result<PexMessage> decode_pex(BytesView payload);

}  // namespace agora::wire
