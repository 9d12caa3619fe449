// Time as an input. Cores never read a clock; they are handed `now` (a TimePoint) by their
// driver: io/ reads the steady clock, sim/ advances a virtual one (STYLE.md, practice 2).
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>

namespace agora {

using Duration = std::chrono::microseconds;

// Microseconds since an arbitrary, driver-chosen epoch. Strong type: no implicit conversion from
// an integer or from a std::chrono clock.
struct TimePoint {
    Duration since_epoch{0};
    constexpr auto operator<=>(const TimePoint&) const = default;
    constexpr TimePoint operator+(Duration d) const { return TimePoint{since_epoch + d}; }
    constexpr Duration operator-(TimePoint o) const { return since_epoch - o.since_epoch; }
    static constexpr TimePoint max() { return TimePoint{Duration::max()}; }
};

// What a driver implements to hand out `now`. io/ wraps std::chrono::steady_clock; sim/ a counter.
class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

}  // namespace agora
