// parse_tracker_url: split a tracker URL into scheme, host, port and request target, rejecting
// anything that could not be sent as-is in an HTTP request line or a UDP connect. Tracker URLs
// come from .torrent files and magnet links, i.e. from strangers, so the parser is strict: one
// pass, no normalisation beyond lower-casing the scheme and writing IPv6 hosts canonically.
#include <algorithm>

#include "tracker/address.hpp"
#include "tracker/http.hpp"

namespace agora::tracker {

namespace {

constexpr std::size_t host_name_bytes_max = 253;  // longest DNS name (RFC 1035)
constexpr std::size_t port_digits_max = 5;
constexpr std::uint16_t http_default_port = 80;
constexpr std::uint16_t https_default_port = 443;

Error bad_url(std::string message, std::size_t offset = std::string::npos) {
    return make_error(Error::Kind::bad_argument, "tracker URL: " + std::move(message),
                      offset == std::string::npos ? -1 : static_cast<std::int64_t>(offset));
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Every byte must be printable ASCII other than space; says which rule a byte broke.
std::optional<Error> check_bytes(std::string_view url) {
    for (std::size_t i = 0; i < url.size(); ++i) {
        const auto byte = static_cast<unsigned char>(url[i]);
        if (byte == ' ') return bad_url("contains a space", i);
        if (byte < 0x20 || byte == 0x7f) return bad_url("contains a control character", i);
        if (byte >= 0x80) return bad_url("contains a non-ASCII byte (must be percent-encoded)", i);
    }
    return std::nullopt;
}

// Host names: letters, digits, '-', '.', '_' (some trackers use it), nothing else.
bool valid_host_name(std::string_view host) {
    if (host.empty() || host.size() > host_name_bytes_max) return false;
    return std::all_of(host.begin(), host.end(), [](char c) {
        return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
    });
}

Result<std::uint16_t> parse_port(std::string_view digits, std::size_t offset) {
    if (digits.empty()) return bad_url("empty port after ':'", offset);
    if (digits.size() > port_digits_max || !std::all_of(digits.begin(), digits.end(), is_digit))
        return bad_url("port is not a number from 1 to 65535", offset);
    std::uint32_t value = 0;
    for (char c : digits) value = value * 10 + static_cast<std::uint32_t>(c - '0');
    if (value == 0 || value > 65535) return bad_url("port is not a number from 1 to 65535", offset);
    return static_cast<std::uint16_t>(value);
}

// Checks that every '%' in the path and query starts a %XX escape.
std::optional<Error> check_escapes(std::string_view target, std::size_t offset) {
    for (std::size_t i = 0; i < target.size(); ++i) {
        if (target[i] != '%') continue;
        if (i + 2 >= target.size() || !is_hex(target[i + 1]) || !is_hex(target[i + 2]))
            return bad_url("'%' not followed by two hex digits", offset + i);
    }
    return std::nullopt;
}

// Fills host and port from the authority (everything between "://" and the path).
std::optional<Error> parse_authority(std::string_view authority, std::size_t offset, ParsedUrl& out) {
    std::string_view port_text;
    std::size_t port_offset = 0;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return bad_url("'[' without a closing ']'", offset);
        auto v6 = detail::parse_ipv6(authority.substr(1, close - 1));
        if (!v6) return bad_url("not an IPv6 address in brackets", offset + 1);
        out.host = detail::format_ipv6(v6->data());
        std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return bad_url("unexpected text after ']'", offset + close + 1);
            has_port = true;
            port_text = rest.substr(1);
            port_offset = offset + close + 2;
        }
    } else {
        const std::size_t colon = authority.find(':');
        std::string_view host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            if (authority.find(':', colon + 1) != std::string_view::npos)
                return bad_url("an IPv6 host must be in brackets", offset);
            has_port = true;
            port_text = authority.substr(colon + 1);
            port_offset = offset + colon + 1;
        }
        if (host.empty()) return bad_url("no host", offset);
        if (!valid_host_name(host)) return bad_url("bad character in host or host too long", offset);
        out.host = std::string(host);
    }
    if (has_port) {
        auto port = parse_port(port_text, port_offset);
        if (!port) return port.error();
        out.port = *port;
    } else if (out.scheme == "udp") {
        return bad_url("a udp tracker URL needs a port", offset + authority.size());
    } else {
        out.port = out.scheme == "https" ? https_default_port : http_default_port;
    }
    return std::nullopt;
}

}  // namespace

Result<ParsedUrl> parse_tracker_url(std::string_view url) {
    if (url.size() > limits::url_bytes_max)
        return bad_url("longer than " + std::to_string(limits::url_bytes_max) + " bytes");
    if (auto e = check_bytes(url)) return *e;
    if (auto hash = url.find('#'); hash != std::string_view::npos)
        return bad_url("a fragment ('#') is not allowed", hash);

    const std::size_t sep = url.find("://");
    if (sep == std::string_view::npos || sep == 0) return bad_url("no scheme (expected http://, https:// or udp://)");
    ParsedUrl out;
    for (char c : url.substr(0, sep)) out.scheme.push_back(ascii_lower(c));
    if (out.scheme != "http" && out.scheme != "https" && out.scheme != "udp")
        return bad_url("unsupported scheme '" + out.scheme.substr(0, 16) + "'", 0);

    const std::size_t authority_start = sep + 3;
    const std::size_t authority_end = std::min(url.find_first_of("/?", authority_start), url.size());
    std::string_view authority = url.substr(authority_start, authority_end - authority_start);
    if (auto at = authority.find('@'); at != std::string_view::npos)
        return bad_url("user info ('@') is not allowed", authority_start + at);
    if (auto e = parse_authority(authority, authority_start, out)) return *e;

    std::string_view target = url.substr(authority_end);
    if (auto e = check_escapes(target, authority_end)) return *e;
    // An HTTP request target is never empty: "http://h?x" asks for "/?x".
    if (target.empty() || target.front() == '?') out.target = "/";
    out.target += target;
    return out;
}

}  // namespace agora::tracker
