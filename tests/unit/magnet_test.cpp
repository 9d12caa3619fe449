// Unit tests for meta/magnet: every parsing rule, each rejection with its own message, and the
// canonical round trip.
#include "meta/magnet.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace agora::meta {
namespace {

constexpr std::string_view v1_hex = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a";
constexpr std::string_view v1_hex_upper = "C12FE1C06BBA254A9DC9F519B335AA7C1367A88A";
constexpr std::string_view v1_base32 = "YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK";  // same 20 bytes as v1_hex
constexpr std::string_view v2_hex = "d8dd32ac93357c368556af3ac1d95c9d76bd0dff6fa9833ecdac3d53134efabb";

std::string btih() { return "xt=urn:btih:" + std::string(v1_hex); }
std::string btmh() { return "xt=urn:btmh:1220" + std::string(v2_hex); }
std::string with_v1(std::string_view rest) { return "magnet:?" + btih() + std::string(rest); }

InfoHashV1 expected_v1() { return *InfoHashV1::parse_hex(v1_hex); }
InfoHashV2 expected_v2() { return *InfoHashV2::parse_hex(v2_hex); }

// Parses `uri`, expects failure, and returns the message (empty if it unexpectedly parsed).
std::string error_of(std::string_view uri, const MagnetLimits& bounds = {}) {
    auto r = parse_magnet(uri, bounds);
    EXPECT_FALSE(r.ok()) << "parsed: " << uri;
    if (r.ok()) return {};
    EXPECT_EQ(r.error().kind, Error::Kind::bad_magnet);
    EXPECT_FALSE(r.error().message.empty());
    return r.error().message;
}

#define EXPECT_ERROR_HAS(uri, fragment)                                                  \
    do {                                                                                  \
        auto message_ = error_of(uri);                                                    \
        EXPECT_NE(message_.find(fragment), std::string::npos) << "message: " << message_; \
    } while (0)

// --- scheme and info-hashes -------------------------------------------------------------------

// A bare v1 hex magnet gives just the v1 hash and empty everything else.
TEST(Magnet, ParsesMinimalHexV1) {
    auto r = parse_magnet(with_v1(""));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->info_hashes.v1, expected_v1());
    EXPECT_FALSE(r->info_hashes.v2.has_value());
    EXPECT_TRUE(r->display_name.empty());
    EXPECT_TRUE(r->trackers.empty());
    EXPECT_TRUE(r->web_seeds.empty());
    EXPECT_TRUE(r->peers.empty());
    EXPECT_TRUE(r->selected_files.empty());
}

// Hex digits of either case name the same hash.
TEST(Magnet, HexUpperAndLowerCaseAgree) {
    auto lower = parse_magnet(with_v1(""));
    auto upper = parse_magnet("magnet:?xt=urn:btih:" + std::string(v1_hex_upper));
    ASSERT_TRUE(lower.ok());
    ASSERT_TRUE(upper.ok());
    EXPECT_EQ(*lower, *upper);
}

// A 32-character base32 btih, upper or lower case, is the same hash as its hex form.
TEST(Magnet, Base32UpperAndLowerCase) {
    std::string lower(v1_base32);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& digits : {std::string(v1_base32), lower}) {
        auto r = parse_magnet("magnet:?xt=urn:btih:" + digits);
        ASSERT_TRUE(r.ok()) << r.error().describe();
        EXPECT_EQ(r->info_hashes.v1, expected_v1());
    }
}

// The scheme and the urn prefixes are case-insensitive.
TEST(Magnet, SchemeAndUrnCaseInsensitive) {
    for (std::string uri : {"MAGNET:?XT=URN:BTIH:" + std::string(v1_hex), "Magnet:?xt=Urn:BtIh:" + std::string(v1_hex)}) {
        auto r = parse_magnet(uri);
        ASSERT_TRUE(r.ok()) << uri;
        EXPECT_EQ(r->info_hashes.v1, expected_v1());
    }
}

// Anything not starting with "magnet:?" is refused, with a message saying what is expected.
TEST(Magnet, RejectsWrongScheme) {
    EXPECT_ERROR_HAS("", "magnet:?");
    EXPECT_ERROR_HAS("http://example.com/?" + btih(), "magnet:?");
    EXPECT_ERROR_HAS("magnet:" + btih(), "magnet:?");
    EXPECT_ERROR_HAS("magnet", "magnet:?");
    EXPECT_ERROR_HAS(" magnet:?" + btih(), "magnet:?");
}

