// One iterative Kademlia lookup (BEP 5): query the closest nodes known, alpha at a time, learn
// closer ones from their replies, and stop when the k closest that did not fail have answered.
// A node slow to answer stops counting against alpha after a short stall time, so one silent
// node cannot stall the lookup; it still counts as pending until it answers or times out.
// Pure bookkeeping: the node sends the queries and feeds back replies and timeouts.
#pragma once

#include <optional>
#include <vector>

#include "dht/krpc.hpp"

namespace agora::dht {

class Lookup {
public:
    enum class State : std::uint8_t { fresh, in_flight, stalled, replied, failed };
    struct Candidate {
        NodeId id;
        Endpoint endpoint;
        bool id_known = true;  // false for bootstrap addresses until they answer
        State state = State::fresh;
        Bytes token;           // from get_peers / get replies
        std::uint8_t hops = 1;  // 1: known before the lookup; n + 1: named by a node at n hops
    };

    Lookup(NodeId target, std::size_t k, std::size_t alpha);

    const NodeId& target() const { return target_; }
    // Learned of a node (from the table, a reply or a bootstrap address). Duplicates are ignored;
    // only the closest limits::lookup_candidates_max are kept.
    void add(const NodeId& id, const Endpoint& endpoint, bool id_known = true, std::uint8_t hops = 1);
    // The hops of a candidate (0 if unknown).
    std::uint8_t hops(const Endpoint& endpoint) const;
    // The next node to query, if alpha allows one now; marks it in flight.
    std::optional<Candidate> next();
    void replied(const Endpoint& endpoint, const NodeId& id, BytesView token);
    void stalled(const Endpoint& endpoint);
    void failed(const Endpoint& endpoint);
    bool done() const;
    // The closest nodes that answered, with their tokens, at most k.
    std::vector<Candidate> closest_replied() const;
    std::size_t replied_count() const;

private:
    Candidate* find(const Endpoint& endpoint);
    void sort();

    NodeId target_;
    std::size_t k_;
    std::size_t alpha_;
    std::vector<Candidate> candidates_;  // sorted by distance; unknown ids first
};

}  // namespace agora::dht
