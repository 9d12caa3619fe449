// A transfer rate over the last few seconds: bytes are added as they move and folded into an
// exponential moving average once a second (the driver's tick), as libtorrent's stat does.
#pragma once

#include <cstdint>

namespace agora::swarm {

class RateMeter {
public:
    void add(std::uint64_t bytes) {
        pending_ += bytes;
        total_ += bytes;
    }
    // Call once per `seconds` interval.
    void tick(double seconds) {
        const double instant = static_cast<double>(pending_) / seconds;
        rate_ = rate_ == 0 ? instant : rate_ * 0.6 + instant * 0.4;
        pending_ = 0;
    }
    double rate() const { return rate_; }
    std::uint64_t total() const { return total_; }

private:
    std::uint64_t pending_ = 0;
    std::uint64_t total_ = 0;
    double rate_ = 0;
};

}  // namespace agora::swarm