// With no btih/btmh the link is useless, and the message says exactly that.
TEST(Magnet, NoInfoHash) {
    EXPECT_EQ(error_of("magnet:?"), "magnet link has no info-hash (xt=urn:btih: or urn:btmh:)");
    EXPECT_EQ(error_of("magnet:?dn=x&tr=http://t/a"), "magnet link has no info-hash (xt=urn:btih: or urn:btmh:)");
    // Exact topics for other networks are ignored, so they do not count as an info-hash.
    EXPECT_ERROR_HAS("magnet:?xt=urn:ed2k:31d6cfe0d16ae931b73c59d7e0c089c0", "no info-hash");
    EXPECT_ERROR_HAS("magnet:?xt=", "no info-hash");
}

// Foreign xt values sit harmlessly beside a BitTorrent one.
TEST(Magnet, OtherNetworkXtIgnored) {
    auto r = parse_magnet("magnet:?xt=urn:sha1:ABCDEF&" + btih() + "&xt=urn:ed2k:zz");
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->info_hashes.v1, expected_v1());
}

// btih must be 40 or 32 characters; bad characters are reported as hex or base32 problems.
TEST(Magnet, BtihMalformed) {
    EXPECT_ERROR_HAS("magnet:?xt=urn:btih:" + std::string(v1_hex.substr(1)), "40 hex or 32 base32");
    EXPECT_ERROR_HAS("magnet:?xt=urn:btih:", "40 hex or 32 base32");
    EXPECT_ERROR_HAS("magnet:?xt=urn:btih:" + std::string(v1_hex) + "00", "40 hex or 32 base32");
    EXPECT_ERROR_HAS("magnet:?xt=urn:btih:" + std::string(v1_hex.substr(1)) + "g", "hex");
    EXPECT_ERROR_HAS("magnet:?xt=urn:btih:" + std::string(v1_base32.substr(1)) + "1", "base32");  // '1' not in alphabet
    EXPECT_ERROR_HAS("magnet:?xt=urn:btih:" + std::string(v1_base32.substr(1)) + "=", "base32");
}

// A v2 magnet carries a sha2-256 multihash: 1220 then 64 hex digits.
TEST(Magnet, ParsesV2Btmh) {
    auto r = parse_magnet("magnet:?" + btmh());
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_FALSE(r->info_hashes.v1.has_value());
    EXPECT_EQ(r->info_hashes.v2, expected_v2());
}

// Each malformed multihash gets its own message.
TEST(Magnet, BtmhMalformed) {
    std::string digest(v2_hex);
    EXPECT_ERROR_HAS("magnet:?xt=urn:btmh:1340" + digest + digest, "sha2-256 (0x12)");  // sha2-512
    EXPECT_ERROR_HAS("magnet:?xt=urn:btmh:1120" + digest, "0x11");
    EXPECT_ERROR_HAS("magnet:?xt=urn:btmh:1214" + digest.substr(0, 40), "32 bytes");
    EXPECT_ERROR_HAS("magnet:?xt=urn:btmh:1220" + digest.substr(2), "64 hex digits");
    EXPECT_ERROR_HAS("magnet:?xt=urn:btmh:1220" + digest + "00", "64 hex digits");
    EXPECT_ERROR_HAS("magnet:?xt=urn:btmh:1220" + digest.substr(1) + "x", "not valid hex");
    EXPECT_ERROR_HAS("magnet:?xt=urn:btmh:1220" + digest.substr(1), "not valid hex");  // odd length
    EXPECT_ERROR_HAS("magnet:?xt=urn:btmh:12", "too short");
    EXPECT_ERROR_HAS("magnet:?xt=urn:btmh:", "too short");
}

// A hybrid torrent's magnet carries both hashes, in either order.
TEST(Magnet, HybridBtihAndBtmh) {
    for (std::string uri : {"magnet:?" + btih() + "&" + btmh(), "magnet:?" + btmh() + "&" + btih()}) {
        auto r = parse_magnet(uri);
        ASSERT_TRUE(r.ok()) << r.error().describe();
        EXPECT_EQ(r->info_hashes.v1, expected_v1());
        EXPECT_EQ(r->info_hashes.v2, expected_v2());
    }
}

