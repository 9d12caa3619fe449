// IP text and compact peer lists. Written here rather than with inet_ntop/inet_pton so that the
// tracker codec depends on the standard library only and formats the same on every platform.
#include "tracker/address.hpp"

#include "core/digest.hpp"

#include "core/assert.hpp"
#include "tracker/limits.hpp"

namespace agora::tracker::detail {

namespace {

constexpr std::size_t ipv6_text_bytes_max = 45;  // INET6_ADDRSTRLEN - 1
constexpr std::size_t ipv6_groups = 8;

bool is_digit(char c) { return c >= '0' && c <= '9'; }


// Parses 1 to 4 hex digits at text[i...]; advances i. nullopt when there are none or too many.
std::optional<std::uint16_t> parse_group(std::string_view text, std::size_t& i) {
    std::uint32_t value = 0;
    std::size_t digits = 0;
    while (i < text.size() && hex_digit_value(text[i]) >= 0) {
        if (++digits > 4) return std::nullopt;
        value = value * 16 + static_cast<std::uint32_t>(hex_digit_value(text[i]));
        ++i;
    }
    if (digits == 0) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string format_ipv4(const std::uint8_t* bytes) {
    std::string out;
    for (int i = 0; i < 4; ++i) {
        if (i > 0) out.push_back('.');
        out += std::to_string(bytes[i]);
    }
    return out;
}

std::string format_ipv6(const std::uint8_t* bytes) {
    // RFC 5952 section 5: IPv4-mapped addresses keep their dotted tail.
    bool mapped = bytes[10] == 0xff && bytes[11] == 0xff;
    for (int i = 0; i < 10 && mapped; ++i) mapped = bytes[i] == 0;
    if (mapped) return "::ffff:" + format_ipv4(bytes + 12);

    std::array<std::uint16_t, ipv6_groups> groups{};
    for (std::size_t g = 0; g < ipv6_groups; ++g)
        groups[g] = static_cast<std::uint16_t>((bytes[2 * g] << 8) | bytes[2 * g + 1]);

    // The longest run of two or more zero groups becomes "::"; the first one wins a tie.
    std::size_t best_start = ipv6_groups, best_length = 1;
    for (std::size_t g = 0; g < ipv6_groups;) {
        if (groups[g] != 0) { ++g; continue; }
        std::size_t end = g;
        while (end < ipv6_groups && groups[end] == 0) ++end;
        if (end - g > best_length) { best_start = g; best_length = end - g; }
        g = end;
    }

    static constexpr char hex_digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t g = 0; g < ipv6_groups; ++g) {
        if (g == best_start) {
            out += "::";
            g += best_length - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out.push_back(':');
        bool leading = true;
        for (int shift = 12; shift >= 0; shift -= 4) {
            const int nibble = (groups[g] >> shift) & 0xf;
            if (leading && nibble == 0 && shift > 0) continue;
            leading = false;
            out.push_back(hex_digits[nibble]);
        }
    }
    return out;
}

std::optional<std::array<std::uint8_t, 4>> parse_ipv4(std::string_view text) {
    std::array<std::uint8_t, 4> out{};
    std::size_t i = 0;
    for (std::size_t part = 0; part < 4; ++part) {
        if (part > 0) {
            if (i >= text.size() || text[i] != '.') return std::nullopt;
            ++i;
        }
        const std::size_t start = i;
        std::uint32_t value = 0;
        while (i < text.size() && is_digit(text[i]) && i - start < 3) {
            value = value * 10 + static_cast<std::uint32_t>(text[i] - '0');
            ++i;
        }
        const std::size_t digits = i - start;
        // "010" is octal to inet_aton and decimal to others: refuse the ambiguity.
        if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return std::nullopt;
        out[part] = static_cast<std::uint8_t>(value);
    }
    if (i != text.size()) return std::nullopt;
    return out;
}

std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view text) {
    if (text.size() < 2 || text.size() > ipv6_text_bytes_max) return std::nullopt;
    std::array<std::uint16_t, ipv6_groups> groups{};
    std::size_t count = 0;
    std::optional<std::size_t> gap;  // where "::" stands, as a group index
    std::size_t i = 0;
    if (text[0] == ':') {
        if (text[1] != ':') return std::nullopt;
        gap = 0;
        i = 2;
    }
    while (i < text.size()) {
        // A dotted IPv4 tail fills the last two groups.
        std::size_t end = i;
        while (end < text.size() && hex_digit_value(text[end]) >= 0) ++end;
        if (end < text.size() && text[end] == '.') {
            if (count > ipv6_groups - 2) return std::nullopt;
            auto v4 = parse_ipv4(text.substr(i));
            if (!v4) return std::nullopt;
            groups[count++] = static_cast<std::uint16_t>(((*v4)[0] << 8) | (*v4)[1]);
            groups[count++] = static_cast<std::uint16_t>(((*v4)[2] << 8) | (*v4)[3]);
            i = text.size();
            break;
        }
        if (count == ipv6_groups) return std::nullopt;
        auto group = parse_group(text, i);
        if (!group) return std::nullopt;
        groups[count++] = *group;
        if (i == text.size()) break;
        if (text[i] != ':') return std::nullopt;
        ++i;
        if (i < text.size() && text[i] == ':') {
            if (gap) return std::nullopt;  // only one "::"
            gap = count;
            ++i;
        } else if (i == text.size()) {
            return std::nullopt;  // a single trailing ':'
        }
    }
    if (gap ? count > ipv6_groups - 1 : count != ipv6_groups) return std::nullopt;

    std::array<std::uint16_t, ipv6_groups> full{};
    if (gap) {
        const std::size_t tail = count - *gap;
        for (std::size_t g = 0; g < *gap; ++g) full[g] = groups[g];
        for (std::size_t g = 0; g < tail; ++g) full[ipv6_groups - tail + g] = groups[*gap + g];
    } else {
        full = groups;
    }
    std::array<std::uint8_t, 16> out{};
    for (std::size_t g = 0; g < ipv6_groups; ++g) {
        out[2 * g] = static_cast<std::uint8_t>(full[g] >> 8);
        out[2 * g + 1] = static_cast<std::uint8_t>(full[g]);
    }
    return out;
}

std::optional<std::string> canonical_ip(std::string_view text) {
    if (auto v4 = parse_ipv4(text)) return format_ipv4(v4->data());
    if (auto v6 = parse_ipv6(text)) return format_ipv6(v6->data());
    return std::nullopt;
}

void append_compact_peers(BytesView compact, std::size_t stride, std::vector<Peer>& out) {
    AGORA_ASSERT(stride == compact_v4_bytes || stride == compact_v6_bytes);
    AGORA_ASSERT(compact.size() % stride == 0);
    const std::size_t address_bytes = stride - 2;
    for (std::size_t at = 0; at < compact.size() && out.size() < limits::peers_max; at += stride) {
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(compact.data() + at);
        const auto port = static_cast<std::uint16_t>((bytes[address_bytes] << 8) | bytes[address_bytes + 1]);
        if (port == 0) continue;  // nobody listens on port 0: a tracker bug or a placeholder
        out.push_back(Peer{address_bytes == 4 ? format_ipv4(bytes) : format_ipv6(bytes), port});
    }
}

std::string sanitize_message(std::string_view text) {
    std::string out(text.substr(0, limits::message_bytes_max));
    for (char& c : out) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) c = '?';
    }
    return out;
}

}  // namespace agora::tracker::detail
