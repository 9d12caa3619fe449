#include "sim/event_queue.hpp"

#include <algorithm>

#include "core/assert.hpp"

namespace agora::sim {

EventHandle EventQueue::schedule_at(TimePoint at, Event event) {
    AGORA_ASSERT(at >= now());
    AGORA_ASSERT(event.sink != nullptr);
    std::uint32_t slot = 0;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        AGORA_ASSERT(slots_.size() < UINT32_MAX);
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    Slot& s = slots_[slot];
    AGORA_ASSERT(!s.live);
    s.event = event;
    s.live = true;
    heap_.push_back(Entry{at, next_seq_++, slot, s.generation});
    sift_up(heap_.size() - 1);
    ++live_;
    return EventHandle{slot, s.generation};
}

bool EventQueue::pending(EventHandle handle) const {
    return handle.valid() && handle.slot < slots_.size() && slots_[handle.slot].live &&
           slots_[handle.slot].generation == handle.generation;
}

bool EventQueue::cancel(EventHandle handle) {
    if (!pending(handle)) return false;
    release(handle.slot);
    drop_stale_top();
    compact_if_mostly_stale();
    return true;
}

void EventQueue::release(std::uint32_t slot) {
    Slot& s = slots_[slot];
    s.live = false;
    // Generation 0 is reserved for "no handle"; skip it when the counter wraps.
    if (++s.generation == 0) s.generation = 1;
    free_slots_.push_back(slot);
    --live_;
}

// Keeps the invariant that the heap's top, if any, is a live event, so next_time() can be const.
void EventQueue::drop_stale_top() {
    while (!heap_.empty() && stale(heap_.front())) pop_top();
}

void EventQueue::compact_if_mostly_stale() {
    if (heap_.size() < 64 || heap_.size() <= 2 * live_) return;
    std::erase_if(heap_, [this](const Entry& e) { return stale(e); });
    for (std::size_t i = heap_.size() / arity + 1; i-- > 0;) sift_down(i);
}

void EventQueue::sift_up(std::size_t i) {
    const Entry e = heap_[i];
    while (i > 0) {
        const std::size_t parent = (i - 1) / arity;
        if (!before(e, heap_[parent])) break;
        heap_[i] = heap_[parent];
        i = parent;
    }
    heap_[i] = e;
}

void EventQueue::sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    if (i >= n) return;
    const Entry e = heap_[i];
    for (;;) {
        const std::size_t first = arity * i + 1;
        if (first >= n) break;
        std::size_t best = first;
        const std::size_t end = std::min(first + arity, n);
        for (std::size_t c = first + 1; c < end; ++c)
            if (before(heap_[c], heap_[best])) best = c;
        if (!before(heap_[best], e)) break;
        heap_[i] = heap_[best];
        i = best;
    }
    heap_[i] = e;
}

void EventQueue::pop_top() {
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
}

std::optional<TimePoint> EventQueue::next_time() const {
    if (heap_.empty()) return std::nullopt;
    return heap_.front().at;
}

bool EventQueue::run_next() {
    if (heap_.empty()) return false;
    const Entry top = heap_.front();
    AGORA_ASSERT(!stale(top));
    pop_top();
    const Event event = slots_[top.slot].event;
    // Free the slot before running: the event may schedule others, which may reuse it.
    release(top.slot);
    drop_stale_top();
    clock_.advance_to(top.at);
    ++processed_;
    event.sink->on_event(event.kind, event.arg, top.at);
    return true;
}

std::uint64_t EventQueue::run_until(TimePoint until) {
    AGORA_ASSERT(until >= now());
    std::uint64_t ran = 0;
    while (!heap_.empty() && heap_.front().at <= until) {
        run_next();
        ++ran;
    }
    clock_.advance_to(until);
    return ran;
}

}  // namespace agora::sim
