// The simulated tracker: one swarm registry answering every node's announces. It sits outside the
// simulated network (a reply comes back one round trip after the announce, see World), because a
// tracker is not what the scenarios measure: they need peers to find each other the way a real
// swarm's members do, by announcing and receiving a random sample of the others.
//
// Like opentracker, it hands out a uniform random sample of up to `numwant` other members and
// forgets a member on `stopped`. Unlike it, a seed is sent only leechers (another seed has nothing
// for it), which is what libtorrent's own tracker and most public trackers do.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "core/rng.hpp"
#include "sim/address.hpp"
#include "tracker/http.hpp"

namespace agora::sim {

class SimTracker {
public:
    static constexpr std::uint32_t interval_s = 1800;
    static constexpr std::uint32_t numwant_max = 200;

    explicit SimTracker(std::uint64_t seed) : rng_(seed) {}

    // `from` is the announcing node's address as the tracker sees it (its port is the request's).
    tracker::AnnounceResponse announce(std::uint32_t from_ip, const tracker::AnnounceRequest& request);
    std::size_t members(const tracker::Hash20& info_hash) const;

private:
    struct Member {
        Address address;
        bool seed = false;
    };
    struct Swarm {
        std::vector<Member> members;
        std::map<Address, std::size_t> index;  // address -> position in members
    };
    void remove(Swarm& s, const Address& a);

    std::map<tracker::Hash20, Swarm> swarms_;
    Rng rng_;
};

}  // namespace agora::sim
