#include "session/peer_list.hpp"

#include <algorithm>

namespace agora::session {

PeerList::Entry* PeerList::find(const Endpoint& e) {
    for (auto& p : peers_)
        if (p.endpoint == e) return &p;
    return nullptr;
}

void PeerList::add(const Endpoint& e) {
    if (e.port == 0 || peers_.size() >= peers_max || !known_.emplace(e.ip, e.port).second) return;
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
    if (p->failures >= failures_max) {
        std::erase_if(peers_, [&](const Entry& x) { return x.endpoint == e; });
        known_.erase({e.ip, e.port});
    }
}

}  // namespace agora::session
