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

    // Optimistic slots, a fifth of the regular ones (libtorrent's automatic number), at least
    // one: random interested peers not unchoked as regular ones, each kept for its period, then
    // replaced by another drawn at random. A fast uplink with many slots so gives many newcomers
    // and slow peers a turn.
    const auto optimistic_count = std::max<std::size_t>(1, slots / 5);
    const auto is_chosen = [&](PeerHandle h) { return std::find(chosen.begin(), chosen.end(), h) != chosen.end(); };
    const auto is_optimistic = [&](PeerHandle h) {
        return std::any_of(optimistic_.begin(), optimistic_.end(), [&](const Optimistic& o) { return o.peer == h; });
    };
    std::erase_if(optimistic_, [&](const Optimistic& o) {
        return now - o.since >= optimistic_period || is_chosen(o.peer) ||
               std::none_of(interested.begin(), interested.end(), [&](const auto* p) { return p->peer == o.peer; });
    });
    if (optimistic_.size() > optimistic_count) optimistic_.resize(optimistic_count);  // the slots shrank
    std::vector<PeerHandle> others;
    for (const auto* p : interested)
        if (!is_chosen(p->peer) && !is_optimistic(p->peer)) others.push_back(p->peer);
    while (optimistic_.size() < optimistic_count && !others.empty()) {
        const std::size_t i = rng.below(others.size());
        optimistic_.push_back(Optimistic{others[i], now});
        others[i] = others.back();
        others.pop_back();
    }
    for (const auto& o : optimistic_) chosen.push_back(o.peer);
    return chosen;
}

}  // namespace agora::swarm
