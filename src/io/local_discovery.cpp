#include "io/local_discovery.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "core/assert.hpp"

namespace agora::io {

namespace asio = boost::asio;
using asio::ip::address_v4;
using asio::ip::udp;

namespace {

address_v4 v4_of(const sockaddr* a) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(a);
    return address_v4(ntohl(in->sin_addr.s_addr));
}

asio::ip::address_v6 v6_of(const sockaddr* a) {
    const auto* in = reinterpret_cast<const sockaddr_in6*>(a);
    asio::ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), in->sin6_addr.s6_addr, 16);
    return asio::ip::address_v6(bytes, in->sin6_scope_id);
}

asio::ip::address address_of(const sockaddr* a) {
    if (a->sa_family == AF_INET) return v4_of(a);
    return v6_of(a);
}

// The prefix length of a netmask (contiguous ones).
unsigned prefix_of(const sockaddr* mask) {
    unsigned bits = 0;
    if (mask->sa_family == AF_INET) {
        bits = static_cast<unsigned>(__builtin_popcount(reinterpret_cast<const sockaddr_in*>(mask)->sin_addr.s_addr));
    } else {
        for (auto byte : reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr.s6_addr)
            bits += static_cast<unsigned>(__builtin_popcount(byte));
    }
    return bits;
}

address_v4 mask_of(unsigned prefix) {
    return address_v4(prefix == 0 ? 0u : ~std::uint32_t{0} << (32 - prefix));
}

// libtorrent's cookie is a random number in hex; ours is 8 random hex digits, fresh per run.
std::string random_cookie() {
    std::random_device rd;
    char text[9];
    std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(rd()));
    return text;
}

}  // namespace

std::vector<std::vector<InfoHashV1>> LsdSchedule::take_due(const std::vector<InfoHashV1>& hashes, Clock::time_point now) {
    std::map<InfoHashV1, Clock::time_point> kept;
    std::vector<std::vector<InfoHashV1>> batches;
    for (const auto& h : hashes) {
        if (kept.contains(h)) continue;  // listed twice
        const auto it = last_sent_.find(h);
        if (it != last_sent_.end() && now - it->second < lsd_limits::torrent_interval_min) {
            kept[h] = it->second;
            continue;
        }
        kept[h] = now;
        if (batches.empty() || batches.back().size() == tracker::limits::lsd_hashes_max) batches.emplace_back();
        batches.back().push_back(h);
    }
    last_sent_ = std::move(kept);
    for (const auto& b : batches) AGORA_ASSERT(!b.empty() && b.size() <= tracker::limits::lsd_hashes_max);
    return batches;
}

bool same_subnet(const address_v4& address, const address_v4& network, const address_v4& netmask) {
    const auto mask = netmask.to_uint();
    return (address.to_uint() & mask) == (network.to_uint() & mask);
}

bool same_prefix(const asio::ip::address_v6& a, const asio::ip::address_v6& b, unsigned prefix_bits) {
    const auto x = a.to_bytes();
    const auto y = b.to_bytes();
    for (unsigned i = 0; i < 16 && prefix_bits > 0; ++i, prefix_bits = prefix_bits >= 8 ? prefix_bits - 8 : 0) {
        const auto mask = static_cast<std::uint8_t>(prefix_bits >= 8 ? 0xff : 0xff << (8 - prefix_bits));
        if ((x[i] & mask) != (y[i] & mask)) return false;
    }
    return true;
}

std::vector<LsdFamily> lsd_families(const std::string& text) {
    boost::system::error_code ec;
    auto a = asio::ip::make_address(text, ec);
    if (ec) return {};
    if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    if (a.is_v4()) return {LsdFamily::v4};
    if (a.is_unspecified()) return {LsdFamily::v4, LsdFamily::v6};  // "::" listens on both
    return {LsdFamily::v6};
}

bool is_loopback_address(const std::string& text) {
    boost::system::error_code ec;
    auto a = asio::ip::make_address(text, ec);
    if (ec) return false;
    if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a.is_loopback();
}

LocalDiscovery::LocalDiscovery(asio::io_context& ioc, LsdFamily family, std::string bind_address, std::uint16_t peer_port,
                               HashSource hashes)
    : family_(family), socket_(ioc), timer_(ioc), bind_address_(std::move(bind_address)), peer_port_(peer_port),
      hashes_(std::move(hashes)), cookie_(random_cookie()) {
    AGORA_ASSERT(peer_port_ != 0);
    AGORA_ASSERT(hashes_);
}

LocalDiscovery::~LocalDiscovery() { close(); }

