// KRPC (BEP 5) from the network: the envelope decoder, then a whole DHT node answering the
// datagram (every query handler, reply matching, BEP 44 puts). Nothing may crash or assert, and
// whatever the node sends back must itself decode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "dht/krpc.hpp"
#include "dht/node.hpp"

using namespace agora;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const BytesView input(reinterpret_cast<const char*>(data), size);
    bencode::Document doc;
    (void)dht::decode_message(input, doc);

    static dht::Node node(dht::NodeConfig{}, TimePoint{});
    static const auto from = *dht::parse_endpoint("10.1.2.3:4567");
    node.handle_datagram(from, input, TimePoint{});
    while (auto d = node.poll_send()) {
        bencode::Document reply;
        if (!dht::decode_message(d->bytes, reply)) std::abort();
    }
    return 0;
}
