// Unit tests for tracker/: HTTP announce and scrape URLs, reply parsing with each rejection and its
// message, tracker URL parsing, BEP 15 datagrams byte by byte (both sides), and the UDP retry
// schedule.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <variant>

#include "core/digest.hpp"
#include "tracker/address.hpp"
#include "tracker/http.hpp"
#include "tracker/udp.hpp"
#include "tracker/udp_server.hpp"

namespace agora::tracker {

// Readable failure output for peers (found by argument-dependent lookup, hence not in the
// anonymous namespace).
void PrintTo(const Peer& peer, std::ostream* out) { *out << peer.ip << " port " << peer.port; }

namespace {

using namespace std::string_literals;

// The classic example hash: bytes 12 34 56 78 9a bc de f1 23 45 67 89 ab cd ef 12 34 56 78 9a.
constexpr std::string_view example_hash_hex = "123456789abcdef123456789abcdef123456789a";
constexpr std::string_view example_hash_escaped = "%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%124Vx%9A";

Hash20 hash_from_hex(std::string_view hex) {
    auto raw = from_hex(hex);
    EXPECT_TRUE(raw && raw->size() == 20);
    Hash20 out{};
    if (raw && raw->size() == 20) std::copy(raw->begin(), raw->end(), reinterpret_cast<char*>(out.data()));
    return out;
}
Hash20 hash_from_text(std::string_view text) {
    Hash20 out{};
    std::copy(text.begin(), text.begin() + 20, reinterpret_cast<char*>(out.data()));
    return out;
}
Hash20 filled(std::uint8_t byte) {
    Hash20 out{};
    out.fill(byte);
    return out;
}
std::string raw(const Hash20& h) { return std::string(reinterpret_cast<const char*>(h.data()), 20); }
std::string hex(BytesView b) { return to_hex(b); }

AnnounceRequest example_request() {
    AnnounceRequest r;
    r.info_hash = hash_from_hex(example_hash_hex);
    r.peer_id = hash_from_text("-AG0001-abcdefghijkl");
    r.port = 6881;
    r.uploaded = 1;
    r.downloaded = 2;
    r.left = 3;
    r.key = 0x1a2b3c;
    return r;
}

// The message of a failed parse (empty, and a test failure, if it parsed).
template <typename T>
std::string error_of(const Result<T>& r, Error::Kind kind = Error::Kind::bad_argument) {
    EXPECT_FALSE(r.ok());
    if (r.ok()) return {};
    EXPECT_EQ(r.error().kind, kind);
    return r.error().message;
}
#define EXPECT_HAS(text, fragment) EXPECT_NE((text).find(fragment), std::string::npos) << "text: " << (text)

// Bencode helpers for building replies.
std::string bstr(std::string_view s) { return std::to_string(s.size()) + ":" + std::string(s); }
std::string compact4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
    return {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d),
            static_cast<char>(port >> 8), static_cast<char>(port & 0xff)};
}

// ===================================================================== announce URL

// The whole URL, byte for byte: binary hash escaped with upper-case %XX, unreserved bytes kept,
// parameters in their documented order, key as 8 upper-case hex digits, no event for `none`.
TEST(AnnounceUrl, EscapesBinaryHashByteExact) {
    auto url = build_announce_url("http://tracker.example/announce", example_request());
    ASSERT_TRUE(url.ok()) << url.error().message;
    EXPECT_EQ(*url, "http://tracker.example/announce?info_hash="s + std::string(example_hash_escaped) +
                        "&peer_id=-AG0001-abcdefghijkl&port=6881&uploaded=1&downloaded=2&left=3"
                        "&compact=1&no_peer_id=1&key=001A2B3C&numwant=50");
}

// Only RFC 3986 unreserved characters pass unescaped; '+', '/', '%', space and high bytes do not.
TEST(AnnounceUrl, EscapesEverythingButUnreserved) {
    auto r = example_request();
    r.peer_id = hash_from_text("-._~ +/%AZaz09\xff\x00?&=#"s);
    auto url = build_announce_url("http://t/a", r);
    ASSERT_TRUE(url.ok());
    EXPECT_HAS(*url, "&peer_id=-._~%20%2B%2F%25AZaz09%FF%00%3F%26%3D%23&");
}

// An existing query is extended with '&'; a trailing '?' or '&' gets no extra separator.
TEST(AnnounceUrl, AppendsToExistingQuery) {
    auto r = example_request();
    EXPECT_HAS(*build_announce_url("https://t/announce.php?passkey=ab", r), "/announce.php?passkey=ab&info_hash=%12");
    EXPECT_HAS(*build_announce_url("https://t/announce?", r), "/announce?info_hash=%12");
    EXPECT_HAS(*build_announce_url("https://t/announce?a=1&", r), "/announce?a=1&info_hash=%12");
}

// Each event has its BEP 3 name; `none` sends no event parameter at all.
TEST(AnnounceUrl, EventStrings) {
    auto r = example_request();
    EXPECT_EQ(build_announce_url("http://t/a", r)->find("event="), std::string::npos);
    r.event = Event::started;
    EXPECT_HAS(*build_announce_url("http://t/a", r), "&no_peer_id=1&event=started&key=");
    r.event = Event::completed;
    EXPECT_HAS(*build_announce_url("http://t/a", r), "&event=completed&");
    r.event = Event::stopped;
    EXPECT_HAS(*build_announce_url("http://t/a", r), "&event=stopped&");
}

