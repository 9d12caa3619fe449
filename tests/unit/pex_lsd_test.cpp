// Unit tests for two sans-I/O discovery codecs: the BEP 11 ut_pex payload (wire/pex.hpp) and the
// BEP 14 Local Service Discovery announce (tracker/lsd.hpp). Exact bytes for known messages, round
// trips, the documented lenient cases, and one error per malformed input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/digest.hpp"
#include "tracker/lsd.hpp"
#include "wire/pex.hpp"

namespace agora {
namespace {

using namespace std::string_literals;
using wire::PexMessage;
using wire::PexPeer;

// A bencoded string of raw bytes: "<len>:<bytes>".
std::string bstr(std::string_view bytes) { return std::to_string(bytes.size()) + ":" + std::string(bytes); }

// One compact IPv4 contact, 6 bytes.
std::string v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
    return {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d),
            static_cast<char>(port >> 8), static_cast<char>(port)};
}

// A payload with the six keys in sorted order; empty arguments are left out.
std::string pex_dict(std::string_view added, std::string_view added_f, std::string_view added6,
                     std::string_view added6_f, std::string_view dropped, std::string_view dropped6) {
    std::string out = "d";
    if (!added.empty()) out += "5:added" + bstr(added);
    if (!added_f.empty()) out += "7:added.f" + bstr(added_f);
    if (!added6.empty()) out += "6:added6" + bstr(added6);
    if (!added6_f.empty()) out += "8:added6.f" + bstr(added6_f);
    if (!dropped.empty()) out += "7:dropped" + bstr(dropped);
    if (!dropped6.empty()) out += "8:dropped6" + bstr(dropped6);
    return out + "e";
}

// 2001:db8::1 as 16 bytes, then the port.
std::string v6_doc(std::uint16_t port) {
    std::string out = *from_hex("20010db8000000000000000000000001");
    out.push_back(static_cast<char>(port >> 8));
    out.push_back(static_cast<char>(port));
    return out;
}

PexMessage decode_ok(std::string_view payload) {
    auto m = wire::decode_pex(payload);
    EXPECT_TRUE(m.ok()) << m.error().describe();
    return m.ok() ? *m : PexMessage{};
}

// ---- ut_pex: encoding -------------------------------------------------------------------------

// The flag constants carry BEP 11's values.
TEST(Pex, FlagValuesAreBep11s) {
    EXPECT_EQ(wire::pex_flag_encryption, 0x01);
    EXPECT_EQ(wire::pex_flag_seed, 0x02);
    EXPECT_EQ(wire::pex_flag_utp, 0x04);
    EXPECT_EQ(wire::pex_flag_holepunch, 0x08);
    EXPECT_EQ(wire::pex_flag_reachable, 0x10);
    EXPECT_EQ(wire::ut_pex_name, "ut_pex");
}

// A known message encodes to exact bytes: six keys in bencode order, one flag byte per added peer,
// IPv4 and IPv6 split into their own keys, no flags for dropped peers.
TEST(Pex, EncodesByteExact) {
    PexMessage m;
    m.added = {{"1.2.3.4", 6881, wire::pex_flag_seed | wire::pex_flag_utp},
               {"2001:db8::1", 51413, wire::pex_flag_encryption}};
    m.dropped = {{"5.6.7.8", 80, 0}};
    // The literals are std::string ("..."s) because the dropped port holds a NUL byte.
    const std::string expected = "d5:added6:\x01\x02\x03\x04\x1a\xe1" "7:added.f1:\x06"
                                 "6:added618:"s + v6_doc(51413) + "8:added6.f1:\x01"
                                 "7:dropped6:\x05\x06\x07\x08\x00\x50" "8:dropped60:e"s;
    EXPECT_EQ(wire::encode_pex(m), expected);
}

// An empty message still has all six keys, as libtorrent writes it.
TEST(Pex, EmptyMessageWritesAllKeys) {
    EXPECT_EQ(wire::encode_pex(PexMessage{}),
              "d5:added0:7:added.f0:6:added60:8:added6.f0:7:dropped0:8:dropped60:e");
}

