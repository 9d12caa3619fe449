// The peer wire messages of BEP 3, BEP 6 (fast extension) and BEP 10 (the extended message that
// carries every BEP 10 extension), as one typed variant, plus a framing reader.
//
// Every message after the handshake is <length: be32><id: 1 byte><payload>, where length counts the
// id and payload; length 0 is a keep-alive. This file checks only what a frame alone can prove:
// the length against limits::message_bytes_max, the exact size of each fixed-size message, and
// the block size of a piece message. What needs the torrent (a piece index below the piece count,
// a bitfield's size, whether a piece was requested) is the caller's job; bitfield_size_ok() helps.
// Unknown ids are returned as Unknown, not rejected: BEP 3 tells clients to ignore them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>

#include "core/assert.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"
#include "wire/limits.hpp"

namespace agora::wire {

// Message ids (BEP 4's table).
enum class MessageId : std::uint8_t {
    choke = 0,
    unchoke = 1,
    interested = 2,
    not_interested = 3,
    have = 4,
    bitfield = 5,
    request = 6,
    piece = 7,
    cancel = 8,
    port = 9,            // BEP 5: the sender's DHT port
    suggest = 0x0D,      // BEP 6 from here to allowed_fast
    have_all = 0x0E,
    have_none = 0x0F,
    reject = 0x10,
    allowed_fast = 0x11,
    extended = 20,       // BEP 10
};

// True for the ids above: an Unknown never carries one of them.
bool is_known_message_id(std::uint8_t id);

// BytesView members point into the MessageReader's buffer (valid until the next call on that
// reader) or, when encoding, into the caller's memory.
struct KeepAlive { bool operator==(const KeepAlive&) const = default; };
struct Choke { bool operator==(const Choke&) const = default; };
struct Unchoke { bool operator==(const Unchoke&) const = default; };
struct Interested { bool operator==(const Interested&) const = default; };
struct NotInterested { bool operator==(const NotInterested&) const = default; };
struct Have {
    std::uint32_t piece = 0;
    bool operator==(const Have&) const = default;
};
struct BitfieldMsg {
    BytesView bits;  // piece 0 is the high bit of the first byte; spare bits at the end are zero
    bool operator==(const BitfieldMsg&) const = default;
};
struct Request {
    std::uint32_t piece = 0;
    std::uint32_t offset = 0;  // bytes into the piece
    std::uint32_t length = 0;  // bytes
    bool operator==(const Request&) const = default;
};
struct Piece {
    std::uint32_t piece = 0;
    std::uint32_t offset = 0;
    BytesView data;  // at most limits::block_bytes_max bytes
    bool operator==(const Piece&) const = default;
};
struct Cancel {
    std::uint32_t piece = 0;
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    bool operator==(const Cancel&) const = default;
};
struct Port {
    std::uint16_t port = 0;
    bool operator==(const Port&) const = default;
};
struct Suggest {
    std::uint32_t piece = 0;
    bool operator==(const Suggest&) const = default;
};
struct HaveAll { bool operator==(const HaveAll&) const = default; };
struct HaveNone { bool operator==(const HaveNone&) const = default; };
struct Reject {
    std::uint32_t piece = 0;
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    bool operator==(const Reject&) const = default;
};
struct AllowedFast {
    std::uint32_t piece = 0;
    bool operator==(const AllowedFast&) const = default;
};
struct Extended {
    std::uint8_t id = 0;  // 0: extended handshake; else an id the receiver chose in its handshake
    BytesView payload;
    bool operator==(const Extended&) const = default;
};
struct Unknown {
    std::uint8_t id = 0;  // never a known id (precondition of encode)
    BytesView payload;
    bool operator==(const Unknown&) const = default;
};

using Message = std::variant<KeepAlive, Choke, Unchoke, Interested, NotInterested, Have, BitfieldMsg,
                             Request, Piece, Cancel, Port, Suggest, HaveAll, HaveNone, Reject,
                             AllowedFast, Extended, Unknown>;

// Appends the length-prefixed frame for `message` to `out`.
// Preconditions (asserted): a Piece block is at most limits::block_bytes_max; an Unknown's id is not
// a known id; the frame length fits in 32 bits.
void encode(const Message& message, Bytes& out);
Bytes encode(const Message& message);

// Appends the 13-byte header of a piece message (length prefix, id, piece, offset) for a block of
// `data_bytes` bytes that goes right after it: encode() of a Piece appends the block next,
// PieceBuffer::finish() writes the header into the room it kept in front of the block.
inline constexpr std::size_t piece_header_bytes = 13;
void encode_piece_header(std::uint32_t piece, std::uint32_t offset, std::uint32_t data_bytes,
                         Bytes& out);

// A block to upload, read straight into the buffer its piece message is sent from: room for the
// header, then the block's bytes. A driver that reads into data() spares the swarm copying every
// block it uploads behind a header. Default-constructed, it holds no block (a failed read).
class PieceBuffer {
public:
    PieceBuffer() = default;
    // Room for a block of `data_bytes` bytes, zero-filled. Precondition: at most limits::block_bytes_max.
    explicit PieceBuffer(std::size_t data_bytes);
    // A buffer holding a copy of `block`, for a driver whose block is already in memory (a cache).
    static PieceBuffer copy_of(BytesView block);
    char* data() {
        AGORA_ASSERT(!frame_.empty());
        return frame_.data() + piece_header_bytes;
    }
    std::size_t size() const { return frame_.empty() ? 0 : frame_.size() - piece_header_bytes; }
    // Writes the header in front of the block and gives up the whole frame.
    Bytes finish(std::uint32_t piece, std::uint32_t offset) &&;

private:
    Bytes frame_;
};

// True when `bits` is a valid bitfield for a torrent of `piece_count` pieces: exactly
// ceil(piece_count / 8) bytes and the spare bits of the last byte zero (BEP 3: clients drop the
// connection otherwise).
bool bitfield_size_ok(BytesView bits, std::uint32_t piece_count);

// Splits a byte stream into messages. Usage, after each read from the socket:
//     reader.feed(bytes);
//     while (true) { auto m = reader.next(); if (!m) disconnect(m.error()); if (!*m) break; ... }
// Memory: the buffer holds what was fed and not yet consumed. A caller that drains next() until
// nullopt after every feed() keeps it below message_bytes_max + 4 + one read. A length prefix over
// the maximum fails as soon as its 4 bytes are here; nothing is ever reserved from a prefix.
// borrow() instead of feed() saves a copy: whole frames are read where the bytes are, and only a
// frame cut by the end of a read is copied (the piece messages of a download are 16 KiB each).
// Errors are Kind::bad_argument with the stream offset of the offending frame; once failed, the
// reader stays failed (next() repeats the error, feed() drops its input).
class MessageReader {
public:
    explicit MessageReader(std::uint32_t message_bytes_max = limits::message_bytes_max);