// numwant, key padding and an escaped tracker id are sent as given.
TEST(AnnounceUrl, KeyNumwantAndTrackerId) {
    auto r = example_request();
    r.key = 0xdeadbeef;
    r.numwant = 200;
    r.tracker_id = "id 1/x";
    auto url = build_announce_url("http://t/a", r);
    ASSERT_TRUE(url.ok());
    EXPECT_HAS(*url, "&key=DEADBEEF&numwant=200&trackerid=id%201%2Fx");
    EXPECT_EQ(url->substr(url->size() - 21), "&trackerid=id%201%2Fx");
}

// Non-HTTP schemes, fragments, broken URLs and over-long tracker ids are errors, not URLs.
TEST(AnnounceUrl, RejectsWhatCannotBeSent) {
    auto r = example_request();
    EXPECT_HAS(error_of(build_announce_url("udp://t:80/announce", r)), "not an http:// or https:// URL");
    EXPECT_HAS(error_of(build_announce_url("ftp://t/announce", r)), "unsupported scheme 'ftp'");
    EXPECT_HAS(error_of(build_announce_url("http://t/announce#frag", r)), "fragment");
    EXPECT_HAS(error_of(build_announce_url("not a url", r)), "contains a space");
    r.tracker_id = std::string(limits::tracker_id_bytes_max + 1, 'x');
    EXPECT_HAS(error_of(build_announce_url("http://t/a", r)), "tracker id is longer than 256 bytes");
}

// ===================================================================== announce replies

// A compact reply yields its IPv4 peers in order, with interval and counts.
TEST(AnnounceResponse, CompactPeers) {
    std::string peers = compact4(10, 0, 0, 1, 6881) + compact4(192, 168, 1, 255, 65535);
    auto r = parse_announce_response("d8:completei5e10:incompletei7e8:intervali900e5:peers" + bstr(peers) + "e");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->failure_reason);
    EXPECT_EQ(r->interval, 900u);
    EXPECT_EQ(r->complete, 5u);
    EXPECT_EQ(r->incomplete, 7u);
    ASSERT_EQ(r->peers.size(), 2u);
    EXPECT_EQ(r->peers[0], (Peer{"10.0.0.1", 6881}));
    EXPECT_EQ(r->peers[1], (Peer{"192.168.1.255", 65535}));
}

// Dict peers (BEP 3) are read; entries that are not dicts, lack ip or port, name a host, or have a
// port of 0 or above 65535 are skipped; IPv6 text is made canonical.
TEST(AnnounceResponse, DictPeersSkipMalformed) {
    std::string list = "l"
                       "d2:ip8:10.0.0.17:peer id20:aaaaaaaaaaaaaaaaaaaa4:porti6881ee"
                       "i5e"
                       "d2:ip8:10.0.0.2e"
                       "d4:porti1ee"
                       "d2:ip11:example.com4:porti80ee"
                       "d2:ip8:10.0.0.34:porti0ee"
                       "d2:ip8:10.0.0.44:porti65536ee"
                       "d2:ip8:10.0.0.54:porti-1ee"
                       "d2:ip9:010.0.0.64:porti1ee"
                       "d2:ip4:1234" "4:porti1ee"
                       "d2:ip15:2001:DB8:0:0::14:porti443ee"
                       "e";
    auto r = parse_announce_response("d8:intervali1800e5:peers" + list + "e");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->peers.size(), 2u);
    EXPECT_EQ(r->peers[0], (Peer{"10.0.0.1", 6881}));
    EXPECT_EQ(r->peers[1], (Peer{"2001:db8::1", 443}));
}

// peers6 (BEP 7) adds 18-byte IPv6 peers after the IPv4 ones, formatted per RFC 5952.
TEST(AnnounceResponse, CompactPeers6) {
    std::string v6 = *from_hex("20010db8000000000000000000000001" "1ae1") +
                     *from_hex("00000000000000000000ffff0a000001" "0050");
    auto r = parse_announce_response("d5:peers" + bstr(compact4(1, 2, 3, 4, 5)) + "6:peers6" + bstr(v6) + "e");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->peers.size(), 3u);
    EXPECT_EQ(r->peers[0], (Peer{"1.2.3.4", 5}));
    EXPECT_EQ(r->peers[1], (Peer{"2001:db8::1", 6881}));
    EXPECT_EQ(r->peers[2], (Peer{"::ffff:10.0.0.1", 80}));
}

// A failure reason is a successful parse with failure_reason set, and nothing else is read.
TEST(AnnounceResponse, FailureReasonIsNotAnError) {
    auto r = parse_announce_response("d14:failure reason17:torrent not found5:peers3:abce");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->failure_reason, "torrent not found");
    EXPECT_TRUE(r->peers.empty());
    EXPECT_HAS(error_of(parse_announce_response("d14:failure reasoni1ee")), "'failure reason' is not a string");
}

// Warning, min interval and tracker id are carried; an over-long tracker id is dropped.
TEST(AnnounceResponse, WarningMinIntervalTrackerId) {
    auto r = parse_announce_response("d8:intervali120e12:min intervali90e10:tracker id3:xyz"
                                     "15:warning message8:careful!e");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->warning, "careful!");
    EXPECT_EQ(r->min_interval, 90u);
    EXPECT_EQ(r->tracker_id, "xyz");
    EXPECT_TRUE(r->peers.empty());
    EXPECT_FALSE(r->complete);

    auto long_id = parse_announce_response("d10:tracker id" + bstr(std::string(300, 'a')) + "e");
    ASSERT_TRUE(long_id.ok());
    EXPECT_EQ(long_id->tracker_id, "");
}

