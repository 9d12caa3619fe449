// Node ids and XOR distance (BEP 5), and ids tied to the node's IP address (BEP 42).
#pragma once

#include <cstdint>

#include "core/digest.hpp"
#include "core/rng.hpp"
#include "dht/endpoint.hpp"

namespace agora::dht {

struct NodeIdTag {};
using NodeId = Digest<20, NodeIdTag>;

// The bytes of a 20-byte key (info-hash, item target) as a NodeId, for distance comparisons.
template <typename Tag>
NodeId as_node_id(const Digest<20, Tag>& d) {
    NodeId n;
    n.bytes = d.bytes;
    return n;
}

NodeId distance(const NodeId& a, const NodeId& b);
// True when a is closer to target than b.
bool closer(const NodeId& a, const NodeId& b, const NodeId& target);
// Leading bits a and b have in common (160 when equal).
int common_prefix_bits(const NodeId& a, const NodeId& b);
NodeId random_node_id(Rng& rng);
// A random id that shares exactly `bits` leading bits with `base` (bit `bits` differs), for
// refreshing the bucket that holds such ids.
NodeId random_id_in_bucket(const NodeId& base, int bits, Rng& rng);

// CRC-32C (Castagnoli), the checksum BEP 42 uses.
std::uint32_t crc32c(BytesView data);
// An id valid for `address` under BEP 42, with the given random byte `r` (only its low 3 bits
// enter the hash; it is stored whole in the last byte) and the rest random.
NodeId bep42_id(const Endpoint& address, std::uint8_t r, Rng& rng);
// True when `id` matches `address` under BEP 42, or the address is local (exempt).
bool bep42_valid(const NodeId& id, const Endpoint& address);

}  // namespace agora::dht
