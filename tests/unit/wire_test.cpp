// Unit tests for wire/: the BEP 3 handshake, every peer wire message (BEP 3, 6, 10) through encode
// and MessageReader, each framing error with its own message, and the BEP 10 extended handshake and
// BEP 9 ut_metadata payloads.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/bencode.hpp"
#include "core/digest.hpp"
#include "wire/extension.hpp"
#include "wire/handshake.hpp"
#include "wire/message.hpp"

namespace agora::wire {
namespace {

Bytes hex(std::string_view h) { return *from_hex(h); }

// Feeds `bytes` to a fresh reader and drains it; fails the test on a protocol error.
std::vector<Message> read_all(MessageReader& reader, BytesView bytes) {
    reader.feed(bytes);
    std::vector<Message> out;
    while (true) {
        auto m = reader.next();
        EXPECT_TRUE(m.ok()) << m.error().describe();
        if (!m.ok() || !*m) break;
        out.push_back(**m);
    }
    return out;
}

// Feeds `bytes` and returns the first error's message (empty if none came).
std::string first_error(BytesView bytes, MessageReader reader = MessageReader()) {
    reader.feed(bytes);
    while (true) {
        auto m = reader.next();
        if (!m.ok()) {
            EXPECT_EQ(m.error().kind, Error::Kind::bad_argument);
            EXPECT_TRUE(reader.failed());
            return m.error().message;
        }
        if (!*m) return {};
    }
}

#define EXPECT_HAS(text, fragment) \
    EXPECT_NE(std::string(text).find(fragment), std::string::npos) << "message: " << (text)

// ---- handshake ------------------------------------------------------------------------------

Handshake sample_handshake() {
    Handshake h;
    for (std::uint8_t i = 0; i < 20; ++i) {
        h.info_hash[i] = i;
        h.peer_id[i] = static_cast<std::uint8_t>(0xA0 + i);
    }
    h.set_extensions(true);
    h.set_fast(true);
    return h;
}

// A handshake encodes to the 68 bytes BEP 3 lays out, with BEP 10 and BEP 6 bits where BEP 4 puts them.
TEST(WireHandshake, EncodesByteExact) {
    Bytes b = encode_handshake(sample_handshake());
    ASSERT_EQ(b.size(), 68u);
    EXPECT_EQ(b.substr(0, 20), BytesView("\x13" "BitTorrent protocol"));
    EXPECT_EQ(to_hex(b.substr(20, 8)), "0000000000100004");
    EXPECT_EQ(to_hex(b.substr(28, 20)), "000102030405060708090a0b0c0d0e0f10111213");
    EXPECT_EQ(byte_at(b, 48), 0xA0);
}

// What is encoded decodes back, including the capability bits; bytes after the 68 are not read.
TEST(WireHandshake, RoundTripsAndIgnoresFollowingBytes) {
    Handshake h = sample_handshake();
    h.set_dht(true);
    auto r = decode_handshake(encode_handshake(h) + Bytes(4, '\0'));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ(**r, h);
    EXPECT_TRUE((*r)->extensions());
    EXPECT_TRUE((*r)->fast());
    EXPECT_TRUE((*r)->dht());
}

// The setters clear bits as well as set them, touching no other bit.
TEST(WireHandshake, SettersClearBits) {
    Handshake h;
    h.reserved.fill(0xFF);
    h.set_extensions(false);
    h.set_fast(false);
    h.set_dht(false);
    EXPECT_FALSE(h.extensions());
    EXPECT_FALSE(h.fast());
    EXPECT_FALSE(h.dht());
    EXPECT_EQ(h.reserved[5], 0xEF);
    EXPECT_EQ(h.reserved[7], 0xFA);
}

// A partial handshake asks for more, at every length up to 67 bytes.
TEST(WireHandshake, PartialNeedsMore) {
    Bytes b = encode_handshake(sample_handshake());
    for (std::size_t n = 0; n < 68; ++n) {
        auto r = decode_handshake(BytesView(b).substr(0, n));
        ASSERT_TRUE(r.ok()) << n;
        EXPECT_FALSE(r->has_value()) << n;
    }
}

// A wrong protocol string is rejected as soon as the first disagreeing byte is present.
TEST(WireHandshake, RejectsWrongProtocolEarly) {
    auto wrong_length = decode_handshake("\x14");
    ASSERT_FALSE(wrong_length.ok());
    EXPECT_EQ(wrong_length.error().offset, 0);
    EXPECT_HAS(wrong_length.error().message, "protocol name length 20");

    auto http = decode_handshake("GET / HTTP/1.1\r\n");
    ASSERT_FALSE(http.ok());

    auto wrong_name = decode_handshake("\x13" "BitTorrent Protocol");  // capital P at byte 12
    ASSERT_FALSE(wrong_name.ok());
    EXPECT_EQ(wrong_name.error().offset, 12);
    EXPECT_HAS(wrong_name.error().message, "BitTorrent protocol");
}

// ---- messages: encoding -----------------------------------------------------------------------

// Fixed messages encode to the exact bytes of BEP 3 and BEP 6.
TEST(WireMessage, EncodesByteExact) {
    EXPECT_EQ(to_hex(encode(KeepAlive{})), "00000000");
    EXPECT_EQ(to_hex(encode(Choke{})), "0000000100");
    EXPECT_EQ(to_hex(encode(NotInterested{})), "0000000103");
    EXPECT_EQ(to_hex(encode(Have{0x01020304})), "000000050401020304");
    EXPECT_EQ(to_hex(encode(Request{1, 0x4000, 0x4000})), "0000000d06000000010000400000004000");
    EXPECT_EQ(to_hex(encode(Cancel{1, 2, 3})), "0000000d08000000010000000200000003");
    EXPECT_EQ(to_hex(encode(Port{6881})), "00000003091ae1");
    EXPECT_EQ(to_hex(encode(HaveAll{})), "000000010e");
    EXPECT_EQ(to_hex(encode(Reject{7, 0, 16384})), "0000000d10000000070000000000004000");
    EXPECT_EQ(to_hex(encode(AllowedFast{9})), "000000051100000009");
    EXPECT_EQ(to_hex(encode(BitfieldMsg{"\xff\x80"})), "0000000305ff80");
    EXPECT_EQ(to_hex(encode(Extended{3, "de"})), "0000000414036465");
}

// The piece header a sender writes before its block equals the start of the full message.
TEST(WireMessage, PieceHeaderMatchesFullEncoding) {
    Bytes block(100, 'x');
    Bytes header;
    encode_piece_header(5, 16384, 100, header);
    EXPECT_EQ(header.size(), piece_header_bytes);
    EXPECT_EQ(to_hex(header), "0000006d070000000500004000");
    EXPECT_EQ(header + block, encode(Piece{5, 16384, block}));
}

// A block read into a PieceBuffer goes out as the same message, with no copy behind a header.
TEST(WireMessage, PieceBufferFinishesAsTheFullEncoding) {
    PieceBuffer buffer(100);
    ASSERT_EQ(buffer.size(), 100u);
    EXPECT_EQ(Bytes(buffer.data(), 100), Bytes(100, '\0'));  // zero-filled until read into
    std::memset(buffer.data(), 'x', 100);
    EXPECT_EQ(std::move(buffer).finish(5, 16384), encode(Piece{5, 16384, Bytes(100, 'x')}));
    EXPECT_EQ(PieceBuffer().size(), 0u);  // no block: a read that failed
    EXPECT_EQ(PieceBuffer::copy_of(Bytes(100, 'y')).finish(5, 0), encode(Piece{5, 0, Bytes(100, 'y')}));
}

// ---- messages: decoding -----------------------------------------------------------------------

std::vector<Message> one_of_each(const Bytes& block) {
    return {KeepAlive{},        Choke{},           Unchoke{},         Interested{},
            NotInterested{},    Have{42},          BitfieldMsg{"\xf0\x01"},
            Request{1, 2, 3},   Piece{4, 5, block}, Cancel{6, 7, 8},  Port{51413},
            Suggest{9},         HaveAll{},         HaveNone{},        Reject{10, 11, 12},
            AllowedFast{13},    Extended{0, "d1:md11:ut_metadatai3eee"},
            Extended{3, ""},    Unknown{0x42, "anything"}, Unknown{0xFF, ""},
            BitfieldMsg{""},    Piece{0, 0, ""}};
}

// Every message type survives encode then MessageReader, fed all at once (several frames per feed).
TEST(WireMessage, EveryTypeRoundTrips) {
    const Bytes block(limits::block_bytes_max, 'b');
    const auto messages = one_of_each(block);
    Bytes stream;
    for (const auto& m : messages) encode(m, stream);
    MessageReader reader;
    auto decoded = read_all(reader, stream);
    ASSERT_EQ(decoded.size(), messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i) {
        EXPECT_EQ(decoded[i].index(), messages[i].index()) << i;
        EXPECT_TRUE(decoded[i] == messages[i]) << i;
    }
    EXPECT_EQ(reader.buffered(), 0u);
}

// Frames fed one byte at a time come out whole, each exactly when its last byte arrives.
TEST(WireMessage, OneByteAtATime) {
    const Bytes block(300, 'q');
    const auto messages = one_of_each(block);
    Bytes stream;
    std::vector<std::size_t> ends;
    for (const auto& m : messages) {
        encode(m, stream);
        ends.push_back(stream.size());
    }
    MessageReader reader;
    std::size_t got = 0;
    for (std::size_t i = 0; i < stream.size(); ++i) {
        reader.feed(BytesView(stream).substr(i, 1));
        auto m = reader.next();
        ASSERT_TRUE(m.ok()) << m.error().describe();
        if (i + 1 == ends[got]) {
            ASSERT_TRUE(m->has_value()) << "at byte " << i;
            EXPECT_TRUE(**m == messages[got]) << got;
            ++got;
            auto none = reader.next();
            ASSERT_TRUE(none.ok());
            EXPECT_FALSE(none->has_value());
        } else {
            EXPECT_FALSE(m->has_value()) << "at byte " << i;
        }
        EXPECT_LE(reader.buffered(), block.size() + 13);
    }
    EXPECT_EQ(got, messages.size());
}

// A frame split across two feeds, with the next frame's start in the second feed, reads correctly.
TEST(WireMessage, SplitFramesAcrossFeeds) {
    Bytes stream = encode(Have{1}) + encode(Request{2, 3, 4}) + encode(Have{5});
    MessageReader reader;
    auto first = read_all(reader, BytesView(stream).substr(0, 12));
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(reader.buffered(), 3u);
    auto rest = read_all(reader, BytesView(stream).substr(12));
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_TRUE((rest[0] == Message{Request{2, 3, 4}}));
    EXPECT_TRUE(rest[1] == Message{Have{5}});
}

// borrow(): reads of any size, each from a buffer freed once the reader runs dry (ASan would see
// a view kept past that), give the same messages as one feed; a whole frame is read in place.
TEST(WireMessage, BorrowedReadsOfAnySize) {
    const Bytes block(300, 'q');
    const auto messages = one_of_each(block);
    Bytes stream;
    for (const auto& m : messages) encode(m, stream);
    for (std::size_t size = 1; size <= 64; ++size) {
        MessageReader reader;
        Bytes again;  // the messages read, encoded again
        for (std::size_t at = 0; at < stream.size(); at += size) {
            const auto read = std::make_unique<Bytes>(BytesView(stream).substr(at, size));
            reader.borrow(*read);
            for (;;) {
                auto m = reader.next();
                ASSERT_TRUE(m.ok()) << m.error().describe();
                if (!*m) break;
                encode(**m, again);
            }
            EXPECT_LE(reader.buffered(), block.size() + 13);
        }
        EXPECT_EQ(again, stream) << "reads of " << size;
        EXPECT_EQ(reader.buffered(), 0u);
    }
    MessageReader reader;
    const Bytes piece = encode(Piece{1, 0, block});
    reader.borrow(piece);
    auto m = reader.next();
    ASSERT_TRUE(m.ok() && m->has_value());
    const auto& data = std::get<Piece>(**m).data;
    EXPECT_EQ(data.data(), piece.data() + 13);  // not copied
    // A caller that stops early keeps nothing of the caller's: own() copies what is left.
    const Bytes two = encode(Have{1}) + encode(Have{2});
    MessageReader early;
    {
        const Bytes read = two;
        early.borrow(read);
        ASSERT_TRUE(early.next().ok());
        early.own();
    }
    auto second = early.next();
    ASSERT_TRUE(second.ok() && second->has_value());
    EXPECT_TRUE(**second == Message{Have{2}});
}

// ---- messages: protocol errors -----------------------------------------------------------------

// A 4 GiB length prefix fails as soon as its 4 bytes arrive, and nothing of the body is kept.
TEST(WireMessageErrors, HugeLengthPrefixFailsEarly) {
    MessageReader reader;
    reader.feed("\xff\xff");
    auto partial = reader.next();
    ASSERT_TRUE(partial.ok());
    EXPECT_FALSE(partial->has_value());
    reader.feed("\xff\xff" "some body bytes");
    EXPECT_TRUE(reader.failed());
    EXPECT_EQ(reader.buffered(), 0u);
    auto m = reader.next();
    ASSERT_FALSE(m.ok());
    EXPECT_HAS(m.error().message, "message length 4294967295 is over the 1048576-byte maximum");
    reader.feed(Bytes(100000, 'x'));  // a failed reader keeps nothing
    EXPECT_EQ(reader.buffered(), 0u);
    auto again = reader.next();  // and stays failed
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().message, m.error().message);
    MessageReader borrowing;
    borrowing.borrow("\xff\xff\xff\xff" "body");
    EXPECT_TRUE(borrowing.failed());
    EXPECT_EQ(borrowing.buffered(), 0u);
}

// The maximum is the reader's own: exactly the maximum passes, one more fails; the error carries
// the stream offset of the offending frame.
TEST(WireMessageErrors, MaximumIsInclusiveAndOffsetIsReported) {
    MessageReader reader(5);
    auto ok = read_all(reader, encode(Have{1}));
    ASSERT_EQ(ok.size(), 1u);
    reader.feed(encode(BitfieldMsg{"12345"}));
    auto m = reader.next();
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().offset, 9);
    EXPECT_HAS(m.error().message, "message length 6 is over the 5-byte maximum");
}

