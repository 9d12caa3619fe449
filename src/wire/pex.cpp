// BEP 11 ut_pex payloads. Addresses go between text and bytes with inet_pton/inet_ntop, the one
// system facility wire/ uses: they are pure functions of their arguments, no I/O.
#include "wire/pex.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstddef>
#include <optional>
#include <utility>

#include "core/assert.hpp"
#include "core/bencode.hpp"

namespace agora::wire {
namespace {

// The keys and sizes of one address family.
struct Family {
    int af;                         // AF_INET or AF_INET6
    std::size_t address_bytes;      // 4 or 16
    std::string_view added_key;
    std::string_view flags_key;
    std::string_view dropped_key;

    constexpr std::size_t entry_bytes() const { return address_bytes + 2; }  // address, then be16 port
};

constexpr Family ipv4{AF_INET, 4, "added", "added.f", "dropped"};
constexpr Family ipv6{AF_INET6, 16, "added6", "added6.f", "dropped6"};

Error protocol_error(std::string message, std::int64_t offset = -1) {
    return make_error(Error::Kind::bad_argument, std::move(message), offset);
}

// An address in network byte order; `size` is 4 or 16.
struct Address {
    std::array<unsigned char, 16> bytes{};
    std::size_t size = 0;
};

// IPv4 first, so that only a real IPv6 literal (IPv4-mapped included) goes to the 6 keys.
std::optional<Address> parse_address(const std::string& ip) {
    Address out;
    if (inet_pton(AF_INET, ip.c_str(), out.bytes.data()) == 1) {
        out.size = 4;
        return out;
    }
    if (inet_pton(AF_INET6, ip.c_str(), out.bytes.data()) == 1) {
        out.size = 16;
        return out;
    }
    return std::nullopt;
}

std::string format_address(const Family& family, const char* bytes) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    const char* ok = inet_ntop(family.af, bytes, text.data(), static_cast<socklen_t>(text.size()));
    AGORA_ASSERT(ok != nullptr);  // only fails on a short buffer or an unknown family
    return std::string(text.data());
}

// The compact strings being built for one family.
struct CompactLists {
    Bytes added, flags, dropped;
};

void append_compact(const Address& address, std::uint16_t port, Bytes& out) {
    out.append(reinterpret_cast<const char*>(address.bytes.data()), address.size);
    out.push_back(static_cast<char>(port >> 8));
    out.push_back(static_cast<char>(port));
}

// Reads one of the six keys: absent is empty, present must be a string.
Result<BytesView> find_string_key(const bencode::Value& root, std::string_view key) {
    const bencode::Value value = root.find(key);
    if (!value.valid()) return BytesView{};
    if (!value.is_string()) {
        return protocol_error("ut_pex: \"" + std::string(key) + "\" is not a string", value.offset());
    }
    return value.as_string();
}

// As find_string_key, and the length must be whole contacts of `family`.
Result<BytesView> find_compact_key(const bencode::Value& root, std::string_view key, const Family& family) {
    auto compact = find_string_key(root, key);
    if (!compact) return compact;
    if (compact->size() % family.entry_bytes() != 0) {
        return protocol_error("ut_pex: \"" + std::string(key) + "\" is " + std::to_string(compact->size()) +
                                  " bytes, not a multiple of " + std::to_string(family.entry_bytes()),
                              root.find(key).offset());
    }
    return compact;
}

// Appends up to `count_max` contacts of `compact` to `out`, skipping port 0. Contact i takes flag
// byte i of `flags`, or 0 past its end.
void append_peers(BytesView compact, BytesView flags, const Family& family, std::size_t count_max,
                  std::vector<PexPeer>& out) {
    AGORA_ASSERT(compact.size() % family.entry_bytes() == 0);
    std::size_t kept = 0;
    for (std::size_t i = 0; i * family.entry_bytes() < compact.size() && kept < count_max; ++i) {
        const std::size_t at = i * family.entry_bytes();
        const auto port = static_cast<std::uint16_t>((byte_at(compact, at + family.address_bytes) << 8) |
                                                     byte_at(compact, at + family.address_bytes + 1));
        if (port == 0) continue;
        const std::uint8_t flag = i < flags.size() ? byte_at(flags, i) : std::uint8_t{0};
        out.push_back(PexPeer{format_address(family, compact.data() + at), port, flag});
        ++kept;
    }
}

// Reads one family's three keys into `out`.
Status read_family(const bencode::Value& root, const Family& family, PexMessage& out) {
    auto added = find_compact_key(root, family.added_key, family);
    if (!added) return added.error();
    auto flags = find_string_key(root, family.flags_key);
    if (!flags) return flags.error();
    auto dropped = find_compact_key(root, family.dropped_key, family);
    if (!dropped) return dropped.error();
    append_peers(*added, *flags, family, limits::pex_added_per_family_max, out.added);
    append_peers(*dropped, BytesView{}, family, limits::pex_dropped_per_family_max, out.dropped);
    return Ok{};
}

}  // namespace

Bytes encode_pex(const PexMessage& message) {
    CompactLists v4, v6;
    for (const PexPeer& peer : message.added) {
        const auto address = parse_address(peer.ip);
        AGORA_ASSERT(address.has_value());
        AGORA_ASSERT(peer.port != 0);
        CompactLists& lists = address->size == 4 ? v4 : v6;
        append_compact(*address, peer.port, lists.added);
        lists.flags.push_back(static_cast<char>(peer.flags));
    }
    for (const PexPeer& peer : message.dropped) {
        const auto address = parse_address(peer.ip);
        AGORA_ASSERT(address.has_value());
        AGORA_ASSERT(peer.port != 0);
        append_compact(*address, peer.port, (address->size == 4 ? v4 : v6).dropped);
    }
    AGORA_ASSERT(v4.flags.size() <= limits::pex_added_per_family_max);
    AGORA_ASSERT(v6.flags.size() <= limits::pex_added_per_family_max);
    AGORA_ASSERT(v4.dropped.size() / ipv4.entry_bytes() <= limits::pex_dropped_per_family_max);
    AGORA_ASSERT(v6.dropped.size() / ipv6.entry_bytes() <= limits::pex_dropped_per_family_max);

    bencode::Node root;
    root[ipv4.added_key] = std::move(v4.added);
    root[ipv4.flags_key] = std::move(v4.flags);
    root[ipv4.dropped_key] = std::move(v4.dropped);
    root[ipv6.added_key] = std::move(v6.added);
    root[ipv6.flags_key] = std::move(v6.flags);
    root[ipv6.dropped_key] = std::move(v6.dropped);
    Bytes out = bencode::encode(root);
    AGORA_ASSERT(out.size() <= limits::pex_payload_bytes_max);
    return out;
}

Result<PexMessage> decode_pex(BytesView payload) {
    if (payload.size() > limits::pex_payload_bytes_max) {
        return protocol_error("ut_pex message of " + std::to_string(payload.size()) + " bytes is over the " +
                              std::to_string(limits::pex_payload_bytes_max) + "-byte limit");
    }
    auto doc = bencode::decode(payload);
    if (!doc) return doc.error();
    const bencode::Value root = doc->root();
    if (!root.is_dict()) return protocol_error("ut_pex message is not a dictionary", 0);

    PexMessage out;
    if (auto status = read_family(root, ipv4, out); !status) return status.error();
    if (auto status = read_family(root, ipv6, out); !status) return status.error();
    AGORA_ASSERT(out.added.size() <= 2 * limits::pex_added_per_family_max);
    AGORA_ASSERT(out.dropped.size() <= 2 * limits::pex_dropped_per_family_max);
    return out;
}

}  // namespace agora::wire
