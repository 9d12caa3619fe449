#include "session/peer_list.hpp"

#include <algorithm>

namespace agora::session {

PeerList::Entry* PeerList::find(const Endpoint& e) {
    const auto it = index_.find(e);
    return it == index_.end() ? nullptr : &peers_[it->second];
}

void PeerList::add(const Endpoint& e) {
    if (e.port == 0 || peers_.size() >= peers_max) return;
    if (!index_.emplace(e, static_cast<std::uint32_t>(peers_.size())).second) return;
    Entry entry;
    entry.endpoint = e;
    peers_.push_back(std::move(entry));
}

std::optional<Endpoint> PeerList::next(TimePoint now) {
    for (auto& p : peers_)
        if (!p.connected && p.retry_at <= now) {
            p.connected = true;  // an attempt is under way; disconnected() ends it
            return p.endpoint;
        }
    return std::nullopt;
}

void PeerList::connected(const Endpoint& e) {
    if (auto* p = find(e)) {
        p->connected = true;
        p->failures = 0;
    }
}

void PeerList::disconnected(const Endpoint& e, bool failed, TimePoint now) {
    auto* p = find(e);
    if (!p) return;
    p->connected = false;
    if (failed) ++p->failures;
    // Back-off: 2 s, 4 s, 8 s, ... for failures (a seeder still checking its files refuses us
    // for a moment); a peer that just left waits 30 s.
    const auto seconds = failed ? 2 << std::min<std::uint32_t>(p->failures - 1, 6) : 30;
    p->retry_at = now + std::chrono::seconds(seconds);
    if (p->failures >= failures_max) {  // forgotten; those learned after it move up one
        const auto at = static_cast<std::uint32_t>(p - peers_.data());
        index_.erase(e);
        peers_.erase(peers_.begin() + at);
        for (std::uint32_t i = at; i < peers_.size(); ++i) index_[peers_[i].endpoint] = i;
    }
}

}  // namespace agora::session