// Each fixed-size message with the wrong length is refused with its name and both sizes.
TEST(WireMessageErrors, WrongFixedSizes) {
    EXPECT_HAS(first_error(hex("00000006040000000100")), "have message of 6 bytes, expected 5");
    EXPECT_HAS(first_error(hex("0000000c06000000010000000200000003")),
               "request message of 12 bytes, expected 13");
    EXPECT_HAS(first_error(hex("000000020000")), "choke message of 2 bytes, expected 1");
    EXPECT_HAS(first_error(hex("0000000209ff")), "port message of 2 bytes, expected 3");
    EXPECT_HAS(first_error(hex("000000020f00")), "have none message of 2 bytes, expected 1");
    EXPECT_HAS(first_error(hex("0000000c10000000010000000200000003")),
               "reject request message of 12 bytes, expected 13");
    EXPECT_HAS(first_error(hex("0000000411000000")), "allowed fast message of 4 bytes, expected 5");
    EXPECT_HAS(first_error(hex("000000080700000001000000")),
               "piece message of 8 bytes, expected at least 9");
}

// A piece message with a 16 KiB + 1 block is refused; exactly 16 KiB is fine.
TEST(WireMessageErrors, PieceBlockOverMaximum) {
    Bytes frame;
    encode_piece_header(0, 0, limits::block_bytes_max, frame);
    frame.append(limits::block_bytes_max, 'z');
    EXPECT_EQ(first_error(frame), "");
    Bytes big = hex("0000400a07") + Bytes(8, '\0') + Bytes(limits::block_bytes_max + 1, 'z');
    EXPECT_HAS(first_error(big), "piece message block of 16385 bytes, over the 16384-byte maximum");
}

