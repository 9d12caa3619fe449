// The discrete-event core: ordering, cancellation, the clock, and seeded streams.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/seeds.hpp"

namespace agora::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint at_ms(std::int64_t ms) { return TimePoint{} + milliseconds(ms); }

// Records (time, arg) of every event it runs; optionally schedules a follow-up at the same time.
class Recorder final : public EventSink {
public:
    explicit Recorder(EventQueue& q) : queue(q) {}
    void on_event(std::uint32_t kind, std::uint64_t arg, TimePoint now) override {
        ran.push_back({now, arg});
        EXPECT_EQ(queue.now(), now);
        if (kind == 1) queue.schedule_at(now, Event{this, 0, arg + 1000});
    }
    EventQueue& queue;
    std::vector<std::pair<TimePoint, std::uint64_t>> ran;
};

// Proves ties are broken by scheduling order, not by heap internals: 100 events at one instant,
// interleaved with events at other instants, come out in exactly the order they went in.
TEST(EventQueue, SameTimeEventsRunInScheduleOrder) {
    EventQueue q;
    Recorder r(q);
    for (std::uint64_t i = 0; i < 100; ++i) {
        q.schedule_at(at_ms(5), Event{&r, 0, i});
        q.schedule_at(at_ms(static_cast<std::int64_t>(12 - i % 7)), Event{&r, 0, 1000 + i});
    }
    q.run_until(at_ms(5));
    ASSERT_EQ(r.ran.size(), 100u);
    for (std::uint64_t i = 0; i < 100; ++i) EXPECT_EQ(r.ran[i].second, i);
}

// Proves time order wins over scheduling order, and the clock reads each event's time.
TEST(EventQueue, EarlierEventsRunFirst) {
    EventQueue q;
    Recorder r(q);
    q.schedule_at(at_ms(30), Event{&r, 0, 3});
    q.schedule_at(at_ms(10), Event{&r, 0, 1});
    q.schedule_at(at_ms(20), Event{&r, 0, 2});
    EXPECT_EQ(q.next_time(), at_ms(10));
    while (q.run_next()) {
    }
    ASSERT_EQ(r.ran.size(), 3u);
    EXPECT_EQ(r.ran[0], std::make_pair(at_ms(10), std::uint64_t{1}));
    EXPECT_EQ(r.ran[1], std::make_pair(at_ms(20), std::uint64_t{2}));
    EXPECT_EQ(r.ran[2], std::make_pair(at_ms(30), std::uint64_t{3}));
    EXPECT_EQ(q.events_processed(), 3u);
    EXPECT_TRUE(q.empty());
}

// Proves a cancelled event never runs, cancelling twice or after running is refused, and a stale
// handle cannot cancel the event that later reused its slot.
TEST(EventQueue, CancelledEventsNeverRun) {
    EventQueue q;
    Recorder r(q);
    const EventHandle a = q.schedule_at(at_ms(1), Event{&r, 0, 1});
    const EventHandle b = q.schedule_at(at_ms(2), Event{&r, 0, 2});
    EXPECT_TRUE(q.cancel(a));
    EXPECT_FALSE(q.cancel(a));
    EXPECT_FALSE(q.pending(a));
    EXPECT_EQ(q.size(), 1u);
    EXPECT_EQ(q.next_time(), at_ms(2));
    const EventHandle c = q.schedule_at(at_ms(3), Event{&r, 0, 3});  // reuses a's slot
    EXPECT_EQ(c.slot, a.slot);
    EXPECT_FALSE(q.cancel(a));
    EXPECT_TRUE(q.pending(c));
    q.run_until(at_ms(10));
    EXPECT_FALSE(q.cancel(b));
    ASSERT_EQ(r.ran.size(), 2u);
    EXPECT_EQ(r.ran[0].second, 2u);
    EXPECT_EQ(r.ran[1].second, 3u);
    EXPECT_FALSE(q.cancel(EventHandle{}));
}

