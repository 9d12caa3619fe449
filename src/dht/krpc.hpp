// KRPC (BEP 5): the bencoded query / response / error envelope every DHT message uses, compact
// node lists (BEP 5 `nodes`, BEP 32 `nodes6`) and the error codes. Decoding checks the envelope
// only; each method's arguments are read by the node, which answers 203 when they are wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bencode.hpp"
#include "core/result.hpp"
#include "dht/endpoint.hpp"
#include "dht/node_id.hpp"

namespace agora::dht {

enum class MessageType : std::uint8_t { query, response, error };

enum ErrorCode : std::int64_t {
    generic_error = 201,
    server_error = 202,
    protocol_error = 203,  // malformed packet, invalid arguments, bad token
    method_unknown = 204,
};

// One decoded message; views into the Document and its input, which must outlive it.
struct Message {
    MessageType type = MessageType::query;
    BytesView transaction;
    BytesView version;             // "v", may be empty
    bool read_only = false;        // "ro" = 1 (BEP 43)
    BytesView method;              // queries
    bencode::Value args;           // queries: the "a" dictionary
    bencode::Value reply;          // responses: the "r" dictionary
    std::optional<NodeId> id;      // a.id or r.id when it is 20 bytes
    std::optional<Endpoint> requester;  // responses: "ip", how the responder sees us (BEP 42)
    std::int64_t error_code = 0;   // errors
    BytesView error_message;
};

// Decodes `datagram` into `doc` and reads its envelope. An error means: drop it silently (no
// transaction id to answer to, or not KRPC at all).
Result<Message> decode_message(BytesView datagram, bencode::Document& doc);

struct NodeInfo {
    NodeId id;
    Endpoint endpoint;
};

// Compact node info: 26 bytes per IPv4 node, 38 per IPv6 node. Entries with port 0 are skipped;
// at most limits::nodes_per_reply_max are returned; nullopt when the length is not a multiple.
std::optional<std::vector<NodeInfo>> parse_nodes(BytesView compact, Family family);
Bytes encode_nodes(const std::vector<NodeInfo>& nodes);

// Encoders. `version` is our 4-byte client version.
Bytes encode_query(BytesView transaction, std::string_view method, bencode::Node args, bool read_only,
                   BytesView version);
Bytes encode_response(BytesView transaction, bencode::Node reply, const Endpoint& requester, BytesView version);
Bytes encode_error(BytesView transaction, std::int64_t code, std::string_view message, BytesView version);

}  // namespace agora::dht
