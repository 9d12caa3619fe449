#include "sim/tracker.hpp"

#include <algorithm>

namespace agora::sim {

void SimTracker::remove(Swarm& s, const Address& a) {
    const auto it = s.index.find(a);
    if (it == s.index.end()) return;
    const std::size_t at = it->second;
    s.index.erase(it);
    if (at + 1 != s.members.size()) {
        s.members[at] = s.members.back();
        s.index[s.members[at].address] = at;
    }
    s.members.pop_back();
}

tracker::AnnounceResponse SimTracker::announce(std::uint32_t from_ip, const tracker::AnnounceRequest& request) {
    tracker::AnnounceResponse reply;
    reply.interval = interval_s;
    Swarm& s = swarms_[request.info_hash];
    const Address self{from_ip, request.port};
    if (request.event == tracker::Event::stopped) {
        remove(s, self);
        return reply;
    }
    const bool seed = request.left == 0;
    if (const auto it = s.index.find(self); it != s.index.end()) {
        s.members[it->second].seed = seed;
    } else {
        s.index[self] = s.members.size();
        s.members.push_back({self, seed});
    }
    // A partial Fisher-Yates shuffle over candidate positions: a uniform sample without repeats.
    std::vector<std::size_t> candidates;
    candidates.reserve(s.members.size());
    std::uint32_t complete = 0;
    for (std::size_t i = 0; i < s.members.size(); ++i) {
        complete += s.members[i].seed ? 1u : 0u;
        if (s.members[i].address == self || (seed && s.members[i].seed)) continue;
        candidates.push_back(i);
    }
    const std::size_t want = std::min<std::size_t>({request.numwant, numwant_max, candidates.size()});
    for (std::size_t i = 0; i < want; ++i) {
        const std::size_t j = i + static_cast<std::size_t>(rng_.below(candidates.size() - i));
        std::swap(candidates[i], candidates[j]);
        const Address& a = s.members[candidates[i]].address;
        reply.peers.push_back({format_ip(a.ip), a.port});
    }
    reply.complete = complete;
    reply.incomplete = static_cast<std::uint32_t>(s.members.size()) - complete;
    return reply;
}

std::size_t SimTracker::members(const tracker::Hash20& info_hash) const {
    const auto it = swarms_.find(info_hash);
    return it == swarms_.end() ? 0 : it->second.members.size();
}

}  // namespace agora::sim