// What is encoded decodes back: IPv4 before IPv6 in each list, order kept within a family.
TEST(Pex, RoundTrips) {
    PexMessage m;
    m.added = {{"10.0.0.1", 1, 0x1f}, {"10.0.0.2", 65535, 0}, {"fe80::1", 6881, wire::pex_flag_reachable},
               {"2001:db8::2:1", 7, 0xff}};
    m.dropped = {{"192.168.1.1", 6881, 0}, {"::1", 6881, 0}};
    EXPECT_EQ(decode_ok(wire::encode_pex(m)), m);
}

// IPv6 text comes back as inet_ntop writes it; an IPv4-mapped address travels in the 6 keys.
TEST(Pex, Ipv6TextAndMappedAddresses) {
    PexMessage m;
    m.added = {{"::ffff:1.2.3.4", 6881, 0}};
    m.dropped = {{"2001:db8::1", 51413, 0}};
    const Bytes encoded = wire::encode_pex(m);
    EXPECT_NE(encoded.find("6:added618:"), std::string::npos);
    EXPECT_NE(encoded.find("8:dropped618:" + v6_doc(51413)), std::string::npos);
    EXPECT_EQ(decode_ok(encoded), m);

    const PexMessage decoded = decode_ok(pex_dict("", "", v6_doc(6881), "", "", ""));
    ASSERT_EQ(decoded.added.size(), 1u);
    EXPECT_EQ(decoded.added[0].ip, "2001:db8::1");
}

// Flags of dropped peers are not sent, so they decode as 0.
TEST(Pex, DroppedPeersCarryNoFlags) {
    PexMessage m;
    m.dropped = {{"1.2.3.4", 6881, wire::pex_flag_seed}};
    const PexMessage decoded = decode_ok(wire::encode_pex(m));
    ASSERT_EQ(decoded.dropped.size(), 1u);
    EXPECT_EQ(decoded.dropped[0], (PexPeer{"1.2.3.4", 6881, 0}));
}

// ---- ut_pex: decoding -------------------------------------------------------------------------

// A message as another client writes it (keys optional, unknown keys present) decodes exactly.
TEST(Pex, DecodesKnownMessage) {
    const std::string payload = "d5:added12:" + v4(1, 2, 3, 4, 6881) + v4(9, 9, 9, 9, 1) + "7:added.f2:\x12\x00"s +
                                "6:added618:" + v6_doc(2) + "1:xi7e" + "7:dropped6:" + v4(5, 6, 7, 8, 80) + "e";
    PexMessage expected;
    expected.added = {{"1.2.3.4", 6881, 0x12}, {"9.9.9.9", 1, 0}, {"2001:db8::1", 2, 0}};
    expected.dropped = {{"5.6.7.8", 80, 0}};
    EXPECT_EQ(decode_ok(payload), expected);
}

// added.f shorter than added gives flags 0 to the rest; bytes past the list are ignored; all eight
// bits of a flag byte are kept.
TEST(Pex, FlagsShortLongAndAllBits) {
    const std::string two = v4(1, 1, 1, 1, 1) + v4(2, 2, 2, 2, 2);
    auto short_flags = decode_ok(pex_dict(two, "\xff", "", "", "", ""));
    ASSERT_EQ(short_flags.added.size(), 2u);
    EXPECT_EQ(short_flags.added[0].flags, 0xff);
    EXPECT_EQ(short_flags.added[1].flags, 0);

    auto long_flags = decode_ok(pex_dict(two, "\x01\x02\x03\x04", "", "", "", ""));
    ASSERT_EQ(long_flags.added.size(), 2u);
    EXPECT_EQ(long_flags.added[0].flags, 1);
    EXPECT_EQ(long_flags.added[1].flags, 2);

    auto no_flags = decode_ok(pex_dict(two, "", v6_doc(3), "", "", ""));
    ASSERT_EQ(no_flags.added.size(), 3u);
    for (const auto& peer : no_flags.added) EXPECT_EQ(peer.flags, 0);

    auto v6_flags = decode_ok(pex_dict("", "", v6_doc(3), "\x05", "", ""));
    ASSERT_EQ(v6_flags.added.size(), 1u);
    EXPECT_EQ(v6_flags.added[0].flags, wire::pex_flag_encryption | wire::pex_flag_utp);
}

// A contact with port 0 is skipped, and its flag byte with it: the next contact keeps its own.
TEST(Pex, SkipsPortZero) {
    const auto m = decode_ok(pex_dict(v4(1, 1, 1, 1, 0) + v4(2, 2, 2, 2, 2), "\x01\x02", "", "",
                                      v4(3, 3, 3, 3, 0), v6_doc(0)));
    EXPECT_EQ(m.added, (std::vector<PexPeer>{{"2.2.2.2", 2, 2}}));
    EXPECT_TRUE(m.dropped.empty());
}

