#include "dht/krpc.hpp"

#include "dht/limits.hpp"

namespace agora::dht {

Result<Message> decode_message(BytesView datagram, bencode::Document& doc) {
    auto bad = [](std::string m) { return make_error(Error::Kind::bad_bencode, "krpc: " + std::move(m)); };
    if (datagram.size() > limits::datagram_bytes_max) return bad("datagram too large");
    bencode::DecodeLimits dl;
    dl.depth_max = limits::bencode_depth_max;
    dl.tokens_max = limits::bencode_tokens_max;
    auto decoded = bencode::decode(datagram, dl);
    if (!decoded) return decoded.error();
    doc = std::move(*decoded);
    const auto root = doc.root();
    if (!root.is_dict()) return bad("not a dictionary");
    Message m;
    const auto t = root.find_string("t");
    if (!t || t->empty() || t->size() > limits::transaction_id_bytes_max) return bad("missing or bad transaction id");
    m.transaction = *t;
    if (auto v = root.find_string("v"); v && v->size() <= limits::version_bytes_max) m.version = *v;
    if (auto ro = root.find_int("ro")) m.read_only = *ro == 1;
    const auto y = root.find_string("y");
    if (!y || y->size() != 1) return bad("missing message type");
    auto read_id = [&](const bencode::Value& dict) {
        if (auto id = dict.find_string("id")) m.id = NodeId::from_bytes(*id);
    };
    switch ((*y)[0]) {
        case 'q': {
            m.type = MessageType::query;
            const auto q = root.find_string("q");
            if (!q) return bad("query without a method");
            m.method = *q;
            m.args = root.find_dict("a");
            if (!m.args.valid()) return bad("query without arguments");
            read_id(m.args);
            break;
        }
        case 'r': {
            m.type = MessageType::response;
            m.reply = root.find_dict("r");
            if (!m.reply.valid()) return bad("response without a body");
            read_id(m.reply);
            if (auto ip = root.find_string("ip")) m.requester = from_compact(*ip);
            break;
        }
        case 'e': {
            m.type = MessageType::error;
            const auto e = root.find_list("e");
            if (e.valid() && e.size() >= 1 && e.at(0).is_int()) m.error_code = e.at(0).as_int();
            if (e.valid() && e.size() >= 2 && e.at(1).is_string()) m.error_message = e.at(1).as_string();
            break;
        }
        default:
            return bad("unknown message type");
    }
    return m;
}

std::optional<std::vector<NodeInfo>> parse_nodes(BytesView compact_nodes, Family family) {
    const std::size_t each = family == Family::v4 ? 26 : 38;
    if (compact_nodes.size() % each != 0) return std::nullopt;
    std::vector<NodeInfo> out;
    for (std::size_t at = 0; at < compact_nodes.size() && out.size() < limits::nodes_per_reply_max; at += each) {
        auto endpoint = from_compact(compact_nodes.substr(at + 20, each - 20));
        if (!endpoint) continue;
        out.push_back(NodeInfo{*NodeId::from_bytes(compact_nodes.substr(at, 20)), *endpoint});
    }
    return out;
}

Bytes encode_nodes(const std::vector<NodeInfo>& nodes) {
    Bytes out;
    for (const auto& n : nodes) {
        out += n.id.view();
        out += compact(n.endpoint);
    }
    return out;
}

namespace {
Bytes envelope(BytesView transaction, std::string_view type, BytesView version, bencode::Node body) {
    bencode::Node root;
    root["t"] = std::string(transaction);
    root["y"] = std::string(type);
    if (!version.empty()) root["v"] = std::string(version);
    for (auto& [k, v] : body.dict()) root[k] = std::move(v);
    return bencode::encode(root);
}
}  // namespace

Bytes encode_query(BytesView transaction, std::string_view method, bencode::Node args, bool read_only,
                   BytesView version) {
    bencode::Node body;
    body["q"] = std::string(method);
    body["a"] = std::move(args);
    if (read_only) body["ro"] = 1;
    return envelope(transaction, "q", version, std::move(body));
}

Bytes encode_response(BytesView transaction, bencode::Node reply, const Endpoint& requester, BytesView version) {
    bencode::Node body;
    body["r"] = std::move(reply);
    body["ip"] = compact(requester);
    return envelope(transaction, "r", version, std::move(body));
}

Bytes encode_error(BytesView transaction, std::int64_t code, std::string_view message, BytesView version) {
    bencode::Node body;
    body["e"] = bencode::Node::List{bencode::Node(code), bencode::Node(std::string(message))};
    return envelope(transaction, "e", version, std::move(body));
}

}  // namespace agora::dht
