// tracker/udp_announce: the BEP 15 exchange as a state machine, on virtual time.
#include <gtest/gtest.h>

#include "tracker/udp_announce.hpp"

using namespace agora;
using namespace agora::tracker;

namespace {

std::uint32_t tid(const Bytes& datagram) { return read_be32(datagram, 12); }

Bytes connect_reply(std::uint32_t transaction, std::uint64_t connection) {
    Bytes out;
    append_be32(out, 0);
    append_be32(out, transaction);
    append_be32(out, static_cast<std::uint32_t>(connection >> 32));
    append_be32(out, static_cast<std::uint32_t>(connection));
    return out;
}

Bytes announce_reply(std::uint32_t transaction) {
    Bytes out;
    for (std::uint32_t v : {1u, transaction, 900u, 3u, 4u}) append_be32(out, v);
    out += std::string("\x7f\x00\x00\x01\x1a\xe1", 6);  // 127.0.0.1:6881
    return out;
}

// Connect, then announce with the connection id, then a reply with peers ends it.
TEST(UdpAnnounce, ConnectThenAnnounce) {
    AnnounceRequest request;
    request.port = 6881;
    UdpAnnounce a(request, 42, false, TimePoint{});
    auto connect = a.poll_send();
    ASSERT_TRUE(connect.has_value());
    ASSERT_EQ(connect->size(), 16u);
    EXPECT_FALSE(a.poll_send().has_value());  // nothing more until a reply or a timeout
    a.handle_datagram(connect_reply(tid(*connect) + 1, 7), TimePoint{});  // wrong transaction: ignored
    EXPECT_FALSE(a.poll_send().has_value());
    a.handle_datagram(connect_reply(tid(*connect), 0x1122334455667788ull), TimePoint{});
    auto ann = a.poll_send();
    ASSERT_TRUE(ann.has_value());
    ASSERT_EQ(ann->size(), 98u);
    EXPECT_EQ(read_be32(*ann, 0), 0x11223344u);  // the connection id leads the announce
    a.handle_datagram(announce_reply(tid(*ann)), TimePoint{});
    ASSERT_TRUE(a.done());
    ASSERT_TRUE(a.result().ok());
    EXPECT_EQ(a.result()->interval, 900u);
    ASSERT_EQ(a.result()->peers.size(), 1u);
    EXPECT_EQ(a.result()->peers[0].port, 6881);
}

// No reply: resent after 15 s, then 30 s, then it gives up with a time-out error.
TEST(UdpAnnounce, RetriesOnBep15ScheduleThenTimesOut) {
    UdpAnnounce a(AnnounceRequest{}, 1, false, TimePoint{}, 3);
    ASSERT_TRUE(a.poll_send().has_value());
    EXPECT_EQ(a.next_deadline(), TimePoint{} + std::chrono::seconds(15));
    a.handle_timeout(TimePoint{} + std::chrono::seconds(14));
    EXPECT_FALSE(a.poll_send().has_value());  // early: nothing
    a.handle_timeout(TimePoint{} + std::chrono::seconds(15));
    ASSERT_TRUE(a.poll_send().has_value());
    EXPECT_EQ(a.next_deadline(), TimePoint{} + std::chrono::seconds(45));
    a.handle_timeout(TimePoint{} + std::chrono::seconds(45));
    ASSERT_TRUE(a.poll_send().has_value());
    a.handle_timeout(TimePoint{} + std::chrono::seconds(105));
    ASSERT_TRUE(a.done());
    EXPECT_FALSE(a.result().ok());
    EXPECT_NE(a.result().error().message.find("timed out"), std::string::npos);
}

// An error reply ends the announce with the tracker's message as a failure reason.
TEST(UdpAnnounce, ErrorReplyIsAFailureReason) {
    UdpAnnounce a(AnnounceRequest{}, 9, false, TimePoint{});
    auto connect = a.poll_send();
    Bytes error;
    append_be32(error, 3);
    append_be32(error, tid(*connect));
    error += "go away";
    a.handle_datagram(error, TimePoint{});
    ASSERT_TRUE(a.done());
    ASSERT_TRUE(a.result().ok());
    EXPECT_EQ(a.result()->failure_reason, "go away");
}

}  // namespace
