// Peers we know of for one torrent and may connect to: from trackers, --peer, magnet x.pe
// (and later the DHT and PEX). Failed peers are retried with a growing back-off; a peer that
// failed too often is forgotten. Bounded: a tracker cannot make the list grow without end.
#pragma once

#include <cstdint>
#include <optional>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"

namespace agora::session {

struct Endpoint {
    std::string ip;
    std::uint16_t port = 0;
    std::string key() const { return (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" + std::to_string(port); }
    bool operator==(const Endpoint&) const = default;
};

struct EndpointHash {
    std::size_t operator()(const Endpoint& e) const {
        return std::hash<std::string>{}(e.ip) ^ (std::size_t{e.port} * 0x9e3779b97f4a7c15ULL);
    }
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
    // Where each endpoint is in peers_. PEX hands a node dozens of messages of up to 100 contacts
    // each and every connect and disconnect looks its peer up: a linear search of a full list cost
    // a 10,000-node simulation minutes. Only looked up, never iterated, so its order decides nothing.
    std::unordered_map<Endpoint, std::uint32_t, EndpointHash> index_;
};

}  // namespace agora::session
