#include "wire/message.hpp"

#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "core/assert.hpp"

namespace agora::wire {
namespace {

// ---- encoding ----

void append_frame_header(Bytes& out, std::size_t body_bytes, MessageId id) {
    AGORA_ASSERT(body_bytes < std::numeric_limits<std::uint32_t>::max());
    append_be32(out, static_cast<std::uint32_t>(body_bytes + 1));
    out.push_back(static_cast<char>(id));
}

void append_be16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v));
}

void encode_empty(Bytes& out, MessageId id) { append_frame_header(out, 0, id); }

void encode_index(Bytes& out, MessageId id, std::uint32_t piece) {
    append_frame_header(out, 4, id);
    append_be32(out, piece);
}

void encode_triple(Bytes& out, MessageId id, std::uint32_t piece, std::uint32_t offset,
                   std::uint32_t length) {
    append_frame_header(out, 12, id);
    append_be32(out, piece);
    append_be32(out, offset);
    append_be32(out, length);
}

struct Encoder {
    Bytes& out;
    void operator()(const KeepAlive&) const { append_be32(out, 0); }
    void operator()(const Choke&) const { encode_empty(out, MessageId::choke); }
    void operator()(const Unchoke&) const { encode_empty(out, MessageId::unchoke); }
    void operator()(const Interested&) const { encode_empty(out, MessageId::interested); }
    void operator()(const NotInterested&) const { encode_empty(out, MessageId::not_interested); }
    void operator()(const Have& m) const { encode_index(out, MessageId::have, m.piece); }
    void operator()(const BitfieldMsg& m) const {
        append_frame_header(out, m.bits.size(), MessageId::bitfield);
        out.append(m.bits);
    }
    void operator()(const Request& m) const {
        encode_triple(out, MessageId::request, m.piece, m.offset, m.length);
    }
    void operator()(const Piece& m) const {
        AGORA_ASSERT(m.data.size() <= limits::block_bytes_max);
        encode_piece_header(m.piece, m.offset, static_cast<std::uint32_t>(m.data.size()), out);
        out.append(m.data);
    }
    void operator()(const Cancel& m) const {
        encode_triple(out, MessageId::cancel, m.piece, m.offset, m.length);
    }
    void operator()(const Port& m) const {
        append_frame_header(out, 2, MessageId::port);
        append_be16(out, m.port);
    }
    void operator()(const Suggest& m) const { encode_index(out, MessageId::suggest, m.piece); }
    void operator()(const HaveAll&) const { encode_empty(out, MessageId::have_all); }
    void operator()(const HaveNone&) const { encode_empty(out, MessageId::have_none); }
    void operator()(const Reject& m) const {
        encode_triple(out, MessageId::reject, m.piece, m.offset, m.length);
    }
    void operator()(const AllowedFast& m) const {
        encode_index(out, MessageId::allowed_fast, m.piece);
    }
    void operator()(const Extended& m) const {
        append_frame_header(out, 1 + m.payload.size(), MessageId::extended);
        out.push_back(static_cast<char>(m.id));
        out.append(m.payload);
    }
    void operator()(const Unknown& m) const {
        AGORA_ASSERT(!is_known_message_id(m.id));
        append_frame_header(out, m.payload.size(), static_cast<MessageId>(m.id));
        out.append(m.payload);
    }
};

// ---- decoding ----

Error protocol_error(std::string message, std::int64_t offset) {
    return make_error(Error::Kind::bad_argument, std::move(message), offset);
}

const char* message_name(MessageId id) {
    switch (id) {
        case MessageId::choke: return "choke";
        case MessageId::unchoke: return "unchoke";
        case MessageId::interested: return "interested";
        case MessageId::not_interested: return "not interested";
        case MessageId::have: return "have";
        case MessageId::bitfield: return "bitfield";
        case MessageId::request: return "request";
        case MessageId::piece: return "piece";
        case MessageId::cancel: return "cancel";
        case MessageId::port: return "port";
        case MessageId::suggest: return "suggest";
        case MessageId::have_all: return "have all";
        case MessageId::have_none: return "have none";
        case MessageId::reject: return "reject request";
        case MessageId::allowed_fast: return "allowed fast";
        case MessageId::extended: return "extended";
    }
    return "unknown";
}

// The exact frame length (id byte included) of each fixed-size message, or nullopt for the
// variable-size ones.
std::optional<std::uint32_t> fixed_frame_bytes(MessageId id) {
    switch (id) {
        case MessageId::choke:
        case MessageId::unchoke:
        case MessageId::interested:
        case MessageId::not_interested:
        case MessageId::have_all:
        case MessageId::have_none: return 1;
        case MessageId::have:
        case MessageId::suggest:
        case MessageId::allowed_fast: return 5;
        case MessageId::request:
        case MessageId::cancel:
        case MessageId::reject: return 13;
        case MessageId::port: return 3;
        case MessageId::bitfield:
        case MessageId::piece:
        case MessageId::extended: return std::nullopt;
    }
    return std::nullopt;
}