// Intervals are clamped into [60 s, 2 days]; a missing one is 1800 s; so is min interval.
TEST(AnnounceResponse, IntervalClamping) {
    auto interval = [](std::string_view value) {
        auto r = parse_announce_response("d8:interval" + std::string(value) + "e");
        EXPECT_TRUE(r.ok());
        return r.ok() ? r->interval : 0u;
    };
    EXPECT_EQ(interval("i0e"), limits::interval_min_s);
    EXPECT_EQ(interval("i-5e"), 60u);
    EXPECT_EQ(interval("i59e"), 60u);
    EXPECT_EQ(interval("i61e"), 61u);
    EXPECT_EQ(interval("i172800e"), 172800u);
    EXPECT_EQ(interval("i172801e"), limits::interval_max_s);
    EXPECT_EQ(interval("i9223372036854775807e"), 172800u);
    EXPECT_EQ(interval("3:abc"), 1800u);  // wrong type reads as missing
    EXPECT_EQ(parse_announce_response("de")->interval, 1800u);
    EXPECT_EQ(parse_announce_response("d12:min intervali1ee")->min_interval, 60u);
}

// Counts outside uint32 read as absent rather than wrapping.
TEST(AnnounceResponse, CountsOutOfRangeAreAbsent) {
    auto r = parse_announce_response("d8:completei-1e10:incompletei4294967296ee");
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->complete);
    EXPECT_FALSE(r->incomplete);
}

// Bodies that are not bencode fail as bad_bencode with the decoder's message and offset; bencode
// that is not a reply fails as bad_argument with its own message.
TEST(AnnounceResponse, GarbageBodies) {
    auto html = parse_announce_response("<html>502 Bad Gateway</html>");
    EXPECT_HAS(error_of(html, Error::Kind::bad_bencode), "tracker response is not bencode: unexpected byte 0x3c");
    EXPECT_EQ(html.error().offset, 0);

    auto truncated = parse_announce_response("d8:intervali1800e5:peers");
    EXPECT_HAS(error_of(truncated, Error::Kind::bad_bencode), "not bencode: truncated");
    EXPECT_EQ(truncated.error().offset, 24);

    EXPECT_HAS(error_of(parse_announce_response(""), Error::Kind::bad_bencode), "not bencode");
    EXPECT_HAS(error_of(parse_announce_response("dei1e"), Error::Kind::bad_bencode), "trailing bytes");
    EXPECT_HAS(error_of(parse_announce_response("li1ee")), "tracker response is not a dictionary");
    EXPECT_HAS(error_of(parse_announce_response("d5:peersi1ee")), "'peers' is neither a string nor a list");
    EXPECT_HAS(error_of(parse_announce_response("d6:peers6lee")), "'peers6' is not a string");
    EXPECT_HAS(error_of(parse_announce_response("d6:peers65:abcdee")), "compact 'peers6' is 5 bytes, not a multiple of 18");

    std::string deep(limits::bencode_depth_max + 1, 'l');
    EXPECT_HAS(error_of(parse_announce_response(deep), Error::Kind::bad_bencode), "nested too deeply");

    std::string huge = "d5:peers" + bstr(std::string(limits::http_body_bytes_max, '\0')) + "e";
    EXPECT_HAS(error_of(parse_announce_response(huge)), "is over the 2097152-byte limit");
}

// A compact string whose length is not a multiple of 6 is an error naming the length and offset.
TEST(AnnounceResponse, CompactLengthNotMultipleOfSix) {
    auto r = parse_announce_response("d5:peers7:abcdefge");
    EXPECT_EQ(error_of(r), "compact 'peers' is 7 bytes, not a multiple of 6");
    EXPECT_EQ(r.error().offset, 8);
    EXPECT_HAS(error_of(parse_announce_response("d5:peers5:abcdee")), "5 bytes");
}

// Port-0 peers are dropped and the total across peers and peers6 stops at limits::peers_max.
TEST(AnnounceResponse, PeerCapAndPortZero) {
    std::string v4;
    for (int i = 0; i < 900; ++i) v4 += compact4(10, 0, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i), 1);
    v4 += compact4(10, 9, 9, 9, 0);
    std::string v6;
    for (int i = 0; i < 300; ++i) v6 += std::string(15, '\x20') + static_cast<char>(i) + "\x00\x02"s;
    auto r = parse_announce_response("d5:peers" + bstr(v4) + "6:peers6" + bstr(v6) + "e");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->peers.size(), limits::peers_max);
    EXPECT_EQ(r->peers[899].port, 1);
    EXPECT_EQ(r->peers[900].port, 2);  // the port-0 peer was skipped
    for (const auto& p : r->peers) EXPECT_NE(p.ip, "10.9.9.9");
}

