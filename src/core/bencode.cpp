#include "core/bencode.hpp"

#include <limits>

#include "core/digest.hpp"
#include <string>

namespace agora::bencode {

namespace {

Error fail(std::string message, std::size_t offset) {
    return make_error(Error::Kind::bad_bencode, std::move(message), static_cast<std::int64_t>(offset));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses the digits of a non-negative decimal starting at `pos`, up to `stop` (not consumed).
// Canonical form only: no leading zeros, at least one digit, value <= max.
std::optional<std::uint64_t> parse_decimal(BytesView in, std::size_t& pos, char stop, std::uint64_t max,
                                           std::optional<Error>& error) {
    const std::size_t start = pos;
    std::uint64_t value = 0;
    while (pos < in.size() && is_digit(in[pos])) {
        const auto digit = static_cast<std::uint64_t>(in[pos] - '0');
        if (value > (max - digit) / 10) {
            error = fail("number out of range", start);
            return std::nullopt;
        }
        value = value * 10 + digit;
        ++pos;
    }
    if (pos == start) {
        error = fail(pos < in.size() ? "expected a digit" : "truncated: expected a digit", pos);
        return std::nullopt;
    }
    if (in[start] == '0' && pos - start > 1) {
        error = fail("leading zero in a number", start);
        return std::nullopt;
    }
    if (pos >= in.size()) {
        error = fail(std::string("truncated: expected '") + stop + "'", pos);
        return std::nullopt;
    }
    if (in[pos] != stop) {
        error = fail(std::string("expected '") + stop + "'", pos);
        return std::nullopt;
    }
    ++pos;
    return value;
}

struct Frame {
    std::uint32_t token;  // the list or dict token being filled
    std::uint32_t items;  // values seen so far (dicts: keys and values both count)
};

}  // namespace

Result<Document> decode(BytesView in, const DecodeLimits& limits) {
    if (in.size() >= std::numeric_limits<std::uint32_t>::max())
        return fail("input larger than 4 GiB", 0);
    if (in.empty()) return fail("empty input", 0);

    Document doc;
    doc.input_ = in;
    std::vector<Frame> stack;
    std::size_t pos = 0;
    std::optional<Error> error;

    auto push_token = [&](Type type, std::size_t offset) -> bool {
        if (doc.tokens_.size() >= limits.tokens_max) {
            error = fail("too many bencode values", offset);
            return false;
        }
        doc.tokens_.push_back(Token{static_cast<std::uint32_t>(offset), 0, 0, 1, type});
        if (!stack.empty()) ++stack.back().items;
        return true;
    };
    auto finish_token = [&](std::uint32_t index, std::size_t end) {
        auto& t = doc.tokens_[index];
        t.end = static_cast<std::uint32_t>(end);
        t.next = static_cast<std::uint32_t>(doc.tokens_.size());
    };

    do {
        if (pos >= in.size()) return fail("truncated: value expected", pos);
        const char c = in[pos];
        const bool expecting_key = !stack.empty() && doc.tokens_[stack.back().token].type == Type::dict &&
                                   stack.back().items % 2 == 0;
        if (c == 'e') {
            if (stack.empty()) return fail("unexpected 'e'", pos);
            if (!expecting_key && doc.tokens_[stack.back().token].type == Type::dict)
                return fail("dictionary key without a value", pos);
            ++pos;
            finish_token(stack.back().token, pos);
            stack.pop_back();
            continue;
        }
        if (expecting_key && !is_digit(c)) return fail("dictionary key is not a string", pos);
        const std::size_t start = pos;
        if (c == 'i') {
            if (!push_token(Type::integer, start)) return *error;
            ++pos;
            const bool negative = pos < in.size() && in[pos] == '-';
            if (negative) ++pos;
            const std::uint64_t max =
                negative ? std::uint64_t{1} << 63 : std::uint64_t(std::numeric_limits<std::int64_t>::max());
            auto value = parse_decimal(in, pos, 'e', max, error);
            if (!value) return *error;
            if (negative && *value == 0) return fail("negative zero", start);
            finish_token(static_cast<std::uint32_t>(doc.tokens_.size() - 1), pos);
        } else if (is_digit(c)) {
            if (!push_token(Type::string, start)) return *error;
            auto length = parse_decimal(in, pos, ':', std::numeric_limits<std::uint32_t>::max(), error);
            if (!length) return *error;
            if (*length > in.size() - pos)
                return fail("string length " + std::to_string(*length) + " runs past the end of the input", start);
            auto& t = doc.tokens_.back();
            t.header = static_cast<std::uint32_t>(pos - start);
            pos += *length;
            finish_token(static_cast<std::uint32_t>(doc.tokens_.size() - 1), pos);
        } else if (c == 'l' || c == 'd') {
            if (static_cast<int>(stack.size()) >= limits.depth_max) return fail("nested too deeply", pos);
            if (!push_token(c == 'l' ? Type::list : Type::dict, start)) return *error;
            stack.push_back(Frame{static_cast<std::uint32_t>(doc.tokens_.size() - 1), 0});
            ++pos;
        } else {
            return fail(std::string("unexpected byte 0x") + to_hex(in.substr(pos, 1)), pos);
        }
    } while (!stack.empty());

    if (!limits.allow_trailing && pos != in.size()) return fail("trailing bytes after the value", pos);
    return doc;
}

// ---- Value ----

const Token& Value::token() const {
    AGORA_ASSERT(doc_ != nullptr);
    return doc_->tokens()[index_];
}
Type Value::type() const { return token().type; }
std::uint32_t Value::offset() const { return token().offset; }
BytesView Value::raw() const {
    const auto& t = token();
    return doc_->input().substr(t.offset, t.end - t.offset);
}

std::int64_t Value::as_int() const {
    AGORA_ASSERT(is_int());
    const auto& t = token();
    // The decoder proved the digits canonical and in range; parse them again without checks.
    BytesView digits = doc_->input().substr(t.offset + 1, t.end - t.offset - 2);
    const bool negative = digits.front() == '-';
    if (negative) digits.remove_prefix(1);
    std::uint64_t magnitude = 0;
    for (char c : digits) magnitude = magnitude * 10 + static_cast<std::uint64_t>(c - '0');
    return negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
}

std::string_view Value::as_string() const {
    AGORA_ASSERT(is_string());
    const auto& t = token();
    return doc_->input().substr(t.offset + t.header, t.end - t.offset - t.header);
}

std::uint32_t Value::size() const {
    AGORA_ASSERT(is_list() || is_dict());
    const auto& tokens = doc_->tokens();
    std::uint32_t n = 0;
    for (std::uint32_t i = index_ + 1; i < token().next; i = tokens[i].next) ++n;
    return is_dict() ? n / 2 : n;
}

Value Value::at(std::uint32_t i) const {
    AGORA_ASSERT(is_list());
    const auto& tokens = doc_->tokens();
    std::uint32_t k = index_ + 1;
    for (; k < token().next && i > 0; k = tokens[k].next) --i;
    return k < token().next ? Value(doc_, k) : Value();
}

Value Value::find(std::string_view key) const {
    if (!is_dict()) return {};
    const auto& tokens = doc_->tokens();
    for (std::uint32_t k = index_ + 1; k < token().next; k = tokens[tokens[k].next].next) {
        if (Value(doc_, k).as_string() == key) return Value(doc_, tokens[k].next);
    }
    return {};
}

std::optional<std::int64_t> Value::find_int(std::string_view key) const {
    Value v = find(key);
    if (!v.is_int()) return std::nullopt;
    return v.as_int();
}
std::optional<std::string_view> Value::find_string(std::string_view key) const {
    Value v = find(key);
    if (!v.is_string()) return std::nullopt;
    return v.as_string();
}
Value Value::find_list(std::string_view key) const {
    Value v = find(key);
    return v.is_list() ? v : Value();
}
Value Value::find_dict(std::string_view key) const {
    Value v = find(key);
    return v.is_dict() ? v : Value();
}

std::vector<Child> Value::children() const {
    AGORA_ASSERT(is_list() || is_dict());
    const auto& tokens = doc_->tokens();
    std::vector<Child> out;
    for (std::uint32_t k = index_ + 1; k < token().next; k = tokens[k].next) {
        if (is_dict()) {
            Value key(doc_, k);
            k = tokens[k].next;
            out.push_back(Child{key, Value(doc_, k)});
        } else {
            out.push_back(Child{Value(), Value(doc_, k)});
        }
    }
    return out;
}

std::optional<std::uint32_t> first_non_canonical(Value v) {
    if (!v.is_list() && !v.is_dict()) return std::nullopt;
    std::optional<std::string_view> previous;
    for (const auto& child : v.children()) {
        if (v.is_dict()) {
            auto key = child.key.as_string();
            if (previous && !(*previous < key)) return child.key.offset();
            previous = key;
        }
        if (auto bad = first_non_canonical(child.value)) return bad;
    }
    return std::nullopt;
}

// ---- encoding ----

void encode(const Node& node, Bytes& out) {
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::int64_t>) {
                out += 'i';
                out += std::to_string(v);
                out += 'e';
            } else if constexpr (std::is_same_v<T, std::string>) {
                out += std::to_string(v.size());
                out += ':';
                out += v;
            } else if constexpr (std::is_same_v<T, Node::List>) {
                out += 'l';
                for (const auto& item : v) encode(item, out);
                out += 'e';
            } else {
                out += 'd';
                for (const auto& [key, value] : v) {
                    out += std::to_string(key.size());
                    out += ':';
                    out += key;
                    encode(value, out);
                }
                out += 'e';
            }
        },
        node.v);
}

Bytes encode(const Node& node) {
    Bytes out;
    encode(node, out);
    return out;
}

}  // namespace agora::bencode