std::uint16_t read_be16(BytesView b, std::size_t at) {
    return static_cast<std::uint16_t>((byte_at(b, at) << 8) | byte_at(b, at + 1));
}

// Decodes one frame. `body` is everything after the id byte; `offset` is the frame's stream offset.
Result<Message> decode_frame(std::uint8_t raw_id, BytesView body, std::int64_t offset) {
    if (!is_known_message_id(raw_id)) return Message{Unknown{raw_id, body}};
    const auto id = static_cast<MessageId>(raw_id);
    const std::uint64_t frame_bytes = body.size() + 1;

    if (auto fixed = fixed_frame_bytes(id); fixed && frame_bytes != *fixed) {
        return protocol_error(std::string(message_name(id)) + " message of " +
                                  std::to_string(frame_bytes) + " bytes, expected " +
                                  std::to_string(*fixed),
                              offset);
    }
    switch (id) {
        case MessageId::choke: return Message{Choke{}};
        case MessageId::unchoke: return Message{Unchoke{}};
        case MessageId::interested: return Message{Interested{}};
        case MessageId::not_interested: return Message{NotInterested{}};
        case MessageId::have: return Message{Have{read_be32(body, 0)}};
        case MessageId::bitfield: return Message{BitfieldMsg{body}};
        case MessageId::request:
            return Message{Request{read_be32(body, 0), read_be32(body, 4), read_be32(body, 8)}};
        case MessageId::piece: {
            if (body.size() < 8) {
                return protocol_error("piece message of " + std::to_string(frame_bytes) +
                                          " bytes, expected at least 9",
                                      offset);
            }
            BytesView data = body.substr(8);
            if (data.size() > limits::block_bytes_max) {
                return protocol_error("piece message block of " + std::to_string(data.size()) +
                                          " bytes, over the " +
                                          std::to_string(limits::block_bytes_max) + "-byte maximum",
                                      offset);
            }
            return Message{Piece{read_be32(body, 0), read_be32(body, 4), data}};
        }
        case MessageId::cancel:
            return Message{Cancel{read_be32(body, 0), read_be32(body, 4), read_be32(body, 8)}};
        case MessageId::port: return Message{Port{read_be16(body, 0)}};
        case MessageId::suggest: return Message{Suggest{read_be32(body, 0)}};
        case MessageId::have_all: return Message{HaveAll{}};
        case MessageId::have_none: return Message{HaveNone{}};
        case MessageId::reject:
            return Message{Reject{read_be32(body, 0), read_be32(body, 4), read_be32(body, 8)}};
        case MessageId::allowed_fast: return Message{AllowedFast{read_be32(body, 0)}};
        case MessageId::extended:
            if (body.empty()) {
                return protocol_error("extended message of 1 byte has no extended message id",
                                      offset);
            }
            return Message{Extended{byte_at(body, 0), body.substr(1)}};
    }
    AGORA_ASSERT(false);  // every known id is handled above
    return Message{};
}

}  // namespace

bool is_known_message_id(std::uint8_t id) {
    return id <= static_cast<std::uint8_t>(MessageId::port) ||
           (id >= static_cast<std::uint8_t>(MessageId::suggest) &&
            id <= static_cast<std::uint8_t>(MessageId::allowed_fast)) ||
           id == static_cast<std::uint8_t>(MessageId::extended);
}

void encode(const Message& message, Bytes& out) { std::visit(Encoder{out}, message); }

Bytes encode(const Message& message) {
    Bytes out;
    encode(message, out);
    return out;
}

void encode_piece_header(std::uint32_t piece, std::uint32_t offset, std::uint32_t data_bytes,
                         Bytes& out) {
    AGORA_ASSERT(data_bytes <= limits::block_bytes_max);
    append_frame_header(out, std::size_t{8} + data_bytes, MessageId::piece);
    append_be32(out, piece);
    append_be32(out, offset);
}

PieceBuffer::PieceBuffer(std::size_t data_bytes) : frame_(piece_header_bytes + data_bytes, '\0') {
    AGORA_ASSERT(data_bytes <= limits::block_bytes_max);
}

PieceBuffer PieceBuffer::copy_of(BytesView block) {
    AGORA_ASSERT(block.size() <= limits::block_bytes_max);
    PieceBuffer out;
    out.frame_.reserve(piece_header_bytes + block.size());
    out.frame_.append(piece_header_bytes, '\0');
    out.frame_.append(block);
    return out;
}

Bytes PieceBuffer::finish(std::uint32_t piece, std::uint32_t offset) && {
    AGORA_ASSERT(!frame_.empty());
    Bytes header;
    encode_piece_header(piece, offset, static_cast<std::uint32_t>(size()), header);
    AGORA_ASSERT(header.size() == piece_header_bytes);
    std::memcpy(frame_.data(), header.data(), piece_header_bytes);
    return std::move(frame_);
}