// Tracker text is cut to limits::message_bytes_max and control bytes become '?'.
TEST(AnnounceResponse, MessagesAreSanitized) {
    auto r = parse_announce_response("d14:failure reason" + bstr("bad\nline\x1b[31m") + "e");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->failure_reason, "bad?line?[31m");
    auto longer = parse_announce_response("d15:warning message" + bstr(std::string(5000, 'w')) + "e");
    ASSERT_TRUE(longer.ok());
    EXPECT_EQ(longer->warning->size(), limits::message_bytes_max);
}

// ===================================================================== scrape

// BEP 48: the last path component must start with "announce", which becomes "scrape"; the query
// is kept and one info_hash parameter per hash is added.
TEST(Scrape, UrlRules) {
    const std::vector<Hash20> one{hash_from_hex(example_hash_hex)};
    const std::string ih = "info_hash="s + std::string(example_hash_escaped);
    EXPECT_EQ(build_scrape_url("http://t/announce", one), "http://t/scrape?" + ih);
    EXPECT_EQ(build_scrape_url("http://t:81/x/announce.php?pk=1", one), "http://t:81/x/scrape.php?pk=1&" + ih);
    EXPECT_EQ(build_scrape_url("https://t/announce_v2", one), "https://t/scrape_v2?" + ih);
    EXPECT_EQ(build_scrape_url("http://t/announce", {filled(0x41), filled(0x7e)}),
              "http://t/scrape?info_hash=AAAAAAAAAAAAAAAAAAAA&info_hash=~~~~~~~~~~~~~~~~~~~~");

    EXPECT_EQ(build_scrape_url("http://t/a", one), std::nullopt);
    EXPECT_EQ(build_scrape_url("http://t/announce/x", one), std::nullopt);  // not the last component
    EXPECT_EQ(build_scrape_url("http://t/x?path=/announce", one), std::nullopt);  // in the query
    EXPECT_EQ(build_scrape_url("http://t/Announce", one), std::nullopt);  // case matters
    EXPECT_EQ(build_scrape_url("http://t", one), std::nullopt);
    EXPECT_EQ(build_scrape_url("http://t?announce", one), std::nullopt);
    EXPECT_EQ(build_scrape_url("udp://t:80/announce", one), std::nullopt);
    EXPECT_EQ(build_scrape_url("http://t/announce#x", one), std::nullopt);
}

// A scrape reply maps each 20-byte hash to its counts; bad keys and values are skipped, negative
// counts read 0, huge ones 2^32-1, missing ones 0.
TEST(Scrape, ParsesFiles) {
    const Hash20 a = filled(0xaa), b = filled(0xbb);
    std::string body = "d5:filesd" + bstr(raw(a)) + "d8:completei5e10:downloadedi50e10:incompletei10ee" +
                       bstr(raw(b)) + "d8:completei-3e10:downloadedi99999999999ee" + "3:bad" +
                       "d8:completei1ee" + bstr(std::string(20, 'c')) + "i7e" + "ee";
    auto r = parse_scrape_response(body);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ(r->at(a), (ScrapeEntry{5, 50, 10}));
    EXPECT_EQ(r->at(b), (ScrapeEntry{0, 4294967295u, 0}));
}

// Scrape replies without files, with a failure reason, or not in bencode are errors.
TEST(Scrape, Errors) {
    EXPECT_EQ(error_of(parse_scrape_response("de")), "scrape response has no 'files' dictionary");
    EXPECT_EQ(error_of(parse_scrape_response("d5:filesli1eee")), "scrape response has no 'files' dictionary");
    EXPECT_EQ(error_of(parse_scrape_response("d14:failure reason4:nopee")), "tracker refused the scrape: nope");
    EXPECT_HAS(error_of(parse_scrape_response("garbage"), Error::Kind::bad_bencode), "scrape response is not bencode");
    EXPECT_EQ(error_of(parse_scrape_response("i1e")), "scrape response is not a dictionary");
    EXPECT_TRUE(parse_scrape_response("d5:filesdee")->empty());
}

// ===================================================================== tracker URLs

// Good URLs: default ports, explicit ports, bracketed IPv6 (stored canonical, no brackets), scheme
// case, and request targets that always start with '/'.
TEST(TrackerUrl, Accepts) {
    auto check = [](std::string_view url, std::string_view scheme, std::string_view host, std::uint16_t port,
                    std::string_view target) {
        auto r = parse_tracker_url(url);
        ASSERT_TRUE(r.ok()) << url << ": " << r.error().message;
        EXPECT_EQ(r->scheme, scheme) << url;
        EXPECT_EQ(r->host, host) << url;
        EXPECT_EQ(r->port, port) << url;
        EXPECT_EQ(r->target, target) << url;
    };
    check("http://tracker.example.org/announce", "http", "tracker.example.org", 80, "/announce");
    check("https://t.example/ann?pk=a%2Fb", "https", "t.example", 443, "/ann?pk=a%2Fb");
    check("HTTP://T:8080/a", "http", "T", 8080, "/a");
    check("udp://tracker.opentrackr.org:1337/announce", "udp", "tracker.opentrackr.org", 1337, "/announce");
    check("udp://10.0.0.1:6969", "udp", "10.0.0.1", 6969, "/");
    check("http://[2001:DB8::0:1]:6969/announce", "http", "2001:db8::1", 6969, "/announce");
    check("https://[::1]/", "https", "::1", 443, "/");
    check("http://host?x=1", "http", "host", 80, "/?x=1");
    check("http://my_tracker-1.example:65535", "http", "my_tracker-1.example", 65535, "/");
}

