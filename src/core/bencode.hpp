// bencode (BEP 3): a decoder that copies nothing, and an encoder.
//
// decode() checks the whole input once and records a flat array of tokens, each pointing back
// into the caller's bytes (libtorrent's bdecode works the same way). The token array is the only
// allocation and has at most one entry per two input bytes, so memory is bounded by a small
// multiple of the input's size whatever its length fields claim. Hard limits: nesting depth,
// token count, integers in int64, string lengths checked against the bytes that remain.
// Integers and string lengths must be in canonical form (no leading zeros, no "-0"); dictionary
// keys must be strings. Key order is *not* enforced by decode(): real v1 torrents break it, and
// hashing uses the original bytes anyway; use first_non_canonical() where the order matters (v2).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/bytes.hpp"
#include "core/limits.hpp"
#include "core/result.hpp"

namespace agora::bencode {

enum class Type : std::uint8_t { integer, string, list, dict };

struct DecodeLimits {
    int depth_max = limits::bencode_depth_max;
    std::uint32_t tokens_max = limits::bencode_tokens_max;
    // When false, bytes after the first complete value are an error. When true they are left for
    // the caller (a ut_metadata message carries the piece after its dictionary).
    bool allow_trailing = false;
};

struct Token {
    std::uint32_t offset;  // first byte of this value's encoding
    std::uint32_t end;     // one past its last byte
    std::uint32_t next;    // index of the token after this value's whole subtree
    std::uint32_t header;  // strings: length of the "N:" prefix; integers: 1 ("i"); else 1
    Type type;
};

class Document;
struct Child;

// A view of one decoded value. Cheap to copy; valid while its Document and input live.
class Value {
public:
    Value() = default;
    Value(const Document* doc, std::uint32_t index) : doc_(doc), index_(index) {}

    bool valid() const { return doc_ != nullptr; }
    Type type() const;
    bool is_int() const { return valid() && type() == Type::integer; }
    bool is_string() const { return valid() && type() == Type::string; }
    bool is_list() const { return valid() && type() == Type::list; }
    bool is_dict() const { return valid() && type() == Type::dict; }

    std::int64_t as_int() const;          // precondition: is_int()
    std::string_view as_string() const;   // precondition: is_string()

    // Lists and dictionaries.
    std::uint32_t size() const;           // items in a list, pairs in a dict
    Value at(std::uint32_t i) const;      // list item i (linear walk)
    Value find(std::string_view key) const;  // dict value for key, or an invalid Value

    // Typed dict lookups: nullopt when the key is missing or has another type.
    std::optional<std::int64_t> find_int(std::string_view key) const;
    std::optional<std::string_view> find_string(std::string_view key) const;
    Value find_list(std::string_view key) const;
    Value find_dict(std::string_view key) const;

    // Iteration: for lists, children are values; for dicts, key/value pairs.
    std::vector<Child> children() const;

    // The exact input bytes of this value (what info-hashes are computed over).
    BytesView raw() const;
    std::uint32_t offset() const;

private:
    friend class Document;
    const Token& token() const;
    const Document* doc_ = nullptr;
    std::uint32_t index_ = 0;
};

// A list item (key invalid) or a dict pair.
struct Child {
    Value key;
    Value value;
};

class Document {
public:
    Value root() const { return Value(this, 0); }
    BytesView input() const { return input_; }
    const std::vector<Token>& tokens() const { return tokens_; }
    // Bytes consumed by the root value (less than input().size() only with allow_trailing).
    std::uint32_t consumed() const { return tokens_.empty() ? 0 : tokens_[0].end; }

private:
    friend Result<Document> decode(BytesView, const DecodeLimits&);
    BytesView input_;
    std::vector<Token> tokens_;
};

// Decodes `input`, which must outlive the returned Document.
Result<Document> decode(BytesView input, const DecodeLimits& limits = {});

// The offset of the first dictionary whose keys are not in strictly increasing byte order
// (unsorted or duplicated), or nullopt if `v` and everything under it is canonical.
std::optional<std::uint32_t> first_non_canonical(Value v);

// ---- encoding ----

// An owned bencode value. Dictionaries are std::map, so encoding is canonical by construction.
struct Node {
    using List = std::vector<Node>;
    using Dict = std::map<std::string, Node, std::less<>>;
    std::variant<std::int64_t, std::string, List, Dict> v;

    Node() : v(Dict{}) {}
    Node(std::int64_t i) : v(i) {}                   // NOLINT: implicit by design
    Node(int i) : v(std::int64_t{i}) {}              // NOLINT
    Node(std::string s) : v(std::move(s)) {}         // NOLINT
    Node(std::string_view s) : v(std::string(s)) {}  // NOLINT
    Node(const char* s) : v(std::string(s)) {}       // NOLINT
    Node(List l) : v(std::move(l)) {}                // NOLINT
    Node(Dict d) : v(std::move(d)) {}                // NOLINT

    Dict& dict() { return std::get<Dict>(v); }
    List& list() { return std::get<List>(v); }
    Node& operator[](std::string_view key) {  // dict insert-or-get
        auto& d = dict();
        auto it = d.find(key);
        if (it == d.end()) it = d.emplace(std::string(key), Node{}).first;
        return it->second;
    }
};

void encode(const Node& node, Bytes& out);
Bytes encode(const Node& node);

}  // namespace agora::bencode