// Over the cap, each list keeps its first 50 contacts per family and ignores the rest.
TEST(Pex, TruncatesPastTheCapPerFamily) {
    std::string added, added6, dropped;
    for (int i = 0; i < 60; ++i) {
        added += v4(10, 0, 0, static_cast<std::uint8_t>(i), 1000);
        added6 += v6_doc(static_cast<std::uint16_t>(1000 + i));
        dropped += v4(10, 1, 0, static_cast<std::uint8_t>(i), 1000);
    }
    const auto m = decode_ok(pex_dict(added, "", added6, "", dropped, added6));
    ASSERT_EQ(m.added.size(), 2 * wire::limits::pex_added_per_family_max);
    EXPECT_EQ(m.added[49].ip, "10.0.0.49");
    EXPECT_EQ(m.added[50].ip, "2001:db8::1");
    EXPECT_EQ(m.added.back().port, 1049);
    ASSERT_EQ(m.dropped.size(), 2 * wire::limits::pex_dropped_per_family_max);
    EXPECT_EQ(m.dropped[49].ip, "10.1.0.49");

    // The cap counts kept contacts: port-0 entries do not use it up.
    std::string with_zeros = v4(1, 1, 1, 1, 0) + added;
    EXPECT_EQ(decode_ok(pex_dict(with_zeros, "", "", "", "", "")).added.size(), 50u);
}

// Each malformed payload is an error with a message; not-bencode is Kind::bad_bencode.
TEST(Pex, RejectsMalformed) {
    struct Case {
        std::string name;
        std::string payload;
        Error::Kind kind = Error::Kind::bad_argument;
    };
    const std::string six = v4(1, 2, 3, 4, 5);
    const std::vector<Case> cases = {
        {"not bencode", "d5:added", Error::Kind::bad_bencode},
        {"trailing bytes", pex_dict(six, "", "", "", "", "") + "x", Error::Kind::bad_bencode},
        {"list, not dict", "l5:addede"},
        {"string, not dict", "6:added6"},
        {"added 5 bytes", pex_dict(six.substr(0, 5), "", "", "", "", "")},
        {"added 7 bytes", pex_dict(six + "x", "", "", "", "", "")},
        {"added6 17 bytes", pex_dict("", "", v6_doc(1).substr(1), "", "", "")},
        {"added6 6 bytes", pex_dict("", "", six, "", "", "")},
        {"dropped 12+1 bytes", pex_dict("", "", "", "", six + six + "x", "")},
        {"dropped6 19 bytes", pex_dict("", "", "", "", "", v6_doc(1) + "x")},
        {"added integer", "d5:addedi5ee"},
        {"added.f integer", "d7:added.fi1ee"},
        {"added6.f list", "d8:added6.fle" "e"},
        {"dropped list", "d7:droppedl6:" + six + "ee"},
        {"dropped6 dict", "d8:dropped6dee"},
        {"oversize", "d1:x" + bstr(std::string(wire::limits::pex_payload_bytes_max, 'a')) + "e"},
    };
    for (const auto& c : cases) {
        auto m = wire::decode_pex(c.payload);
        ASSERT_FALSE(m.ok()) << c.name;
        EXPECT_EQ(m.error().kind, c.kind) << c.name;
        EXPECT_FALSE(m.error().message.empty()) << c.name;
    }
}

// Missing keys are empty lists and unknown keys, nested or not, are ignored.
TEST(Pex, MissingAndUnknownKeys) {
    EXPECT_EQ(decode_ok("de"), PexMessage{});
    EXPECT_EQ(decode_ok("d1:ad1:bli1eee1:zi0ee"), PexMessage{});
}

// ---- LSD: formatting --------------------------------------------------------------------------

InfoHashV1 hash_from(std::uint8_t first) {
    InfoHashV1 h;
    for (std::size_t i = 0; i < h.bytes.size(); ++i) h.bytes[i] = static_cast<std::uint8_t>(first + i);
    return h;
}