// An extended message without its extended id byte is refused.
TEST(WireMessageErrors, ExtendedWithoutId) {
    EXPECT_HAS(first_error(hex("0000000114")), "extended message of 1 byte has no extended message id");
}

// Messages before a bad frame are still returned; the bad frame then fails the reader.
TEST(WireMessageErrors, GoodFramesBeforeBadOneAreDelivered) {
    MessageReader reader;
    reader.feed(encode(Unchoke{}) + hex("00000006040000000100") + encode(Have{1}));
    auto first = reader.next();
    ASSERT_TRUE(first.ok());
    EXPECT_TRUE(**first == Message{Unchoke{}});
    auto second = reader.next();
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().offset, 5);
    EXPECT_FALSE(reader.next().ok());
}

// bitfield_size_ok wants exactly ceil(pieces / 8) bytes and zero spare bits.
TEST(WireMessage, BitfieldSizeOk) {
    EXPECT_TRUE(bitfield_size_ok("\xff\xc0", 10));
    EXPECT_TRUE(bitfield_size_ok("\xff\xff", 16));
    EXPECT_TRUE(bitfield_size_ok("", 0));
    EXPECT_FALSE(bitfield_size_ok("\xff", 10));            // one byte short
    EXPECT_FALSE(bitfield_size_ok(BytesView("\xff\xc0\x00", 3), 10));    // one byte long
    EXPECT_FALSE(bitfield_size_ok("\xff\xe0", 10));        // spare bit 10 set
    EXPECT_FALSE(bitfield_size_ok(BytesView("\xff\x01", 2), 15));  // last spare bit set
    EXPECT_TRUE(bitfield_size_ok(BytesView("\xff\x00", 2), 9));
}