// Repeating the same hash (even in another encoding) is fine; two different ones are an error.
TEST(Magnet, RepeatedXtMustAgree) {
    auto same = parse_magnet(with_v1("&xt.1=urn:btih:" + std::string(v1_base32) + "&" + btmh() + "&" + btmh()));
    ASSERT_TRUE(same.ok()) << same.error().describe();
    EXPECT_EQ(same->info_hashes.v1, expected_v1());

    std::string other_v1(40, 'a');
    EXPECT_ERROR_HAS(with_v1("&xt=urn:btih:" + other_v1), "two different urn:btih:");
    std::string other_v2(64, 'b');
    EXPECT_ERROR_HAS("magnet:?" + btmh() + "&xt=urn:btmh:1220" + other_v2, "two different urn:btmh:");
}

// --- keys, decoding ---------------------------------------------------------------------------

// Index suffixes (xt.1, tr.2, dn.1) are dropped; URI order decides the tracker order.
TEST(Magnet, IndexSuffixedKeys) {
    auto r = parse_magnet("magnet:?xt.1=urn:btih:" + std::string(v1_hex) +
                          "&tr.2=http://b/announce&tr.1=http://a/announce&dn.1=name&ws.1=http://w/&x.pe.1=h:1&so.1=3");
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->info_hashes.v1, expected_v1());
    EXPECT_EQ(r->trackers, (std::vector<std::string>{"http://b/announce", "http://a/announce"}));
    EXPECT_EQ(r->display_name, "name");
    EXPECT_EQ(r->web_seeds, (std::vector<std::string>{"http://w/"}));
    EXPECT_EQ(r->peers, (std::vector<PeerAddress>{{"h", 1}}));
    EXPECT_EQ(r->selected_files, (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{3, 3}}));
}

// Unknown keys are skipped without even being decoded; a suffix that is not a number is not an index.
TEST(Magnet, UnknownKeysIgnored) {
    auto r = parse_magnet(with_v1("&kt=a+b&xl=10&foo=%zz&x.foo=%&tr.=http://x/&tr.a=http://y/&noequals&&"));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(*r, *parse_magnet(with_v1("")));
}

// Percent-encoded tracker URLs are decoded; escapes of either hex case work.
TEST(Magnet, PercentEncodedTracker) {
    auto r = parse_magnet(with_v1("&tr=udp%3A%2F%2Ftracker.example.org%3a6969%2Fannounce"
                                  "&tr=http%3A%2F%2Ft.example%2Fannounce%3Fpasskey%3Dab%26c"));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->trackers, (std::vector<std::string>{"udp://tracker.example.org:6969/announce",
                                                    "http://t.example/announce?passkey=ab&c"}));
}

// A '%' not followed by two hex digits is an error in any known key's value.
TEST(Magnet, BadPercentEscape) {
    EXPECT_ERROR_HAS(with_v1("&tr=http://a/%"), "percent-escape");
    EXPECT_ERROR_HAS(with_v1("&tr=http://a/%4"), "percent-escape");
    EXPECT_ERROR_HAS(with_v1("&dn=%zz"), "percent-escape in magnet parameter 'dn'");
    EXPECT_ERROR_HAS(with_v1("&ws=%G0"), "percent-escape in magnet parameter 'ws'");
    EXPECT_ERROR_HAS("magnet:?xt=urn:btih:%g" + std::string(v1_hex), "percent-escape in magnet parameter 'xt'");
    EXPECT_ERROR_HAS(with_v1("&x.pe=%5B::1%5"), "percent-escape in magnet parameter 'x.pe'");
    EXPECT_ERROR_HAS(with_v1("&so=%"), "percent-escape in magnet parameter 'so'");
}

// '+' is a space in dn only; elsewhere it is a literal '+'. %2B is always '+'.
TEST(Magnet, PlusIsSpaceOnlyInDisplayName) {
    auto r = parse_magnet(with_v1("&dn=Big+Buck%20Bunny%2B&tr=http://t/a+b&ws=http://w/c+d"));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->display_name, "Big Buck Bunny+");
    EXPECT_EQ(r->trackers, (std::vector<std::string>{"http://t/a+b"}));
    EXPECT_EQ(r->web_seeds, (std::vector<std::string>{"http://w/c+d"}));
}

