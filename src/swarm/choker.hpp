// Who we upload to. BitTorrent's tit-for-tat (BEP 3, "choking"): a few regular unchoke slots go to
// the interested peers that give us the most, optimistic slots (one per five regular, at least
// one) rotate to give newcomers a chance, and a seed, which gets nothing back, spreads its upload
// by rotating through peers.
// The policy sits behind an interface so that a trust-based choker (trust/) can replace it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/rng.hpp"

namespace agora::swarm {

struct ChokeCandidate {
    PeerHandle peer;
    bool interested = false;
    bool unchoked = false;            // currently unchoked by us
    double download_rate = 0;         // bytes/s we receive from them (reciprocation)
    double upload_rate = 0;           // bytes/s we send them
    TimePoint last_unchoked;          // when we last unchoked them (seed rotation)
};

class Choker {
public:
    virtual ~Choker() = default;
    // The peers to have unchoked from now on. Called every rechoke interval and when a slot may
    // be free. `seeding`: we have every piece.
    virtual std::vector<PeerHandle> choose(std::span<const ChokeCandidate> peers, bool seeding, Rng& rng,
                                           TimePoint now) = 0;
};

// The number of regular slots is at least `regular_slots`, and grows with the uplink by
// libtorrent's rate-based rule: count the peers we upload to, fastest first, while the k-th of
// them gets at least 1 KiB/s + 2 KiB/s per peer before it. libtorrent then takes one slot more
// than that count, so its slots grow by one per rechoke; we take twice the count plus one, so
// they double, like TCP's slow start: a flash crowd is over in a minute, twelve rechokes. Spread
// wider, a fast uplink also reaches the slow-uplink peers that tit-for-tat serves last: in the
// simulator a 300-leecher crowd on home links finished in 1.40x the Kumar-Ross bound with this
// rule, 1.63x growing by one, 1.67x with eight fixed slots (scenarios/flash-crowd.toml, seed 1).
// When the rates fall, the count falls with them at the next rechoke.
class TitForTatChoker final : public Choker {
public:
    explicit TitForTatChoker(std::uint32_t regular_slots = 4) : regular_slots_(regular_slots) {}
    std::vector<PeerHandle> choose(std::span<const ChokeCandidate> peers, bool seeding, Rng& rng,
                                   TimePoint now) override;

private:
    static constexpr Duration optimistic_period = std::chrono::seconds(30);
    std::uint32_t regular_slots_;
    struct Optimistic { PeerHandle peer; TimePoint since; };
    std::vector<Optimistic> optimistic_;
};

}  // namespace agora::swarm
