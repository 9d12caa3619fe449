// The simulator's clock: virtual time that only the event queue moves. Cores are handed `now`
// from it exactly as io/ hands them the steady clock (STYLE.md, practice 2), so the same engine
// code runs in both. The simulated epoch is TimePoint{}: a run starts at zero, which makes every
// printed time read as "seconds into the run".
#pragma once

#include "core/assert.hpp"
#include "core/clock.hpp"

namespace agora::sim {

class VirtualClock final : public Clock {
public:
    TimePoint now() const override { return now_; }

    // Time never goes back: an event scheduled in the past would be a bug in the simulator.
    void advance_to(TimePoint t) {
        AGORA_ASSERT(t >= now_);
        now_ = t;
    }

private:
    TimePoint now_{};
};

// Seconds into the run (or of a span), for results and reports.
inline double seconds(Duration d) { return static_cast<double>(d.count()) / 1e6; }
inline double seconds(TimePoint t) { return seconds(t.since_epoch); }

}  // namespace agora::sim