// The interfaces to join on: the one holding the bind address, or every usable one for "any".
Result<std::vector<LocalDiscovery::Interface>> LocalDiscovery::find_interfaces() const {
    boost::system::error_code ec;
    auto bind = asio::ip::make_address(bind_address_, ec);
    if (ec) return make_error(Error::Kind::bad_argument, "bad bind address " + bind_address_);
    if (bind.is_v6() && bind.to_v6().is_v4_mapped()) bind = asio::ip::make_address_v4(asio::ip::v4_mapped, bind.to_v6());
    const bool any = bind.is_unspecified();
    const int family = family_ == LsdFamily::v4 ? AF_INET : AF_INET6;
    if (!any && (bind.is_v4() != (family == AF_INET)))
        return make_error(Error::Kind::bad_argument, std::string(family == AF_INET ? "IPv4" : "IPv6") +
                                                         " multicast needs a bind address of that family, not " + bind_address_);

    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return make_error(Error::Kind::io, std::string("getifaddrs: ") + std::strerror(errno));
    auto of_family = [&](const ifaddrs* i) { return i->ifa_addr && i->ifa_netmask && i->ifa_addr->sa_family == family; };
    auto same_address = [](const asio::ip::address& a, const asio::ip::address& b) {
        if (a.is_v4() || b.is_v4()) return a == b;
        return a.to_v6().to_bytes() == b.to_v6().to_bytes();  // the scope does not matter here
    };
    std::string bound_name;  // the interface holding a specific bind address
    for (const ifaddrs* i = list; i && !any; i = i->ifa_next)
        if (of_family(i) && same_address(address_of(i->ifa_addr), bind)) bound_name = i->ifa_name;
    std::vector<Interface> out;
    // Every address of a chosen interface counts for the subnet check; for IPv4 the bound one (or
    // the first one) is the one we join and send with; IPv6 goes by the interface's index.
    for (const ifaddrs* i = list; i; i = i->ifa_next) {
        if (!of_family(i)) continue;
        const auto flags = i->ifa_flags;
        const bool wanted = any ? (flags & IFF_UP) && (flags & IFF_MULTICAST) && !(flags & IFF_LOOPBACK)
                                : i->ifa_name == bound_name;
        if (!wanted) continue;
        const auto address = address_of(i->ifa_addr);
        auto known = std::find_if(out.begin(), out.end(), [&](const Interface& k) { return k.name == i->ifa_name; });
        if (known == out.end()) {
            if (out.size() == lsd_limits::interfaces_max) continue;
            known = out.insert(out.end(), Interface{i->ifa_name, ::if_nametoindex(i->ifa_name), address, {}});
        }
        known->subnets.emplace_back(address, prefix_of(i->ifa_netmask));
        if (!any && same_address(address, bind)) known->address = address;
    }
    ::freeifaddrs(list);
    if (out.empty())
        return make_error(Error::Kind::io, any ? std::string("no interface is up and multicast-capable with an ") +
                                                     (family == AF_INET ? "IPv4" : "IPv6") + " address"
                                               : "no interface holds the address " + bind_address_);
    return out;
}

Status LocalDiscovery::open_and_join() {
    auto found = find_interfaces();
    if (!found) return found.error();
    boost::system::error_code ec;
    const bool v4 = family_ == LsdFamily::v4;
    socket_.open(v4 ? udp::v4() : udp::v6(), ec);
    if (!ec) socket_.set_option(udp::socket::reuse_address(true), ec);
    if (!ec && !v4) socket_.set_option(asio::ip::v6_only(true), ec);
    if (!ec)
        socket_.bind(udp::endpoint(v4 ? asio::ip::address(address_v4::any()) : asio::ip::address(asio::ip::address_v6::any()),
                                   tracker::lsd_port),
                     ec);
    if (!ec) socket_.set_option(asio::ip::multicast::hops(lsd_limits::ttl), ec);
    if (!ec) socket_.set_option(asio::ip::multicast::enable_loopback(true), ec);
    if (ec) return make_error(Error::Kind::io, "UDP port " + std::to_string(tracker::lsd_port) + ": " + ec.message());
    std::string failures;
    for (auto& i : *found) {
        if (v4)
            socket_.set_option(asio::ip::multicast::join_group(asio::ip::make_address_v4(tracker::lsd_group_v4),
                                                               i.address.to_v4()),
                               ec);
        else
            socket_.set_option(
                asio::ip::multicast::join_group(asio::ip::make_address_v6(tracker::lsd_group_v6), i.index), ec);
        if (ec) {
            failures += " " + i.name + " (" + ec.message() + ")";
            continue;
        }
        interfaces_.push_back(std::move(i));
    }
    if (interfaces_.empty())
        return make_error(Error::Kind::io, "cannot join " + std::string(v4 ? tracker::lsd_group_v4 : tracker::lsd_group_v6) +
                                               " on" + failures);
    if (!failures.empty()) log("local discovery: cannot join on" + failures);
    // With one interface, every send leaves from it; with several, send() sets it each time.
    set_outbound(interfaces_.front(), ec);
    if (ec) return make_error(Error::Kind::io, "multicast interface " + interfaces_.front().name + ": " + ec.message());
    return Ok{};
}

void LocalDiscovery::set_outbound(const Interface& i, boost::system::error_code& ec) {
    if (family_ == LsdFamily::v4) socket_.set_option(asio::ip::multicast::outbound_interface(i.address.to_v4()), ec);
    else socket_.set_option(asio::ip::multicast::outbound_interface(i.index), ec);
}

