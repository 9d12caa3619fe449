// libFuzzer target for wire/: a MessageReader must never crash, hang or buffer more than a frame
// plus one read, whatever the bytes and however they are split; every frame it accepts must encode
// back to exactly the bytes it came from (the codec is lossless), and the extended handshake and
// ut_metadata payloads it carries must survive encode -> decode (STYLE.md, practice 7).
//
// Input layout: byte 0 = flags (bits 0-1: pattern length 1..4; bit 2: use a 64-byte message maximum
// to reach the limit paths; bit 3: borrow() each chunk from a copy freed after the reader ran dry,
// instead of feed()), then the pattern bytes; chunk k of the rest is pattern[k % n] * 9 + 1
// bytes long. The rest is also given to decode_handshake.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/assert.hpp"
#include "wire/extension.hpp"
#include "wire/handshake.hpp"
#include "wire/message.hpp"

namespace {

using namespace agora;
using namespace agora::wire;

void check_extended_handshake(BytesView payload) {
    auto h = decode_extended_handshake(payload);
    if (!h) {
        AGORA_ASSERT(!h.error().message.empty());
        return;
    }
    const Bytes encoded = encode_extended_handshake(*h);
    auto again = decode_extended_handshake(encoded);
    AGORA_ASSERT(again.ok());
    AGORA_ASSERT(*again == *h);
    AGORA_ASSERT(encode_extended_handshake(*again) == encoded);
}

void check_metadata(BytesView payload) {
    auto m = decode_metadata(payload);
    if (!m) {
        AGORA_ASSERT(!m.error().message.empty());
        return;
    }
    AGORA_ASSERT(m->data.size() <= wire::limits::metadata_piece_bytes);
    const Bytes encoded = encode_metadata(*m);
    auto again = decode_metadata(encoded);
    AGORA_ASSERT(again.ok());
    AGORA_ASSERT(*again == *m);
    AGORA_ASSERT(encode_metadata(*again) == encoded);
}

void check_handshake(BytesView input) {
    auto h = decode_handshake(input);
    if (!h) {
        AGORA_ASSERT(h.error().offset >= 0 && h.error().offset < 20);
        return;
    }
    if (!h->has_value()) {
        AGORA_ASSERT(input.size() < handshake_bytes);
        return;
    }
    AGORA_ASSERT(encode_handshake(**h) == input.substr(0, handshake_bytes));
}

// Checks one decoded message against the frame bytes it was read from.
void check_message(const Message& message, BytesView frame) {
    const Bytes encoded = encode(message);
    AGORA_ASSERT(encoded == frame);  // lossless: re-encoding gives back the exact frame
    MessageReader fresh;
    fresh.feed(encoded);
    auto again = fresh.next();
    AGORA_ASSERT(again.ok() && again->has_value());
    AGORA_ASSERT(**again == message);
    AGORA_ASSERT(fresh.buffered() == 0);

    if (const auto* ext = std::get_if<Extended>(&message)) {
        if (ext->id == extended_handshake_id) check_extended_handshake(ext->payload);
        check_metadata(ext->payload);
    }
    if (const auto* piece = std::get_if<Piece>(&message)) {
        AGORA_ASSERT(piece->data.size() <= wire::limits::block_bytes_max);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::uint8_t flags = data[0];
    const std::size_t pattern_bytes = (flags & 3u) + 1;
    if (size < 1 + pattern_bytes) return 0;
    const std::uint8_t* pattern = data + 1;
    const BytesView stream(reinterpret_cast<const char*>(data + 1 + pattern_bytes),
                           size - 1 - pattern_bytes);
    const std::uint32_t message_bytes_max = (flags & 4u) ? 64 : wire::limits::message_bytes_max;
    const bool borrowing = (flags & 8u) != 0;  // borrow() each read from a buffer freed after it

    check_handshake(stream);

    MessageReader reader(message_bytes_max);
    std::size_t fed = 0;       // bytes of `stream` given to the reader
    std::size_t consumed = 0;  // bytes of `stream` returned as messages
    for (std::size_t chunk = 0; fed < stream.size() && !reader.failed(); ++chunk) {
        const std::size_t want = std::size_t{pattern[chunk % pattern_bytes]} * 9 + 1;
        const BytesView piece = stream.substr(fed, want);
        const Bytes read(piece);  // dies at the end of this iteration, when the reader ran dry
        if (borrowing) reader.borrow(read);
        else reader.feed(piece);
        fed += piece.size();
        // Drained after every feed, so at most one partial frame plus this chunk is held.
        AGORA_ASSERT(reader.failed() || reader.buffered() <= std::size_t{message_bytes_max} + 3 + piece.size());
        while (true) {
            const std::size_t before = reader.buffered();
            auto m = reader.next();
            if (!m) {
                AGORA_ASSERT(m.error().kind == Error::Kind::bad_argument);
                AGORA_ASSERT(reader.failed() && reader.buffered() == 0);
                AGORA_ASSERT(!reader.next().ok());
                break;
            }
            if (!m->has_value()) {
                AGORA_ASSERT(reader.buffered() == before);
                break;
            }
            const std::size_t frame_bytes = before - reader.buffered();
            AGORA_ASSERT(consumed + frame_bytes <= fed);
            check_message(**m, stream.substr(consumed, frame_bytes));
            consumed += frame_bytes;
        }
    }
    if (!reader.failed()) AGORA_ASSERT(fed - consumed == reader.buffered());
    return 0;
}
