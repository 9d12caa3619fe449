// The discrete-event core: a virtual clock and a queue of events ordered by (time, sequence).
//
// Why the sequence number: many events fall on the same microsecond (a burst of datagrams, a
// recomputation and the completions it causes). Running them in the order they were scheduled
// makes a run a pure function of its seed; a heap ordered by time alone would break ties by
// whatever the heap's internals did, and two runs of one seed could differ.
//
// Why events are plain data (sink, kind, arg) and not closures: STYLE.md practice 3. An event can
// be printed when a run goes wrong, it costs no allocation, and the payload it refers to (a
// datagram's bytes, a stream) lives in the sink's own tables, sized by what is in flight. A sink is
// a part of the world (the network, later the engine driver) that owns a numbering of its kinds.
//
// Cancellation is by handle. A cancelled event leaves a stale entry behind (removing from the middle
// of a heap is not cheap); the slot's generation tells stale from live, and stale entries are
// dropped when they come up or, when they outnumber live ones, all at once, so memory stays
// proportional to live events even when flows reschedule their completion on every rate change.
//
// Why a calendar and not one heap: with thousands of nodes, hundreds of thousands of events are
// pending, and every pop from one heap of them walked ten levels of cold memory (sift_down was a
// tenth of the time in a profile of the 10,000-leecher flash crowd).
// Pending events are kept by how far ahead they are, in buckets of about a millisecond:
//   - `current_`, a heap of the events in buckets up to `cursor_`: about a millisecond of them,
//     small enough to stay in the processor's cache;
//   - `ring_`, one unsorted vector per bucket for the next half second (most events: a message one
//     latency away, most chunks' transmissions), appended to at no cost;
//   - `far_`, a heap of the rest (one-second timers, slow chunks, tracker intervals: about 6% of
//     the flash crowd's events).
// When `current_` empties, the next non-empty bucket becomes current (and `far_`'s events of that
// bucket join it). Every event in `ring_` or `far_` lies in a later bucket than any in `current_`,
// and `current_` is ordered by (time, sequence), so events run in exactly the order one heap of
// everything would run them: the order, and with it every run's output, does not depend on this.
// A ring much longer than half a second would not be faster, only larger: each bucket keeps the
// memory of its recent load.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "sim/clock.hpp"

namespace agora::sim {

class EventSink;

struct Event {
    EventSink* sink = nullptr;  // who runs it; never used as a key, only called
    std::uint32_t kind = 0;     // the sink's own enumeration
    std::uint64_t arg = 0;      // the sink's own payload reference (an index, a packed id)
};

class EventSink {
public:
    virtual void on_event(std::uint32_t kind, std::uint64_t arg, TimePoint now) = 0;

protected:
    ~EventSink() = default;  // sinks are not owned through this interface
};

// Names one scheduled event. Generation 0 is never issued, so a default handle is "none".
struct EventHandle {
    std::uint32_t slot = 0;
    std::uint32_t generation = 0;
    bool valid() const { return generation != 0; }
};

class EventQueue {
public:
    EventQueue();
    EventHandle schedule_at(TimePoint at, Event event);
    EventHandle schedule_after(Duration delay, Event event) { return schedule_at(now() + delay, event); }
    // True when the event was still pending and now never runs; false for an event that already
    // ran, was cancelled, or a default handle.
    bool cancel(EventHandle handle);
    bool pending(EventHandle handle) const;

    // Runs the earliest event (advancing the clock to its time). False when nothing is pending.
    bool run_next();
    // Runs every event due at or before `until`, including those scheduled while running, then
    // leaves the clock at `until`. Returns how many ran.
    std::uint64_t run_until(TimePoint until);

    bool empty() const { return live_ == 0; }
    std::size_t size() const { return live_; }
    std::optional<TimePoint> next_time() const;
    TimePoint now() const { return clock_.now(); }
    const Clock& clock() const { return clock_; }
    std::uint64_t events_processed() const { return processed_; }
    // What is wrong with the queue's bookkeeping, if anything: each pending event filed once, in
    // the part and bucket its time says, not before the clock; the heaps ordered; the ring's count
    // and bits true; every slot live or free, never both. Linear in the entries and slots held;
    // the world runs it with its other periodic checks.
    std::optional<std::string> check_invariants() const;

private:
    struct Entry {
        TimePoint at;
        std::uint64_t seq;
        std::uint32_t slot;
        std::uint32_t generation;
    };
    struct Slot {
        Event event;
        std::uint32_t generation = 1;  // bumped when the event runs or is cancelled
        bool live = false;
    };
    static constexpr int bucket_shift = 10;             // a bucket spans 1,024 us
    static constexpr std::size_t ring_buckets = 512;    // so the ring spans 0.52 s
    static std::int64_t bucket_of(TimePoint t) { return t.since_epoch.count() >> bucket_shift; }
    bool stale(const Entry& e) const { return slots_[e.slot].generation != e.generation; }
    void place(const Entry& e);
    void file(const Entry& e);  // into current_, the ring or far_ by its bucket
    static constexpr std::size_t rewind_max = 64;
    void release(std::uint32_t slot);
    // Restores the invariant that current_'s top is the earliest live event, and that current_ is
    // empty only when no event is pending, so next_time() can be const and cheap.
    void settle();
    std::size_t next_occupied(std::size_t from) const;  // distance to the next non-empty ring bucket
    void clear_ring_bucket(std::size_t b);
    void compact_if_mostly_stale();

    std::vector<Entry> current_;                 // 4-ary heap; buckets <= cursor_
    std::vector<std::vector<Entry>> ring_;       // bucket n (cursor_ < n < cursor_ + ring_buckets) at n % ring_buckets
    std::vector<std::uint64_t> ring_occupied_;   // a bit per ring bucket: non-empty
    std::size_t in_ring_ = 0;
    std::vector<Entry> far_;                     // 4-ary heap; buckets >= cursor_ + ring_buckets when placed
    std::int64_t cursor_ = 0;
    VirtualClock clock_;
    std::vector<Slot> slots_;
    std::vector<std::uint32_t> free_slots_;
    std::uint64_t next_seq_ = 0;
    std::size_t live_ = 0;
    std::uint64_t processed_ = 0;
};

}  // namespace agora::sim
