// One announce to a UDP tracker (BEP 15) as a sans-I/O state machine: connect, then announce,
// each step resent on BEP 15's schedule (15 s, 30 s, 60 s, ...) up to a number of attempts, and
// a transaction id checked on every reply. The driver sends what poll_send() returns, feeds
// every datagram from the tracker to handle_datagram(), and calls handle_timeout() at
// next_deadline().
#pragma once

#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "tracker/http.hpp"
#include "tracker/udp.hpp"

namespace agora::tracker {

class UdpAnnounce {
public:
    // `transaction_ids` seeds the ids (the driver passes random bits); `attempts` per step.
    UdpAnnounce(AnnounceRequest request, std::uint32_t transaction_ids, bool ipv6, TimePoint now, int attempts = 3);

    std::optional<Bytes> poll_send();
    void handle_datagram(BytesView datagram, TimePoint now);
    void handle_timeout(TimePoint now);
    TimePoint next_deadline() const { return done() ? TimePoint::max() : deadline_; }

    bool done() const { return result_.has_value(); }
    const Result<AnnounceResponse>& result() const { return *result_; }

private:
    enum class Step { connect, announce };
    void send_step(TimePoint now);

    AnnounceRequest request_;
    std::uint32_t next_id_;
    bool ipv6_;
    int attempts_max_;
    int attempt_ = 0;
    Step step_ = Step::connect;
    std::uint32_t transaction_ = 0;
    std::uint64_t connection_id_ = 0;
    TimePoint deadline_;
    std::optional<Bytes> pending_;
    std::optional<Result<AnnounceResponse>> result_;
};

}  // namespace agora::tracker