// The constants are BEP 14's groups and port.
TEST(Lsd, GroupConstants) {
    EXPECT_EQ(tracker::lsd_group_v4, "239.192.152.143");
    EXPECT_EQ(tracker::lsd_group_v6, "ff15::efc0:988f");
    EXPECT_EQ(tracker::lsd_port, 6771);
    EXPECT_EQ(tracker::lsd_host_v4, "239.192.152.143:6771");
    EXPECT_EQ(tracker::lsd_host_v6, "[ff15::efc0:988f]:6771");
}

// An announce is byte for byte what libtorrent writes: lower-case hex, "cookie" in lower case, two
// empty lines at the end.
TEST(Lsd, FormatsByteExact) {
    EXPECT_EQ(tracker::format_lsd_announce(tracker::lsd_host_v4, 6881, {hash_from(0)}, "5fe0c1a2"),
              "BT-SEARCH * HTTP/1.1\r\n"
              "Host: 239.192.152.143:6771\r\n"
              "Port: 6881\r\n"
              "Infohash: 000102030405060708090a0b0c0d0e0f10111213\r\n"
              "cookie: 5fe0c1a2\r\n"
              "\r\n\r\n");
}

// Several hashes give consecutive Infohash lines; an empty cookie leaves its line out.
TEST(Lsd, FormatsSeveralHashesWithoutCookie) {
    EXPECT_EQ(tracker::format_lsd_announce(tracker::lsd_host_v6, 65535, {hash_from(0), hash_from(0xec)}, ""),
              "BT-SEARCH * HTTP/1.1\r\n"
              "Host: [ff15::efc0:988f]:6771\r\n"
              "Port: 65535\r\n"
              "Infohash: 000102030405060708090a0b0c0d0e0f10111213\r\n"
              "Infohash: ecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff\r\n"
              "\r\n\r\n");
}

