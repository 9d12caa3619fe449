// Peers we know of for one torrent and may connect to: from trackers, --peer, magnet x.pe
// (and later the DHT and PEX). Failed peers are retried with a growing back-off; a peer that
// failed too often is forgotten. Bounded: a tracker cannot make the list grow without end.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"

namespace agora::session {

struct Endpoint {
    std::string ip;
    std::uint16_t port = 0;
    std::string key() const { return (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" + std::to_string(port); }
    bool operator==(const Endpoint&) const = default;
};

class PeerList {
public:
    static constexpr std::size_t peers_max = 2000;
    static constexpr std::uint32_t failures_max = 6;

    void add(const Endpoint& e);
    // A peer to try now (not connected, not waiting out a back-off), or nothing.
    std::optional<Endpoint> next(TimePoint now);
    void connected(const Endpoint& e);
    void disconnected(const Endpoint& e, bool failed, TimePoint now);
    std::size_t size() const { return peers_.size(); }

private:
    struct Entry {
        Endpoint endpoint;
        bool connected = false;
        std::uint32_t failures = 0;
        TimePoint retry_at;
    };
    Entry* find(const Endpoint& e);
    std::vector<Entry> peers_;  // in the order they were learned: dialed in that order
    // The same endpoints, for add(): PEX hands a node dozens of messages of up to 100 contacts
    // each, and a linear search per contact of a full list cost a 10,000-node simulation minutes.
    std::set<std::pair<std::string, std::uint16_t>> known_;
};

}  // namespace agora::session
