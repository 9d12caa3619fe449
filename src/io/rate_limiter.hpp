// A token bucket for one direction of traffic (all connections together). Bytes that moved are
// charged after the fact; while the bucket is in debt, the driver waits before the next read or
// write. Burst: one second's worth, so short pauses do not waste capacity.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace agora::io {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    // 0 means unlimited.
    explicit RateLimiter(std::uint64_t bytes_per_second = 0) : rate_(bytes_per_second) {}

    bool limited() const { return rate_ > 0; }
    // A new rate from now on; the debt or credit so far is dropped.
    void set_rate(std::uint64_t bytes_per_second) {
        rate_ = bytes_per_second;
        tokens_ = 0;
        last_ = Clock::time_point{};
    }
    void charge(std::uint64_t bytes, Clock::time_point now) {
        if (!limited()) return;
        refill(now);
        tokens_ -= static_cast<double>(bytes);
    }
    // How long to wait before moving more bytes (zero when there is credit).
    Clock::duration delay(Clock::time_point now) {
        if (!limited()) return Clock::duration::zero();
        refill(now);
        if (tokens_ > 0) return Clock::duration::zero();
        const double seconds = -tokens_ / static_cast<double>(rate_) + 0.001;
        return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    }

private:
    void refill(Clock::time_point now) {
        if (last_ == Clock::time_point{}) last_ = now;
        const double elapsed = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        tokens_ = std::min(static_cast<double>(rate_), tokens_ + elapsed * static_cast<double>(rate_));
    }
    std::uint64_t rate_;
    double tokens_ = 0;
    Clock::time_point last_{};
};

}  // namespace agora::io
