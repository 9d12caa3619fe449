// BEP 14 Local Service Discovery over real multicast: the node tells its LAN "I am in these swarms,
// connect to me on this TCP port", and hears the same from its neighbours. The message codec is
// sans-I/O in tracker/lsd.hpp; this file owns what only io/ can: the socket, the interfaces, the
// cookie's randomness and the clock of the announce rhythm.
//
// Behaviour (BEP 14, and libtorrent's lsd.cpp where the BEP is silent):
// - one object per address family: a UDP socket bound to 0.0.0.0:6771 (or [::]:6771, IPv6 only)
//   with SO_REUSEADDR, so that several clients on one host all hear the group; it joins
//   239.192.152.143 (or ff15::efc0:988f) on the interface holding the node's bind address, or, when
//   that is 0.0.0.0 or ::, on every interface that is up, multicast-capable, not loopback and has an
//   address of the family;
// - IP_MULTICAST_TTL 1: announces stay on the link (BEP 14 allows more; libtorrent sends 32, but
//   a peer behind a router is seldom reachable at the address the datagram comes from);
//   IP_MULTICAST_LOOP on, so other clients on the same host hear us;
// - an announce carries up to tracker::limits::lsd_hashes_max hashes and a random cookie, and is
//   sent on every joined interface at start, every 5 minutes, and when asked (a torrent was added);
//   a torrent is announced at most once a minute however often we are asked ("to avoid causing
//   multicast storms ... no more than 1 announce per minute");
// - a received announce is reported hash by hash as (hash, sender's address, its Port header), for
//   the hashes that are ours (`hashes` lists them), unless it carries our cookie (our own, looped
//   back) or comes from outside the subnets of the joined interfaces (as libtorrent: the group is
//   link-local to us, and a unicast datagram to port 6771 from afar must not make us dial whoever
//   it names; IPv6 link-local senders are link-local to us by definition); past
//   lsd_limits::received_per_second_max announces a second the rest are dropped.
// Which families run is the driver's choice (lsd_families): IPv4 for an IPv4 or "any" bind
// address, IPv6 for :: or an IPv6 one, since we announce the port our TCP listener takes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/digest.hpp"
#include "core/result.hpp"
#include "tracker/lsd.hpp"

namespace agora::io {

// Bounds of the LSD driver (named apart from agora::limits, which io/ code also uses).
namespace lsd_limits {
// BEP 14: "announces should be sent every 5 minutes", and "no more than 1 announce per minute".
inline constexpr std::chrono::minutes announce_interval{5};
inline constexpr std::chrono::minutes torrent_interval_min{1};
// Announces handled per second; a LAN has a handful of clients each sending one every few
// minutes, so more than this is a flood and the excess is dropped unread.
inline constexpr std::uint32_t received_per_second_max = 50;
// Interfaces joined when bound to any address (a host with more is unusual; the rest are skipped).
inline constexpr std::size_t interfaces_max = 16;
// Distinct (peer, torrent) pairs logged as "found"; past this, peers are still reported, silently.
inline constexpr std::size_t logged_peers_max = 256;
// IP_MULTICAST_TTL: the link only.
inline constexpr int ttl = 1;
}  // namespace lsd_limits

// Which torrents are due for an announce, given when each was last announced: the ones never
// announced or announced at least lsd_torrent_interval_min ago, in datagram-sized batches of at
// most tracker::limits::lsd_hashes_max. Pure (time is an argument), so it is unit-tested.
class LsdSchedule {
public:
    using Clock = std::chrono::steady_clock;

    // Records the returned hashes as announced at `now`, and forgets hashes not in `hashes` (the
    // torrent was removed), so the memory is bounded by the torrents there are.
    std::vector<std::vector<InfoHashV1>> take_due(const std::vector<InfoHashV1>& hashes, Clock::time_point now);

private:
    std::map<InfoHashV1, Clock::time_point> last_sent_;
};

// True when `address` & `netmask` == `network` & `netmask`.
bool same_subnet(const boost::asio::ip::address_v4& address, const boost::asio::ip::address_v4& network,
                 const boost::asio::ip::address_v4& netmask);
// True when the first `prefix_bits` bits of the two addresses are equal.
bool same_prefix(const boost::asio::ip::address_v6& a, const boost::asio::ip::address_v6& b, unsigned prefix_bits);

enum class LsdFamily { v4, v6 };
// The families LSD should run for a node bound to `bind_address` (empty when it does not parse).
std::vector<LsdFamily> lsd_families(const std::string& bind_address);

// True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z; false for anything that does not parse.
bool is_loopback_address(const std::string& address);

class LocalDiscovery {
public:
    using HashSource = std::function<std::vector<InfoHashV1>()>;

    // `bind_address` is the node's (TCP) bind address; `peer_port` the TCP port we announce (not
    // 0); `hashes` is asked for our torrents each time announces are due or one is received.
    LocalDiscovery(boost::asio::io_context& ioc, LsdFamily family, std::string bind_address, std::uint16_t peer_port,
                   HashSource hashes);
    // Closes the socket. Destroy it only while its io_context is not running handlers, or after
    // close() once the io_context has run them (handlers of a closed object touch nothing).
    ~LocalDiscovery();
    LocalDiscovery(const LocalDiscovery&) = delete;
    LocalDiscovery& operator=(const LocalDiscovery&) = delete;

    // Opens the socket, joins the group, starts listening and the 5-minute rhythm, and announces
    // what `hashes` returns. An error (no usable interface, port or group unavailable) leaves it
    // closed and inert; nothing has been started then.
    Status start();
    // Announces the torrents not announced in the last minute (called when one is added).
    void announce();
    // Stops listening and announcing. Idempotent.
    void close();

    const std::string& cookie() const { return cookie_; }

    // A neighbour is in the swarm of `hash` and listens at ip:port.
    std::function<void(const InfoHashV1& hash, const std::string& ip, std::uint16_t port)> on_peer;
    std::function<void(const std::string&)> on_log;

private:
    struct Interface {
        std::string name;
        unsigned index = 0;
        boost::asio::ip::address address;  // IPv4: announces leave from here
        std::vector<std::pair<boost::asio::ip::address, unsigned>> subnets;  // address, prefix length
    };

    Result<std::vector<Interface>> find_interfaces() const;
    Status open_and_join();
    void receive();
    void handle_datagram(std::size_t size);
    bool from_our_subnets(const boost::asio::ip::address& sender) const;
    void set_outbound(const Interface& i, boost::system::error_code& ec);
    void arm_timer();
    void send(const std::string& datagram);
    void log(const std::string& line) const;

    LsdFamily family_;
    boost::asio::ip::udp::socket socket_;
    boost::asio::steady_timer timer_;
    std::string bind_address_;
    std::uint16_t peer_port_;
    HashSource hashes_;
    std::string cookie_;
    std::vector<Interface> interfaces_;
    LsdSchedule schedule_;
    // One byte more than an announce may have, so that a longer datagram shows as too long.
    std::array<char, tracker::limits::lsd_datagram_bytes_max + 1> buffer_{};
    boost::asio::ip::udp::endpoint from_;
    std::chrono::steady_clock::time_point window_start_{};
    std::uint32_t window_count_ = 0;
    std::set<std::string> logged_peers_;
    bool send_error_logged_ = false;
};

}  // namespace agora::io
