#include "sim/event_queue.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <string>

#include "core/assert.hpp"

namespace agora::sim {

namespace {

// 4-ary heaps of entries ordered by (time, sequence): half the levels of a binary heap, and a
// node's children share a cache line or two. Keys are unique, so the order in which entries leave
// does not depend on the heap's shape.
constexpr std::size_t arity = 4;

template <class Entry>
bool before(const Entry& a, const Entry& b) {
    return a.at != b.at ? a.at < b.at : a.seq < b.seq;
}

template <class Entry>
void sift_up(std::vector<Entry>& heap, std::size_t i) {
    const Entry e = heap[i];
    while (i > 0) {
        const std::size_t parent = (i - 1) / arity;
        if (!before(e, heap[parent])) break;
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = e;
}

template <class Entry>
void sift_down(std::vector<Entry>& heap, std::size_t i) {
    const std::size_t n = heap.size();
    if (i >= n) return;
    const Entry e = heap[i];
    for (;;) {
        const std::size_t first = arity * i + 1;
        if (first >= n) break;
        std::size_t best = first;
        const std::size_t end = std::min(first + arity, n);
        for (std::size_t c = first + 1; c < end; ++c)
            if (before(heap[c], heap[best])) best = c;
        if (!before(heap[best], e)) break;
        heap[i] = heap[best];
        i = best;
    }
    heap[i] = e;
}

template <class Entry>
void push_heap(std::vector<Entry>& heap, const Entry& e) {
    heap.push_back(e);
    sift_up(heap, heap.size() - 1);
}

template <class Entry>
void pop_heap(std::vector<Entry>& heap) {
    heap.front() = heap.back();
    heap.pop_back();
    if (!heap.empty()) sift_down(heap, 0);
}

template <class Entry>
void make_heap(std::vector<Entry>& heap) {
    for (std::size_t i = heap.size() / arity + 1; i-- > 0;) sift_down(heap, i);
}

}  // namespace

EventQueue::EventQueue() : ring_(ring_buckets), ring_occupied_(ring_buckets / 64) {}

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
    place(Entry{at, next_seq_++, slot, s.generation});
    ++live_;
    return EventHandle{slot, s.generation};
}

void EventQueue::place(const Entry& e) {
    const std::int64_t bucket = bucket_of(e.at);
    if (current_.empty()) {
        // Nothing is pending (settle() keeps current_ non-empty otherwise, and emptied the ring and
        // far_ when it was not): the calendar starts again from this event's bucket.
        cursor_ = bucket;
        current_.push_back(e);
        return;
    }
    if (bucket < cursor_ && in_ring_ == 0 && current_.size() <= rewind_max) {
        // A few events wait, later than this one, and nothing in the ring: a world's first
        // invariant check, a second ahead, scheduled before its nodes start. The calendar starts
        // again from this bucket, so the busy second before it is not one heap of everything.
        // (far_ holds buckets after the old cursor, so after the new one too.)
        std::vector<Entry> held;
        held.swap(current_);
        cursor_ = bucket;
        file(e);
        for (const Entry& h : held)
            if (!stale(h)) file(h);  // a stale one could otherwise come to current_'s top
        return;
    }
    file(e);
}

void EventQueue::file(const Entry& e) {
    const std::int64_t bucket = bucket_of(e.at);
    if (bucket <= cursor_) {
        push_heap(current_, e);
    } else if (bucket - cursor_ < static_cast<std::int64_t>(ring_buckets)) {
        const auto b = static_cast<std::size_t>(bucket) & (ring_buckets - 1);
        ring_[b].push_back(e);
        ring_occupied_[b / 64] |= std::uint64_t{1} << (b % 64);
        ++in_ring_;
    } else {
        push_heap(far_, e);
    }
}

bool EventQueue::pending(EventHandle handle) const {
    return handle.valid() && handle.slot < slots_.size() && slots_[handle.slot].live &&
           slots_[handle.slot].generation == handle.generation;
}

bool EventQueue::cancel(EventHandle handle) {
    if (!pending(handle)) return false;
    release(handle.slot);
    settle();
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

std::size_t EventQueue::next_occupied(std::size_t from) const {
    constexpr std::size_t words = ring_buckets / 64;
    for (std::size_t k = 0; k <= words; ++k) {
        const std::size_t w = (from / 64 + k) % words;
        std::uint64_t bits = ring_occupied_[w];
        if (k == 0) bits &= ~std::uint64_t{0} << (from % 64);
        if (bits != 0) return (w * 64 + static_cast<std::size_t>(std::countr_zero(bits)) - from) & (ring_buckets - 1);
    }
    AGORA_ASSERT(false);  // called only while the ring holds entries
    return 0;
}

void EventQueue::clear_ring_bucket(std::size_t b) {
    in_ring_ -= ring_[b].size();
    ring_[b].clear();  // keeps its memory for the bucket's next turn
    ring_occupied_[b / 64] &= ~(std::uint64_t{1} << (b % 64));
}

void EventQueue::settle() {
    for (;;) {
        while (!current_.empty() && stale(current_.front())) pop_heap(current_);
        if (!current_.empty()) return;
        if (live_ == 0) {
            // Only stale entries are left: drop them, so the buckets start from an empty ring.
            for (std::size_t b = 0; b < ring_buckets; ++b)
                if (!ring_[b].empty()) clear_ring_bucket(b);
            far_.clear();
            return;
        }
        // The next bucket with anything in it becomes current, with far_'s events of that bucket.
        AGORA_ASSERT(in_ring_ > 0 || !far_.empty());
        std::int64_t next = std::numeric_limits<std::int64_t>::max();
        if (in_ring_ > 0) {
            const auto from = static_cast<std::size_t>(cursor_ + 1) & (ring_buckets - 1);
            next = cursor_ + 1 + static_cast<std::int64_t>(next_occupied(from));
        }
        const bool from_ring = far_.empty() || next <= bucket_of(far_.front().at);
        if (!from_ring) next = bucket_of(far_.front().at);
        cursor_ = next;
        if (from_ring) {
            const auto b = static_cast<std::size_t>(cursor_) & (ring_buckets - 1);
            // Copied rather than swapped, so each bucket keeps memory for its own load (not the
            // largest any bucket ever had), and lets it go when the load fell (after the burst of
            // a world's first seconds).
            std::vector<Entry>& bucket = ring_[b];
            current_.assign(bucket.begin(), bucket.end());
            if (bucket.capacity() > 4 * bucket.size() + 64) bucket.shrink_to_fit();  // to this turn's load
            clear_ring_bucket(b);
        }
        while (!far_.empty() && bucket_of(far_.front().at) <= cursor_) {
            current_.push_back(far_.front());
            pop_heap(far_);
        }
        make_heap(current_);
    }
}

void EventQueue::compact_if_mostly_stale() {
    const std::size_t total = current_.size() + in_ring_ + far_.size();
    if (total < 64 || total <= 2 * live_) return;
    const auto is_stale = [this](const Entry& e) { return stale(e); };
    std::erase_if(current_, is_stale);
    make_heap(current_);
    std::erase_if(far_, is_stale);
    make_heap(far_);
    for (std::size_t b = 0; b < ring_buckets; ++b) {
        if (ring_[b].empty()) continue;
        in_ring_ -= std::erase_if(ring_[b], is_stale);
        if (ring_[b].empty()) clear_ring_bucket(b);  // only its bit is left to clear
    }
    settle();
}

std::optional<std::string> EventQueue::check_invariants() const {
    const auto at = [](const Entry& e) { return std::to_string(e.at.since_epoch.count()) + " us"; };
    std::vector<bool> filed(slots_.size());  // the live slots an entry was found for
    const auto count = [&](const Entry& e) -> std::optional<std::string> {
        if (e.slot >= slots_.size()) return "an entry names slot " + std::to_string(e.slot) + ", past the slots";
        if (e.seq >= next_seq_) return "an entry has a sequence number not yet issued";
        if (stale(e)) return std::nullopt;
        if (!slots_[e.slot].live) return "an entry of a free slot is not stale";
        if (filed[e.slot]) return "slot " + std::to_string(e.slot) + " is filed twice";
        filed[e.slot] = true;
        if (e.at < now()) return "an event at " + at(e) + " is pending before the clock";
        return std::nullopt;
    };
    const auto heap_ordered = [](const std::vector<Entry>& heap) {
        for (std::size_t i = 1; i < heap.size(); ++i)
            if (before(heap[i], heap[(i - 1) / arity])) return false;
        return true;
    };
    if (!heap_ordered(current_)) return "the current bucket's heap is out of order";
    if (!heap_ordered(far_)) return "the far heap is out of order";
    for (const Entry& e : current_) {
        if (bucket_of(e.at) > cursor_) return "an event at " + at(e) + " is in the current bucket early";
        if (auto broken = count(e)) return broken;
    }
    if (current_.empty() != (live_ == 0)) return "the current bucket is empty while events are pending, or the reverse";
    if (!current_.empty() && stale(current_.front())) return "a cancelled event is at the top";
    std::size_t in_ring = 0;
    for (std::size_t b = 0; b < ring_buckets; ++b) {
        const bool bit = (ring_occupied_[b / 64] >> (b % 64)) & 1;
        if (bit == ring_[b].empty()) return "ring bucket " + std::to_string(b) + "'s occupancy bit is wrong";
        in_ring += ring_[b].size();
        for (const Entry& e : ring_[b]) {
            const std::int64_t bucket = bucket_of(e.at);
            if (bucket <= cursor_ || bucket - cursor_ >= static_cast<std::int64_t>(ring_buckets) ||
                (static_cast<std::size_t>(bucket) & (ring_buckets - 1)) != b)
                return "an event at " + at(e) + " is in ring bucket " + std::to_string(b);
            if (auto broken = count(e)) return broken;
        }
    }
    if (in_ring != in_ring_)
        return "the ring holds " + std::to_string(in_ring) + " entries, counted " + std::to_string(in_ring_);
    for (const Entry& e : far_) {
        if (bucket_of(e.at) <= cursor_) return "an event at " + at(e) + " is still in the far heap";
        if (auto broken = count(e)) return broken;
    }
    // Every slot is live and filed once, or free and listed once among the free ones.
    std::vector<bool> listed_free(slots_.size());
    for (const std::uint32_t f : free_slots_) {
        if (f >= slots_.size() || listed_free[f] || slots_[f].live)
            return "free slot " + std::to_string(f) + " is not free, or listed twice";
        listed_free[f] = true;
    }
    std::size_t live = 0;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (slots_[i].live != filed[i]) return "slot " + std::to_string(i) + " is live without an entry, or the reverse";
        if (slots_[i].live == listed_free[i]) return "slot " + std::to_string(i) + " is neither live nor free, or both";
        live += slots_[i].live ? 1 : 0;
    }
    if (live != live_) return std::to_string(live) + " live slots for " + std::to_string(live_) + " pending events";
    return std::nullopt;
}

std::optional<TimePoint> EventQueue::next_time() const {
    if (current_.empty()) return std::nullopt;
    return current_.front().at;
}

bool EventQueue::run_next() {
    if (current_.empty()) return false;
    const Entry top = current_.front();
    AGORA_ASSERT(!stale(top));
    pop_heap(current_);
    const Event event = slots_[top.slot].event;
    // Free the slot before running: the event may schedule others, which may reuse it.
    release(top.slot);
    settle();
    clock_.advance_to(top.at);
    ++processed_;
    event.sink->on_event(event.kind, event.arg, top.at);
    return true;
}

std::uint64_t EventQueue::run_until(TimePoint until) {
    AGORA_ASSERT(until >= now());
    std::uint64_t ran = 0;
    while (!current_.empty() && current_.front().at <= until) {
        run_next();
        ++ran;
    }
    clock_.advance_to(until);
    return ran;
}

}  // namespace agora::sim