// ---- BEP 10 extended handshake -------------------------------------------------------------------

// Every field survives encode then decode, and the encoding is canonical bencode.
TEST(WireExtension, HandshakeRoundTrips) {
    ExtendedHandshake h;
    h.m = {{"ut_metadata", 3}, {"ut_pex", 1}};
    h.disabled = {"lt_donthave"};
    h.listen_port = 6881;
    h.client = "agora 0.1";
    h.reqq = 500;
    h.yourip = Bytes("\x7f\x00\x00\x01", 4);
    h.metadata_size = 31235;
    h.upload_only = true;
    Bytes payload = encode_extended_handshake(h);
    EXPECT_EQ(payload,
              "d1:md11:lt_donthavei0e11:ut_metadatai3e6:ut_pexi1ee13:metadata_sizei31235e"
              "1:pi6881e4:reqqi500e11:upload_onlyi1e1:v9:agora 0.16:yourip4:" +
                  Bytes("\x7f\x00\x00\x01", 4) + "e");
    auto r = decode_extended_handshake(payload);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(*r, h);
}

// An empty handshake encodes to just an empty m and decodes to the defaults.
TEST(WireExtension, MinimalHandshake) {
    EXPECT_EQ(encode_extended_handshake({}), "d1:mdee");
    auto r = decode_extended_handshake("de");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, ExtendedHandshake{});
}