// Each bad URL is refused with its own message.
TEST(TrackerUrl, Rejects) {
    auto message = [](std::string_view url) { return error_of(parse_tracker_url(url)); };
    EXPECT_HAS(message("ftp://t/a"), "unsupported scheme 'ftp'");
    EXPECT_HAS(message("tracker.example/announce"), "no scheme");
    EXPECT_HAS(message("://t/a"), "no scheme");
    EXPECT_HAS(message("udp://t/announce"), "a udp tracker URL needs a port");
    EXPECT_HAS(message("http://user:pw@t/a"), "user info ('@') is not allowed");
    EXPECT_HAS(message("http://t/a b"), "contains a space");
    EXPECT_HAS(message("http://t/a\tb"), "contains a control character");
    EXPECT_HAS(message("http://t/a\x7f"), "contains a control character");
    EXPECT_HAS(message("http://t/\xc3\xa9"), "non-ASCII");
    EXPECT_HAS(message("http://t/a#frag"), "a fragment ('#') is not allowed");
    EXPECT_HAS(message("http://t:0/a"), "port is not a number from 1 to 65535");
    EXPECT_HAS(message("http://t:65536/a"), "port is not a number from 1 to 65535");
    EXPECT_HAS(message("http://t:8a/a"), "port is not a number from 1 to 65535");
    EXPECT_HAS(message("http://t:/a"), "empty port after ':'");
    EXPECT_HAS(message("http://[::1/a"), "'[' without a closing ']'");
    EXPECT_HAS(message("http://[zz::1]/a"), "not an IPv6 address in brackets");
    EXPECT_HAS(message("http://[::1]x/a"), "unexpected text after ']'");
    EXPECT_HAS(message("http://::1/a"), "an IPv6 host must be in brackets");
    EXPECT_HAS(message("http:///a"), "no host");
    EXPECT_HAS(message("http://t!/a"), "bad character in host");
    EXPECT_HAS(message("http://t/a%2"), "'%' not followed by two hex digits");
    EXPECT_HAS(message("http://t/a%zz"), "'%' not followed by two hex digits");
    EXPECT_HAS(message("http://t/" + std::string(limits::url_bytes_max, 'a')), "longer than 4096 bytes");
    EXPECT_EQ(parse_tracker_url("http://t/a#frag").error().offset, 10);
}

