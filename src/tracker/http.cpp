// HTTP tracker requests and replies. Decode, then act (STYLE.md, practice 5): this file only turns
// bytes into typed values; the session decides what to do with a failure reason or a peer list.
#include "tracker/http.hpp"

#include <algorithm>
#include <limits>

#include "core/assert.hpp"
#include "core/bencode.hpp"
#include "tracker/address.hpp"

namespace agora::tracker {

namespace {

Error bad_reply(std::string message, std::int64_t offset = -1) {
    return make_error(Error::Kind::bad_argument, std::move(message), offset);
}

bool is_unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

// RFC 3986 percent-encoding of arbitrary bytes, upper-case hex (what libtorrent sends too).
void append_escaped(std::string& out, BytesView bytes) {
    static constexpr char hex_digits[] = "0123456789ABCDEF";
    for (char c : bytes) {
        if (is_unreserved(c)) {
            out.push_back(c);
            continue;
        }
        const auto byte = static_cast<unsigned char>(c);
        out.push_back('%');
        out.push_back(hex_digits[byte >> 4]);
        out.push_back(hex_digits[byte & 0xf]);
    }
}

BytesView view(const Hash20& hash) { return {reinterpret_cast<const char*>(hash.data()), hash.size()}; }

std::string hex8(std::uint32_t value) {
    static constexpr char hex_digits[] = "0123456789ABCDEF";
    std::string out(8, '0');
    for (int i = 7; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = hex_digits[value & 0xf];
    return out;
}

const char* event_name(Event event) {
    switch (event) {
        case Event::started: return "started";
        case Event::completed: return "completed";
        case Event::stopped: return "stopped";
        case Event::none: break;
    }
    return nullptr;
}

// Joins the query to the URL: '?' when it has none, '&' after an existing query, nothing after a
// trailing '?' or '&'.
void append_query_separator(std::string& url) {
    if (url.find('?') == std::string::npos) url.push_back('?');
    else if (url.back() != '?' && url.back() != '&') url.push_back('&');
}

std::uint32_t clamp_interval(std::int64_t seconds) {
    return static_cast<std::uint32_t>(std::clamp<std::int64_t>(seconds, limits::interval_min_s, limits::interval_max_s));
}

// Counts that do not fit a uint32 are not counts; callers decide what absence means.
std::optional<std::uint32_t> as_count(std::optional<std::int64_t> value) {
    if (!value || *value < 0 || *value > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    return static_cast<std::uint32_t>(*value);
}

Result<bencode::Document> decode_body(BytesView body, std::string_view what) {
    if (body.size() > limits::http_body_bytes_max)
        return bad_reply(std::string(what) + " of " + std::to_string(body.size()) + " bytes is over the " +
                         std::to_string(limits::http_body_bytes_max) + "-byte limit");
    bencode::DecodeLimits bounds;
    bounds.depth_max = limits::bencode_depth_max;
    auto doc = bencode::decode(body, bounds);
    if (!doc) {
        return make_error(Error::Kind::bad_bencode,
                          std::string(what) + " is not bencode: " + doc.error().message, doc.error().offset);
    }
    if (!doc->root().is_dict()) return bad_reply(std::string(what) + " is not a dictionary", 0);
    return doc;
}

// One entry of a dict-form peer list (BEP 3): {"ip": text, "port": int, "peer id": ignored}.
std::optional<Peer> dict_peer(bencode::Value item) {
    if (!item.is_dict()) return std::nullopt;
    auto ip = item.find_string("ip");
    auto port = item.find_int("port");
    if (!ip || !port || *port <= 0 || *port > 65535) return std::nullopt;
    auto text = detail::canonical_ip(*ip);  // host names are skipped: we do not resolve them
    if (!text) return std::nullopt;
    return Peer{std::move(*text), static_cast<std::uint16_t>(*port)};
}

std::optional<Error> read_peers(bencode::Value root, std::vector<Peer>& out) {
    if (bencode::Value peers = root.find("peers"); peers.valid()) {
        if (peers.is_string()) {
            BytesView compact = peers.as_string();
            if (compact.size() % detail::compact_v4_bytes != 0)
                return bad_reply("compact 'peers' is " + std::to_string(compact.size()) +
                                     " bytes, not a multiple of 6", peers.offset());
            detail::append_compact_peers(compact, detail::compact_v4_bytes, out);
        } else if (peers.is_list()) {
            for (const auto& child : peers.children()) {
                if (out.size() >= limits::peers_max) break;
                if (auto peer = dict_peer(child.value)) out.push_back(std::move(*peer));
            }
        } else {
            return bad_reply("'peers' is neither a string nor a list", peers.offset());
        }
    }
    if (bencode::Value peers6 = root.find("peers6"); peers6.valid()) {
        if (!peers6.is_string()) return bad_reply("'peers6' is not a string", peers6.offset());
        BytesView compact = peers6.as_string();
        if (compact.size() % detail::compact_v6_bytes != 0)
            return bad_reply("compact 'peers6' is " + std::to_string(compact.size()) +
                                 " bytes, not a multiple of 18", peers6.offset());
        detail::append_compact_peers(compact, detail::compact_v6_bytes, out);
    }
    return std::nullopt;
}

void check_invariants(const AnnounceResponse& r) {
    AGORA_ASSERT(r.peers.size() <= limits::peers_max);
    AGORA_ASSERT(r.interval >= limits::interval_min_s && r.interval <= limits::interval_max_s);
    AGORA_ASSERT(!r.min_interval ||
                 (*r.min_interval >= limits::interval_min_s && *r.min_interval <= limits::interval_max_s));
    AGORA_ASSERT(r.tracker_id.size() <= limits::tracker_id_bytes_max);
    for (const auto& peer : r.peers) AGORA_ASSERT(peer.port != 0 && !peer.ip.empty());
}

}  // namespace

Result<std::string> build_announce_url(std::string_view announce_url, const AnnounceRequest& request) {
    AGORA_ASSERT(request.uploaded >= 0 && request.downloaded >= 0 && request.left >= 0);
    auto parsed = parse_tracker_url(announce_url);
    if (!parsed) return parsed.error();
    if (parsed->scheme != "http" && parsed->scheme != "https")
        return make_error(Error::Kind::bad_argument, "tracker URL: not an http:// or https:// URL");
    if (request.tracker_id.size() > limits::tracker_id_bytes_max)
        return make_error(Error::Kind::bad_argument, "tracker id is longer than " +
                                                         std::to_string(limits::tracker_id_bytes_max) + " bytes");

    std::string url(announce_url);
    append_query_separator(url);
    url += "info_hash=";
    append_escaped(url, view(request.info_hash));
    url += "&peer_id=";
    append_escaped(url, view(request.peer_id));
    url += "&port=" + std::to_string(request.port);
    url += "&uploaded=" + std::to_string(request.uploaded);
    url += "&downloaded=" + std::to_string(request.downloaded);
    url += "&left=" + std::to_string(request.left);
    url += "&compact=1&no_peer_id=1";
    if (const char* event = event_name(request.event)) url += std::string("&event=") + event;
    url += "&key=" + hex8(request.key);
    url += "&numwant=" + std::to_string(request.numwant);
    if (!request.tracker_id.empty()) {
        url += "&trackerid=";
        append_escaped(url, request.tracker_id);
    }
    return url;
}

Result<AnnounceResponse> parse_announce_response(BytesView body) {
    auto doc = decode_body(body, "tracker response");
    if (!doc) return doc.error();
    const bencode::Value root = doc->root();
    AnnounceResponse out;

    if (bencode::Value failure = root.find("failure reason"); failure.valid()) {
        if (!failure.is_string()) return bad_reply("'failure reason' is not a string", failure.offset());
        out.failure_reason = detail::sanitize_message(failure.as_string());
        return out;
    }
    if (auto warning = root.find_string("warning message")) out.warning = detail::sanitize_message(*warning);
    if (auto interval = root.find_int("interval")) out.interval = clamp_interval(*interval);
    if (auto min_interval = root.find_int("min interval")) out.min_interval = clamp_interval(*min_interval);
    out.complete = as_count(root.find_int("complete"));
    out.incomplete = as_count(root.find_int("incomplete"));
    if (auto id = root.find_string("tracker id"); id && id->size() <= limits::tracker_id_bytes_max)
        out.tracker_id = std::string(*id);
    if (auto e = read_peers(root, out.peers)) return *e;

    check_invariants(out);
    return out;
}

std::optional<std::string> build_scrape_url(std::string_view announce_url, const std::vector<Hash20>& info_hashes) {
    AGORA_ASSERT(!info_hashes.empty() && info_hashes.size() <= limits::http_scrape_hashes_max);
    auto parsed = parse_tracker_url(announce_url);
    if (!parsed || (parsed->scheme != "http" && parsed->scheme != "https")) return std::nullopt;

    // The path is everything after the authority up to the query.
    const std::size_t authority_start = announce_url.find("://") + 3;
    const std::size_t path_start = announce_url.find_first_of("/?", authority_start);
    if (path_start == std::string_view::npos || announce_url[path_start] != '/') return std::nullopt;
    const std::size_t query_start = std::min(announce_url.find('?', path_start), announce_url.size());
    const std::size_t last_slash = announce_url.rfind('/', query_start - 1);
    AGORA_ASSERT(last_slash != std::string_view::npos && last_slash >= path_start);

    constexpr std::string_view announce = "announce";
    if (announce_url.substr(last_slash + 1, query_start - last_slash - 1).substr(0, announce.size()) != announce)
        return std::nullopt;
    std::string url(announce_url.substr(0, last_slash + 1));
    url += "scrape";
    url += announce_url.substr(last_slash + 1 + announce.size());
    for (const auto& hash : info_hashes) {
        append_query_separator(url);
        url += "info_hash=";
        append_escaped(url, view(hash));
    }
    return url;
}

Result<std::map<Hash20, ScrapeEntry>> parse_scrape_response(BytesView body) {
    auto doc = decode_body(body, "scrape response");
    if (!doc) return doc.error();
    const bencode::Value root = doc->root();
    if (auto failure = root.find_string("failure reason"))
        return bad_reply("tracker refused the scrape: " + detail::sanitize_message(*failure));
    const bencode::Value files = root.find_dict("files");
    if (!files.valid()) return bad_reply("scrape response has no 'files' dictionary");

    // Negative counts read as 0, absurd ones as the largest count: a scrape is advisory.
    auto count = [](bencode::Value entry, std::string_view key) -> std::uint32_t {
        auto value = entry.find_int(key);
        if (!value || *value < 0) return 0;
        return static_cast<std::uint32_t>(std::min<std::int64_t>(*value, std::numeric_limits<std::uint32_t>::max()));
    };
    std::map<Hash20, ScrapeEntry> out;
    for (const auto& child : files.children()) {
        if (out.size() >= limits::scrape_files_max) break;
        BytesView key = child.key.as_string();
        if (key.size() != 20 || !child.value.is_dict()) continue;
        Hash20 hash{};
        std::copy(key.begin(), key.end(), reinterpret_cast<char*>(hash.data()));
        out.emplace(hash, ScrapeEntry{count(child.value, "complete"), count(child.value, "downloaded"),
                                      count(child.value, "incomplete")});
    }
    AGORA_ASSERT(out.size() <= limits::scrape_files_max);
    return out;
}

}  // namespace agora::tracker