// Proves many cancellations do not leave the heap growing (it is rebuilt when mostly stale) and
// the survivors still run in order.
TEST(EventQueue, ManyCancellationsKeepOrder) {
    EventQueue q;
    Recorder r(q);
    std::vector<EventHandle> handles;
    for (std::uint64_t i = 0; i < 10000; ++i) handles.push_back(q.schedule_at(at_ms(static_cast<std::int64_t>(i % 50)), Event{&r, 0, i}));
    for (std::uint64_t i = 0; i < 10000; ++i) {
        if (i % 10 != 0) {
            EXPECT_TRUE(q.cancel(handles[i]));
        }
    }
    EXPECT_EQ(q.size(), 1000u);
    q.run_until(at_ms(100));
    ASSERT_EQ(r.ran.size(), 1000u);
    for (std::size_t i = 1; i < r.ran.size(); ++i) {
        const auto& prev = r.ran[i - 1];
        const auto& cur = r.ran[i];
        EXPECT_TRUE(prev.first < cur.first || (prev.first == cur.first && prev.second < cur.second));
    }
}

// Proves run_until runs events at exactly its bound (and ones they schedule at that time), not
// later ones, and leaves the clock at the bound.
TEST(EventQueue, RunUntilStopsAtItsBound) {
    EventQueue q;
    Recorder r(q);
    q.schedule_at(at_ms(100), Event{&r, 1, 1});  // kind 1 schedules arg 1001 at the same time
    q.schedule_at(at_ms(101), Event{&r, 0, 2});
    EXPECT_EQ(q.run_until(at_ms(100)), 2u);
    EXPECT_EQ(q.now(), at_ms(100));
    ASSERT_EQ(r.ran.size(), 2u);
    EXPECT_EQ(r.ran[1].second, 1001u);
    EXPECT_EQ(q.run_until(at_ms(500)), 1u);
    EXPECT_EQ(q.now(), at_ms(500));
    EXPECT_EQ(q.clock().now(), at_ms(500));
    EXPECT_EQ(q.events_processed(), 3u);
    EXPECT_FALSE(q.run_next());
}

// Runs a random mix of schedules (each `delay(rng)` ahead), cancellations (enough to trigger the
// queue's compactions) and runs of up to `step` against an ordered set of what should run.
void expect_order_of_an_ordered_set(const std::function<Duration(Rng&)>& delay, Duration step, std::uint64_t seed) {
    EventQueue q;
    Recorder r(q);
    Rng rng(seed);
    std::set<std::pair<TimePoint, std::uint64_t>> expected;  // (time, arg); arg grows with scheduling order
    std::vector<std::pair<EventHandle, std::pair<TimePoint, std::uint64_t>>> live;
    std::vector<std::pair<TimePoint, std::uint64_t>> wanted;
    std::uint64_t next = 0;
    for (int round = 0; round < 200; ++round) {
        for (std::uint64_t i = rng.below(60); i > 0; --i) {
            const TimePoint at = q.now() + delay(rng);
            live.push_back({q.schedule_at(at, Event{&r, 0, next}), {at, next}});
            expected.insert({at, next++});
        }
        for (std::uint64_t i = rng.below(40); i > 0 && !live.empty(); --i) {
            const std::size_t k = rng.below(live.size());
            if (q.cancel(live[k].first)) expected.erase(live[k].second);
            live[k] = live.back();
            live.pop_back();
        }
        const TimePoint until = q.now() + Duration(static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(step.count()))));
        while (!expected.empty() && expected.begin()->first <= until) {
            wanted.push_back(*expected.begin());
            expected.erase(expected.begin());
        }
        ASSERT_EQ(q.check_invariants(), std::nullopt) << "round " << round;
        q.run_until(until);
        ASSERT_EQ(q.check_invariants(), std::nullopt) << "round " << round;
        ASSERT_EQ(r.ran, wanted) << "round " << round;
        ASSERT_EQ(q.size(), expected.size());
        ASSERT_EQ(q.next_time(), expected.empty() ? std::nullopt : std::optional(expected.begin()->first));
    }
}

// Proves events a few milliseconds apart (many in one bucket of the calendar) run exactly in
// (time, scheduling order).
TEST(EventQueue, RandomScheduleAndCancelMatchesAnOrderedSet) {
    expect_order_of_an_ordered_set([](Rng& rng) { return milliseconds(static_cast<std::int64_t>(rng.below(20))); },
                                   milliseconds(8), 7);
}