// IP text: strict parsing (no leading zeros, one "::", IPv4 tails) and RFC 5952 output.
TEST(TrackerUrl, IpTextCanonicalForm) {
    using detail::canonical_ip;
    EXPECT_EQ(canonical_ip("0.0.0.0"), "0.0.0.0");
    EXPECT_EQ(canonical_ip("255.255.255.255"), "255.255.255.255");
    EXPECT_EQ(canonical_ip("1:0:0:2:0:0:0:3"), "1:0:0:2::3");           // longest run wins
    EXPECT_EQ(canonical_ip("1:0:0:2:3:0:0:4"), "1::2:3:0:0:4");         // first of equal runs
    EXPECT_EQ(canonical_ip("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7");      // one zero group stays
    EXPECT_EQ(canonical_ip("::"), "::");
    EXPECT_EQ(canonical_ip("1::"), "1::");
    EXPECT_EQ(canonical_ip("::ffff:1.2.3.4"), "::ffff:1.2.3.4");
    EXPECT_EQ(canonical_ip("0:0:0:0:0:FFFF:0102:0304"), "::ffff:1.2.3.4");
    EXPECT_EQ(canonical_ip("fe80::abcd:00ef"), "fe80::abcd:ef");
    for (auto bad : {"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", "", "host", ":::", "1:::2",
                     "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "::1.2.3", "1:2:3:4:5:6:7::1.2.3.4", ":1::",
                     "1:", "fe80::1%eth0", "[::1]"})
        EXPECT_EQ(canonical_ip(bad), std::nullopt) << bad;
}

// ===================================================================== UDP encoding

// The connect request, byte for byte: protocol id, action 0, transaction id.
TEST(Udp, EncodeConnectByteExact) {
    EXPECT_EQ(hex(encode_connect(0xdeadbeef)), "0000041727101980" "00000000" "deadbeef");
}

// The 98-byte announce request, checked field by field at its BEP 15 offset.
TEST(Udp, EncodeAnnounceLayout) {
    AnnounceRequest r = example_request();
    r.downloaded = 0x0102030405060708;
    r.left = 0x1112131415161718;
    r.uploaded = 0x2122232425262728;
    r.event = Event::started;
    r.key = 0xcafebabe;
    r.numwant = 0xffffffff;  // -1: the tracker's default
    r.port = 0xabcd;
    r.tracker_id = "not sent over udp";
    const Bytes d = encode_announce(0x0123456789abcdef, 0x55667788, r);
    ASSERT_EQ(d.size(), 98u);
    EXPECT_EQ(hex(d.substr(0, 8)), "0123456789abcdef");   // connection id
    EXPECT_EQ(hex(d.substr(8, 4)), "00000001");           // action: announce
    EXPECT_EQ(hex(d.substr(12, 4)), "55667788");          // transaction id
    EXPECT_EQ(hex(d.substr(16, 20)), example_hash_hex);   // info_hash
    EXPECT_EQ(d.substr(36, 20), "-AG0001-abcdefghijkl");  // peer_id
    EXPECT_EQ(hex(d.substr(56, 8)), "0102030405060708");  // downloaded
    EXPECT_EQ(hex(d.substr(64, 8)), "1112131415161718");  // left
    EXPECT_EQ(hex(d.substr(72, 8)), "2122232425262728");  // uploaded
    EXPECT_EQ(hex(d.substr(80, 4)), "00000002");          // event: started
    EXPECT_EQ(hex(d.substr(84, 4)), "00000000");          // IP: the sender's
    EXPECT_EQ(hex(d.substr(88, 4)), "cafebabe");          // key
    EXPECT_EQ(hex(d.substr(92, 4)), "ffffffff");          // num_want
    EXPECT_EQ(hex(d.substr(96, 2)), "abcd");              // port
}

// BEP 15's event codes differ from the enum order: none 0, completed 1, started 2, stopped 3.
TEST(Udp, EventCodes) {
    AnnounceRequest r;
    auto code = [&](Event e) {
        r.event = e;
        return hex(encode_announce(1, 2, r).substr(80, 4));
    };
    EXPECT_EQ(code(Event::none), "00000000");
    EXPECT_EQ(code(Event::completed), "00000001");
    EXPECT_EQ(code(Event::started), "00000002");
    EXPECT_EQ(code(Event::stopped), "00000003");
}

// A scrape request is the 16-byte header and the hashes back to back, up to 74 of them.
TEST(Udp, EncodeScrape) {
    const Bytes d = encode_scrape(0x1122334455667788, 7, {filled(1), filled(2)});
    EXPECT_EQ(hex(d.substr(0, 16)), "1122334455667788" "00000002" "00000007");
    EXPECT_EQ(d.substr(16), raw(filled(1)) + raw(filled(2)));
    EXPECT_EQ(encode_scrape(1, 1, std::vector<Hash20>(limits::udp_scrape_hashes_max)).size(), 16u + 20 * 74);
}

// ===================================================================== UDP decoding

Bytes datagram(std::string_view hex_text) { return *from_hex(hex_text); }

// Each reply type decodes into its variant alternative with every field.
TEST(Udp, DecodeEachReplyType) {
    auto connect = decode_udp_reply(datagram("00000000" "01020304" "a1a2a3a4a5a6a7a8" "ffff"), false);
    ASSERT_TRUE(connect.ok());
    const auto& c = std::get<UdpConnectReply>(*connect);
    EXPECT_EQ(c.transaction_id, 0x01020304u);
    EXPECT_EQ(c.connection_id, 0xa1a2a3a4a5a6a7a8u);

    auto announce = decode_udp_reply(
        datagram("00000001" "00000009" "00000708" "00000003" "00000004" "0a000001" "1ae1" "0a000002" "0000"), false);
    ASSERT_TRUE(announce.ok()) << announce.error().message;
    const auto& a = std::get<UdpAnnounceReply>(*announce);
    EXPECT_EQ(a.transaction_id, 9u);
    EXPECT_EQ(a.interval, 1800u);
    EXPECT_EQ(a.leechers, 3u);
    EXPECT_EQ(a.seeders, 4u);
    ASSERT_EQ(a.peers.size(), 1u);  // the port-0 peer is skipped
    EXPECT_EQ(a.peers[0], (Peer{"10.0.0.1", 6881}));

    auto scrape = decode_udp_reply(
        datagram("00000002" "00000005" "000000010000000200000003" "0000000a0000000b0000000c"), false);
    ASSERT_TRUE(scrape.ok());
    const auto& s = std::get<UdpScrapeReply>(*scrape);
    EXPECT_EQ(s.transaction_id, 5u);
    ASSERT_EQ(s.entries.size(), 2u);
    EXPECT_EQ(s.entries[0], (ScrapeEntry{1, 2, 3}));  // seeders, completed, leechers
    EXPECT_EQ(s.entries[1], (ScrapeEntry{10, 11, 12}));

    auto error = decode_udp_reply(datagram("00000003" "00000006") + "torrent not registered\n", false);
    ASSERT_TRUE(error.ok());
    EXPECT_EQ(std::get<UdpErrorReply>(*error).transaction_id, 6u);
    EXPECT_EQ(std::get<UdpErrorReply>(*error).message, "torrent not registered?");
}

// Over IPv6 the announce reply's peers are 18 bytes each; the interval is clamped like HTTP's.
TEST(Udp, DecodeAnnounceIpv6AndClamp) {
    const Bytes d = datagram("00000001" "00000001" "00000000" "00000000" "00000000"
                             "20010db8000000000000000000000001" "1ae1");
    auto r = decode_udp_reply(d, true);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& a = std::get<UdpAnnounceReply>(*r);
    EXPECT_EQ(a.interval, limits::interval_min_s);
    ASSERT_EQ(a.peers.size(), 1u);
    EXPECT_EQ(a.peers[0], (Peer{"2001:db8::1", 6881}));
    // Read as IPv4 the same 18 bytes are three 6-byte records (two with port 0): garbage, which is
    // why the caller must say which family the socket was.
    auto as_v4 = decode_udp_reply(d, false);
    ASSERT_TRUE(as_v4.ok());
    EXPECT_EQ(std::get<UdpAnnounceReply>(*as_v4).peers, (std::vector<Peer>{{"0.0.0.1", 6881}}));
}

// Short, truncated, oversized and unknown datagrams are errors with their own message.
TEST(Udp, DecodeRejectsGarbled) {
    auto message = [](std::string_view hex_text, bool v6 = false) {
        return error_of(decode_udp_reply(datagram(hex_text), v6));
    };
    EXPECT_EQ(message(""), "UDP tracker: reply of 0 bytes, expected at least 8");
    EXPECT_EQ(message("00000000000000"), "UDP tracker: reply of 7 bytes, expected at least 8");
    EXPECT_EQ(message("00000000" "00000001" "00000000000000"), "UDP tracker: connect reply of 15 bytes, expected at least 16");
    EXPECT_EQ(message("00000001" "00000001" "0000000000000000000000"),
              "UDP tracker: announce reply of 19 bytes, expected at least 20");
    EXPECT_EQ(message("00000001" "00000001" "000000000000000000000000" "0a00000100"),
              "UDP tracker: announce reply ends in a partial peer (5 bytes of peers, not a multiple of 6)");
    EXPECT_EQ(message("00000001" "00000001" "000000000000000000000000" "0a0000011ae1", true),
              "UDP tracker: announce reply ends in a partial peer (6 bytes of peers, not a multiple of 18)");
    EXPECT_EQ(message("00000002" "00000001" "0000000100000002000000"),
              "UDP tracker: scrape reply ends in a partial entry (11 bytes of entries, not a multiple of 12)");
    EXPECT_EQ(message("00000004" "00000001"), "UDP tracker: unknown action 4");
    EXPECT_EQ(message("ffffffff" "00000001"), "UDP tracker: unknown action 4294967295");
    EXPECT_HAS(error_of(decode_udp_reply(std::string(limits::udp_datagram_bytes_max + 1, '\0'), false)),
               "larger than any UDP payload");
    // The fixed parts alone are fine: no peers, no entries, an empty message.
    EXPECT_TRUE(decode_udp_reply(datagram("00000002" "00000001"), false).ok());
    EXPECT_TRUE(decode_udp_reply(datagram("00000003" "00000001"), false).ok());
}

// A full-size datagram of peers decodes to at most limits::peers_max of them.
TEST(Udp, DecodeCapsPeers) {
    Bytes d = datagram("00000001" "00000001" "00000708" "00000000" "00000000");
    for (int i = 0; i < 2000; ++i) d += compact4(10, 1, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i), 1);
    auto r = decode_udp_reply(d, false);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(std::get<UdpAnnounceReply>(*r).peers.size(), limits::peers_max);
}

