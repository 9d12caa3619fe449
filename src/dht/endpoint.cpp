#include "dht/endpoint.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace agora::dht {

std::string Endpoint::ip() const {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(family == Family::v4 ? AF_INET : AF_INET6, address.data(), text, sizeof text);
    return text;
}

std::string Endpoint::to_string() const {
    if (family == Family::v4) return ip() + ":" + std::to_string(port);
    return "[" + ip() + "]:" + std::to_string(port);
}

bool Endpoint::is_local() const {
    const auto& a = address;
    if (family == Family::v4)
        return a[0] == 127 || a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
               (a[0] == 169 && a[1] == 254) || a[0] == 0;
    bool loopback = a[15] == 1;
    for (int i = 0; i < 15; ++i) loopback = loopback && a[i] == 0;
    return loopback || (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

std::optional<Endpoint> parse_ip(std::string_view text, std::uint16_t port) {
    if (text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    char buffer[INET6_ADDRSTRLEN] = {};
    std::memcpy(buffer, text.data(), text.size());
    Endpoint e;
    e.port = port;
    if (inet_pton(AF_INET, buffer, e.address.data()) == 1) return e;
    e.family = Family::v6;
    if (inet_pton(AF_INET6, buffer, e.address.data()) == 1) return e;
    return std::nullopt;
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
    std::string_view host;
    std::string_view port;
    if (text.starts_with('[')) {
        const auto close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (port.empty() || port.size() > 5) return std::nullopt;
    std::uint32_t value = 0;
    for (char c : port) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (value == 0 || value > 65535) return std::nullopt;
    return parse_ip(host, static_cast<std::uint16_t>(value));
}

Bytes compact(const Endpoint& e) {
    Bytes out(e.address_bytes());
    out.push_back(static_cast<char>(e.port >> 8));
    out.push_back(static_cast<char>(e.port & 0xff));
    return out;
}

std::optional<Endpoint> from_compact(BytesView b) {
    if (b.size() != 6 && b.size() != 18) return std::nullopt;
    Endpoint e;
    e.family = b.size() == 6 ? Family::v4 : Family::v6;
    const std::size_t n = e.address_size();
    std::memcpy(e.address.data(), b.data(), n);
    e.port = static_cast<std::uint16_t>((byte_at(b, n) << 8) | byte_at(b, n + 1));
    if (e.port == 0) return std::nullopt;
    return e;
}

}  // namespace agora::dht
