#include "swarm/choker.hpp"

#include <algorithm>
#include <functional>

namespace agora::swarm {

std::vector<PeerHandle> TitForTatChoker::choose(std::span<const ChokeCandidate> peers, bool seeding, Rng& rng,
                                                TimePoint now) {
    std::vector<const ChokeCandidate*> interested;
    for (const auto& p : peers)
        if (p.interested) interested.push_back(&p);

    // Regular slots. Leeching: the peers that upload to us fastest. Seeding: the peers unchoked
    // longest ago first, so every peer gets a turn (the upload is spread, not given to the
    // fastest downloader only).
    if (seeding) {
        std::sort(interested.begin(), interested.end(), [](const auto* a, const auto* b) {
            if (a->unchoked != b->unchoked) return a->unchoked;  // keep current ones for a round
            return a->last_unchoked < b->last_unchoked;
        });
    } else {
        std::sort(interested.begin(), interested.end(),
                  [](const auto* a, const auto* b) { return a->download_rate > b->download_rate; });
    }
    // Rates of the peers unchoked now: a choked peer's rate is what it was, decaying.
    std::vector<double> rates;
    for (const auto& p : peers)
        if (p.unchoked) rates.push_back(p.upload_rate);
    std::sort(rates.begin(), rates.end(), std::greater<>());
    std::uint32_t well_served = 0;
    for (double threshold = 1024; well_served < rates.size() && rates[well_served] >= threshold; threshold += 2048)
        ++well_served;
    const std::uint32_t slots = std::max(regular_slots_, 2 * well_served + 1);

    std::vector<PeerHandle> chosen;
    for (const auto* p : interested) {
        if (chosen.size() >= slots) break;
        chosen.push_back(p->peer);
    }

    // The optimistic slot: kept for its period, then moved to a random interested peer that is
    // not already unchoked.
    const bool optimistic_alive = std::any_of(interested.begin(), interested.end(),
                                              [&](const auto* p) { return p->peer == optimistic_; });
    if (!optimistic_alive || now - optimistic_since_ >= optimistic_period) {
        std::vector<PeerHandle> others;
        for (const auto* p : interested)
            if (std::find(chosen.begin(), chosen.end(), p->peer) == chosen.end()) others.push_back(p->peer);
        optimistic_ = others.empty() ? PeerHandle(UINT32_MAX) : others[rng.below(others.size())];
        optimistic_since_ = now;
    }
    if (optimistic_.value != UINT32_MAX && std::find(chosen.begin(), chosen.end(), optimistic_) == chosen.end())
        chosen.push_back(optimistic_);
    return chosen;
}

}  // namespace agora::swarm