// The retry schedule is 15 * 2^n seconds for n = 0..8, and a connection id lasts one minute.
TEST(Udp, RetrySchedule) {
    EXPECT_EQ(udp_attempts_max, 8);
    EXPECT_EQ(udp_timeout(0), std::chrono::seconds(15));
    EXPECT_EQ(udp_timeout(1), std::chrono::seconds(30));
    EXPECT_EQ(udp_timeout(2), std::chrono::seconds(60));
    EXPECT_EQ(udp_timeout(udp_attempts_max), std::chrono::seconds(3840));
    std::chrono::seconds total{0};
    for (int n = 0; n <= udp_attempts_max; ++n) total += udp_timeout(n);
    EXPECT_EQ(total, std::chrono::seconds(7665));  // 15 * (2^9 - 1): about two hours of trying
    EXPECT_EQ(udp_connection_id_lifetime, std::chrono::seconds(60));
}

// ---- BEP 15, the tracker's side: each decoder is the inverse of the client's encoder ----

TEST(UdpServer, DecodesWhatTheClientSends) {
    auto connect = decode_udp_request(encode_connect(0xdeadbeef));
    ASSERT_TRUE(connect.ok()) << connect.error().message;
    EXPECT_EQ(std::get<UdpConnectRequest>(*connect).transaction_id, 0xdeadbeefu);

    AnnounceRequest r = example_request();
    r.downloaded = 0x0102030405060708;
    r.left = 7;
    r.uploaded = 99;
    r.key = 0xcafebabe;
    r.numwant = 0xffffffff;
    r.port = 0xabcd;
    for (const Event e : {Event::none, Event::started, Event::completed, Event::stopped}) {
        r.event = e;
        auto a = decode_udp_request(encode_announce(0x0123456789abcdef, 0x55667788, r));
        ASSERT_TRUE(a.ok()) << a.error().message;
        const auto& got = std::get<UdpAnnounceRequest>(*a);
        EXPECT_EQ(got.connection_id, 0x0123456789abcdefu);
        EXPECT_EQ(got.transaction_id, 0x55667788u);
        EXPECT_EQ(got.request.info_hash, r.info_hash);
        EXPECT_EQ(got.request.peer_id, r.peer_id);
        EXPECT_EQ(got.request.downloaded, r.downloaded);
        EXPECT_EQ(got.request.left, 7);
        EXPECT_EQ(got.request.uploaded, 99);
        EXPECT_EQ(got.request.event, e);
        EXPECT_EQ(got.request.key, 0xcafebabeu);
        EXPECT_EQ(got.request.numwant, 0xffffffffu);
        EXPECT_EQ(got.request.port, 0xabcd);
        EXPECT_EQ(got.ip, 0u);
    }

    std::vector<Hash20> hashes(3, r.info_hash);
    hashes[1].fill(0x11);
    auto scrape = decode_udp_request(encode_scrape(42, 7, hashes));
    ASSERT_TRUE(scrape.ok()) << scrape.error().message;
    EXPECT_EQ(std::get<UdpScrapeRequest>(*scrape).connection_id, 42u);
    EXPECT_EQ(std::get<UdpScrapeRequest>(*scrape).transaction_id, 7u);
    EXPECT_EQ(std::get<UdpScrapeRequest>(*scrape).info_hashes, hashes);
}

