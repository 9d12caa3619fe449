#include "dht/item.hpp"

#include <string>

#include "core/hash.hpp"

namespace agora::dht {

namespace {
BytesView view_of(const ed25519::PublicKey& key) {
    return {reinterpret_cast<const char*>(key.data()), key.size()};
}
}  // namespace

Sha1 immutable_target(BytesView bencoded_v) { return sha1(bencoded_v); }

Sha1 mutable_target(const ed25519::PublicKey& key, BytesView salt) {
    Sha1Hasher hasher;
    hasher.update(view_of(key));
    hasher.update(salt);
    return hasher.finish();
}

Bytes signature_payload(BytesView salt, std::int64_t seq, BytesView bencoded_v) {
    Bytes out;
    out.reserve(salt.size() + bencoded_v.size() + 40);
    if (!salt.empty()) {  // an empty salt is the same as none, and is not signed
        out += "4:salt";
        out += std::to_string(salt.size());
        out += ':';
        out += salt;
    }
    out += "3:seqi";
    out += std::to_string(seq);
    out += "e1:v";
    out += bencoded_v;
    return out;
}

ed25519::Signature sign_item(BytesView salt, std::int64_t seq, BytesView bencoded_v,
                             const ed25519::KeyPair& keys) {
    AGORA_ASSERT(salt.size() <= item_salt_bytes_max);
    AGORA_ASSERT(bencoded_v.size() <= item_value_bytes_max);
    return ed25519::sign(signature_payload(salt, seq, bencoded_v), keys);
}

bool verify_item(const ed25519::PublicKey& key, BytesView salt, std::int64_t seq,
                 BytesView bencoded_v, const ed25519::Signature& signature) {
    return ed25519::verify(signature_payload(salt, seq, bencoded_v), signature, key);
}

// ---- ItemStore ----

ItemStore::ItemStore(ItemStoreConfig config) : config_(config) {
    AGORA_ASSERT(config_.items_max > 0);
    AGORA_ASSERT(config_.lifetime > Duration::zero());
}

PutResult ItemStore::put_immutable(BytesView v, TimePoint now) {
    if (v.size() > item_value_bytes_max) return PutError{PutError::v_too_big, "message (v field) too big"};
    const Sha1 target = immutable_target(v);
    if (StoredItem* held = find_live(target, now); held && !held->mutable_fields) {
        refresh(target, *held, now);  // same hash, same bytes: nothing to replace
    } else {
        // A mutable item can only share this target through a SHA-1 collision; replace it.
        insert(target, StoredItem{Bytes(v), std::nullopt, now}, now);
    }
    return PutResult::stored();
}

PutResult ItemStore::put_mutable(const ed25519::PublicKey& key, BytesView salt, std::int64_t seq,
                                 BytesView v, const ed25519::Signature& signature,
                                 std::optional<std::int64_t> cas, TimePoint now) {
    if (v.size() > item_value_bytes_max) return PutError{PutError::v_too_big, "message (v field) too big"};
    if (salt.size() > item_salt_bytes_max)
        return PutError{PutError::salt_too_big, "salt (salt field) too big"};
    if (!verify_item(key, salt, seq, v, signature))
        return PutError{PutError::invalid_signature, "invalid signature"};

    const Sha1 target = mutable_target(key, salt);
    StoredItem* held = find_live(target, now);
    if (held && held->mutable_fields) {
        const std::int64_t held_seq = held->mutable_fields->seq;
        if (cas && *cas != held_seq)
            return PutError{PutError::cas_mismatch, "the CAS hash mismatched, re-read value and try again"};
        if (seq < held_seq) return PutError{PutError::seq_not_newer, "sequence number less than current"};
        if (seq == held_seq) {
            if (held->v != v)
                return PutError{PutError::seq_not_newer,
                                "sequence number equal to current but value differs"};
            refresh(target, *held, now);
            return PutResult::stored();
        }
    }
    insert(target, StoredItem{Bytes(v), MutableFields{key, Bytes(salt), seq, signature}, now}, now);
    return PutResult::stored();
}

const StoredItem* ItemStore::get(const Sha1& target, TimePoint now) const {
    auto it = items_.find(target);
    if (it == items_.end() || expired(it->second, now)) return nullptr;
    return &it->second;
}

void ItemStore::expire(TimePoint now) {
    while (!by_last_put_.empty()) {
        const auto& [last_put, target] = *by_last_put_.begin();
        if (now < last_put + config_.lifetime) break;
        erase(Sha1(target));  // a copy: erase() removes the set entry the reference points into
    }
    AGORA_ASSERT(items_.size() == by_last_put_.size());
}

TimePoint ItemStore::next_expiry() const {
    if (by_last_put_.empty()) return TimePoint::max();
    return by_last_put_.begin()->first + config_.lifetime;
}

void ItemStore::check_invariants() const {
    AGORA_ASSERT(items_.size() == by_last_put_.size());
    AGORA_ASSERT(items_.size() <= config_.items_max);
    for (const auto& [target, item] : items_) {
        AGORA_ASSERT(by_last_put_.count({item.last_put, target}) == 1);
        AGORA_ASSERT(item.v.size() <= item_value_bytes_max);
        if (item.mutable_fields) {
            const MutableFields& m = *item.mutable_fields;
            AGORA_ASSERT(m.salt.size() <= item_salt_bytes_max);
            AGORA_ASSERT(mutable_target(m.key, m.salt) == target);
        } else {
            AGORA_ASSERT(immutable_target(item.v) == target);
        }
    }
}

StoredItem* ItemStore::find_live(const Sha1& target, TimePoint now) {
    auto it = items_.find(target);
    if (it == items_.end() || expired(it->second, now)) return nullptr;
    return &it->second;
}

void ItemStore::refresh(const Sha1& target, StoredItem& item, TimePoint now) {
    const std::size_t erased = by_last_put_.erase({item.last_put, target});
    AGORA_ASSERT(erased == 1);
    item.last_put = now;
    by_last_put_.insert({now, target});
    AGORA_ASSERT(items_.size() == by_last_put_.size());
}

void ItemStore::insert(const Sha1& target, StoredItem item, TimePoint now) {
    AGORA_ASSERT(item.last_put == now);
    if (items_.count(target) != 0) {
        erase(target);  // an expired item, or one this put replaces
    } else if (items_.size() >= config_.items_max) {
        erase(Sha1(by_last_put_.begin()->second));  // full: evict the oldest (see item.hpp)
    }
    by_last_put_.insert({now, target});
    items_.emplace(target, std::move(item));
    AGORA_ASSERT(items_.size() == by_last_put_.size());
    AGORA_ASSERT(items_.size() <= config_.items_max);
}

void ItemStore::erase(const Sha1& target) {
    auto it = items_.find(target);
    AGORA_ASSERT(it != items_.end());
    const std::size_t erased = by_last_put_.erase({it->second.last_put, target});
    AGORA_ASSERT(erased == 1);
    items_.erase(it);
}

}  // namespace agora::dht