bool bitfield_size_ok(BytesView bits, std::uint32_t piece_count) {
    const std::size_t expected_bytes = (std::size_t{piece_count} + 7) / 8;
    if (bits.size() != expected_bytes) return false;
    const std::uint32_t used_bits_in_last = piece_count % 8;
    if (used_bits_in_last == 0) return true;
    const auto spare_mask = static_cast<std::uint8_t>(0xFFu >> used_bits_in_last);
    return (byte_at(bits, bits.size() - 1) & spare_mask) == 0;
}

// ---- MessageReader ----

MessageReader::MessageReader(std::uint32_t message_bytes_max) : message_bytes_max_(message_bytes_max) {}

void MessageReader::fail(Error error) {
    error_ = std::move(error);
    // A failed reader holds nothing: the connection is going away.
    Bytes().swap(buffer_);
    head_ = 0;
    borrowed_ = BytesView();
}

void MessageReader::check_prefix() {
    if (error_ || buffer_.size() - head_ < 4) return;
    const std::uint32_t length = read_be32(buffer_, head_);
    if (length <= message_bytes_max_) return;
    fail(protocol_error("message length " + std::to_string(length) + " is over the " +
                            std::to_string(message_bytes_max_) + "-byte maximum",
                        stream_offset_));
}

void MessageReader::feed(BytesView bytes) {
    if (error_) return;
    own();
    // Compact: views handed out earlier may point into the consumed prefix; they are invalid now.
    if (head_ > 0) {
        buffer_.erase(0, head_);
        head_ = 0;
    }
    buffer_.append(bytes);
    check_prefix();
}

void MessageReader::borrow(BytesView bytes) {
    if (error_) return;
    own();
    if (error_) return;  // what was left failed its length check: keep nothing of `bytes`
    borrowed_ = bytes;
    if (head_ == buffer_.size()) {
        buffer_.clear();
        head_ = 0;
        if (borrowed_.size() >= 4 && read_be32(borrowed_, 0) > message_bytes_max_) top_up();  // fails
    } else {
        top_up();
    }
}

void MessageReader::own() {
    if (borrowed_.empty()) return;
    if (head_ > 0) {
        buffer_.erase(0, head_);
        head_ = 0;
    }
    buffer_.append(borrowed_);
    borrowed_ = BytesView();
    check_prefix();
}

void MessageReader::top_up() {
    while (!error_ && !borrowed_.empty()) {
        const std::size_t have = buffer_.size() - head_;
        std::size_t want = 4;
        if (have >= 4) {
            check_prefix();
            if (error_) return;
            want = std::size_t{4} + read_be32(buffer_, head_);
        }
        if (have >= want) return;
        const std::size_t n = std::min(want - have, borrowed_.size());
        buffer_.append(borrowed_.substr(0, n));
        borrowed_.remove_prefix(n);
    }
    check_prefix();
}

Result<std::optional<Message>> MessageReader::next() {
    if (error_) return *error_;
    if (head_ == buffer_.size()) {  // all consumed: restart at the front without moving bytes
        buffer_.clear();
        head_ = 0;
    }
    if (head_ < buffer_.size()) {
        // A frame begun in an earlier read: complete it from the borrowed bytes, read it here.
        top_up();
        if (error_) return *error_;
        const std::size_t have = buffer_.size() - head_;
        if (have < 4) return std::optional<Message>{};
        const std::size_t frame_bytes = std::size_t{4} + read_be32(buffer_, head_);
        if (have < frame_bytes) return std::optional<Message>{};
        const BytesView frame = BytesView(buffer_).substr(head_, frame_bytes);
        head_ += frame_bytes;
        return take_frame(frame);
    }
    // Whole frames are read where the caller's bytes are; a cut one is kept for the next read.
    if (borrowed_.size() >= 4) {
        const std::uint32_t length = read_be32(borrowed_, 0);
        if (length > message_bytes_max_) {
            top_up();  // fails, with the message check_prefix gives
            return *error_;
        }
        if (borrowed_.size() - 4 >= length) {
            const BytesView frame = borrowed_.substr(0, std::size_t{4} + length);
            borrowed_.remove_prefix(frame.size());
            return take_frame(frame);
        }
    }
    own();
    return std::optional<Message>{};
}

Result<std::optional<Message>> MessageReader::take_frame(BytesView frame) {
    const std::int64_t frame_offset = stream_offset_;
    stream_offset_ += static_cast<std::int64_t>(frame.size());
    if (frame.size() == 4) return std::optional<Message>{KeepAlive{}};
    auto message = decode_frame(byte_at(frame, 4), frame.substr(5), frame_offset);
    if (!message) {
        Error error = message.error();
        fail(error);
        return error;
    }
    return std::optional<Message>{std::move(message).value()};
}

}  // namespace agora::wire
