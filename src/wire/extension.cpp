#include "wire/extension.hpp"

#include <limits>
#include <utility>

#include "core/assert.hpp"
#include "core/bencode.hpp"

namespace agora::wire {
namespace {

Error protocol_error(std::string message, std::int64_t offset = -1) {
    return make_error(Error::Kind::bad_argument, std::move(message), offset);
}

// What we accept from a peer. What we send is only asserted positive: a local .torrent may hold an
// info dictionary over our receive limit, and serving it is the peer's choice to refuse.
bool metadata_size_ok(std::int64_t size) { return size > 0 && size <= limits::metadata_bytes_max; }

std::string metadata_too_large(std::string_view what, std::int64_t size) {
    return std::string(what) + " " + std::to_string(size) + " is over the " +
           std::to_string(limits::metadata_bytes_max) + "-byte maximum";
}

// Reads "m" into `out`. Only a non-integer or out-of-range id is an error.
Status read_extension_ids(bencode::Value m, ExtendedHandshake& out) {
    if (!m.is_dict()) return Ok{};  // missing or of the wrong type: no extensions
    for (const auto& [key, value] : m.children()) {
        const std::string_view name = key.as_string();
        if (!value.is_int() || value.as_int() < 0 || value.as_int() > 255) {
            return protocol_error("extended handshake: m entry \"" + std::string(name) +
                                      "\" is not an extension id 0..255",
                                  value.offset());
        }
        if (out.m.contains(name) || out.disabled.contains(name)) continue;  // first one wins
        const auto id = static_cast<std::uint8_t>(value.as_int());
        if (id == 0) {
            out.disabled.emplace(name);
        } else {
            out.m.emplace(name, id);
        }
    }
    return Ok{};
}

// Optional keys: a value of the wrong type or out of range is ignored, as BEP 10 asks.
void read_optional_keys(bencode::Value root, ExtendedHandshake& out) {
    if (auto p = root.find_int("p"); p && *p > 0 && *p <= 65535) {
        out.listen_port = static_cast<std::uint16_t>(*p);
    }
    if (auto v = root.find_string("v")) out.client = std::string(*v);
    if (auto reqq = root.find_int("reqq");
        reqq && *reqq > 0 && *reqq <= std::numeric_limits<std::uint32_t>::max()) {
        out.reqq = static_cast<std::uint32_t>(*reqq);
    }
    if (auto ip = root.find_string("yourip"); ip && (ip->size() == 4 || ip->size() == 16)) {
        out.yourip = Bytes(*ip);
    }
    if (auto upload_only = root.find_int("upload_only")) out.upload_only = *upload_only != 0;
}

}  // namespace

// ---- BEP 10 extended handshake ----

Bytes encode_extended_handshake(const ExtendedHandshake& handshake) {
    bencode::Node root;
    bencode::Node::Dict m;
    for (const auto& [name, id] : handshake.m) {
        AGORA_ASSERT(id != 0);
        AGORA_ASSERT(!handshake.disabled.contains(name));
        m.emplace(name, bencode::Node(std::int64_t{id}));
    }
    for (const auto& name : handshake.disabled) m.emplace(name, bencode::Node(std::int64_t{0}));
    root["m"] = bencode::Node(std::move(m));
    if (handshake.listen_port) root["p"] = std::int64_t{*handshake.listen_port};
    if (!handshake.client.empty()) root["v"] = handshake.client;
    if (handshake.reqq) root["reqq"] = std::int64_t{*handshake.reqq};
    if (handshake.yourip) {
        AGORA_ASSERT(handshake.yourip->size() == 4 || handshake.yourip->size() == 16);
        root["yourip"] = *handshake.yourip;
    }
    if (handshake.metadata_size) {
        AGORA_ASSERT(*handshake.metadata_size > 0);
        root["metadata_size"] = *handshake.metadata_size;
    }
    if (handshake.upload_only) root["upload_only"] = std::int64_t{1};
    return bencode::encode(root);
}

Result<ExtendedHandshake> decode_extended_handshake(BytesView payload) {
    auto doc = bencode::decode(payload);
    if (!doc) return doc.error();
    const bencode::Value root = doc->root();
    if (!root.is_dict()) return protocol_error("extended handshake is not a dictionary", 0);

    ExtendedHandshake out;
    if (auto status = read_extension_ids(root.find("m"), out); !status) return status.error();
    read_optional_keys(root, out);
    if (auto size = root.find_int("metadata_size")) {
        if (*size > limits::metadata_bytes_max) {
            return protocol_error(metadata_too_large("extended handshake: metadata_size", *size),
                                  root.find("metadata_size").offset());
        }
        if (*size > 0) out.metadata_size = *size;  // 0 or less: the peer has no metadata yet
    }
    return out;
}

// ---- BEP 9 ut_metadata ----

std::uint32_t metadata_piece_count(std::int64_t size_bytes) {
    constexpr std::int64_t size_bytes_max =
        std::int64_t{std::numeric_limits<std::uint32_t>::max()} * limits::metadata_piece_bytes;
    AGORA_ASSERT(size_bytes > 0 && size_bytes <= size_bytes_max);
    return static_cast<std::uint32_t>((size_bytes + limits::metadata_piece_bytes - 1) /
                                      limits::metadata_piece_bytes);
}

std::uint32_t metadata_piece_bytes_at(std::uint32_t piece, std::int64_t size_bytes) {
    AGORA_ASSERT(piece < metadata_piece_count(size_bytes));
    const std::int64_t start = std::int64_t{piece} * limits::metadata_piece_bytes;
    const std::int64_t rest = size_bytes - start;
    return rest < limits::metadata_piece_bytes ? static_cast<std::uint32_t>(rest)
                                               : limits::metadata_piece_bytes;
}

Bytes encode_metadata(const MetadataMessage& message) {
    bencode::Node root;
    root["msg_type"] = std::int64_t{static_cast<std::uint8_t>(message.type)};
    root["piece"] = std::int64_t{message.piece};
    if (message.total_size) {
        AGORA_ASSERT(*message.total_size > 0);
        root["total_size"] = *message.total_size;
    }
    if (message.type == MetadataMessage::Type::data) {
        AGORA_ASSERT(message.total_size.has_value());
        AGORA_ASSERT(message.data.size() == metadata_piece_bytes_at(message.piece, *message.total_size));
    } else {
        AGORA_ASSERT(message.data.empty());
    }
    Bytes out = bencode::encode(root);
    out.append(message.data);
    return out;
}

Result<MetadataMessage> decode_metadata(BytesView payload) {
    bencode::DecodeLimits bounds;
    bounds.allow_trailing = true;  // a data message's piece follows the dictionary
    auto doc = bencode::decode(payload, bounds);
    if (!doc) return doc.error();
    const bencode::Value root = doc->root();
    if (!root.is_dict()) return protocol_error("ut_metadata message is not a dictionary", 0);

    MetadataMessage out;
    auto type = root.find_int("msg_type");
    if (!type || *type < 0 || *type > 2) {
        return protocol_error("ut_metadata message has no msg_type 0, 1 or 2");
    }
    out.type = static_cast<MetadataMessage::Type>(*type);

    auto piece = root.find_int("piece");
    if (!piece || *piece < 0 || *piece >= limits::metadata_piece_count_max) {
        return protocol_error("ut_metadata message has no piece index below " +
                              std::to_string(limits::metadata_piece_count_max));
    }
    out.piece = static_cast<std::uint32_t>(*piece);

    if (auto total = root.find_int("total_size")) {
        if (!metadata_size_ok(*total)) {
            return protocol_error("ut_metadata total_size " + std::to_string(*total) +
                                  " is not in 1.." + std::to_string(limits::metadata_bytes_max));
        }
        out.total_size = *total;
    }
    if (out.type != MetadataMessage::Type::data) return out;

    if (!out.total_size) return protocol_error("ut_metadata data message has no total_size");
    if (out.piece >= metadata_piece_count(*out.total_size)) {
        return protocol_error("ut_metadata data piece " + std::to_string(out.piece) +
                              " is past the end of " + std::to_string(*out.total_size) + " bytes");
    }
    out.data = payload.substr(doc->consumed());
    const std::uint32_t expected = metadata_piece_bytes_at(out.piece, *out.total_size);
    if (out.data.size() != expected) {
        return protocol_error("ut_metadata data piece " + std::to_string(out.piece) + " carries " +
                                  std::to_string(out.data.size()) + " bytes, expected " +
                                  std::to_string(expected),
                              doc->consumed());
    }
    return out;
}

}  // namespace agora::wire