// The largest announce (the cap of hashes, the longest host and cookie) fits a datagram and parses
// back to what was formatted.
TEST(Lsd, LargestAnnounceFitsAndRoundTrips) {
    std::vector<InfoHashV1> hashes;
    for (std::size_t i = 0; i < tracker::limits::lsd_hashes_max; ++i) hashes.push_back(hash_from(static_cast<std::uint8_t>(i + 1)));
    const std::string host(tracker::limits::lsd_host_bytes_max, 'h');
    const std::string cookie(tracker::limits::lsd_cookie_bytes_max, 'c');
    const std::string text = tracker::format_lsd_announce(host, 1, hashes, cookie);
    EXPECT_LE(text.size(), tracker::limits::lsd_datagram_bytes_max);
    auto parsed = tracker::parse_lsd_announce(text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
    EXPECT_EQ(*parsed, (tracker::LsdAnnounce{1, hashes, cookie}));
}

// ---- LSD: parsing -----------------------------------------------------------------------------

tracker::LsdAnnounce parse_ok(std::string_view text) {
    auto a = tracker::parse_lsd_announce(text);
    EXPECT_TRUE(a.ok()) << a.error().describe();
    return a.ok() ? *a : tracker::LsdAnnounce{};
}

// Header names in any case, "\n" line endings, upper-case hex, padded values, unknown headers, a
// lower-case method and no final empty line are all accepted; lines after the empty one are not read.
TEST(Lsd, ParsesLiberally) {
    const auto a = parse_ok("bt-search * HTTP/1.1\n"
                            "HOST: somewhere\n"
                            "pOrT:\t 6881 \n"
                            "X-Unknown: yes\r\n"
                            "INFOHASH: 000102030405060708090A0B0C0D0E0F10111213\n"
                            "Cookie:  abc \n");
    EXPECT_EQ(a, (tracker::LsdAnnounce{6881, {hash_from(0)}, "abc"}));

    const auto b = parse_ok("BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: " + hash_from(5).hex() +
                            "\r\n\r\nInfohash: " + hash_from(9).hex() + "\r\nPort: 2\r\n");
    EXPECT_EQ(b, (tracker::LsdAnnounce{1, {hash_from(5)}, ""}));
}

// Bad, all-zero and repeated Infohash values are skipped and the good ones kept; past the cap the
// rest is ignored.
TEST(Lsd, SkipsUnusableHashes) {
    const std::string good = hash_from(1).hex();
    const auto a = parse_ok("BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\n"
                            "Infohash: " + std::string(64, 'a') + "\r\n"    // a v2-sized hash
                            "Infohash: " + good.substr(1) + "\r\n"          // 39 digits
                            "Infohash: " + good.substr(1) + "g\r\n"         // not hex
                            "Infohash: " + std::string(40, '0') + "\r\n"    // all zeros
                            "Infohash: " + good + "\r\n"
                            "Infohash: " + good + "\r\n"                    // repeated
                            "Infohash:\r\n\r\n");
    EXPECT_EQ(a.hashes, std::vector<InfoHashV1>{hash_from(1)});

    std::string many = "BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\n";
    for (int i = 0; i < 25; ++i) many += "Infohash: " + hash_from(static_cast<std::uint8_t>(i + 1)).hex() + "\r\n";
    const auto b = parse_ok(many);
    ASSERT_EQ(b.hashes.size(), tracker::limits::lsd_hashes_max);
    EXPECT_EQ(b.hashes.back(), hash_from(20));
}

// A cookie that could not be ours is dropped, not an error; the first cookie header wins.
TEST(Lsd, CookieHandling) {
    const std::string head = "BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: " + hash_from(1).hex() + "\r\n";
    EXPECT_EQ(parse_ok(head + "cookie: " + std::string(65, 'c') + "\r\n\r\n").cookie, "");
    EXPECT_EQ(parse_ok(head + "cookie: a\x01" "b\r\n\r\n").cookie, "");
    EXPECT_EQ(parse_ok(head + "cookie: a\rb\r\n\r\n").cookie, "");
    EXPECT_EQ(parse_ok(head + "cookie: first\r\ncookie: second\r\n\r\n").cookie, "first");
    EXPECT_EQ(parse_ok(head + "\r\n").cookie, "");
}

// Each malformed datagram is an error with a message.
TEST(Lsd, RejectsMalformed) {
    const std::string ih = "Infohash: " + hash_from(1).hex() + "\r\n";
    const std::string start = "BT-SEARCH * HTTP/1.1\r\n";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"empty", ""},
        {"M-SEARCH", "M-SEARCH * HTTP/1.1\r\nPort: 6881\r\n" + ih},
        {"method only", "BT-SEARCH\r\nPort: 6881\r\n" + ih},
        {"method prefix", "BT-SEARCHX * HTTP/1.1\r\nPort: 6881\r\n" + ih},
        {"headers first", "Port: 6881\r\n" + ih},
        {"oversize", start + "Port: 6881\r\n" + ih + "X: " + std::string(1400, 'x') + "\r\n"},
        {"no Port", start + ih},
        {"Port 0", start + "Port: 0\r\n" + ih},
        {"Port 65536", start + "Port: 65536\r\n" + ih},
        {"Port 6 digits", start + "Port: 006881\r\n" + ih},
        {"Port negative", start + "Port: -1\r\n" + ih},
        {"Port plus", start + "Port: +1\r\n" + ih},
        {"Port empty", start + "Port:\r\n" + ih},
        {"Port hex", start + "Port: 0x1ae1\r\n" + ih},
        {"Port twice", start + "Port: 1\r\nPort: 1\r\n" + ih},
        {"no Infohash", start + "Port: 6881\r\n\r\n"},
        {"only bad hex", start + "Port: 6881\r\nInfohash: " + std::string(40, 'g') + "\r\n"},
        {"only short hash", start + "Port: 6881\r\nInfohash: abcd\r\n"},
        {"Infohash after end", start + "Port: 6881\r\n\r\n" + ih},
        {"line without colon", start + "Port: 6881\r\nnonsense\r\n" + ih},
    };
    for (const auto& [name, text] : cases) {
        auto a = tracker::parse_lsd_announce(text);
        ASSERT_FALSE(a.ok()) << name;
        EXPECT_EQ(a.error().kind, Error::Kind::bad_argument) << name;
        EXPECT_FALSE(a.error().message.empty()) << name;
    }
}

// A datagram of exactly the limit is read; one byte more is refused.
TEST(Lsd, DatagramLimitIsInclusive) {
    std::string text = "BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: " + hash_from(1).hex() + "\r\n\r\n";
    text.resize(tracker::limits::lsd_datagram_bytes_max, 'x');  // a body after the empty line
    EXPECT_TRUE(tracker::parse_lsd_announce(text).ok());
    text.push_back('x');
    EXPECT_FALSE(tracker::parse_lsd_announce(text).ok());
}

}  // namespace
}  // namespace agora
