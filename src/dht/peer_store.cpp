#include "dht/peer_store.hpp"

#include <algorithm>
#include <cstring>

#include "core/hash.hpp"
#include "dht/limits.hpp"

namespace agora::dht {

bool PeerStore::add(const NodeId& info_hash, const Endpoint& peer, bool seed, TimePoint now) {
    auto it = torrents_.find(info_hash);
    if (it == torrents_.end()) {
        if (torrents_.size() >= limits::stored_torrents_max) return false;
        it = torrents_.emplace(info_hash, std::vector<Stored>{}).first;
    }
    auto& peers = it->second;
    for (auto& p : peers)
        if (p.endpoint == peer) {
            p.added = now;
            p.seed = seed;
            return true;
        }
    if (peers.size() >= limits::stored_peers_per_torrent_max) {
        auto oldest = std::min_element(peers.begin(), peers.end(), [](const Stored& a, const Stored& b) { return a.added < b.added; });
        *oldest = Stored{peer, now, seed};
        return true;
    }
    peers.push_back(Stored{peer, now, seed});
    return true;
}

std::vector<Endpoint> PeerStore::get(const NodeId& info_hash, Family family, std::size_t count, Rng& rng) const {
    std::vector<Endpoint> out;
    auto it = torrents_.find(info_hash);
    if (it == torrents_.end()) return out;
    for (const auto& p : it->second)
        if (p.endpoint.family == family) out.push_back(p.endpoint);
    // A random subset when there are more than fit in a reply (partial Fisher-Yates).
    for (std::size_t i = 0; i < std::min(count, out.size()); ++i)
        std::swap(out[i], out[i + rng.below(out.size() - i)]);
    if (out.size() > count) out.resize(count);
    return out;
}

std::vector<NodeId> PeerStore::sample(std::size_t count, Rng& rng) const {
    std::vector<NodeId> all;
    for (const auto& [hash, peers] : torrents_) all.push_back(hash);
    for (std::size_t i = 0; i < std::min(count, all.size()); ++i) std::swap(all[i], all[i + rng.below(all.size() - i)]);
    if (all.size() > count) all.resize(count);
    return all;
}

void PeerStore::expire(TimePoint now) {
    for (auto it = torrents_.begin(); it != torrents_.end();) {
        std::erase_if(it->second, [&](const Stored& p) { return now - p.added > limits::stored_peer_lifetime; });
        it = it->second.empty() ? torrents_.erase(it) : std::next(it);
    }
}

std::size_t PeerStore::peers() const {
    std::size_t n = 0;
    for (const auto& [hash, peers] : torrents_) n += peers.size();
    return n;
}

TokenKeeper::TokenKeeper(Rng& rng, TimePoint now) : current_(rng.next()), previous_(rng.next()), rotated_(now) {}

Bytes TokenKeeper::make(std::uint64_t secret, const Endpoint& requester) {
    Bytes input(reinterpret_cast<const char*>(&secret), sizeof secret);
    input += requester.address_bytes();
    return Bytes(sha1(input).view().substr(0, 8));
}

Bytes TokenKeeper::token_for(const Endpoint& requester) const { return make(current_, requester); }

bool TokenKeeper::valid(BytesView token, const Endpoint& requester) const {
    return token == make(current_, requester) || token == make(previous_, requester);
}

void TokenKeeper::maybe_rotate(Rng& rng, TimePoint now) {
    if (now - rotated_ < limits::token_rotation) return;
    previous_ = current_;
    current_ = rng.next();
    rotated_ = now;
}

bool SourceLimiter::take(Bucket& b, bool fresh, double rate, double burst, TimePoint now) {
    if (fresh) {
        b.tokens = burst;
    } else {
        const double seconds = std::chrono::duration<double>(now - b.last).count();
        b.tokens = std::min(burst, b.tokens + seconds * rate);
    }
    b.last = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
}

bool SourceLimiter::allow(const Endpoint& source, TimePoint now) {
    if (sources_.size() > limits::rate_sources_max) {
        // Forget buckets that have refilled anyway.
        std::erase_if(sources_, [&](const auto& kv) { return now - kv.second.last > std::chrono::seconds(10); });
        std::erase_if(addresses_, [&](const auto& kv) { return now - kv.second.last > std::chrono::seconds(10); });
    }
    if (!source.is_local()) {
        const bool fresh = !addresses_.contains(source.address);
        if (!take(addresses_[source.address], fresh, limits::address_rate_per_second, limits::address_burst, now))
            return false;
    }
    const bool fresh = !sources_.contains(source);
    return take(sources_[source], fresh, limits::source_rate_per_second, limits::source_burst, now);
}

}  // namespace agora::dht
