#include "sim/fair_share.hpp"

#include <algorithm>

#include "core/assert.hpp"

namespace agora::sim {

namespace {

// Min-heap on (level, resource): ties break by resource index so the order of freezing, and
// hence every rounding, is the same on every run.
bool higher(double la, std::uint32_t ra, double lb, std::uint32_t rb) {
    return la != lb ? la > lb : ra > rb;
}

}  // namespace

void FairShareSolver::push(std::uint32_t r) {
    heap_.push_back(Level{remaining_[r] / unfrozen_[r], r, version_[r]});
    std::push_heap(heap_.begin(), heap_.end(), [](const Level& a, const Level& b) {
        return higher(a.level, a.resource, b.level, b.resource);
    });
}

void FairShareSolver::solve(std::span<const double> capacity, std::span<const FairShareFlow> flows,
                            std::span<double> rates) {
    AGORA_ASSERT(rates.size() == flows.size());
    const std::size_t resource_count = capacity.size();
    remaining_.assign(capacity.begin(), capacity.end());
    unfrozen_.assign(resource_count, 0);
    version_.assign(resource_count, 0);
    frozen_.assign(flows.size(), 0);
    heap_.clear();

    // A flow whose two resources are the same one counts once on it.
    for (const FairShareFlow& f : flows) {
        AGORA_ASSERT(f.first < resource_count && f.second < resource_count);
        ++unfrozen_[f.first];
        if (f.second != f.first) ++unfrozen_[f.second];
    }
    row_.assign(resource_count + 1, 0);
    for (std::size_t r = 0; r < resource_count; ++r) row_[r + 1] = row_[r] + unfrozen_[r];
    by_resource_.resize(row_[resource_count]);
    cursor_.assign(resource_count, 0);
    for (std::size_t i = 0; i < flows.size(); ++i) {
        const auto f = static_cast<std::uint32_t>(i);
        by_resource_[row_[flows[i].first] + cursor_[flows[i].first]++] = f;
        if (flows[i].second != flows[i].first) by_resource_[row_[flows[i].second] + cursor_[flows[i].second]++] = f;
    }

    for (std::size_t r = 0; r < resource_count; ++r) {
        AGORA_ASSERT(capacity[r] > 0);
        if (unfrozen_[r] > 0) push(static_cast<std::uint32_t>(r));
    }
    // A capped flow is an entry of its own, numbered after the resources.
    const auto cmp = [](const Level& a, const Level& b) { return higher(a.level, a.resource, b.level, b.resource); };
    for (std::size_t i = 0; i < flows.size(); ++i) {
        if (flows[i].cap == std::numeric_limits<double>::infinity()) continue;
        AGORA_ASSERT(flows[i].cap > 0);
        heap_.push_back(Level{flows[i].cap, static_cast<std::uint32_t>(resource_count + i), 0});
        std::push_heap(heap_.begin(), heap_.end(), cmp);
    }

    auto freeze = [&](std::uint32_t f, double level, std::uint32_t except) {
        frozen_[f] = 1;
        rates[f] = level;
        for (const std::uint32_t s : {flows[f].first, flows[f].second}) {
            if (s == except) continue;
            // Rounding may leave a hair below zero; the resource is then simply full.
            remaining_[s] = std::max(0.0, remaining_[s] - level);
            --unfrozen_[s];
            ++version_[s];
            if (unfrozen_[s] > 0) push(s);
            if (flows[f].second == flows[f].first) break;  // one resource, counted once
        }
    };
    while (!heap_.empty()) {
        std::pop_heap(heap_.begin(), heap_.end(), cmp);
        const Level top = heap_.back();
        heap_.pop_back();
        if (top.resource >= resource_count) {
            // A flow reached its own cap before any resource it crosses filled.
            const auto f = static_cast<std::uint32_t>(top.resource - resource_count);
            if (!frozen_[f]) freeze(f, top.level, UINT32_MAX);
            continue;
        }
        const std::uint32_t r = top.resource;
        if (top.version != version_[r] || unfrozen_[r] == 0) continue;
        // Resource r fills at this level: every flow still rising through it stops here.
        for (std::uint32_t k = row_[r]; k < row_[r + 1]; ++k) {
            const std::uint32_t f = by_resource_[k];
            if (frozen_[f]) continue;
            freeze(f, top.level, r);
        }
        unfrozen_[r] = 0;
    }
    for (std::size_t f = 0; f < flows.size(); ++f) AGORA_ASSERT(frozen_[f]);
}

}  // namespace agora::sim
