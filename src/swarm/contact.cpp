#include "swarm/contact.hpp"

#include <arpa/inet.h>

// inet_pton/inet_ntop are pure functions of their arguments: no I/O.
namespace agora::swarm {

std::optional<Contact> Contact::parse(std::string_view ip, std::uint16_t port) {
    if (ip.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    const std::string text(ip);  // inet_pton wants a terminated string
    Contact c;
    c.port = port;
    if (inet_pton(AF_INET, text.c_str(), c.ip.data()) == 1) return c;
    c.v6 = true;
    if (inet_pton(AF_INET6, text.c_str(), c.ip.data()) == 1) return c;
    return std::nullopt;
}

std::string Contact::ip_text() const {
    std::array<char, INET6_ADDRSTRLEN> out{};
    inet_ntop(v6 ? AF_INET6 : AF_INET, ip.data(), out.data(), static_cast<socklen_t>(out.size()));
    return std::string(out.data());
}

}  // namespace agora::swarm
