// The simulated tracker: a UDP tracker (BEP 15) on a node of the simulated network, holding one
// registry of swarms. Nodes reach it the way agora reaches any UDP tracker: their engine's
// Announce goes through the real client state machine (tracker/udp_announce.hpp) as datagrams
// over the simulated network, so an announce takes two round trips of the pair's latency, is lost
// and resent on BEP 15's schedule like any datagram, and the tracker's replies are decoded by the
// same code that decodes opentracker's. Only the registry is the simulator's own: agora has no
// tracker server yet, and the scenarios need peers to find each other the way real swarms do.
//
// Like opentracker, it hands out a uniform random sample of up to `numwant` other members and
// forgets a member on `stopped`. Unlike it, a seed is sent only leechers (another seed has nothing
// for it), which is what libtorrent's own tracker and most public trackers do. Connection ids are
// a keyed hash of the client's address and the minute, accepted until the end of the next minute
// (60 to 120 s after it was issued; BEP 15: a client may use one until a minute after it got it),
// so the tracker keeps no per-client state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/clock.hpp"
#include "core/rng.hpp"
#include "sim/address.hpp"
#include "tracker/http.hpp"

namespace agora::sim {

struct SimTrackerCounters {
    std::uint64_t connects = 0;
    std::uint64_t announces = 0;
    std::uint64_t scrapes = 0;
    std::uint64_t rejected = 0;  // malformed datagrams and unknown connection ids
};

class SimTracker {
public:
    static constexpr std::uint16_t port = 6969;
    static constexpr std::uint32_t interval_s = 1800;
    static constexpr std::uint32_t numwant_default = 50;
    static constexpr std::uint32_t numwant_max = 200;

    explicit SimTracker(std::uint64_t seed);

    // A datagram from `from`; what to send back to it, if anything (nothing for a datagram that
    // is not a request: a tracker does not answer garbage).
    std::optional<Bytes> handle_datagram(Address from, BytesView datagram, TimePoint now);
    std::size_t members(const tracker::Hash20& info_hash) const;
    const SimTrackerCounters& counters() const { return counters_; }

private:
    struct Member {
        Address address;
        bool seed = false;
    };
    struct Swarm {
        std::vector<Member> members;
        std::map<Address, std::size_t> index;  // address -> position in members
        std::uint32_t downloaded = 0;          // `completed` events
    };
    std::uint64_t connection_id(Address from, std::int64_t minute) const;
    bool valid(std::uint64_t id, Address from, TimePoint now) const;
    tracker::AnnounceResponse announce(Address self, const tracker::AnnounceRequest& request);
    void remove(Swarm& s, const Address& a);

    std::map<tracker::Hash20, Swarm> swarms_;
    Rng rng_;
    std::uint64_t secret_;
    SimTrackerCounters counters_;
};

}  // namespace agora::sim