    // Appends bytes received from the peer. Invalidates views from earlier messages.
    void feed(BytesView bytes);
    // Like feed(), but the reader may keep a view of `bytes` instead of a copy: the caller keeps
    // them alive and unchanged until next() returns nullopt or an error, or until it calls own().
    void borrow(BytesView bytes);
    // Copies whatever is left of borrowed bytes into the reader: for a caller that stops calling
    // next() before it runs dry (the connection is going away, or waits for something else).
    void own();

    // The next complete message, nullopt when no complete frame is buffered, or the protocol error.
    // Views in the returned message are valid until the next feed() or next().
    Result<std::optional<Message>> next();

    // Bytes fed and not yet returned as messages.
    std::size_t buffered() const { return buffer_.size() - head_ + borrowed_.size(); }
    bool failed() const { return error_.has_value(); }

private:
    void fail(Error error);
    void check_prefix();  // fails the reader when the pending frame's length is over the maximum
    void top_up();        // moves from borrowed_ into buffer_ what completes buffer_'s frame
    Result<std::optional<Message>> take_frame(BytesView frame);

    std::uint32_t message_bytes_max_;
    Bytes buffer_;
    std::size_t head_ = 0;              // start of the first unconsumed byte in buffer_
    BytesView borrowed_;                // the caller's bytes after buffer_'s, not copied yet
    std::int64_t stream_offset_ = 0;    // stream offset of buffer_[head_], for error messages
    std::optional<Error> error_;
};

}  // namespace agora::wire