// Optional keys of the wrong type or out of range are ignored, and unknown keys too (BEP 10).
TEST(WireExtension, WrongTypesIgnored) {
    auto r = decode_extended_handshake(
        "d1:m4:oops1:pi70000e1:vi5e4:reqqi-1e6:yourip3:abc13:metadata_size3:big"
        "11:upload_only1:x7:unknownli1eee");
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(*r, ExtendedHandshake{});
    auto zero = decode_extended_handshake("d13:metadata_sizei0e1:pi0ee");
    ASSERT_TRUE(zero.ok());
    EXPECT_FALSE(zero->metadata_size);
    EXPECT_FALSE(zero->listen_port);
}

// An m entry mapped to 0 is recorded as disabled, not as an id; the first of duplicate names wins.
TEST(WireExtension, ZeroIdMeansDisabled) {
    auto r = decode_extended_handshake("d1:md6:ut_pexi0e11:ut_metadatai2e11:ut_metadatai9eee");
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->m.size(), 1u);
    EXPECT_EQ(r->m.at("ut_metadata"), 2);
    EXPECT_TRUE(r->disabled.contains("ut_pex"));
}

// m entries must be integers 0..255.
TEST(WireExtension, BadExtensionIdsRejected) {
    for (const char* bad : {"d1:md6:ut_pexi256eee", "d1:md6:ut_pexi-1eee", "d1:md6:ut_pex1:1ee"}) {
        auto r = decode_extended_handshake(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().kind, Error::Kind::bad_argument);
        EXPECT_HAS(r.error().message, "m entry \"ut_pex\" is not an extension id 0..255");
    }
}