Status LocalDiscovery::start() {
    AGORA_ASSERT(!socket_.is_open());
    if (auto s = open_and_join(); !s) {
        boost::system::error_code ignored;
        socket_.close(ignored);
        interfaces_.clear();
        return make_error(s.error().kind, "local discovery: " + s.error().message);
    }
    std::string names;
    for (const auto& i : interfaces_)
        names += (names.empty() ? "" : ", ") + (family_ == LsdFamily::v4 ? i.address.to_string() + " (" + i.name + ")" : i.name);
    log("local discovery: announcing port " + std::to_string(peer_port_) + " to " +
        std::string(family_ == LsdFamily::v4 ? tracker::lsd_host_v4 : tracker::lsd_host_v6) + " on " + names);
    receive();
    arm_timer();
    announce();
    return Ok{};
}

void LocalDiscovery::close() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
}

void LocalDiscovery::announce() {
    if (!socket_.is_open()) return;
    for (const auto& batch : schedule_.take_due(hashes_(), std::chrono::steady_clock::now()))
        send(tracker::format_lsd_announce(family_ == LsdFamily::v4 ? tracker::lsd_host_v4 : tracker::lsd_host_v6,
                                          peer_port_, batch, cookie_));
}

// Sends on every joined interface. Synchronous: a datagram of at most 1,400 bytes, a few times
// every few minutes, never blocks for long; an error is logged once and the next rhythm tries again.
void LocalDiscovery::send(const std::string& datagram) {
    AGORA_ASSERT(datagram.size() <= tracker::limits::lsd_datagram_bytes_max);
    const udp::endpoint to(family_ == LsdFamily::v4 ? asio::ip::address(asio::ip::make_address_v4(tracker::lsd_group_v4))
                                                    : asio::ip::address(asio::ip::make_address_v6(tracker::lsd_group_v6)),
                           tracker::lsd_port);
    for (const auto& i : interfaces_) {
        boost::system::error_code ec;
        if (interfaces_.size() > 1) set_outbound(i, ec);
        if (!ec) socket_.send_to(asio::buffer(datagram), to, 0, ec);
        if (ec && !send_error_logged_) {
            send_error_logged_ = true;
            log("local discovery: cannot send on " + i.name + ": " + ec.message());
        }
    }
}

void LocalDiscovery::arm_timer() {
    timer_.expires_after(lsd_limits::announce_interval);
    timer_.async_wait([this](boost::system::error_code ec) {
        // Cancelled (closed), or fired just as we were closed: touch nothing more.
        if (ec || !socket_.is_open()) return;
        announce();
        arm_timer();
    });
}

void LocalDiscovery::receive() {
    socket_.async_receive_from(asio::buffer(buffer_), from_, [this](boost::system::error_code ec, std::size_t n) {
        if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
        if (!ec) handle_datagram(n);
        receive();
    });
}

bool LocalDiscovery::from_our_subnets(const asio::ip::address& sender) const {
    if (sender.is_v6() && sender.to_v6().is_link_local()) return true;  // on a link we joined, by definition
    for (const auto& i : interfaces_)
        for (const auto& [network, prefix] : i.subnets) {
            if (sender.is_v4() != network.is_v4()) continue;
            if (sender.is_v4() ? same_subnet(sender.to_v4(), network.to_v4(), mask_of(prefix))
                               : same_prefix(sender.to_v6(), network.to_v6(), prefix))
                return true;
        }
    return false;
}

void LocalDiscovery::handle_datagram(std::size_t size) {
    const auto now = std::chrono::steady_clock::now();
    if (now - window_start_ >= std::chrono::seconds(1)) {
        window_start_ = now;
        window_count_ = 0;
    }
    if (++window_count_ > lsd_limits::received_per_second_max) return;
    const auto sender = from_.address();
    if (!from_our_subnets(sender)) return;
    auto parsed = tracker::parse_lsd_announce(BytesView(buffer_.data(), size));
    if (!parsed || parsed->cookie == cookie_) return;  // not an announce, or our own looped back
    // Only our torrents: a LAN announces many we are not in (and libtorrent announces a hybrid
    // torrent under its truncated v2 hash too).
    const auto ours = hashes_();
    const auto ip = sender.to_string();
    for (const auto& hash : parsed->hashes) {
        if (std::find(ours.begin(), ours.end(), hash) == ours.end()) continue;
        const auto key = ip + ":" + std::to_string(parsed->port) + " " + hash.hex();
        if (logged_peers_.size() < lsd_limits::logged_peers_max && logged_peers_.insert(key).second)
            log("local discovery: found peer " + ip + ":" + std::to_string(parsed->port) + " for " + hash.hex());
        if (on_peer) on_peer(hash, ip, parsed->port);
        if (!socket_.is_open()) return;  // the callback closed us
    }
}

void LocalDiscovery::log(const std::string& line) const {
    if (on_log) on_log(line);
}

}  // namespace agora::io
