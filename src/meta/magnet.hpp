// Magnet links: BEP 9 (xt=urn:btih:, dn, tr, x.pe), BEP 19 (ws), BEP 52 (xt=urn:btmh:) and
// BEP 53 (so=). A magnet names a torrent by its info-hash and gives hints for finding peers; the
// info dictionary itself is fetched later from the swarm (ut_metadata).
//
// parse_magnet is a pure codec (STYLE.md, practice 5): it never throws, and every rejection is an
// Error of kind bad_magnet with a one-line message and the byte offset of the parameter at fault.
// to_uri writes the canonical form; parse_magnet(to_uri(m)) == m for every m that parse_magnet
// produced (the fuzzer checks this).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/digest.hpp"
#include "core/limits.hpp"
#include "core/result.hpp"

namespace agora::meta {

// A peer hint from x.pe. `host` is a DNS name or IPv4 literal, or an IPv6 literal stored without
// its brackets (to_uri puts them back). Not resolved or connected to here.
struct PeerAddress {
    std::string host;
    std::uint16_t port = 0;
    bool operator==(const PeerAddress&) const = default;
};

struct Magnet {
    InfoHashes info_hashes;                 // at least one of v1/v2 is set
    std::string display_name;               // dn (the first non-empty one); may be any bytes
    std::vector<std::string> trackers;      // tr: each one tier, in URI order, deduplicated
    std::vector<std::string> web_seeds;     // ws: in URI order, deduplicated
    std::vector<PeerAddress> peers;         // x.pe, in URI order
    // so= (BEP 53): inclusive [first, last] file-index ranges in URI order, as written (not merged
    // or sorted); a single index i is {i, i}. Several so= parameters are concatenated.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> selected_files;
    bool operator==(const Magnet&) const = default;
};

// The bounds parse_magnet enforces; the defaults are the ones in limits.hpp. Tests pass smaller
// ones to reach each limit on its own (practice 8's test_min idea). Going over any of them is an
// error, never a silent truncation: a magnet that was cut short would look valid but be another link.
struct MagnetLimits {
    std::uint32_t uri_bytes_max = limits::magnet_bytes_max;     // the whole URI, before decoding
    std::uint32_t params_max = limits::magnet_params_max;       // non-empty &-separated parameters
    std::uint32_t url_bytes_max = limits::url_bytes_max;        // each tr / ws, after decoding
    std::uint32_t trackers_max = limits::trackers_max;          // distinct tr, and distinct ws
};

Result<Magnet> parse_magnet(std::string_view uri, const MagnetLimits& bounds);
Result<Magnet> parse_magnet(std::string_view uri);  // with the default MagnetLimits

// Canonical form: xt (btih as lower-case hex, then btmh), dn, tr..., ws..., x.pe..., so; values
// percent-encoded except for unreserved characters and ':' '/'. Precondition: an info-hash is set.
// The result can be longer than the link it was parsed from (raw bytes become %XX), so it may
// exceed limits::magnet_bytes_max when the input was near that limit.
std::string to_uri(const Magnet& magnet);

}  // namespace agora::meta
