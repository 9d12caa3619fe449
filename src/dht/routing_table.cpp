#include "dht/routing_table.hpp"

#include <algorithm>

#include "dht/limits.hpp"

namespace agora::dht {

RoutingTable::RoutingTable(NodeId self) : self_(self), buckets_(1) {}

void RoutingTable::reset(NodeId self) {
    auto old = entries();
    self_ = self;
    buckets_.assign(1, Bucket{});
    for (const auto& e : old) heard_from(e.id, e.endpoint, e.confirmed, e.last_seen);
}

std::size_t RoutingTable::bucket_for(const NodeId& id) const {
    return std::min<std::size_t>(static_cast<std::size_t>(common_prefix_bits(self_, id)), buckets_.size() - 1);
}

void RoutingTable::split_last() {
    const std::size_t i = buckets_.size() - 1;
    buckets_.emplace_back();
    auto& from = buckets_[i];
    auto& to = buckets_.back();
    auto move = [&](std::vector<TableEntry>& src, std::vector<TableEntry>& dst) {
        auto it = std::stable_partition(src.begin(), src.end(), [&](const TableEntry& e) {
            return static_cast<std::size_t>(common_prefix_bits(self_, e.id)) == i;
        });
        dst.insert(dst.end(), it, src.end());
        src.erase(it, src.end());
    };
    move(from.live, to.live);
    move(from.replacements, to.replacements);
    to.last_changed = from.last_changed;
    // Replacements that now have room in their bucket become live.
    for (auto* b : {&from, &to}) {
        while (b->live.size() < limits::bucket_size && !b->replacements.empty()) {
            b->live.push_back(b->replacements.back());
            b->replacements.pop_back();
        }
    }
}

bool RoutingTable::heard_from(const NodeId& id, const Endpoint& endpoint, bool replied, TimePoint now) {
    if (id == self_) return false;
    for (auto& b : buckets_)
        for (auto& e : b.live)
            if (e.endpoint == endpoint && e.id != id) return false;  // one id per endpoint: keep the first
    while (true) {
        auto& b = buckets_[bucket_for(id)];
        for (auto& e : b.live) {
            if (e.id != id) continue;
            if (e.endpoint != endpoint) return false;  // same id from elsewhere: not trusted
            if (replied) {
                e.confirmed = true;
                e.fails = 0;
                e.last_seen = now;
                b.last_changed = now;
            } else if (!e.confirmed) {
                e.last_seen = now;
            }
            return true;
        }
        // Outside the local networks, one entry per address in a bucket: a single host cannot
        // fill a bucket by answering from many ports.
        if (!endpoint.is_local())
            for (auto& e : b.live)
                if (e.endpoint.address == endpoint.address) return false;
        TableEntry fresh{id, endpoint, now, TimePoint{}, 0, replied};
        if (b.live.size() < limits::bucket_size) {
            b.live.push_back(fresh);
            b.last_changed = now;
            std::erase_if(b.replacements, [&](const TableEntry& e) { return e.id == id; });
            return true;
        }
        const bool is_last = &b == &buckets_.back();
        if (is_last && static_cast<int>(buckets_.size()) < limits::buckets_max) {
            split_last();
            continue;
        }
        // Full: a bad node gives way; an unconfirmed one gives way to a confirmed newcomer.
        auto victim = std::find_if(b.live.begin(), b.live.end(), [](const TableEntry& e) { return bad(e); });
        if (victim == b.live.end() && replied)
            victim = std::find_if(b.live.begin(), b.live.end(), [](const TableEntry& e) { return !e.confirmed; });
        if (victim != b.live.end()) {
            *victim = fresh;
            b.last_changed = now;
            return true;
        }
        std::erase_if(b.replacements, [&](const TableEntry& e) { return e.id == id || e.endpoint == endpoint; });
        b.replacements.push_back(fresh);
        if (b.replacements.size() > limits::bucket_size) b.replacements.erase(b.replacements.begin());
        return false;
    }
}

void RoutingTable::failed(const Endpoint& endpoint) {
    for (auto& b : buckets_) {
        std::erase_if(b.replacements, [&](const TableEntry& e) { return e.endpoint == endpoint; });
        for (auto it = b.live.begin(); it != b.live.end(); ++it) {
            if (it->endpoint != endpoint) continue;
            ++it->fails;
            if (bad(*it)) {
                b.live.erase(it);
                // The freshest replacement, confirmed ones first, takes the place.
                auto best = std::max_element(b.replacements.begin(), b.replacements.end(),
                                             [](const TableEntry& x, const TableEntry& y) {
                                                 return std::pair(x.confirmed, x.last_seen) < std::pair(y.confirmed, y.last_seen);
                                             });
                if (best != b.replacements.end()) {
                    b.live.push_back(*best);
                    b.replacements.erase(best);
                }
            }
            return;
        }
    }
}

void RoutingTable::queried(const Endpoint& endpoint, TimePoint now) {
    for (auto& b : buckets_)
        for (auto& e : b.live)
            if (e.endpoint == endpoint) e.last_queried = now;
}

bool RoutingTable::good(const TableEntry& e, TimePoint now) const {
    return e.confirmed && e.fails == 0 && now - e.last_seen < limits::node_good_for;
}

std::vector<NodeInfo> RoutingTable::closest(const NodeId& target, std::size_t count) const {
    std::vector<const TableEntry*> all;
    for (const auto& b : buckets_)
        for (const auto& e : b.live)
            if (!bad(e)) all.push_back(&e);
    std::sort(all.begin(), all.end(), [&](const TableEntry* a, const TableEntry* b) { return closer(a->id, b->id, target); });
    std::vector<NodeInfo> out;
    for (const auto* e : all) {
        if (out.size() == count) break;
        out.push_back(NodeInfo{e->id, e->endpoint});
    }
    return out;
}

std::optional<TableEntry> RoutingTable::next_to_ping(TimePoint now) const {
    for (const auto& b : buckets_)
        for (const auto& e : b.live)
            if (!good(e, now) && now - e.last_queried >= std::chrono::minutes(1)) return e;
    return std::nullopt;
}

std::optional<NodeId> RoutingTable::next_refresh(TimePoint now, Rng& rng) {
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        auto& b = buckets_[i];
        if (now - b.last_changed < limits::bucket_refresh) continue;
        b.last_changed = now;
        return random_id_in_bucket(self_, static_cast<int>(i), rng);
    }
    return std::nullopt;
}

std::size_t RoutingTable::size() const {
    std::size_t n = 0;
    for (const auto& b : buckets_) n += b.live.size();
    return n;
}

std::vector<RoutingTable::BucketStats> RoutingTable::stats(TimePoint now) const {
    std::vector<BucketStats> out;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        BucketStats s{static_cast<int>(i)};
        for (const auto& e : buckets_[i].live) (good(e, now) ? s.good : s.questionable)++;
        s.replacements = buckets_[i].replacements.size();
        out.push_back(s);
    }
    return out;
}

std::vector<TableEntry> RoutingTable::entries() const {
    std::vector<TableEntry> out;
    for (const auto& b : buckets_) out.insert(out.end(), b.live.begin(), b.live.end());
    return out;
}

}  // namespace agora::dht
