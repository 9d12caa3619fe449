// Peers other nodes announced to us (BEP 5 announce_peer), by info-hash, with caps and expiry,
// and the write tokens that prove an announcer asked us first (BEP 5: a secret that rotates every
// five minutes; a token stays valid for one rotation more).
#pragma once

#include <map>
#include <vector>

#include "core/clock.hpp"
#include "core/rng.hpp"
#include "dht/endpoint.hpp"
#include "dht/node_id.hpp"

namespace agora::dht {

class PeerStore {
public:
    // False when the store is full of other torrents (the announce is refused).
    bool add(const NodeId& info_hash, const Endpoint& peer, bool seed, TimePoint now);
    // Up to `count` random peers of `family` for this info-hash.
    std::vector<Endpoint> get(const NodeId& info_hash, Family family, std::size_t count, Rng& rng) const;
    // Up to `count` random info-hashes we hold peers for (BEP 51).
    std::vector<NodeId> sample(std::size_t count, Rng& rng) const;
    void expire(TimePoint now);
    std::size_t torrents() const { return torrents_.size(); }
    std::size_t peers() const;

private:
    struct Stored {
        Endpoint endpoint;
        TimePoint added;
        bool seed = false;
    };
    std::map<NodeId, std::vector<Stored>> torrents_;
};

class TokenKeeper {
public:
    TokenKeeper(Rng& rng, TimePoint now);
    Bytes token_for(const Endpoint& requester) const;
    bool valid(BytesView token, const Endpoint& requester) const;
    void maybe_rotate(Rng& rng, TimePoint now);

private:
    static Bytes make(std::uint64_t secret, const Endpoint& requester);
    std::uint64_t current_;
    std::uint64_t previous_;
    TimePoint rotated_;
};

// Per-source token buckets: one per ip:port, and one per address for non-local addresses.
class SourceLimiter {
public:
    bool allow(const Endpoint& source, TimePoint now);

private:
    struct Bucket {
        double tokens = 0;
        TimePoint last;
    };
    bool take(Bucket& b, bool fresh, double rate, double burst, TimePoint now);
    std::map<Endpoint, Bucket> sources_;
    std::map<std::array<std::uint8_t, 16>, Bucket> addresses_;
};

}  // namespace agora::dht
