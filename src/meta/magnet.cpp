// Magnet-link parsing, one &-separated parameter at a time. Decisions a reader should know:
// - Keys are matched case-insensitively and may carry an index suffix (tr.1=, xt.2=), which is
//   dropped: order in the URI is what counts, not the index.
// - Only known keys (xt, dn, tr, ws, x.pe, so) are percent-decoded and checked; unknown keys are
//   skipped untouched, so a foreign extension with a sloppy value does not spoil the link.
// - xt values that are neither urn:btih: nor urn:btmh: (urn:ed2k:, urn:sha1:, ...) name the file
//   on other networks and are ignored; only if no BitTorrent info-hash remains is it an error.
// - Limits (MagnetLimits) are errors, never truncation.
#include "meta/magnet.hpp"

#include <algorithm>
#include <optional>

#include "core/assert.hpp"
#include "core/bytes.hpp"

namespace agora::meta {

namespace {

constexpr std::string_view scheme = "magnet:?";
constexpr std::string_view btih_prefix = "urn:btih:";
constexpr std::string_view btmh_prefix = "urn:btmh:";

// BEP 52's urn:btmh: is a multihash: a code byte, a length byte, then the digest. BitTorrent v2
// only ever uses sha2-256 (code 0x12) with a 32-byte (0x20) digest.
constexpr std::uint8_t multihash_code_sha2_256 = 0x12;
constexpr std::uint8_t multihash_length_sha2_256 = 0x20;
constexpr std::size_t btih_hex_chars = 40;
constexpr std::size_t btih_base32_chars = 32;

// x.pe hosts. 253 bytes is the longest DNS name (RFC 1035); 45 the longest IPv6 text form
// (INET6_ADDRSTRLEN - 1). New limits live here, not in limits.hpp: the URI size bounds them already,
// they only keep nonsense out of PeerAddress.
constexpr std::size_t host_name_bytes_max = 253;
constexpr std::size_t ipv6_text_bytes_max = 45;

// BEP 53 file indices must be below 2^31 so that they fit the signed 32-bit file indices that
// clients (and our FileIndex) use; 10 decimal digits are enough to write any of them.
constexpr std::uint32_t file_index_end = 1u << 31;
constexpr std::size_t file_index_digits_max = 10;

// How much of a bad value an error message quotes.
constexpr std::size_t quote_bytes_max = 40;

Error bad(std::string message, std::size_t offset) {
    return make_error(Error::Kind::bad_magnet, std::move(message), static_cast<std::int64_t>(offset));
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }


bool all_digits(std::string_view s) { return std::all_of(s.begin(), s.end(), is_digit); }

// Quotes part of a user's value for an error message: short, and printable ASCII only, so a
// message stays one readable line whatever bytes the link carried.
std::string quote(std::string_view value) {
    std::string out = "'";
    for (std::size_t i = 0; i < value.size() && i < quote_bytes_max; ++i) {
        char c = value[i];
        out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (value.size() > quote_bytes_max) out += "...";
    out.push_back('\'');
    return out;
}

// RFC 3986 percent-decoding. `plus_is_space` is HTML-form decoding, which only dn gets: in a
// tracker URL a '+' is a literal '+' and must reach the tracker unchanged.
std::optional<std::string> percent_decode(std::string_view raw, bool plus_is_space) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '%') {
            if (i + 2 >= raw.size()) return std::nullopt;
            int hi = hex_digit_value(raw[i + 1]);
            int lo = hex_digit_value(raw[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>((hi << 4) | lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

bool is_unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

// Keeps ':' and '/' readable in tracker URLs; everything else outside RFC 3986's unreserved set is
// escaped, including '+' (which would read as a space in dn) and '&', '=', '%', '#'.
std::string percent_encode(std::string_view value) {
    constexpr char hex_upper[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (is_unreserved(c) || c == ':' || c == '/') {
            out.push_back(c);
        } else {
            auto b = static_cast<std::uint8_t>(c);
            out.push_back('%');
            out.push_back(hex_upper[b >> 4]);
            out.push_back(hex_upper[b & 15]);
        }
    }
    return out;
}

// "tr.1" -> "tr", "xt.12" -> "xt"; "x.pe" stays (its suffix is not a number).
std::string_view base_key(std::string_view key) {
    auto dot = key.rfind('.');
    if (dot == std::string_view::npos || dot + 1 == key.size()) return key;
    if (!all_digits(key.substr(dot + 1))) return key;
    return key.substr(0, dot);
}

enum class Key : std::uint8_t { xt, dn, tr, ws, x_pe, so, unknown };

Key classify(std::string_view key) {
    auto name = base_key(key);
    if (iequals(name, "xt")) return Key::xt;
    if (iequals(name, "dn")) return Key::dn;
    if (iequals(name, "tr")) return Key::tr;
    if (iequals(name, "ws")) return Key::ws;
    if (iequals(name, "x.pe")) return Key::x_pe;
    if (iequals(name, "so")) return Key::so;
    return Key::unknown;
}

const char* key_name(Key key) {
    switch (key) {
        case Key::xt: return "xt";
        case Key::dn: return "dn";
        case Key::tr: return "tr";
        case Key::ws: return "ws";
        case Key::x_pe: return "x.pe";
        case Key::so: return "so";
        case Key::unknown: break;
    }
    AGORA_ASSERT(false);
    return "";
}

Status add_btih(InfoHashes& hashes, std::string_view digits, std::size_t at) {
    std::optional<InfoHashV1> hash;
    if (digits.size() == btih_hex_chars) {
        hash = InfoHashV1::parse_hex(digits);
        if (!hash) return bad("urn:btih: info-hash " + quote(digits) + " is not valid hex", at);
    } else if (digits.size() == btih_base32_chars) {
        auto raw = from_base32(digits);
        if (!raw) return bad("urn:btih: info-hash " + quote(digits) + " is not valid base32", at);
        hash = InfoHashV1::from_bytes(*raw);
        AGORA_ASSERT(hash.has_value());  // 32 base32 characters are exactly 20 bytes
    } else {
        return bad("urn:btih: info-hash must be 40 hex or 32 base32 characters, not " +
                       std::to_string(digits.size()),
                   at);
    }
    if (hashes.v1 && *hashes.v1 != *hash)
        return bad("magnet link has two different urn:btih: info-hashes", at);
    hashes.v1 = hash;
    return Ok{};
}

Status add_btmh(InfoHashes& hashes, std::string_view digits, std::size_t at) {
    auto raw = from_hex(digits);
    if (!raw) return bad("urn:btmh: multihash " + quote(digits) + " is not valid hex", at);
    if (raw->size() < 2) return bad("urn:btmh: multihash is too short to hold a code and a length", at);
    if (byte_at(*raw, 0) != multihash_code_sha2_256)
        return bad("urn:btmh: multihash code 0x" + to_hex(BytesView(*raw).substr(0, 1)) +
                       " is not sha2-256 (0x12), the only hash BitTorrent v2 uses",
                   at);
    if (byte_at(*raw, 1) != multihash_length_sha2_256)
        return bad("urn:btmh: sha2-256 multihash must declare 32 bytes (0x20), not 0x" +
                       to_hex(BytesView(*raw).substr(1, 1)),
                   at);
    auto hash = InfoHashV2::from_bytes(BytesView(*raw).substr(2));
    if (!hash)
        return bad("urn:btmh: expected 64 hex digits of sha2-256 digest after 1220, not " +
                       std::to_string((raw->size() - 2) * 2),
                   at);
    if (hashes.v2 && *hashes.v2 != *hash)
        return bad("magnet link has two different urn:btmh: info-hashes", at);
    hashes.v2 = hash;
    return Ok{};
}

Status add_xt(InfoHashes& hashes, std::string_view value, std::size_t at) {
    if (istarts_with(value, btih_prefix)) return add_btih(hashes, value.substr(btih_prefix.size()), at);
    if (istarts_with(value, btmh_prefix)) return add_btmh(hashes, value.substr(btmh_prefix.size()), at);
    return Ok{};  // an exact topic for another network (ed2k, sha1, tiger tree): not ours
}

// tr and ws share one rule set; `what` names the list in messages.
Status add_url(std::vector<std::string>& list, std::string url, const char* what, std::uint32_t count_max,
               std::uint32_t url_bytes_max, std::size_t at) {
    if (url.empty()) return Ok{};  // "tr=" carries nothing; clients write it, so skip rather than fail
    if (url.size() > url_bytes_max)
        return bad(std::string(what) + " URL is longer than " + std::to_string(url_bytes_max) + " bytes", at);
    if (std::find(list.begin(), list.end(), url) != list.end()) return Ok{};
    if (list.size() >= count_max)
        return bad("magnet link has more than " + std::to_string(count_max) + " " + what + "s", at);
    list.push_back(std::move(url));
    return Ok{};
}

bool is_host_name_char(char c) { return is_unreserved(c) && c != '~'; }

bool valid_host_name(std::string_view host) {
    return !host.empty() && host.size() <= host_name_bytes_max &&
           std::all_of(host.begin(), host.end(), is_host_name_char);
}

// A shape check, not full IPv6 validation: the right characters and at least the two colons of
// "::". Whoever connects will resolve the text and drop what does not parse; this only keeps
// bytes that could not be an address (and that to_uri would have to escape) out of PeerAddress.
bool valid_ipv6_text(std::string_view host) {
    if (host.empty() || host.size() > ipv6_text_bytes_max) return false;
    if (std::count(host.begin(), host.end(), ':') < 2) return false;
    return std::all_of(host.begin(), host.end(), [](char c) { return hex_digit_value(c) >= 0 || c == ':' || c == '.'; });
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5 || !all_digits(text)) return std::nullopt;
    std::uint32_t port = 0;
    for (char c : text) port = port * 10 + static_cast<std::uint32_t>(c - '0');
    if (port == 0 || port > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(port);
}

Status add_peer(std::vector<PeerAddress>& peers, std::string_view value, std::size_t at) {
    if (value.empty()) return bad("x.pe is empty; expected host:port or [ipv6]:port", at);
    std::string_view host;
    std::string_view port_text;
    if (value.front() == '[') {
        auto close = value.find(']');
        if (close == std::string_view::npos)
            return bad("x.pe " + quote(value) + " opens '[' for an IPv6 address but never closes it", at);
        host = value.substr(1, close - 1);
        auto rest = value.substr(close + 1);
        if (rest.empty() || rest.front() != ':')
            return bad("x.pe " + quote(value) + " needs ':port' after the IPv6 address", at);
        port_text = rest.substr(1);
        if (!valid_ipv6_text(host)) return bad("x.pe " + quote(value) + " has a malformed IPv6 address", at);
    } else {
        auto colon = value.rfind(':');
        if (colon == std::string_view::npos)
            return bad("x.pe " + quote(value) + " has no port; expected host:port", at);
        host = value.substr(0, colon);
        port_text = value.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
            return bad("x.pe " + quote(value) + ": an IPv6 address must be in brackets, as [addr]:port", at);
        if (!valid_host_name(host))
            return bad("x.pe " + quote(value) + " has an empty, too long or malformed host", at);
    }
    auto port = parse_port(port_text);
    if (!port) return bad("x.pe " + quote(value) + " port must be a number from 1 to 65535", at);
    peers.push_back(PeerAddress{std::string(host), *port});
    return Ok{};
}

std::optional<std::uint32_t> parse_file_index(std::string_view text) {
    if (text.empty() || text.size() > file_index_digits_max || !all_digits(text)) return std::nullopt;
    std::uint64_t index = 0;
    for (char c : text) index = index * 10 + static_cast<std::uint64_t>(c - '0');
    if (index >= file_index_end) return std::nullopt;
    return static_cast<std::uint32_t>(index);
}

Status add_selected_files(std::vector<std::pair<std::uint32_t, std::uint32_t>>& ranges, std::string_view value,
                          std::size_t at) {
    // An empty so= selects nothing, which no client means to say: reject it like any malformed list.
    if (value.empty()) return bad("so= is empty; expected file indices like 0,2,4-6", at);
    std::size_t start = 0;
    while (true) {
        auto comma = value.find(',', start);
        auto item = value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        auto dash = item.find('-');
        auto first = parse_file_index(item.substr(0, dash));
        auto last = dash == std::string_view::npos ? first : parse_file_index(item.substr(dash + 1));
        if (!first || !last)
            return bad("so= item " + quote(item) + " is not a file index or an a-b range of indices below 2^31",
                       at);
        if (*first > *last) return bad("so= range " + quote(item) + " has its start after its end", at);
        ranges.emplace_back(*first, *last);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return Ok{};
}

Status apply_param(Magnet& magnet, std::string_view param, std::size_t at, const MagnetLimits& bounds) {
    auto eq = param.find('=');
    auto key = classify(param.substr(0, eq));
    if (key == Key::unknown) return Ok{};
    // A known key without '=' is treated as one with an empty value.
    auto raw = eq == std::string_view::npos ? std::string_view{} : param.substr(eq + 1);
    auto value = percent_decode(raw, key == Key::dn);
    if (!value)
        return bad(std::string("bad percent-escape in magnet parameter '") + key_name(key) +
                       "'; expected '%' and two hex digits",
                   at);
    switch (key) {
        case Key::xt: return add_xt(magnet.info_hashes, *value, at);
        case Key::dn:
            if (magnet.display_name.empty()) magnet.display_name = std::move(*value);  // first non-empty wins
            return Ok{};
        case Key::tr:
            return add_url(magnet.trackers, std::move(*value), "tracker", bounds.trackers_max, bounds.url_bytes_max,
                           at);
        case Key::ws:
            return add_url(magnet.web_seeds, std::move(*value), "web seed", bounds.trackers_max,
                           bounds.url_bytes_max, at);
        case Key::x_pe: return add_peer(magnet.peers, *value, at);
        case Key::so: return add_selected_files(magnet.selected_files, *value, at);
        case Key::unknown: break;
    }
    AGORA_ASSERT(false);
    return Ok{};
}

}  // namespace

Result<Magnet> parse_magnet(std::string_view uri, const MagnetLimits& bounds) {
    if (uri.size() > bounds.uri_bytes_max)
        return make_error(Error::Kind::bad_magnet,
                          "magnet link is longer than " + std::to_string(bounds.uri_bytes_max) + " bytes");
    if (!istarts_with(uri, scheme)) return bad("not a magnet link: it must start with \"magnet:?\"", 0);

    Magnet magnet;
    std::uint32_t param_count = 0;
    std::size_t pos = scheme.size();
    while (pos <= uri.size()) {
        auto amp = std::min(uri.find('&', pos), uri.size());
        auto param = uri.substr(pos, amp - pos);
        if (!param.empty()) {  // "&&" and a trailing '&' are harmless
            if (++param_count > bounds.params_max)
                return bad("magnet link has more than " + std::to_string(bounds.params_max) + " parameters", pos);
            auto status = apply_param(magnet, param, pos, bounds);
            if (!status) return status.error();
        }
        pos = amp + 1;
    }
    if (!magnet.info_hashes.v1 && !magnet.info_hashes.v2)
        return make_error(Error::Kind::bad_magnet, "magnet link has no info-hash (xt=urn:btih: or urn:btmh:)");
    return magnet;
}

Result<Magnet> parse_magnet(std::string_view uri) { return parse_magnet(uri, MagnetLimits{}); }

std::string to_uri(const Magnet& magnet) {
    AGORA_ASSERT(magnet.info_hashes.v1 || magnet.info_hashes.v2);
    std::string out(scheme);
    auto add = [&out](std::string_view key, std::string_view encoded_value) {
        if (out.size() > scheme.size()) out.push_back('&');
        out += key;
        out.push_back('=');
        out += encoded_value;
    };
    if (magnet.info_hashes.v1) add("xt", std::string(btih_prefix) + magnet.info_hashes.v1->hex());
    if (magnet.info_hashes.v2) add("xt", std::string(btmh_prefix) + "1220" + magnet.info_hashes.v2->hex());
    if (!magnet.display_name.empty()) add("dn", percent_encode(magnet.display_name));
    for (const auto& tracker : magnet.trackers)
        if (!tracker.empty()) add("tr", percent_encode(tracker));
    for (const auto& seed : magnet.web_seeds)
        if (!seed.empty()) add("ws", percent_encode(seed));
    for (const auto& peer : magnet.peers) {
        // A parsed host has only unreserved characters and ':', so encoding leaves it as it was; it
        // matters only for a hand-built PeerAddress. An IPv6 literal is the only host with ':'.
        auto host = percent_encode(peer.host);
        bool v6 = peer.host.find(':') != std::string::npos;
        add("x.pe", (v6 ? "[" + host + "]" : host) + ":" + std::to_string(peer.port));
    }
    if (!magnet.selected_files.empty()) {
        std::string list;
        for (const auto& [first, last] : magnet.selected_files) {
            if (!list.empty()) list.push_back(',');
            list += std::to_string(first);
            if (last != first) list += "-" + std::to_string(last);
        }
        add("so", list);
    }
    return out;
}

}  // namespace agora::meta
