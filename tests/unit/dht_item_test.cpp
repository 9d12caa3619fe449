// Ed25519 and BEP 44 items: the RFC 8032 and BEP 44 test vectors byte for byte, signatures that
// fail on any flipped bit, key files, and every rule of the ItemStore on virtual time.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>

#include "core/digest.hpp"
#include "core/ed25519.hpp"
#include "dht/item.hpp"

using namespace agora;
using namespace agora::dht;
using namespace std::chrono_literals;

namespace {

template <std::size_t N>
std::array<std::uint8_t, N> array_from_hex(std::string_view hex) {
    auto raw = from_hex(hex);
    AGORA_ASSERT(raw && raw->size() == N);
    std::array<std::uint8_t, N> out{};
    std::memcpy(out.data(), raw->data(), N);
    return out;
}

template <std::size_t N>
std::string hex_of(const std::array<std::uint8_t, N>& a) {
    return to_hex(BytesView(reinterpret_cast<const char*>(a.data()), N));
}

// BEP 44 "Test vectors". The private key is printed in orlp/ed25519's expanded form (no seed).
const auto bep44_public_key =
    array_from_hex<32>("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548");
const auto bep44_secret_key = array_from_hex<64>(
    "e06d3183d14159228433ed599221b80bd0a5ce8352e4bdf0262f76786ef1c74d"
    "b7e7a9fea2c0eb269d61e3b38e450a22e754941ac78479d6c54e1faf6037881d");
const Bytes bep44_v = "12:Hello World!";
const auto bep44_sig_no_salt = array_from_hex<64>(
    "305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff"
    "1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01");
const auto bep44_sig_salt = array_from_hex<64>(
    "6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17d"
    "df9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08");

ed25519::Seed seed_filled(std::uint8_t b) {
    ed25519::Seed s;
    s.fill(b);
    return s;
}

constexpr TimePoint t0{};

}  // namespace

// ---- Ed25519 ----

