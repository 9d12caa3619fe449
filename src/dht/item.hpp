// BEP 44: arbitrary data stored in the DHT, without I/O. The pure parts (targets, the byte string a
// mutable item's signature covers, signing and verifying) and ItemStore, what this node keeps for
// others who `put` to it.
//
// An item's value `v` is any bencoded value, always handled here as its verbatim bencoded bytes as
// they appeared in the message: decoding and re-encoding is not an identity, and both the target of
// an immutable item and the signature of a mutable one are computed over those bytes.
//   immutable: target = SHA-1(v); anyone may put it, nothing to check but the size.
//   mutable:   target = SHA-1(k || salt), k an Ed25519 public key; the put carries a sequence number
//              and a signature by k over "4:salt<len>:<salt>" (only when salt is non-empty)
//              "3:seqi<seq>e1:v" followed by v. Storing nodes never move an item's seq backwards.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/assert.hpp"
#include "core/bytes.hpp"
#include "core/clock.hpp"
#include "core/digest.hpp"
#include "core/ed25519.hpp"

namespace agora::dht {

// BEP 44's bounds. Going over one is a refused put (with the error code below), never a crash.
inline constexpr std::size_t item_value_bytes_max = 1000;  // bencoded v; BEP 44 lets nodes refuse more
inline constexpr std::size_t item_salt_bytes_max = 64;     // BEP 44: MUST NOT be longer
// Items not put again within this time are dropped; publishers re-put hourly (BEP 44 "Expiration").
inline constexpr Duration item_lifetime = std::chrono::hours(2);
// How many items one node holds for others. With the bounds above an item costs about 1.2 KB, so the
// default bounds the store near 1.2 MB. libtorrent's default (dht_max_dht_items) is 700.
inline constexpr std::size_t items_max_default = 1000;

Sha1 immutable_target(BytesView bencoded_v);
Sha1 mutable_target(const ed25519::PublicKey& key, BytesView salt);

// The exact bytes a mutable item's signature covers (BEP 44 "Signature Verification"). The pieces
// are concatenated rather than encoded as a dictionary so that no bencode parser quirk can change
// what is signed.
Bytes signature_payload(BytesView salt, std::int64_t seq, BytesView bencoded_v);

// Precondition (asserted): salt and v within the bounds above; check user input before signing.
ed25519::Signature sign_item(BytesView salt, std::int64_t seq, BytesView bencoded_v,
                             const ed25519::KeyPair& keys);
bool verify_item(const ed25519::PublicKey& key, BytesView salt, std::int64_t seq,
                 BytesView bencoded_v, const ed25519::Signature& signature);

// The KRPC error (BEP 5 "e": [code, message]) that answers a refused put. Its own type rather than
// core's Error because the peer is owed BEP 44's numeric code. `message` is static text.
struct PutError {
    static constexpr int v_too_big = 205;
    static constexpr int invalid_signature = 206;
    static constexpr int salt_too_big = 207;
    static constexpr int cas_mismatch = 301;
    static constexpr int seq_not_newer = 302;  // BEP 44: "sequence number less than current"

    int code = 0;
    std::string_view message;
};

// A put was stored (or refreshed), or refused with the error to send back.
class [[nodiscard]] PutResult {
public:
    static PutResult stored() { return PutResult(); }
    PutResult(PutError error) : error_(error) {}  // NOLINT: implicit by design, like Result

    bool ok() const { return !error_.has_value(); }
    const PutError& error() const { AGORA_ASSERT(!ok()); return *error_; }

private:
    PutResult() = default;
    std::optional<PutError> error_;
};

// What a `get` for a mutable item answers with, besides v. The salt is kept for republishing; BEP 44
// leaves it out of the get response (the asker knows it already).
struct MutableFields {
    ed25519::PublicKey key{};
    Bytes salt;
    std::int64_t seq = 0;
    ed25519::Signature signature{};
};

struct StoredItem {
    Bytes v;                                      // bencoded, verbatim
    std::optional<MutableFields> mutable_fields;  // nullopt for an immutable item
    TimePoint last_put;                           // expires at last_put + lifetime
};

struct ItemStoreConfig {
    std::size_t items_max = items_max_default;
    Duration lifetime = item_lifetime;
};

// The items this node stores for others. An item lives `lifetime` after its last put.
//
// When full, a put for a new target evicts the item whose last put is oldest (the one nearest to
// expiring) rather than being refused: live items are re-put hourly and so stay young, while a
// refusing store, once filled by a burst of junk, would turn away every new item for two hours.
// A put to a target already held never evicts anything.
class ItemStore {
public:
    explicit ItemStore(ItemStoreConfig config = {});

    // `v` must be a whole bencoded value (the KRPC decoder's raw bytes for "v"). Putting an item
    // already held refreshes it. Errors: 205.
    PutResult put_immutable(BytesView v, TimePoint now);

    // Checks, in order: 205 (v too big), 207 (salt too big), 206 (signature), then against the item
    // held under SHA-1(key || salt), if any: 301 when `cas` is given and is not its seq, 302 when
    // `seq` is lower, or equal with a different v. An equal seq with the same v refreshes the item.
    // `cas` is ignored when nothing is held, as BEP 44 says.
    PutResult put_mutable(const ed25519::PublicKey& key, BytesView salt, std::int64_t seq, BytesView v,
                          const ed25519::Signature& signature, std::optional<std::int64_t> cas,
                          TimePoint now);

    // The item stored under `target`, or nullptr when there is none or it has expired at `now`.
    // The pointer is valid until the next put or expire.
    const StoredItem* get(const Sha1& target, TimePoint now) const;

    // Drops every item expired at `now`.
    void expire(TimePoint now);
    // When the oldest item expires (TimePoint::max() when empty): the node's wake-up for expire().
    TimePoint next_expiry() const;
    // Items held, counting expired ones until expire() drops them.
    std::size_t size() const { return items_.size(); }

    // Full consistency check, O(n): for tests and fuzzers. Puts and expire check the cheap part.
    void check_invariants() const;

private:
    bool expired(const StoredItem& item, TimePoint now) const {
        return now >= item.last_put + config_.lifetime;
    }
    StoredItem* find_live(const Sha1& target, TimePoint now);
    void refresh(const Sha1& target, StoredItem& item, TimePoint now);
    void insert(const Sha1& target, StoredItem item, TimePoint now);
    void erase(const Sha1& target);

    ItemStoreConfig config_;
    std::unordered_map<Sha1, StoredItem> items_;
    std::set<std::pair<TimePoint, Sha1>> by_last_put_;  // oldest first: eviction and expiry order
};

}  // namespace agora::dht