// The first non-empty dn wins.
TEST(Magnet, FirstNonEmptyDisplayNameWins) {
    auto r = parse_magnet(with_v1("&dn=&dn=first&dn=second"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->display_name, "first");
}

// Empty tr= and ws= are skipped; duplicates are dropped, first occurrence keeps its place.
TEST(Magnet, TrackersAndWebSeedsSkipEmptyAndDeduplicate) {
    auto r = parse_magnet(with_v1("&tr=&tr=http://a/&ws=&tr=http://b/&tr=http%3A%2F%2Fa%2F&tr&ws=http://w/"
                                  "&ws=http://w/&ws=http://v/"));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->trackers, (std::vector<std::string>{"http://a/", "http://b/"}));
    EXPECT_EQ(r->web_seeds, (std::vector<std::string>{"http://w/", "http://v/"}));
}

// --- limits -----------------------------------------------------------------------------------

// The whole URI may be up to magnet_bytes_max bytes, no more.
TEST(Magnet, UriSizeLimit) {
    std::string base = with_v1("&dn=");
    std::string at_limit = base + std::string(limits::magnet_bytes_max - base.size(), 'n');
    ASSERT_EQ(at_limit.size(), limits::magnet_bytes_max);
    EXPECT_TRUE(parse_magnet(at_limit).ok());
    EXPECT_ERROR_HAS(at_limit + "n", "longer than 65536 bytes");
}

// Up to magnet_params_max non-empty parameters; empty ones ("&&") do not count.
TEST(Magnet, ParamCountLimit) {
    std::string uri = with_v1("");
    for (std::uint32_t i = 1; i < limits::magnet_params_max; ++i) uri += "&k=v&";
    EXPECT_TRUE(parse_magnet(uri).ok());
    EXPECT_ERROR_HAS(uri + "&k=v", "more than 1000 parameters");
}

// Each tr/ws may be url_bytes_max bytes after decoding.
TEST(Magnet, UrlSizeLimit) {
    std::string url = "http://t/" + std::string(limits::url_bytes_max - 9, 'a');
    ASSERT_EQ(url.size(), limits::url_bytes_max);
    auto r = parse_magnet(with_v1("&tr=" + url + "&ws=" + url));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->trackers.front(), url);
    EXPECT_ERROR_HAS(with_v1("&tr=" + url + "a"), "tracker URL is longer than 4096 bytes");
    EXPECT_ERROR_HAS(with_v1("&ws=" + url + "a"), "web seed URL is longer than 4096 bytes");
    // The limit applies to the decoded URL, so escapes do not push a URL over it.
    std::string escaped = "http%3A%2F%2Ft%2F" + std::string(limits::url_bytes_max - 9, 'a');
    EXPECT_TRUE(parse_magnet(with_v1("&tr=" + escaped)).ok());
}

// More distinct trackers (or web seeds) than trackers_max is an error, not a silent cut; repeats do
// not count. With the default limits the parameter limit binds first (1000 params include the xt),
// so this uses small limits to reach the tracker limit on its own.
TEST(Magnet, TrackerCountLimitIsAnError) {
    MagnetLimits small;
    small.trackers_max = 2;
    auto ok = parse_magnet(with_v1("&tr=http://a/&tr=http://b/&tr=http://a/&ws=http://x/&ws=http://y/"), small);
    ASSERT_TRUE(ok.ok()) << ok.error().describe();
    EXPECT_EQ(ok->trackers.size(), 2u);
    EXPECT_NE(error_of(with_v1("&tr=http://a/&tr=http://b/&tr=http://c/"), small).find("more than 2 trackers"),
              std::string::npos);
    EXPECT_NE(error_of(with_v1("&ws=http://a/&ws=http://b/&ws=http://c/"), small).find("more than 2 web seeds"),
              std::string::npos);

    // Default limits: 999 distinct trackers plus the xt is the most a link can hold, and parses.
    std::string uri = with_v1("");
    for (std::uint32_t i = 1; i < limits::magnet_params_max; ++i) uri += "&tr=http://t" + std::to_string(i) + "/";
    auto many = parse_magnet(uri);
    ASSERT_TRUE(many.ok()) << many.error().describe();
    EXPECT_EQ(many->trackers.size(), limits::magnet_params_max - 1);
}

