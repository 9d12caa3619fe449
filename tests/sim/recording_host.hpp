// A Host that records everything the network delivers, for the simulator's tests.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/network.hpp"

namespace agora::sim::test {

struct Delivery {
    enum class Kind { datagram, connected, accepted, data, closed };
    Kind kind;
    NodeIndex node;
    StreamId stream;
    Address from;
    std::uint16_t local_port = 0;
    Bytes bytes;  // empty when the host keeps sizes only
    std::size_t size = 0;
    CloseReason reason = CloseReason::peer_closed;
    TimePoint at;
};

class RecordingHost final : public Host {
public:
    void on_datagram(NodeIndex node, std::uint16_t local_port, Address from, BytesView bytes, TimePoint now) override {
        log.push_back({Delivery::Kind::datagram, node, {}, from, local_port, Bytes(bytes), bytes.size(), {}, now});
    }
    void on_stream_connected(NodeIndex node, StreamId stream, TimePoint now) override {
        log.push_back({Delivery::Kind::connected, node, stream, {}, 0, {}, 0, {}, now});
    }
    void on_stream_accepted(NodeIndex node, StreamId stream, Address from, std::uint16_t local_port,
                            TimePoint now) override {
        log.push_back({Delivery::Kind::accepted, node, stream, from, local_port, {}, 0, {}, now});
    }
    void on_stream_data(NodeIndex node, StreamId stream, BytesView bytes, TimePoint now) override {
        last_data[stream] = now;
        if (!keep_bytes) {
            log.push_back({Delivery::Kind::data, node, stream, {}, 0, {}, bytes.size(), {}, now});
            return;
        }
        received[stream].append(bytes);
        log.push_back({Delivery::Kind::data, node, stream, {}, 0, Bytes(bytes), bytes.size(), {}, now});
    }
    void on_stream_sent(NodeIndex node, StreamId stream, std::size_t bytes, TimePoint now) override {
        if (on_sent) on_sent(node, stream, bytes, now);
    }
    void on_stream_closed(NodeIndex node, StreamId stream, CloseReason reason, TimePoint now) override {
        log.push_back({Delivery::Kind::closed, node, stream, {}, 0, {}, 0, reason, now});
    }

    // The first delivery of this kind, or null.
    const Delivery* first(Delivery::Kind kind) const {
        for (const Delivery& d : log) {
            if (d.kind == kind) return &d;
        }
        return nullptr;
    }
    std::size_t count(Delivery::Kind kind) const {
        std::size_t n = 0;
        for (const Delivery& d : log) n += d.kind == kind ? 1 : 0;
        return n;
    }
    // Everything, in order, as text: two runs are the same run iff their traces are equal.
    std::string trace() const {
        std::string out;
        for (const Delivery& d : log) {
            out += std::to_string(d.at.since_epoch.count()) + " " + std::to_string(static_cast<int>(d.kind)) + " " +
                   std::to_string(d.node.value) + " " + std::to_string(d.stream.connection) + "/" +
                   std::to_string(d.stream.side) + " " + to_string(d.from) + " " + std::to_string(d.size) +
                   " " + to_string(d.reason) + "\n";
        }
        return out;
    }

    std::function<void(NodeIndex, StreamId, std::size_t, TimePoint)> on_sent;  // writes completing
    bool keep_bytes = true;  // false: record sizes only (busy worlds move hundreds of megabytes)
    std::vector<Delivery> log;
    std::map<StreamId, Bytes> received;
    std::map<StreamId, TimePoint> last_data;
};

}  // namespace agora::sim::test
