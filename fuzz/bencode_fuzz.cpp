// libFuzzer target for core/bencode: decode must never crash, hang or over-allocate; every token
// it records lies inside the input; and canonical input re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "core/bencode.hpp"

namespace {
using namespace agora::bencode;

Node to_node(Value v) {
    switch (v.type()) {
        case Type::integer:
            return Node(v.as_int());
        case Type::string:
            return Node(v.as_string());
        case Type::list: {
            Node::List list;
            for (const auto& c : v.children()) list.push_back(to_node(c.value));
            return Node(std::move(list));
        }
        case Type::dict: {
            Node::Dict dict;
            for (const auto& c : v.children()) dict.emplace(std::string(c.key.as_string()), to_node(c.value));
            return Node(std::move(dict));
        }
    }
    AGORA_ASSERT(false);
    return {};
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    agora::BytesView input(reinterpret_cast<const char*>(data), size);
    auto doc = decode(input);
    if (!doc) {
        AGORA_ASSERT(doc.error().offset >= 0 && static_cast<std::size_t>(doc.error().offset) <= size);
        return 0;
    }
    AGORA_ASSERT(doc->tokens().size() <= size / 2 + 1);  // memory bounded by the input
    for (const auto& t : doc->tokens()) AGORA_ASSERT(t.offset < t.end && t.end <= size);
    if (!first_non_canonical(doc->root())) AGORA_ASSERT(encode(to_node(doc->root())) == input);
    return 0;
}
