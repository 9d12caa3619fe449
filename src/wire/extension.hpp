// BEP 10 extended handshake and BEP 9 ut_metadata, the payloads of Extended messages.
//
// Both are bencoded dictionaries. Decoding follows BEP 10's advice to be liberal: unknown keys are
// ignored and so is an optional key of the wrong type, but what would make us misbehave is an
// error: an m entry that is not an id 0..255, or a metadata size over limits::metadata_bytes_max.
// Errors are Kind::bad_bencode when the bytes are not bencode, Kind::bad_argument otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "wire/limits.hpp"

namespace agora::wire {

// The extended message id of the handshake itself (in Extended::id).
inline constexpr std::uint8_t extended_handshake_id = 0;
inline constexpr std::string_view ut_metadata_name = "ut_metadata";

struct ExtendedHandshake {
    // Extension name -> the id the sender wants to receive that extension's messages under.
    std::map<std::string, std::uint8_t, std::less<>> m;
    // Names the sender mapped to 0: "disabled". BEP 10 makes a later handshake additive, so this is
    // how a peer turns off one extension without restating the others. Never also in m.
    std::set<std::string, std::less<>> disabled;
    std::optional<std::uint16_t> listen_port;      // "p": the sender's TCP listen port (1..65535)
    std::string client;                            // "v": client name and version, may be empty
    std::optional<std::uint32_t> reqq;             // "reqq": requests the sender queues (> 0)
    std::optional<Bytes> yourip;                   // "yourip": our address as seen, 4 or 16 bytes
    std::optional<std::int64_t> metadata_size;     // BEP 9: bytes of the info dictionary
    bool upload_only = false;                      // BEP 21: the sender only uploads

    bool operator==(const ExtendedHandshake&) const = default;
};

// The bencoded dictionary (the Extended payload, without the id byte). Absent optionals and an
// empty client are left out; "m" is always written. Preconditions (asserted): no m value is 0, no
// name is both in m and disabled, yourip is 4 or 16 bytes, metadata_size > 0. (A metadata_size over
// limits::metadata_bytes_max may be sent; only decoding refuses it.)
Bytes encode_extended_handshake(const ExtendedHandshake& handshake);

// Rules: "m" must be a dictionary of integers 0..255 (a non-dictionary "m" is read as empty; on
// duplicate names the first wins); p outside 1..65535, reqq outside 1..2^32-1, yourip not 4 or
// 16 bytes, metadata_size <= 0 (a peer without the metadata) and keys of the wrong type are
// ignored; metadata_size over limits::metadata_bytes_max is an error.
Result<ExtendedHandshake> decode_extended_handshake(BytesView payload);

// BEP 9 ut_metadata: request, send or refuse one 16 KiB piece of the info dictionary.
struct MetadataMessage {
    enum class Type : std::uint8_t { request = 0, data = 1, reject = 2 };
    Type type = Type::request;
    std::uint32_t piece = 0;                  // < limits::metadata_piece_count_max
    std::optional<std::int64_t> total_size;   // required in data messages
    BytesView data;                           // data messages only: the piece's bytes

    bool operator==(const MetadataMessage&) const = default;
};

// The dictionary, then for a data message the raw piece bytes. Preconditions (asserted): data is
// empty unless type is data; total_size, if present, is > 0; a data message has a total_size and
// data of the length metadata_piece_bytes_at(piece, total_size) gives. As with the handshake, a
// total_size over limits::metadata_bytes_max may be sent but is refused by decode_metadata.
Bytes encode_metadata(const MetadataMessage& message);

// Rules: msg_type 0..2 and piece in [0, metadata_piece_count_max) are required; total_size, when
// an integer, must be in (0, limits::metadata_bytes_max]; a data message needs total_size, a piece
// inside it, and exactly the piece's bytes after the dictionary (16 KiB, or the rest for the last
// piece). Bytes after the dictionary of a request or reject are ignored. `data` views `payload`.
Result<MetadataMessage> decode_metadata(BytesView payload);

// Pieces in metadata of `size_bytes` bytes. Precondition: 0 < size_bytes <= (2^32 - 1) * 16 KiB.
std::uint32_t metadata_piece_count(std::int64_t size_bytes);

// The length of piece `piece` of metadata of `size_bytes` bytes: 16 KiB, or the rest for the last.
// Precondition: piece < metadata_piece_count(size_bytes).
std::uint32_t metadata_piece_bytes_at(std::uint32_t piece, std::int64_t size_bytes);

}  // namespace agora::wire