// A metadata_size over 30 MiB is rejected; exactly 30 MiB is accepted.
TEST(WireExtension, MetadataSizeTooLargeRejected) {
    auto at_max = decode_extended_handshake("d13:metadata_sizei31457280ee");
    ASSERT_TRUE(at_max.ok());
    EXPECT_EQ(at_max->metadata_size, limits::metadata_bytes_max);
    auto r = decode_extended_handshake("d13:metadata_sizei31457281ee");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, Error::Kind::bad_argument);
    EXPECT_HAS(r.error().message, "metadata_size 31457281 is over the 31457280-byte maximum");
    ExtendedHandshake big;  // a sender may announce it (a local torrent can be that big) ...
    big.metadata_size = limits::metadata_bytes_max + 1;
    EXPECT_FALSE(decode_extended_handshake(encode_extended_handshake(big)).ok());  // ... we refuse it
}

// Not bencode is a bencode error; bencode but not a dictionary is a protocol error.
TEST(WireExtension, NotADictionary) {
    auto junk = decode_extended_handshake("d1:m");
    ASSERT_FALSE(junk.ok());
    EXPECT_EQ(junk.error().kind, Error::Kind::bad_bencode);
    auto list = decode_extended_handshake("le");
    ASSERT_FALSE(list.ok());
    EXPECT_EQ(list.error().kind, Error::Kind::bad_argument);
}

// ---- BEP 9 ut_metadata ---------------------------------------------------------------------------

// Request and reject encode to BEP 9's dictionaries and decode back.
TEST(WireMetadata, RequestAndRejectRoundTrip) {
    MetadataMessage request{MetadataMessage::Type::request, 2, std::nullopt, {}};
    EXPECT_EQ(encode_metadata(request), "d8:msg_typei0e5:piecei2ee");
    auto r = decode_metadata(encode_metadata(request));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(*r, request);

    MetadataMessage reject{MetadataMessage::Type::reject, 0, std::nullopt, {}};
    EXPECT_EQ(encode_metadata(reject), "d8:msg_typei2e5:piecei0ee");
    auto j = decode_metadata(encode_metadata(reject));
    ASSERT_TRUE(j.ok());
    EXPECT_EQ(*j, reject);
}

