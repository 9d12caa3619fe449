#include "dht/lookup.hpp"

#include <algorithm>

#include "dht/limits.hpp"

namespace agora::dht {

Lookup::Lookup(NodeId target, std::size_t k, std::size_t alpha) : target_(target), k_(k), alpha_(alpha) {}

Lookup::Candidate* Lookup::find(const Endpoint& endpoint) {
    for (auto& c : candidates_)
        if (c.endpoint == endpoint) return &c;
    return nullptr;
}

void Lookup::sort() {
    std::stable_sort(candidates_.begin(), candidates_.end(), [&](const Candidate& a, const Candidate& b) {
        if (a.id_known != b.id_known) return !a.id_known;
        return closer(a.id, b.id, target_);
    });
}

std::uint8_t Lookup::hops(const Endpoint& endpoint) const {
    for (const auto& c : candidates_)
        if (c.endpoint == endpoint) return c.hops;
    return 0;
}

void Lookup::add(const NodeId& id, const Endpoint& endpoint, bool id_known, std::uint8_t hops) {
    if (find(endpoint)) return;
    for (const auto& c : candidates_)
        if (c.id_known && id_known && c.id == id) return;
    candidates_.push_back(Candidate{id, endpoint, id_known, State::fresh, {}, hops});
    sort();
    // Drop the farthest fresh candidates beyond the cap (never ones with a query out).
    while (candidates_.size() > limits::lookup_candidates_max) {
        auto it = std::find_if(candidates_.rbegin(), candidates_.rend(), [](const Candidate& c) { return c.state == State::fresh; });
        if (it == candidates_.rend()) break;
        candidates_.erase(std::next(it).base());
    }
}

std::optional<Lookup::Candidate> Lookup::next() {
    if (done()) return std::nullopt;
    std::size_t active = 0;
    for (const auto& c : candidates_) active += c.state == State::in_flight;
    if (active >= alpha_) return std::nullopt;
    // Only the k closest candidates still worth waiting for deserve a query; a stalled one makes
    // room for the next.
    std::size_t rank = 0;
    for (auto& c : candidates_) {
        if (c.state == State::failed || c.state == State::stalled) continue;
        if (c.id_known && rank++ >= k_) break;
        if (c.state == State::fresh) {
            c.state = State::in_flight;
            return c;
        }
    }
    return std::nullopt;
}

void Lookup::replied(const Endpoint& endpoint, const NodeId& id, BytesView token) {
    auto* c = find(endpoint);
    if (!c) return;
    c->state = State::replied;
    c->token = Bytes(token);
    if (!c->id_known || c->id != id) {
        c->id = id;
        c->id_known = true;
        sort();
    }
}

void Lookup::stalled(const Endpoint& endpoint) {
    if (auto* c = find(endpoint); c && c->state == State::in_flight) c->state = State::stalled;
}

void Lookup::failed(const Endpoint& endpoint) {
    if (auto* c = find(endpoint); c && (c->state == State::in_flight || c->state == State::stalled))
        c->state = State::failed;
}

bool Lookup::done() const {
    std::size_t rank = 0;
    for (const auto& c : candidates_) {
        if (c.state == State::failed || c.state == State::stalled) continue;
        if (!c.id_known) {
            if (c.state != State::replied) return false;
            continue;
        }
        if (rank++ >= k_) break;
        if (c.state != State::replied) return false;
    }
    return true;
}

std::vector<Lookup::Candidate> Lookup::closest_replied() const {
    std::vector<Candidate> out;
    for (const auto& c : candidates_) {
        if (out.size() == k_) break;
        if (c.state == State::replied && c.id_known) out.push_back(c);
    }
    return out;
}

std::size_t Lookup::replied_count() const {
    return static_cast<std::size_t>(
        std::count_if(candidates_.begin(), candidates_.end(), [](const Candidate& c) { return c.state == State::replied; }));
}

}  // namespace agora::dht
