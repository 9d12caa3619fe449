#include "sim/nat.hpp"

#include "core/assert.hpp"

namespace agora::sim {

const char* to_string(NatType type) {
    switch (type) {
        case NatType::none: return "none";
        case NatType::full_cone: return "full-cone";
        case NatType::restricted_cone: return "restricted-cone";
        case NatType::port_restricted_cone: return "port-restricted-cone";
        case NatType::symmetric: return "symmetric";
    }
    return "?";
}

std::optional<NatType> nat_type_from_string(std::string_view text) {
    for (const auto type : {NatType::none, NatType::full_cone, NatType::restricted_cone, NatType::port_restricted_cone,
                            NatType::symmetric})
        if (text == to_string(type)) return type;
    return std::nullopt;
}

NatBox::NatBox(NatType type, Duration mapping_timeout) : type_(type), timeout_(mapping_timeout) {
    AGORA_ASSERT(type != NatType::none);
    AGORA_ASSERT(mapping_timeout > Duration::zero());
}

Address NatBox::permit_key(Address remote) const {
    return type_ == NatType::restricted_cone ? Address{remote.ip, 0} : remote;
}

bool NatBox::port_taken(Protocol protocol, std::uint16_t port) const {
    const ExternalKey key{protocol, port};
    return by_external_.contains(key) || forwards_.contains(key);
}

// Cone boxes try to keep the internal port (port preservation, what most home routers do); a
// symmetric box counts upwards, which is what makes its ports predictable to a patient attacker
// and unpredictable to a holepunch that assumes the port seen by one peer is valid for another.
std::optional<std::uint16_t> NatBox::allocate(Protocol protocol, std::uint16_t preferred) {
    if (type_ != NatType::symmetric && preferred >= port_min && !port_taken(protocol, preferred)) return preferred;
    const std::uint32_t range = 65536 - port_min;
    for (std::uint32_t tried = 0; tried < range; ++tried) {
        const std::uint16_t port = next_port_;
        next_port_ = next_port_ == 65535 ? port_min : static_cast<std::uint16_t>(next_port_ + 1);
        if (!port_taken(protocol, port)) return port;
    }
    return std::nullopt;
}

void NatBox::maybe_expire(TimePoint now) {
    if (now - last_expire_ >= timeout_) expire(now);
}

std::optional<std::uint16_t> NatBox::outbound(Protocol protocol, std::uint16_t internal_port, Address remote,
                                              TimePoint now) {
    maybe_expire(now);
    if (forwards_.contains(ExternalKey{protocol, internal_port})) return internal_port;
    const InternalKey key{protocol, internal_port, type_ == NatType::symmetric ? remote : Address{}};
    std::uint16_t external = 0;
    const auto found = by_internal_.find(key);
    if (found != by_internal_.end() && fresh(by_external_.at(ExternalKey{protocol, found->second}).last_used, now)) {
        external = found->second;
    } else {
        if (found != by_internal_.end()) {
            by_external_.erase(ExternalKey{protocol, found->second});
            by_internal_.erase(found);
        }
        const auto port = allocate(protocol, internal_port);
        if (!port) return std::nullopt;
        external = *port;
        by_internal_.emplace(key, external);
        Mapping m;
        m.internal_port = internal_port;
        m.key = key;
        by_external_.emplace(ExternalKey{protocol, external}, std::move(m));
    }
    Mapping& m = by_external_.at(ExternalKey{protocol, external});
    m.last_used = now;
    if (type_ == NatType::restricted_cone || type_ == NatType::port_restricted_cone) m.permits[permit_key(remote)] = now;
    return external;
}

std::optional<std::uint16_t> NatBox::inbound(Protocol protocol, std::uint16_t external_port, Address remote,
                                             TimePoint now) {
    maybe_expire(now);
    if (forwards_.contains(ExternalKey{protocol, external_port})) return external_port;
    const auto found = by_external_.find(ExternalKey{protocol, external_port});
    if (found == by_external_.end()) return std::nullopt;  // unsolicited: nothing mapped there
    const Mapping& m = found->second;
    if (!fresh(m.last_used, now)) return std::nullopt;
    switch (type_) {
        case NatType::full_cone:
            return m.internal_port;
        case NatType::restricted_cone:
        case NatType::port_restricted_cone: {
            const auto permit = m.permits.find(permit_key(remote));
            if (permit == m.permits.end() || !fresh(permit->second, now)) return std::nullopt;
            return m.internal_port;
        }
        case NatType::symmetric:
            if (m.key.remote != remote) return std::nullopt;
            return m.internal_port;
        case NatType::none:
            break;
    }
    AGORA_ASSERT(false);
    return std::nullopt;
}

void NatBox::forward(Protocol protocol, std::uint16_t port) {
    const ExternalKey key{protocol, port};
    // A dynamic mapping already on that external port gives way to the static one.
    if (const auto found = by_external_.find(key); found != by_external_.end()) {
        by_internal_.erase(found->second.key);
        by_external_.erase(found);
    }
    forwards_.insert(key);
}

void NatBox::expire(TimePoint now) {
    last_expire_ = now;
    for (auto it = by_external_.begin(); it != by_external_.end();) {
        Mapping& m = it->second;
        if (!fresh(m.last_used, now)) {
            by_internal_.erase(m.key);
            it = by_external_.erase(it);
            continue;
        }
        std::erase_if(m.permits, [&](const auto& p) { return !fresh(p.second, now); });
        ++it;
    }
}

}  // namespace agora::sim
