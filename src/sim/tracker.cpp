#include "sim/tracker.hpp"

#include <algorithm>
#include <variant>

#include "sim/seeds.hpp"
#include "tracker/udp_server.hpp"

namespace agora::sim {

namespace {

std::int64_t minute_of(TimePoint t) { return t.since_epoch.count() / 60'000'000; }

}  // namespace

SimTracker::SimTracker(std::uint64_t seed) : rng_(seed), secret_(mix64(seed ^ 0x7472616b6572ULL)) {}

std::uint64_t SimTracker::connection_id(Address from, std::int64_t minute) const {
    const std::uint64_t who = (std::uint64_t{from.ip} << 16) | from.port;
    return mix64(secret_ ^ mix64(who + mix64(static_cast<std::uint64_t>(minute))));
}

bool SimTracker::valid(std::uint64_t id, Address from, TimePoint now) const {
    return id == connection_id(from, minute_of(now)) || id == connection_id(from, minute_of(now) - 1);
}

std::optional<Bytes> SimTracker::handle_datagram(Address from, BytesView datagram, TimePoint now) {
    auto request = tracker::decode_udp_request(datagram);
    if (!request) {
        ++counters_.rejected;
        return std::nullopt;
    }
    if (const auto* c = std::get_if<tracker::UdpConnectRequest>(&*request)) {
        ++counters_.connects;
        return tracker::encode_connect_reply(c->transaction_id, connection_id(from, minute_of(now)));
    }
    if (const auto* a = std::get_if<tracker::UdpAnnounceRequest>(&*request)) {
        if (!valid(a->connection_id, from, now)) {
            ++counters_.rejected;
            return tracker::encode_error_reply(a->transaction_id, "unknown or expired connection id");
        }
        ++counters_.announces;
        // The peer's address is where the datagram came from, with the port it listens on.
        const auto reply = announce(Address{from.ip, a->request.port}, a->request);
        return tracker::encode_announce_reply(a->transaction_id, reply.interval, reply.incomplete.value_or(0), reply.complete.value_or(0),
                                              reply.peers, false);
    }
    const auto& s = std::get<tracker::UdpScrapeRequest>(*request);
    if (!valid(s.connection_id, from, now)) {
        ++counters_.rejected;
        return tracker::encode_error_reply(s.transaction_id, "unknown or expired connection id");
    }
    ++counters_.scrapes;
    std::vector<tracker::ScrapeEntry> entries;
    for (const auto& hash : s.info_hashes) {
        tracker::ScrapeEntry e;
        if (const auto it = swarms_.find(hash); it != swarms_.end()) {
            for (const auto& m : it->second.members) (m.seed ? e.complete : e.incomplete) += 1;
            e.downloaded = it->second.downloaded;
        }
        entries.push_back(e);
    }
    return tracker::encode_scrape_reply(s.transaction_id, entries);
}

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

tracker::AnnounceResponse SimTracker::announce(Address self, const tracker::AnnounceRequest& request) {
    tracker::AnnounceResponse reply;
    reply.interval = interval_s;
    if (request.event == tracker::Event::stopped) {
        if (const auto it = swarms_.find(request.info_hash); it != swarms_.end()) remove(it->second, self);
        return reply;
    }
    Swarm& s = swarms_[request.info_hash];
    if (request.event == tracker::Event::completed) ++s.downloaded;
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
    // -1 (0xFFFFFFFF over UDP) asks for the tracker's default.
    const std::uint32_t numwant = request.numwant == 0xFFFFFFFFu ? numwant_default : request.numwant;
    const std::size_t want = std::min<std::size_t>({numwant, numwant_max, candidates.size()});
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