// Small limits reach the URI and param bounds too, and their messages name the limit.
TEST(Magnet, CustomLimits) {
    MagnetLimits small;
    small.params_max = 2;
    small.uri_bytes_max = 100;
    small.url_bytes_max = 5;
    EXPECT_NE(error_of(with_v1("&a=1&b=2"), small).find("more than 2 parameters"), std::string::npos);
    EXPECT_NE(error_of(with_v1("&dn=" + std::string(60, 'x')), small).find("longer than 100 bytes"),
              std::string::npos);
    EXPECT_NE(error_of(with_v1("&tr=http://"), small).find("longer than 5 bytes"), std::string::npos);
}

// --- x.pe -------------------------------------------------------------------------------------

// Peer hints: IPv4, host names, bracketed IPv6 (also percent-encoded), ports 1 and 65535.
TEST(Magnet, PeerAddresses) {
    auto r = parse_magnet(with_v1("&x.pe=10.0.0.1:6881&x.pe=peer.example-1.org:1&x.pe=[2001:db8::1]:65535"
                                  "&x.pe=%5B::ffff:10.0.0.1%5D%3A51413&x.pe=[::1]:06881"));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->peers, (std::vector<PeerAddress>{{"10.0.0.1", 6881},
                                                  {"peer.example-1.org", 1},
                                                  {"2001:db8::1", 65535},
                                                  {"::ffff:10.0.0.1", 51413},
                                                  {"::1", 6881}}));
}

// Every malformed x.pe is an error naming the problem.
TEST(Magnet, PeerAddressMalformed) {
    EXPECT_ERROR_HAS(with_v1("&x.pe="), "x.pe is empty");
    EXPECT_ERROR_HAS(with_v1("&x.pe"), "x.pe is empty");
    EXPECT_ERROR_HAS(with_v1("&x.pe=10.0.0.1"), "has no port");
    EXPECT_ERROR_HAS(with_v1("&x.pe=10.0.0.1:"), "1 to 65535");
    EXPECT_ERROR_HAS(with_v1("&x.pe=10.0.0.1:0"), "1 to 65535");
    EXPECT_ERROR_HAS(with_v1("&x.pe=10.0.0.1:65536"), "1 to 65535");
    EXPECT_ERROR_HAS(with_v1("&x.pe=10.0.0.1:123456"), "1 to 65535");
    EXPECT_ERROR_HAS(with_v1("&x.pe=10.0.0.1:http"), "1 to 65535");
    EXPECT_ERROR_HAS(with_v1("&x.pe=10.0.0.1:+80"), "1 to 65535");
    EXPECT_ERROR_HAS(with_v1("&x.pe=10.0.0.1:-1"), "1 to 65535");
    EXPECT_ERROR_HAS(with_v1("&x.pe=2001:db8::1:6881"), "must be in brackets");
    EXPECT_ERROR_HAS(with_v1("&x.pe=[2001:db8::1:6881"), "never closes");
    EXPECT_ERROR_HAS(with_v1("&x.pe=[2001:db8::1]6881"), "needs ':port'");
    EXPECT_ERROR_HAS(with_v1("&x.pe=[2001:db8::1]"), "needs ':port'");
    EXPECT_ERROR_HAS(with_v1("&x.pe=[]:6881"), "malformed IPv6");
    EXPECT_ERROR_HAS(with_v1("&x.pe=[host.example]:6881"), "malformed IPv6");
    EXPECT_ERROR_HAS(with_v1("&x.pe=[1:2]:6881"), "malformed IPv6");  // one colon is not IPv6
    EXPECT_ERROR_HAS(with_v1("&x.pe=[fe80::1%25eth0]:6881"), "malformed IPv6");  // zones not accepted
    EXPECT_ERROR_HAS(with_v1("&x.pe=:6881"), "malformed host");
    EXPECT_ERROR_HAS(with_v1("&x.pe=bad%20host:6881"), "malformed host");
    EXPECT_ERROR_HAS(with_v1("&x.pe=" + std::string(254, 'h') + ":1"), "too long");
}

// --- so= (BEP 53) -----------------------------------------------------------------------------

// Indices and inclusive ranges, in order; several so= concatenate; the largest index is 2^31-1.
TEST(Magnet, SelectedFiles) {
    auto r = parse_magnet(with_v1("&so=0,2,4-6&so=007,9-9&so=2147483647,0-2147483647"));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    using Ranges = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
    EXPECT_EQ(r->selected_files,
              (Ranges{{0, 0}, {2, 2}, {4, 6}, {7, 7}, {9, 9}, {2147483647, 2147483647}, {0, 2147483647}}));
}

