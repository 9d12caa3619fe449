// A NAT box in front of one simulated node: the mapping table and the rule that admits inbound
// traffic, for the four classic behaviours (RFC 3489's names; RFC 4787 splits them into mapping
// and filtering behaviour, shown in brackets):
//
//   full cone             any source may reach a mapped port   (endpoint-independent mapping and filtering)
//   restricted cone       only IPs the node has sent to         (endpoint-independent mapping, address-dependent filtering)
//   port-restricted cone  only ip:port the node has sent to     (endpoint-independent mapping, address-and-port-dependent filtering)
//   symmetric             a new external port per destination, and only that destination may answer
//                                                              (address-and-port-dependent mapping and filtering)
//
// Why it matters to agora: NAT traversal (BEP 55 holepunch, relays) works against some of these
// and not others, and a DHT node behind a symmetric NAT must not end up in other nodes' tables as
// if reachable. The simulator has to get exactly these admission rules right to test that.
//
// One box per NATed node, with the node's public IP as its external address (no two hosts share a
// box; carrier-grade NAT is not modelled). UDP and TCP have separate tables, as in real boxes.
// Mappings and the permissions in them expire `mapping_timeout` after the last outbound packet
// through them; inbound packets do not refresh them (many home routers behave so, and it is the
// conservative choice for a protocol that must keep its own mappings alive).
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "core/clock.hpp"
#include "sim/address.hpp"

namespace agora::sim {

enum class NatType : std::uint8_t { none, full_cone, restricted_cone, port_restricted_cone, symmetric };

const char* to_string(NatType type);
// The inverse of to_string ("none", "full-cone", "restricted-cone", "port-restricted-cone",
// "symmetric"), or nothing for any other text.
std::optional<NatType> nat_type_from_string(std::string_view text);

class NatBox {
public:
    static constexpr std::uint16_t port_min = 1024;  // external ports are allocated in [port_min, 65535]

    NatBox(NatType type, Duration mapping_timeout);

    // Traffic from the node's `internal_port` to `remote`: the external port it leaves from. Creates
    // or refreshes the mapping and permits answers from `remote` (per the type's filter). Nothing
    // when every external port is taken: the packet is dropped, as a full real box would.
    std::optional<std::uint16_t> outbound(Protocol protocol, std::uint16_t internal_port, Address remote, TimePoint now);
    // Traffic from `remote` to `external_port`: the node's internal port if the box lets it in.
    std::optional<std::uint16_t> inbound(Protocol protocol, std::uint16_t external_port, Address remote, TimePoint now);
    // A static mapping, as UPnP or NAT-PMP would ask for: external port == internal port, open to
    // anyone, never expires.
    void forward(Protocol protocol, std::uint16_t port);
    // Forgets expired mappings and permissions. Called by outbound/inbound at most once per timeout
    // period, so a box's memory is bounded by the traffic of one period.
    void expire(TimePoint now);

    NatType type() const { return type_; }
    std::size_t mapping_count() const { return by_external_.size(); }

private:
    struct ExternalKey {
        Protocol protocol;
        std::uint16_t port;
        auto operator<=>(const ExternalKey&) const = default;
    };
    // What finds the mapping for outgoing traffic: cone types key on the internal port alone
    // (remote left zero), symmetric on the internal port and the destination.
    struct InternalKey {
        Protocol protocol;
        std::uint16_t internal_port;
        Address remote;
        auto operator<=>(const InternalKey&) const = default;
    };
    struct Mapping {
        std::uint16_t internal_port = 0;
        InternalKey key{};
        TimePoint last_used;
        // Who may answer, and when they were last sent to: restricted cone keys by IP (port 0),
        // port-restricted by ip:port. Unused for full cone and symmetric.
        std::map<Address, TimePoint> permits;
    };

    bool fresh(TimePoint last_used, TimePoint now) const { return now - last_used <= timeout_; }
    std::optional<std::uint16_t> allocate(Protocol protocol, std::uint16_t preferred);
    bool port_taken(Protocol protocol, std::uint16_t port) const;
    Address permit_key(Address remote) const;
    void maybe_expire(TimePoint now);

    NatType type_;
    Duration timeout_;
    std::map<ExternalKey, Mapping> by_external_;
    std::map<InternalKey, std::uint16_t> by_internal_;
    std::set<ExternalKey> forwards_;
    std::uint16_t next_port_ = port_min;  // symmetric boxes hand ports out in sequence
    TimePoint last_expire_;
};

}  // namespace agora::sim
