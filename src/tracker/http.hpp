// HTTP tracker codec (BEP 3, compact peers BEP 23, IPv6 peers BEP 7, scrape BEP 48), sans I/O: it
// builds request URLs and parses response bodies; io/ does the HTTP. Also parse_tracker_url, which
// splits any tracker URL (http, https, udp) into what a driver needs to connect.
//
// What a caller must know:
// - A reply with "failure reason" is not an error: it comes back as a response with
//   failure_reason set (the tracker answered; the caller logs it and retries later). Errors are
//   for replies we cannot read: Error::Kind::bad_bencode when the body is not bencode (the message
//   and offset are the bencode decoder's), bad_argument for everything else.
// - Peers are always IP literals in canonical text; dict-form peers naming a host name are skipped
//   (we do not resolve names from tracker replies), as are port 0 and malformed entries.
// - Counts over a limit (peers, scrape files) are truncated; sizes over a limit are errors.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "tracker/limits.hpp"
#include "tracker/types.hpp"

namespace agora::tracker {

// ---- announce ----

// `announce_url` plus the announce query: info_hash, peer_id, port, uploaded, downloaded, left,
// compact=1, no_peer_id=1, event (unless none), key (8 upper-case hex digits, as libtorrent),
// numwant, trackerid (when set). Binary values are percent-encoded byte by byte: RFC 3986
// unreserved characters stay, everything else becomes %XX in upper case. The query is appended
// with '?' or, when the URL already has one, '&'. Errors: not an http(s) URL (per
// parse_tracker_url, which also rejects fragments), or a tracker_id over limits::tracker_id_bytes_max.
Result<std::string> build_announce_url(std::string_view announce_url, const AnnounceRequest& request);

struct AnnounceResponse {
    std::optional<std::string> failure_reason;  // set: the tracker refused; nothing else is filled
    std::optional<std::string> warning;         // "warning message"
    std::uint32_t interval = limits::interval_default_s;  // seconds, clamped into the limits
    std::optional<std::uint32_t> min_interval;            // seconds, clamped likewise
    std::optional<std::uint32_t> complete, incomplete;    // seeders, leechers
    std::vector<Peer> peers;  // IPv4 ("peers") then IPv6 ("peers6"), at most limits::peers_max
    std::string tracker_id;   // "tracker id", to echo in later announces; empty if none
};

// Parses an announce reply body (the HTTP status is the caller's business).
Result<AnnounceResponse> parse_announce_response(BytesView body);

// ---- scrape ----

// The BEP 48 scrape URL: only when the last path component of an http(s) announce URL starts with
// "announce", which becomes "scrape" (".../announce.php?pk=1" -> ".../scrape.php?pk=1&info_hash=...").
// nullopt when the tracker has no scrape URL by that convention (or the URL is not a valid http(s)
// tracker URL). Precondition: 1 to limits::http_scrape_hashes_max hashes.
std::optional<std::string> build_scrape_url(std::string_view announce_url,
                                            const std::vector<Hash20>& info_hashes);

// Parses {"files": {hash: {complete, downloaded, incomplete}}}. Keys that are not 20 bytes and
// values that are not dictionaries are skipped; missing or out-of-range counts read as 0 (negative)
// or 2^32-1 (too big). A "failure reason" is an error here: a scrape has nothing else to report.
Result<std::map<Hash20, ScrapeEntry>> parse_scrape_response(BytesView body);

// ---- tracker URLs ----

struct ParsedUrl {
    std::string scheme;       // "http", "https" or "udp", lower case
    std::string host;         // a name, dotted IPv4, or canonical IPv6 without brackets
    std::uint16_t port = 0;   // never 0: defaults are 80 (http) and 443 (https)
    std::string target;       // path and query, always starting with '/' ("/" when empty)
};

// Accepts http://, https:// and udp:// (scheme in any case) URLs with a host, an optional port
// (udp requires one), and an optional path and query. Rejects: over limits::url_bytes_max, bytes
// that are controls, spaces or not ASCII (a URL must be percent-encoded), user info ('@'), a
// fragment ('#'), bad percent escapes, an IPv6 host outside brackets, bad ports.
Result<ParsedUrl> parse_tracker_url(std::string_view url);

}  // namespace agora::tracker
