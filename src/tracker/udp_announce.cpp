#include "tracker/udp_announce.hpp"

#include <algorithm>

namespace agora::tracker {

UdpAnnounce::UdpAnnounce(AnnounceRequest request, std::uint32_t transaction_ids, bool ipv6, TimePoint now, int attempts)
    : request_(std::move(request)), next_id_(transaction_ids), ipv6_(ipv6),
      attempts_max_(std::clamp(attempts, 1, udp_attempts_max + 1)) {
    send_step(now);
}

void UdpAnnounce::send_step(TimePoint now) {
    // A new transaction id per datagram (a cheap LCG step of the seed): a late reply to an
    // earlier attempt cannot be mistaken for this one.
    next_id_ = next_id_ * 1664525u + 1013904223u;
    transaction_ = next_id_;
    pending_ = step_ == Step::connect ? encode_connect(transaction_) : encode_announce(connection_id_, transaction_, request_);
    deadline_ = now + udp_timeout(attempt_);
}

std::optional<Bytes> UdpAnnounce::poll_send() {
    auto out = std::move(pending_);
    pending_.reset();
    return out;
}

void UdpAnnounce::handle_timeout(TimePoint now) {
    if (done() || now < deadline_) return;
    if (++attempt_ >= attempts_max_) {
        result_ = make_error(Error::Kind::io, "timed out (no reply from the UDP tracker)");
        return;
    }
    send_step(now);
}

void UdpAnnounce::handle_datagram(BytesView datagram, TimePoint now) {
    if (done()) return;
    auto reply = decode_udp_reply(datagram, ipv6_);
    if (!reply) return;  // garbage or not ours: keep waiting (the deadline still applies)
    std::visit(
        [&](const auto& r) {
            using T = std::decay_t<decltype(r)>;
            if (r.transaction_id != transaction_) return;
            if constexpr (std::is_same_v<T, UdpConnectReply>) {
                if (step_ != Step::connect) return;
                connection_id_ = r.connection_id;
                step_ = Step::announce;
                attempt_ = 0;
                send_step(now);
            } else if constexpr (std::is_same_v<T, UdpAnnounceReply>) {
                if (step_ != Step::announce) return;
                AnnounceResponse response;
                response.interval = r.interval;
                response.complete = r.seeders;
                response.incomplete = r.leechers;
                response.peers = r.peers;
                result_ = response;
            } else if constexpr (std::is_same_v<T, UdpErrorReply>) {
                AnnounceResponse response;
                response.failure_reason = r.message;
                result_ = response;
            }
        },
        *reply);
}

}  // namespace agora::tracker