// The same for events from microseconds to hours ahead: near the end of the calendar's ring of
// buckets (0.52 s), past it, and around it many times.
TEST(EventQueue, EventsFarApartKeepTheirOrder) {
    const auto delay = [](Rng& rng) -> Duration {
        switch (rng.below(4)) {
            case 0: return Duration(static_cast<std::int64_t>(rng.below(3000)));
            case 1: return milliseconds(static_cast<std::int64_t>(rng.below(10'000)));
            case 2: return milliseconds(static_cast<std::int64_t>(500 + rng.below(60)));
            default: return seconds(static_cast<std::int64_t>(rng.below(7200)));
        }
    };
    for (std::uint64_t seed = 1; seed <= 5; ++seed) expect_order_of_an_ordered_set(delay, seconds(30), seed);
}

// Proves the order holds when the queue restarts its calendar: events scheduled after a later one
// (a world's first invariant check, a second ahead, comes before its nodes' events), ties,
// cancelled events, a far event cancelled before a near one, events that schedule another at
// their own time while they run, and time jumping over an empty queue.
TEST(EventQueue, EventsScheduledBeforeALaterOneKeepTheirOrder) {
    EventQueue q;
    Recorder r(q);
    Rng rng(11);
    // Expected order: (time, 0, arg) for events scheduled here, (time, 1, parent's arg) for the one
    // a kind-1 event schedules at its own time while it runs (after everything scheduled before).
    std::set<std::tuple<TimePoint, int, std::uint64_t>> expected;
    auto add = [&](TimePoint at, std::uint64_t arg, std::uint32_t kind) {
        const auto h = q.schedule_at(at, Event{&r, kind, arg});
        expected.insert({at, 0, arg});
        if (kind == 1) expected.insert({at, 1, arg});
        return h;
    };
    add(at_ms(1000), 0, 0);
    std::vector<EventHandle> handles;
    for (std::uint64_t arg = 1; arg < 300; ++arg) {
        const TimePoint at = arg % 10 == 0 ? at_ms(500) : TimePoint{} + Duration(static_cast<std::int64_t>(rng.below(1'200'000)));
        handles.push_back(add(at, arg, arg % 13 == 0 ? 1 : 0));
    }
    for (std::size_t i = 0; i < handles.size(); i += 7) {
        ASSERT_TRUE(q.cancel(handles[i]));
        for (auto it = expected.begin(); it != expected.end();)
            it = std::get<2>(*it) == i + 1 ? expected.erase(it) : std::next(it);
    }
    ASSERT_EQ(q.check_invariants(), std::nullopt);
    const auto far = q.schedule_at(at_ms(30'000), Event{&r, 0, 900});
    ASSERT_TRUE(q.cancel(far));
    add(at_ms(2), 901, 0);
    ASSERT_EQ(q.check_invariants(), std::nullopt);
    q.run_until(at_ms(60'000));
    ASSERT_EQ(q.check_invariants(), std::nullopt);
    add(at_ms(3'600'000), 902, 0);  // after an empty queue and a jump of time
    add(at_ms(3'600'000) + Duration(1), 903, 1);
    q.run_until(at_ms(4'000'000));
    std::vector<std::pair<TimePoint, std::uint64_t>> wanted;
    for (const auto& [at, phase, arg] : expected) wanted.push_back({at, phase == 0 ? arg : arg + 1000});
    EXPECT_EQ(r.ran, wanted);
    EXPECT_TRUE(q.empty());
}

std::vector<std::uint64_t> draws(std::uint64_t world, Stream s, std::uint64_t index) {
    Rng rng = stream_rng(world, s, index);
    std::vector<std::uint64_t> out;
    for (int i = 0; i < 8; ++i) out.push_back(rng.next());
    return out;
}

// Proves streams replay from their seed and differ across world seeds, node indices and purposes.
TEST(SeedStreams, SameSeedSameStreamOtherwiseDifferent) {
    EXPECT_EQ(draws(42, Stream::network, 7), draws(42, Stream::network, 7));
    EXPECT_NE(draws(42, Stream::network, 7), draws(43, Stream::network, 7));
    EXPECT_NE(draws(42, Stream::network, 7), draws(42, Stream::network, 8));
    EXPECT_NE(draws(42, Stream::network, 7), draws(42, Stream::engine, 7));
    // Neighbouring node indices get unrelated seeds, not seeds one splitmix step apart.
    std::set<std::uint64_t> first_draws;
    for (std::uint64_t i = 0; i < 10000; ++i) first_draws.insert(draws(1, Stream::network, i)[0]);
    EXPECT_EQ(first_draws.size(), 10000u);
}

}  // namespace
}  // namespace agora::sim
