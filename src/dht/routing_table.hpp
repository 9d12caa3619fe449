// The Kademlia routing table (BEP 5): buckets of k nodes by shared id prefix with our own id,
// split only around our id, each with a replacement cache. One table per address family (BEP 32).
//
// A node is *confirmed* once it has answered one of our queries; it is *good* while confirmed,
// heard from within 15 minutes and without failures; *questionable* otherwise; and removed when
// it fails twice (once if never confirmed), its place taken by the freshest replacement.
#pragma once

#include <optional>
#include <vector>

#include "core/clock.hpp"
#include "core/rng.hpp"
#include "dht/krpc.hpp"

namespace agora::dht {

struct TableEntry {
    NodeId id;
    Endpoint endpoint;
    TimePoint last_seen;
    TimePoint last_queried;
    std::uint8_t fails = 0;
    bool confirmed = false;
};

class RoutingTable {
public:
    explicit RoutingTable(NodeId self);

    const NodeId& self() const { return self_; }
    // Starts over around a new id (BEP 42 gave us one), keeping the nodes that still fit.
    void reset(NodeId self);

    // We heard from a node: it answered us (`replied`) or queried us. Returns true if it is now
    // in the table (not only a replacement).
    bool heard_from(const NodeId& id, const Endpoint& endpoint, bool replied, TimePoint now);
    // A query to this endpoint timed out.
    void failed(const Endpoint& endpoint);
    void queried(const Endpoint& endpoint, TimePoint now);

    // Up to `count` nodes closest to `target`, good ones first among equals in distance order.
    std::vector<NodeInfo> closest(const NodeId& target, std::size_t count) const;
    // A questionable node that has not been queried for a minute, to ping.
    std::optional<TableEntry> next_to_ping(TimePoint now) const;
    // A random id in a bucket unchanged for 15 minutes (marks it refreshed).
    std::optional<NodeId> next_refresh(TimePoint now, Rng& rng);

    std::size_t size() const;
    bool good(const TableEntry& e, TimePoint now) const;
    struct BucketStats {
        int prefix_bits;
        std::size_t good = 0, questionable = 0, replacements = 0;
    };
    std::vector<BucketStats> stats(TimePoint now) const;
    std::vector<TableEntry> entries() const;

private:
    struct Bucket {
        std::vector<TableEntry> live;
        std::vector<TableEntry> replacements;
        TimePoint last_changed;
    };
    std::size_t bucket_for(const NodeId& id) const;
    void split_last();
    static bool bad(const TableEntry& e) { return e.fails >= 2 || (!e.confirmed && e.fails >= 1); }

    NodeId self_;
    std::vector<Bucket> buckets_;
};

}  // namespace agora::dht