// Every malformed so= is an error.
TEST(Magnet, SelectedFilesMalformed) {
    EXPECT_ERROR_HAS(with_v1("&so="), "so= is empty");
    EXPECT_ERROR_HAS(with_v1("&so"), "so= is empty");
    for (const char* bad : {"1,", ",1", "1,,2", "a", "1-", "-1", "1--2", "1-2-3", " 1", "1 ", "+1", "1.5",
                            "2147483648", "0-2147483648", "99999999999", "4294967296"}) {
        EXPECT_ERROR_HAS(with_v1("&so=" + std::string(bad)), "is not a file index");
    }
    EXPECT_ERROR_HAS(with_v1("&so=6-4"), "start after its end");
}

// --- errors carry the offset of the bad parameter ----------------------------------------------

TEST(Magnet, ErrorOffsetPointsAtParameter) {
    std::string uri = with_v1("&dn=x&so=9-1");
    auto r = parse_magnet(uri);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().offset, static_cast<std::int64_t>(uri.find("so=")));
    EXPECT_NE(r.error().describe().find("(at byte"), std::string::npos);
}

// --- to_uri and round trips -------------------------------------------------------------------

// The canonical form: lower-case hex btih, btmh, dn, tr, ws, x.pe, so, in that order.
TEST(Magnet, CanonicalForm) {
    auto r = parse_magnet("MAGNET:?so=1,3-5&x.pe=[::1]:80&ws=http://w/&tr=udp%3A%2F%2Ft%3A1&dn=a+b%2B&" + btmh() +
                          "&xt=urn:btih:" + std::string(v1_base32));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(to_uri(*r), "magnet:?xt=urn:btih:" + std::string(v1_hex) + "&xt=urn:btmh:1220" + std::string(v2_hex) +
                              "&dn=a%20b%2B&tr=udp://t:1&ws=http://w/&x.pe=[::1]:80&so=1,3-5");
}

// Everything survives to_uri and back, including bytes that need escaping, and the canonical form
// is a fixed point.
TEST(Magnet, RoundTrip) {
    Magnet m;
    m.info_hashes.v1 = expected_v1();
    m.info_hashes.v2 = expected_v2();
    m.display_name = std::string("name with spaces & = + % # ? \xc3\xa9 \x01\0end", 37);  // incl. a NUL
    m.trackers = {"http://t.example/announce?passkey=a+b&x=%41", "udp://[2001:db8::1]:6969/announce"};
    m.web_seeds = {"https://seed.example/files/a b"};
    m.peers = {{"10.0.0.1", 6881}, {"2001:db8::2", 1}, {"host.example", 65535}};
    m.selected_files = {{0, 0}, {2, 5}, {2147483647, 2147483647}};
    std::string uri = to_uri(m);
    auto back = parse_magnet(uri);
    ASSERT_TRUE(back.ok()) << back.error().describe() << "\n" << uri;
    EXPECT_EQ(*back, m);
    EXPECT_EQ(to_uri(*back), uri);
}

// Minimal v1-only and v2-only magnets round-trip too.
TEST(Magnet, RoundTripSingleHash) {
    for (std::string uri : {with_v1(""), "magnet:?" + btmh()}) {
        auto r = parse_magnet(uri);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(to_uri(*r), uri);
        EXPECT_EQ(*parse_magnet(to_uri(*r)), *r);
    }
}

// A link parsed from a messy but valid form comes back equal from its canonical form.
TEST(Magnet, RoundTripFromMessyInput) {
    auto r = parse_magnet("magnet:?&&xt.3=urn:BTIH:" + std::string(v1_hex_upper) +
                          "&tr.1=http%3a%2F%2Fa%2F&tr.2=http://a/&dn=%e2%9c%93+ok&so=010-012&x.pe=%5B::1%5D:1&&");
    ASSERT_TRUE(r.ok()) << r.error().describe();
    auto back = parse_magnet(to_uri(*r));
    ASSERT_TRUE(back.ok()) << back.error().describe();
    EXPECT_EQ(*back, *r);
}

}  // namespace
}  // namespace agora::meta