// A data message carries the piece bytes after its dictionary; full and last (short) pieces both work.
TEST(WireMetadata, DataWithTrailingPieceBytes) {
    const std::int64_t total = 2 * 16384 + 100;
    EXPECT_EQ(metadata_piece_count(total), 3u);
    const Bytes full(16384, 'f');
    const Bytes last(100, 'l');
    MetadataMessage m1{MetadataMessage::Type::data, 1, total, full};
    const Bytes head = "d8:msg_typei1e5:piecei1e10:total_sizei32868ee";
    Bytes p1 = encode_metadata(m1);
    EXPECT_EQ(p1, head + full);
    auto r1 = decode_metadata(p1);
    ASSERT_TRUE(r1.ok()) << r1.error().describe();
    EXPECT_EQ(*r1, m1);
    EXPECT_EQ(r1->data.data(), p1.data() + head.size());  // a view into the payload, not a copy

    MetadataMessage m2{MetadataMessage::Type::data, 2, total, last};
    const Bytes p2 = encode_metadata(m2);  // the decoded data views this
    auto r2 = decode_metadata(p2);
    ASSERT_TRUE(r2.ok()) << r2.error().describe();
    EXPECT_EQ(*r2, m2);
}

// A data piece over 16 KiB, a short non-last piece, a piece past the end and a data message
// without total_size are each rejected.
TEST(WireMetadata, BadDataRejected) {
    const Bytes head = "d8:msg_typei1e5:piecei0e10:total_sizei40000ee";
    auto big = decode_metadata(head + Bytes(16385, 'x'));
    ASSERT_FALSE(big.ok());
    EXPECT_HAS(big.error().message, "carries 16385 bytes, expected 16384");
    auto short_piece = decode_metadata(head + Bytes(100, 'x'));
    ASSERT_FALSE(short_piece.ok());
    EXPECT_HAS(short_piece.error().message, "carries 100 bytes, expected 16384");
    auto past_end = decode_metadata("d8:msg_typei1e5:piecei3e10:total_sizei40000ee" + Bytes(10, 'x'));
    ASSERT_FALSE(past_end.ok());
    EXPECT_HAS(past_end.error().message, "past the end");
    auto no_total = decode_metadata("d8:msg_typei1e5:piecei0ee" + Bytes(10, 'x'));
    ASSERT_FALSE(no_total.ok());
    EXPECT_HAS(no_total.error().message, "no total_size");
}

// msg_type and piece are required and bounded; total_size must be within the metadata limit.
TEST(WireMetadata, BadFieldsRejected) {
    EXPECT_FALSE(decode_metadata("d5:piecei0ee").ok());
    EXPECT_FALSE(decode_metadata("d8:msg_typei3e5:piecei0ee").ok());
    EXPECT_FALSE(decode_metadata("d8:msg_typei0ee").ok());
    EXPECT_FALSE(decode_metadata("d8:msg_typei0e5:piecei-1ee").ok());
    auto far = decode_metadata("d8:msg_typei0e5:piecei1920ee");
    ASSERT_FALSE(far.ok());
    EXPECT_HAS(far.error().message, "no piece index below 1920");
    EXPECT_TRUE(decode_metadata("d8:msg_typei0e5:piecei1919ee").ok());
    auto huge = decode_metadata("d8:msg_typei1e5:piecei0e10:total_sizei31457281ee");
    ASSERT_FALSE(huge.ok());
    EXPECT_HAS(huge.error().message, "total_size 31457281");
    EXPECT_EQ(decode_metadata("i1e").error().kind, Error::Kind::bad_argument);
    EXPECT_EQ(decode_metadata("x").error().kind, Error::Kind::bad_bencode);
}

// A ut_metadata message travels inside an Extended frame and comes out whole.
TEST(WireMetadata, InsideExtendedFrame) {
    Bytes payload = encode_metadata({MetadataMessage::Type::request, 7, std::nullopt, {}});
    MessageReader reader;
    auto out = read_all(reader, encode(Extended{3, payload}));
    ASSERT_EQ(out.size(), 1u);
    const auto& ext = std::get<Extended>(out[0]);
    EXPECT_EQ(ext.id, 3);
    auto m = decode_metadata(ext.payload);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->piece, 7u);
}

}  // namespace
}  // namespace agora::wire