// sign() from a seed reproduces RFC 8032 section 7.1, tests 1 and 2, byte for byte.
TEST(Ed25519, Rfc8032Vectors) {
    auto keys = ed25519::keypair_from_seed(
        array_from_hex<32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    EXPECT_EQ(hex_of(keys.public_key), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    auto sig = ed25519::sign("", keys);
    EXPECT_EQ(hex_of(sig),
              "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    EXPECT_TRUE(ed25519::verify("", sig, keys.public_key));

    keys = ed25519::keypair_from_seed(
        array_from_hex<32>("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
    EXPECT_EQ(hex_of(keys.public_key), "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    sig = ed25519::sign("\x72", keys);
    EXPECT_EQ(hex_of(sig),
              "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
    EXPECT_TRUE(ed25519::verify("\x72", sig, keys.public_key));
}

// The two signing paths (libsodium from a seed, and from the expanded key) make the same bytes, so
// the BEP 44 vectors checked through sign_expanded() vouch for sign() too.
TEST(Ed25519, SeedAndExpandedSigningAgree) {
    for (int b : {0x00, 0x01, 0x5a, 0xff}) {
        const auto seed = seed_filled(static_cast<std::uint8_t>(b));
        const auto keys = ed25519::keypair_from_seed(seed);
        for (const char* message : {"", "3:seqi1e1:v12:Hello World!", "a longer message with more bytes in it"}) {
            EXPECT_EQ(ed25519::sign(message, keys),
                      ed25519::sign_expanded(message, ed25519::expand_seed(seed), keys.public_key));
        }
        EXPECT_EQ(ed25519::seed_of(keys), seed);
    }
}

// generate_keypair() gives distinct, working keys.
TEST(Ed25519, GeneratedKeysSignAndVerify) {
    const auto a = ed25519::generate_keypair();
    const auto b = ed25519::generate_keypair();
    EXPECT_NE(a.public_key, b.public_key);
    const auto sig = ed25519::sign("message", a);
    EXPECT_TRUE(ed25519::verify("message", sig, a.public_key));
    EXPECT_FALSE(ed25519::verify("message", sig, b.public_key));
    EXPECT_EQ(ed25519::keypair_from_seed(ed25519::seed_of(a)).public_key, a.public_key);
}

// verify() refuses a public key that is not a curve point rather than failing some other way.
TEST(Ed25519, VerifyRejectsGarbageKey) {
    ed25519::PublicKey junk;
    junk.fill(0xff);
    EXPECT_FALSE(ed25519::verify(bep44_v, bep44_sig_no_salt, junk));
    EXPECT_FALSE(ed25519::verify(bep44_v, ed25519::Signature{}, bep44_public_key));
}

// A key file is 64 hex digits with optional surrounding whitespace, and round-trips.
TEST(Ed25519KeyFile, ParsesAndFormats) {
    const auto seed = array_from_hex<32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    const std::string text = ed25519::format_key_file(seed);
    EXPECT_EQ(text, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n");
    auto keys = ed25519::parse_key_file(text);
    ASSERT_TRUE(keys.ok()) << keys.error().describe();
    EXPECT_EQ(ed25519::seed_of(*keys), seed);
    EXPECT_EQ(hex_of(keys->public_key), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

    auto upper = ed25519::parse_key_file(" \t\r\n9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F60 \r\n\n");
    ASSERT_TRUE(upper.ok()) << upper.error().describe();
    EXPECT_EQ(upper->public_key, keys->public_key);
}

// Every malformed key file is an error that says what is wrong.
TEST(Ed25519KeyFile, RejectsMalformed) {
    const std::string good = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    auto expect_error = [](std::string_view contents, std::string_view needle) {
        auto r = ed25519::parse_key_file(contents);
        ASSERT_FALSE(r.ok()) << "accepted: " << contents;
        EXPECT_EQ(r.error().kind, Error::Kind::bad_argument);
        EXPECT_NE(r.error().describe().find(needle), std::string::npos) << r.error().describe();
    };
    expect_error("", "empty");
    expect_error(" \n\t ", "empty");
    expect_error(good.substr(1), "63 hex digits");
    expect_error(good + "0", "65 hex digits");
    expect_error(good + good, "128 hex digits");  // a 64-byte secret key is not a seed
    expect_error("0x" + good, "not a hex digit (");
    expect_error(good.substr(0, 10) + "g" + good.substr(11), "at byte 10");
    expect_error(good.substr(0, 32) + " " + good.substr(32), "at byte 32");  // no inner whitespace
    expect_error(good + "\n" + good + "\n", "at byte 64");
}

// ---- BEP 44 pure functions ----

// BEP 44 test 1 (mutable, no salt): payload, target and signature byte for byte.
TEST(Bep44Item, Vector1Mutable) {
    EXPECT_EQ(signature_payload("", 1, bep44_v), "3:seqi1e1:v12:Hello World!");
    EXPECT_EQ(mutable_target(bep44_public_key, "").hex(), "4a533d47ec9c7d95b1ad75f576cffc641853b750");
    EXPECT_EQ(ed25519::sign_expanded(signature_payload("", 1, bep44_v), bep44_secret_key, bep44_public_key),
              bep44_sig_no_salt);
    EXPECT_TRUE(verify_item(bep44_public_key, "", 1, bep44_v, bep44_sig_no_salt));
}

// BEP 44 test 2 (mutable, salt "foobar"): payload, target and signature byte for byte.
TEST(Bep44Item, Vector2MutableWithSalt) {
    EXPECT_EQ(signature_payload("foobar", 1, bep44_v), "4:salt6:foobar3:seqi1e1:v12:Hello World!");
    EXPECT_EQ(mutable_target(bep44_public_key, "foobar").hex(), "411eba73b6f087ca51a3795d9c8c938d365e32c1");
    EXPECT_EQ(ed25519::sign_expanded(signature_payload("foobar", 1, bep44_v), bep44_secret_key, bep44_public_key),
              bep44_sig_salt);
    EXPECT_TRUE(verify_item(bep44_public_key, "foobar", 1, bep44_v, bep44_sig_salt));
    // The salt is part of what is signed: each signature only fits its own salt.
    EXPECT_FALSE(verify_item(bep44_public_key, "", 1, bep44_v, bep44_sig_salt));
    EXPECT_FALSE(verify_item(bep44_public_key, "foobar", 1, bep44_v, bep44_sig_no_salt));
}

// BEP 44 test 3 (immutable): the target is SHA-1 of the bencoded value.
TEST(Bep44Item, Vector3Immutable) {
    EXPECT_EQ(immutable_target(bep44_v).hex(), "e5f96f6f38320f0f33959cb4d3d656452117aadb");
}

// The payload writes seq as a bencode integer (negative and int64 extremes included) and the salt
// with its length.
TEST(Bep44Item, PayloadForms) {
    EXPECT_EQ(signature_payload("", -5, "i3e"), "3:seqi-5e1:vi3e");
    EXPECT_EQ(signature_payload("", 0, "le"), "3:seqi0e1:vle");
    EXPECT_EQ(signature_payload("", INT64_MAX, "0:"), "3:seqi9223372036854775807e1:v0:");
    EXPECT_EQ(signature_payload(Bytes(12, 'x'), 7, "0:"), "4:salt12:xxxxxxxxxxxx3:seqi7e1:v0:");
}

// sign_item() output verifies, and one flipped bit anywhere (v, seq, salt, signature, key) breaks it.
TEST(Bep44Item, VerifyRejectsAnyFlippedBit) {
    const auto keys = ed25519::keypair_from_seed(seed_filled(7));
    const Bytes salt = "foobar";
    const Bytes v = "d1:ai1e1:b3:xyze";
    const std::int64_t seq = 42;
    const auto sig = sign_item(salt, seq, v, keys);
    ASSERT_TRUE(verify_item(keys.public_key, salt, seq, v, sig));

    for (std::size_t i = 0; i < v.size(); ++i) {
        Bytes bad = v;
        bad[i] = static_cast<char>(bad[i] ^ 0x01);
        EXPECT_FALSE(verify_item(keys.public_key, salt, seq, bad, sig)) << "v byte " << i;
    }
    for (int bit = 0; bit < 64; ++bit) {
        const auto bad = static_cast<std::int64_t>(static_cast<std::uint64_t>(seq) ^ (std::uint64_t{1} << bit));
        EXPECT_FALSE(verify_item(keys.public_key, salt, bad, v, sig)) << "seq bit " << bit;
    }
    for (std::size_t i = 0; i < salt.size(); ++i) {
        Bytes bad = salt;
        bad[i] = static_cast<char>(bad[i] ^ 0x20);
        EXPECT_FALSE(verify_item(keys.public_key, bad, seq, v, sig)) << "salt byte " << i;
    }
    EXPECT_FALSE(verify_item(keys.public_key, "", seq, v, sig));  // salt dropped
    for (std::size_t i = 0; i < sig.size(); ++i) {
        auto bad = sig;
        bad[i] ^= 0x80;
        EXPECT_FALSE(verify_item(keys.public_key, salt, seq, v, bad)) << "sig byte " << i;
    }
    for (std::size_t i = 0; i < keys.public_key.size(); ++i) {
        auto bad = keys.public_key;
        bad[i] ^= 0x04;
        EXPECT_FALSE(verify_item(bad, salt, seq, v, sig)) << "key byte " << i;
    }
}

// ---- ItemStore ----

namespace {

// A publisher with a fixed key that signs what it puts.
struct Publisher {
    ed25519::KeyPair keys = ed25519::keypair_from_seed(seed_filled(3));

    PutResult put(ItemStore& store, BytesView salt, std::int64_t seq, BytesView v, TimePoint now,
                  std::optional<std::int64_t> cas = std::nullopt) const {
        return store.put_mutable(keys.public_key, salt, seq, v, sign_item(salt, seq, v, keys), cas, now);
    }
    Sha1 target(BytesView salt = "") const { return mutable_target(keys.public_key, salt); }
};

// A bencoded string exactly `total` bytes long once encoded.
Bytes bencoded_string_of_size(std::size_t total) {
    std::size_t len = total - 2;  // "N:" for one digit
    while (std::to_string(len).size() + 1 + len > total) --len;
    Bytes out = std::to_string(len) + ":" + Bytes(len, 'x');
    AGORA_ASSERT(out.size() == total);
    return out;
}

int code_of(const PutResult& r) { return r.ok() ? 0 : r.error().code; }

}  // namespace

// An immutable item is stored under SHA-1(v), comes back verbatim, and a re-put refreshes it.
TEST(ItemStore, ImmutablePutGetRefresh) {
    ItemStore store;
    ASSERT_TRUE(store.put_immutable(bep44_v, t0).ok());
    const StoredItem* item = store.get(immutable_target(bep44_v), t0);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(item->v, bep44_v);
    EXPECT_FALSE(item->mutable_fields.has_value());
    EXPECT_EQ(store.get(immutable_target("i1e"), t0), nullptr);

    ASSERT_TRUE(store.put_immutable(bep44_v, t0 + 1h).ok());  // refresh, not a second copy
    EXPECT_EQ(store.size(), 1u);
    EXPECT_NE(store.get(immutable_target(bep44_v), t0 + 2h + 30min), nullptr);
    EXPECT_EQ(store.get(immutable_target(bep44_v), t0 + 3h), nullptr);
    store.check_invariants();
}

// 205 for a v over 1000 bytes, immutable or mutable; exactly 1000 is stored.
TEST(ItemStore, ValueTooBigIs205) {
    ItemStore store;
    const Bytes v_max = bencoded_string_of_size(item_value_bytes_max);
    const Bytes v_over = bencoded_string_of_size(item_value_bytes_max + 1);
    EXPECT_TRUE(store.put_immutable(v_max, t0).ok());
    EXPECT_EQ(code_of(store.put_immutable(v_over, t0)), PutError::v_too_big);

    const Publisher p;
    EXPECT_TRUE(p.put(store, "", 1, v_max, t0).ok());
    // Checked before the signature: an oversized v is refused without the cost of verifying.
    EXPECT_EQ(code_of(store.put_mutable(p.keys.public_key, "", 1, v_over, ed25519::Signature{},
                                        std::nullopt, t0)),
              PutError::v_too_big);
    EXPECT_EQ(store.size(), 2u);
}

// 207 for a salt over 64 bytes; exactly 64 is stored under SHA-1(key || salt) and kept.
TEST(ItemStore, SaltTooBigIs207) {
    ItemStore store;
    const Publisher p;
    const Bytes salt_max(item_salt_bytes_max, 's');
    const Bytes salt_over(item_salt_bytes_max + 1, 's');
    EXPECT_TRUE(p.put(store, salt_max, 1, "i1e", t0).ok());
    const auto r = store.put_mutable(p.keys.public_key, salt_over, 1, "i1e", ed25519::Signature{},
                                     std::nullopt, t0);
    EXPECT_EQ(code_of(r), PutError::salt_too_big);
    const StoredItem* item = store.get(p.target(salt_max), t0);
    ASSERT_NE(item, nullptr);
    ASSERT_TRUE(item->mutable_fields.has_value());
    EXPECT_EQ(item->mutable_fields->salt, salt_max);
    EXPECT_EQ(store.get(p.target(), t0), nullptr);  // salts give separate targets
}

// 206 for a signature that does not verify; nothing is stored.
TEST(ItemStore, InvalidSignatureIs206) {
    ItemStore store;
    const Publisher p;
    auto sig = sign_item("", 1, "i1e", p.keys);
    EXPECT_EQ(code_of(store.put_mutable(p.keys.public_key, "", 2, "i1e", sig, std::nullopt, t0)),
              PutError::invalid_signature);
    sig[10] ^= 1;
    EXPECT_EQ(code_of(store.put_mutable(p.keys.public_key, "", 1, "i1e", sig, std::nullopt, t0)),
              PutError::invalid_signature);
    EXPECT_EQ(store.size(), 0u);
}

// The BEP 44 vectors themselves are accepted by a store, under the BEP's targets.
TEST(ItemStore, AcceptsBep44Vectors) {
    ItemStore store;
    ASSERT_TRUE(store.put_mutable(bep44_public_key, "", 1, bep44_v, bep44_sig_no_salt, std::nullopt, t0).ok());
    ASSERT_TRUE(store.put_mutable(bep44_public_key, "foobar", 1, bep44_v, bep44_sig_salt, std::nullopt, t0).ok());
    const auto* item = store.get(*Sha1::parse_hex("411eba73b6f087ca51a3795d9c8c938d365e32c1"), t0);
    ASSERT_NE(item, nullptr);
    ASSERT_TRUE(item->mutable_fields.has_value());
    EXPECT_EQ(item->v, bep44_v);
    EXPECT_EQ(item->mutable_fields->key, bep44_public_key);
    EXPECT_EQ(item->mutable_fields->salt, "foobar");
    EXPECT_EQ(item->mutable_fields->seq, 1);
    EXPECT_EQ(item->mutable_fields->signature, bep44_sig_salt);
    EXPECT_NE(store.get(*Sha1::parse_hex("4a533d47ec9c7d95b1ad75f576cffc641853b750"), t0), nullptr);
}

// Sequence numbers only go up: lower is 302, equal with another v is 302, equal with the same v
// refreshes the item's lifetime, higher replaces v, seq and signature.
TEST(ItemStore, SequenceRules) {
    ItemStore store;
    const Publisher p;
    ASSERT_TRUE(p.put(store, "", 5, "1:a", t0).ok());
    EXPECT_EQ(code_of(p.put(store, "", 4, "1:b", t0)), PutError::seq_not_newer);
    EXPECT_EQ(code_of(p.put(store, "", 5, "1:b", t0)), PutError::seq_not_newer);
    EXPECT_EQ(store.get(p.target(), t0)->v, "1:a");

    ASSERT_TRUE(p.put(store, "", 5, "1:a", t0 + 90min).ok());  // refresh
    EXPECT_EQ(store.size(), 1u);
    EXPECT_NE(store.get(p.target(), t0 + 3h), nullptr);  // alive: 2 h from the refresh, not from t0
    EXPECT_EQ(store.get(p.target(), t0 + 90min + 2h), nullptr);

    ASSERT_TRUE(p.put(store, "", 6, "1:c", t0 + 2h).ok());
    const StoredItem* item = store.get(p.target(), t0 + 2h);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(item->v, "1:c");
    EXPECT_EQ(item->mutable_fields->seq, 6);
    EXPECT_EQ(item->mutable_fields->signature, sign_item("", 6, "1:c", p.keys));
    EXPECT_TRUE(verify_item(item->mutable_fields->key, item->mutable_fields->salt, 6, item->v,
                            item->mutable_fields->signature));
    store.check_invariants();
}

// cas must equal the held seq (else 301, checked before the seq rule); without a held item it is
// ignored.
TEST(ItemStore, CompareAndSwap) {
    ItemStore store;
    const Publisher p;
    ASSERT_TRUE(p.put(store, "", 1, "1:a", t0, /*cas=*/99).ok());  // nothing held: cas ignored
    EXPECT_EQ(code_of(p.put(store, "", 2, "1:b", t0, /*cas=*/0)), PutError::cas_mismatch);
    EXPECT_EQ(code_of(p.put(store, "", 0, "1:b", t0, /*cas=*/7)), PutError::cas_mismatch);  // 301 wins over 302
    EXPECT_EQ(store.get(p.target(), t0)->v, "1:a");
    ASSERT_TRUE(p.put(store, "", 2, "1:b", t0, /*cas=*/1).ok());
    EXPECT_EQ(store.get(p.target(), t0)->v, "1:b");
    EXPECT_EQ(code_of(p.put(store, "", 1, "1:c", t0, /*cas=*/2)), PutError::seq_not_newer);  // cas ok, seq low
}

// Items expire 2 hours after their last put; get() hides them at once, expire() drops them, and
// an expired mutable item no longer holds back a lower seq.
TEST(ItemStore, Expiry) {
    ItemStore store;
    const Publisher p;
    ASSERT_TRUE(store.put_immutable("i1e", t0).ok());
    ASSERT_TRUE(p.put(store, "", 10, "i2e", t0 + 30min).ok());
    EXPECT_EQ(store.next_expiry(), t0 + 2h);

    const TimePoint just_before = t0 + (2h - Duration(1));
    EXPECT_NE(store.get(immutable_target("i1e"), just_before), nullptr);
    EXPECT_EQ(store.get(immutable_target("i1e"), t0 + 2h), nullptr);

    store.expire(just_before);
    EXPECT_EQ(store.size(), 2u);
    store.expire(t0 + 2h);
    EXPECT_EQ(store.size(), 1u);
    EXPECT_EQ(store.next_expiry(), t0 + 2h + 30min);

    ASSERT_TRUE(p.put(store, "", 3, "i3e", t0 + 2h + 30min).ok());  // the seq 10 item has expired
    EXPECT_EQ(store.get(p.target(), t0 + 2h + 30min)->mutable_fields->seq, 3);
    store.expire(t0 + 10h);
    EXPECT_EQ(store.size(), 0u);
    EXPECT_EQ(store.next_expiry(), TimePoint::max());
    store.check_invariants();
}

// At items_max a new target evicts the item put least recently; a refresh or an update of a held
// target evicts nothing.
TEST(ItemStore, CapEvictsOldest) {
    ItemStore store(ItemStoreConfig{.items_max = 3});
    const Publisher p;
    ASSERT_TRUE(store.put_immutable("1:a", t0).ok());
    ASSERT_TRUE(store.put_immutable("1:b", t0 + 1min).ok());
    ASSERT_TRUE(p.put(store, "", 1, "1:m", t0 + 2min).ok());
    ASSERT_TRUE(store.put_immutable("1:a", t0 + 3min).ok());  // refresh: "1:b" is now the oldest
    ASSERT_TRUE(p.put(store, "", 2, "1:n", t0 + 4min).ok());  // update of a held target
    EXPECT_EQ(store.size(), 3u);

    ASSERT_TRUE(store.put_immutable("1:c", t0 + 5min).ok());
    EXPECT_EQ(store.size(), 3u);
    EXPECT_EQ(store.get(immutable_target("1:b"), t0 + 5min), nullptr);
    EXPECT_NE(store.get(immutable_target("1:a"), t0 + 5min), nullptr);
    EXPECT_NE(store.get(immutable_target("1:c"), t0 + 5min), nullptr);
    EXPECT_EQ(store.get(p.target(), t0 + 5min)->v, "1:n");

    ASSERT_TRUE(store.put_immutable("1:d", t0 + 6min).ok());  // next oldest: "1:a" (3 min)
    EXPECT_EQ(store.get(immutable_target("1:a"), t0 + 6min), nullptr);
    EXPECT_NE(store.get(p.target(), t0 + 6min), nullptr);
    store.check_invariants();
}

// The default cap holds items_max_default items and never more.
TEST(ItemStore, DefaultCapHolds) {
    ItemStore store;
    for (std::size_t i = 0; i < items_max_default + 10; ++i)
        ASSERT_TRUE(store.put_immutable("i" + std::to_string(i) + "e", t0 + Duration(static_cast<std::int64_t>(i))).ok());
    EXPECT_EQ(store.size(), items_max_default);
    EXPECT_EQ(store.get(immutable_target("i9e"), t0 + 1s), nullptr);
    EXPECT_NE(store.get(immutable_target("i10e"), t0 + 1s), nullptr);
    store.check_invariants();
}