TEST(UdpServer, ClientDecodesWhatTheServerSends) {
    auto connect = decode_udp_reply(encode_connect_reply(5, 0x1122334455667788), false);
    ASSERT_TRUE(connect.ok());
    EXPECT_EQ(std::get<UdpConnectReply>(*connect).transaction_id, 5u);
    EXPECT_EQ(std::get<UdpConnectReply>(*connect).connection_id, 0x1122334455667788u);

    // Peers of the other family are skipped: a reply carries one family only.
    const std::vector<Peer> peers{{"10.0.0.7", 6881}, {"2001:db8::1", 51413}, {"192.168.1.2", 1}};
    auto v4 = decode_udp_reply(encode_announce_reply(6, 900, 3, 4, peers, false), false);
    ASSERT_TRUE(v4.ok());
    const auto& a = std::get<UdpAnnounceReply>(*v4);
    EXPECT_EQ(a.transaction_id, 6u);
    EXPECT_EQ(a.interval, 900u);
    EXPECT_EQ(a.leechers, 3u);
    EXPECT_EQ(a.seeders, 4u);
    EXPECT_EQ(a.peers, (std::vector<Peer>{{"10.0.0.7", 6881}, {"192.168.1.2", 1}}));
    auto v6 = decode_udp_reply(encode_announce_reply(6, 900, 3, 4, peers, true), true);
    ASSERT_TRUE(v6.ok());
    EXPECT_EQ(std::get<UdpAnnounceReply>(*v6).peers, (std::vector<Peer>{{"2001:db8::1", 51413}}));

    const std::vector<ScrapeEntry> entries{{1, 2, 3}, {4, 5, 6}};
    auto scrape = decode_udp_reply(encode_scrape_reply(8, entries), false);
    ASSERT_TRUE(scrape.ok());
    EXPECT_EQ(std::get<UdpScrapeReply>(*scrape).entries, entries);

    auto error = decode_udp_reply(encode_error_reply(9, "go away"), false);
    ASSERT_TRUE(error.ok());
    EXPECT_EQ(std::get<UdpErrorReply>(*error).message, "go away");
    EXPECT_EQ(encode_error_reply(9, std::string(5000, 'x')).size(), 8 + limits::message_bytes_max);
}

// BEP 41 puts options after the 98 bytes of an announce: they are ignored, not an error.
TEST(UdpServer, AnnounceMayCarryOptions) {
    Bytes d = encode_announce(1, 2, example_request());
    d += "\x02\x05/ann?";
    auto a = decode_udp_request(d);
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_EQ(std::get<UdpAnnounceRequest>(*a).request.info_hash, example_request().info_hash);
}

// Every malformed request is refused with a message naming what is wrong.
TEST(UdpServer, RejectsMalformedRequests) {
    auto rejects = [](const Bytes& d, std::string_view says) {
        auto r = decode_udp_request(d);
        ASSERT_FALSE(r.ok()) << hex(d);
        EXPECT_NE(r.error().message.find(says), std::string::npos) << r.error().message;
    };
    const Bytes connect = encode_connect(1);
    rejects(connect.substr(0, 15), "expected at least 16");
    Bytes no_magic = connect;
    no_magic[0] = 1;
    rejects(no_magic, "protocol id");
    const Bytes announce = encode_announce(1, 2, example_request());
    rejects(announce.substr(0, 97), "expected at least 98");
    Bytes bad_event = announce;
    bad_event[83] = 4;
    rejects(bad_event, "unknown announce event 4");
    Bytes error_action = connect;
    error_action[11] = 3;
    rejects(error_action, "unknown action 3");
    error_action[11] = 9;
    rejects(error_action, "unknown action 9");
    const Bytes scrape = encode_scrape(1, 2, {example_request().info_hash});
    rejects(scrape.substr(0, 16), "no info-hash");
    rejects(scrape.substr(0, 35), "partial info-hash");
    rejects(scrape.substr(0, 16) + std::string(20 * 75, 'h'), "75 info-hashes, at most 74");
    EXPECT_TRUE(decode_udp_request(scrape.substr(0, 16) + std::string(20 * 74, 'h')).ok());
    rejects(std::string(limits::udp_datagram_bytes_max + 1, '\0'), "larger than any UDP payload");
}

// Byte counts past int64 are clamped, never wrapped to negative ones.
TEST(UdpServer, HugeCountsAreClamped) {
    Bytes d = encode_announce(1, 2, example_request());
    for (std::size_t at = 56; at < 80; ++at) d[at] = '\xff';
    auto a = decode_udp_request(d);
    ASSERT_TRUE(a.ok());
    const auto& r = std::get<UdpAnnounceRequest>(*a).request;
    EXPECT_EQ(r.downloaded, INT64_MAX);
    EXPECT_EQ(r.left, INT64_MAX);
    EXPECT_EQ(r.uploaded, INT64_MAX);
}

}  // namespace
}  // namespace agora::tracker
