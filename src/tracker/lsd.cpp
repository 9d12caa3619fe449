// BEP 14 BT-SEARCH announces. The parser reads a datagram of at most limits::lsd_datagram_bytes_max
// bytes line by line, once; it allocates only the hashes and cookie it returns.
#include "tracker/lsd.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "core/assert.hpp"

namespace agora::tracker {

namespace {

constexpr std::string_view request_line = "BT-SEARCH * HTTP/1.1\r\n";
constexpr std::string_view method = "BT-SEARCH";
constexpr std::string_view infohash_prefix = "Infohash: ";
constexpr std::size_t infohash_hex_bytes = 40;
constexpr std::size_t port_digits_max = 5;

// The largest announce format_lsd_announce can write must fit one datagram.
constexpr std::size_t announce_bytes_max = request_line.size() +
                                           (6 + limits::lsd_host_bytes_max + 2) +   // Host
                                           (6 + port_digits_max + 2) +              // Port
                                           limits::lsd_hashes_max * (infohash_prefix.size() + infohash_hex_bytes + 2) +
                                           (8 + limits::lsd_cookie_bytes_max + 2) +  // cookie
                                           4;                                        // two empty lines
static_assert(announce_bytes_max <= limits::lsd_datagram_bytes_max);

Error bad_announce(std::string message, std::int64_t offset = -1) {
    return make_error(Error::Kind::bad_argument, "LSD announce: " + std::move(message), offset);
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return lower(x) == lower(y);
           });
}

bool is_control(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
}

bool is_visible_ascii(char c) { return c > ' ' && c < 0x7f; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A cookie we would send, and so one we keep.
bool cookie_ok(std::string_view cookie) {
    return cookie.size() <= limits::lsd_cookie_bytes_max && std::none_of(cookie.begin(), cookie.end(), is_control) &&
           trim(cookie) == cookie;
}

// Cuts the next line off `rest`: up to '\n' (or the end), without the '\n' and one '\r' before it.
std::string_view next_line(std::string_view& rest) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

// A decimal port 1..65535, or nullopt.
std::optional<std::uint16_t> parse_port(std::string_view text) {
    if (text.empty() || text.size() > port_digits_max) return std::nullopt;
    std::uint32_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (value == 0 || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

// Adds one Infohash value to `out` if it is usable: 40 hex digits, not all zeros, new, room left.
void add_hash(std::string_view value, std::vector<InfoHashV1>& out) {
    if (value.size() != infohash_hex_bytes || out.size() >= limits::lsd_hashes_max) return;
    const auto hash = InfoHashV1::parse_hex(value);
    if (!hash || hash->is_zero()) return;
    if (std::find(out.begin(), out.end(), *hash) != out.end()) return;
    out.push_back(*hash);
}

// What the headers said, before the checks that need all of them.
struct Headers {
    std::optional<std::uint16_t> port;
    std::optional<std::string_view> cookie;
    std::vector<InfoHashV1> hashes;
};

// Reads one "Name: value" line into `headers`.
Status read_header(std::string_view line, std::int64_t offset, Headers& headers) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bad_announce("header line without ':'", offset);
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "port")) {
        if (headers.port) return bad_announce("more than one Port header", offset);
        headers.port = parse_port(value);
        if (!headers.port) return bad_announce("Port is not a number 1..65535", offset);
    } else if (iequals(name, "infohash")) {
        add_hash(value, headers.hashes);
    } else if (iequals(name, "cookie")) {
        if (!headers.cookie) headers.cookie = value;
    }
    return Ok{};
}

// True if `line` is a BT-SEARCH request line (the target and version are not checked).
bool is_bt_search(std::string_view line) {
    return line.size() > method.size() && iequals(line.substr(0, method.size()), method) &&
           line[method.size()] == ' ';
}

}  // namespace

std::string format_lsd_announce(std::string_view host, std::uint16_t port,
                                const std::vector<InfoHashV1>& hashes, std::string_view cookie) {
    AGORA_ASSERT(!host.empty() && host.size() <= limits::lsd_host_bytes_max);
    AGORA_ASSERT(std::all_of(host.begin(), host.end(), is_visible_ascii));
    AGORA_ASSERT(port != 0);
    AGORA_ASSERT(!hashes.empty() && hashes.size() <= limits::lsd_hashes_max);
    AGORA_ASSERT(cookie_ok(cookie));

    std::string out(request_line);
    out += "Host: ";
    out += host;
    out += "\r\nPort: ";
    out += std::to_string(port);
    out += "\r\n";
    for (const InfoHashV1& hash : hashes) {
        out += infohash_prefix;
        out += hash.hex();
        out += "\r\n";
    }
    if (!cookie.empty()) {
        out += "cookie: ";
        out += cookie;
        out += "\r\n";
    }
    out += "\r\n\r\n";
    AGORA_ASSERT(out.size() <= announce_bytes_max);
    return out;
}

Result<LsdAnnounce> parse_lsd_announce(BytesView datagram) {
    if (datagram.size() > limits::lsd_datagram_bytes_max) {
        return bad_announce(std::to_string(datagram.size()) + " bytes is over the " +
                            std::to_string(limits::lsd_datagram_bytes_max) + "-byte limit");
    }
    std::string_view rest = datagram;
    if (!is_bt_search(next_line(rest))) return bad_announce("not a BT-SEARCH request", 0);

    Headers headers;
    while (!rest.empty()) {
        const auto offset = static_cast<std::int64_t>(datagram.size() - rest.size());
        const std::string_view line = next_line(rest);
        if (line.empty()) break;  // end of headers; what follows is ignored
        if (auto status = read_header(line, offset, headers); !status) return status.error();
    }
    if (!headers.port) return bad_announce("no Port header");
    if (headers.hashes.empty()) return bad_announce("no Infohash header of 40 hex digits");

    LsdAnnounce out;
    out.port = *headers.port;
    out.hashes = std::move(headers.hashes);
    if (headers.cookie && cookie_ok(*headers.cookie)) out.cookie = std::string(*headers.cookie);
    AGORA_ASSERT(out.hashes.size() <= limits::lsd_hashes_max);
    return out;
}

}  // namespace agora::tracker
