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
// Cancellation is by handle. A cancelled event leaves a stale entry in the heap (removing from the
// middle of a heap is not cheap); the slot's generation tells stale from live, and the heap
// is rebuilt when stale entries outnumber live ones, so memory stays proportional to live events
// even when flows reschedule their completion on every rate change.
#pragma once

#include <cstdint>
#include <optional>
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
    // Which of two entries runs first: the earlier, or of one time the one scheduled first.
    static bool before(const Entry& a, const Entry& b) { return a.at != b.at ? a.at < b.at : a.seq < b.seq; }
    // The heap is 4-ary, not binary: half the levels, and a node's children share a cache line or
    // two, which matters when millions of events are pending. (Keys are unique, so the order in
    // which events run does not depend on the heap's shape.)
    static constexpr std::size_t arity = 4;
    void sift_up(std::size_t i);
    void sift_down(std::size_t i);
    void pop_top();
    bool stale(const Entry& e) const { return slots_[e.slot].generation != e.generation; }
    void release(std::uint32_t slot);
    void drop_stale_top();
    void compact_if_mostly_stale();

    VirtualClock clock_;
    std::vector<Entry> heap_;
    std::vector<Slot> slots_;
    std::vector<std::uint32_t> free_slots_;
    std::uint64_t next_seq_ = 0;
    std::size_t live_ = 0;
    std::uint64_t processed_ = 0;
};

}  // namespace agora::sim
