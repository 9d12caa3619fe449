#include "wire/handshake.hpp"

#include <algorithm>
#include <string>

#include "core/assert.hpp"

namespace agora::wire {
namespace {

template <std::size_t N>
void append_array(Bytes& out, const std::array<std::uint8_t, N>& a) {
    out.append(reinterpret_cast<const char*>(a.data()), N);
}

template <std::size_t N>
void read_array(BytesView in, std::size_t at, std::array<std::uint8_t, N>& a) {
    for (std::size_t i = 0; i < N; ++i) a[i] = byte_at(in, at + i);
}

}  // namespace

Bytes encode_handshake(const Handshake& handshake) {
    Bytes out;
    out.reserve(handshake_bytes);
    out.append(protocol_prefix);
    append_array(out, handshake.reserved);
    append_array(out, handshake.info_hash);
    append_array(out, handshake.peer_id);
    AGORA_ASSERT(out.size() == handshake_bytes);
    return out;
}

Result<std::optional<Handshake>> decode_handshake(BytesView input) {
    const std::size_t present = std::min(input.size(), protocol_prefix.size());
    for (std::size_t i = 0; i < present; ++i) {
        if (input[i] == protocol_prefix[i]) continue;
        if (i == 0) {
            return make_error(Error::Kind::bad_argument,
                              "not a BitTorrent handshake: protocol name length " +
                                  std::to_string(byte_at(input, 0)) + ", expected 19",
                              0);
        }
        return make_error(Error::Kind::bad_argument,
                          "not a BitTorrent handshake: protocol name is not \"BitTorrent protocol\"",
                          static_cast<std::int64_t>(i));
    }
    if (input.size() < handshake_bytes) return std::optional<Handshake>{};

    Handshake h;
    read_array(input, 20, h.reserved);
    read_array(input, 28, h.info_hash);
    read_array(input, 48, h.peer_id);
    return std::optional<Handshake>{h};
}

}  // namespace agora::wire
