// The DHT core: endpoints, BEP 42 ids, the KRPC envelope, the routing table, lookups, and whole
// networks of nodes on virtual time (no sockets): bootstrap, get_peers/announce, BEP 44 items,
// dead nodes, hostile input, floods and read-only nodes.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "core/ed25519.hpp"
#include "dht/limits.hpp"
#include "dht/lookup.hpp"
#include "dht/node.hpp"
#include "dht/routing_table.hpp"

namespace agora::dht {
namespace {

using namespace std::chrono_literals;

Endpoint ep(std::string_view text) { return *parse_endpoint(text); }

NodeId id_from_hex(std::string_view hex) { return *NodeId::parse_hex(hex); }

TEST(DhtEndpoint, ParsesAndCompacts) {
    const auto v4 = ep("1.2.3.4:6881");
    EXPECT_EQ(v4.to_string(), "1.2.3.4:6881");
    EXPECT_EQ(compact(v4), Bytes("\x01\x02\x03\x04\x1a\xe1", 6));
    EXPECT_EQ(*from_compact(compact(v4)), v4);
    const auto v6 = ep("[::1]:80");
    EXPECT_EQ(v6.family, Family::v6);
    EXPECT_EQ(v6.to_string(), "[::1]:80");
    EXPECT_EQ(*from_compact(compact(v6)), v6);
    for (auto bad : {"1.2.3.4", "1.2.3.4:0", "1.2.3.4:65536", "x:1", "::1:80", "[::1]80", "1.2.3.4:12a"})
        EXPECT_FALSE(parse_endpoint(bad)) << bad;
    EXPECT_FALSE(from_compact(Bytes("\x01\x02\x03\x04\x00\x00", 6)));  // port 0
    EXPECT_FALSE(from_compact("12345"));
    EXPECT_TRUE(ep("127.0.0.1:1").is_local());
    EXPECT_TRUE(ep("192.168.1.1:1").is_local());
    EXPECT_FALSE(ep("8.8.8.8:1").is_local());
}

TEST(DhtNodeId, Crc32cAndBep42Vectors) {
    EXPECT_EQ(crc32c("123456789"), 0xe3069283u);
    // BEP 42's table: IP, rand, and the id's first three bytes (low 3 bits of the third are free).
    struct Vector { const char* ip; std::uint8_t r; std::uint32_t prefix; };
    for (const auto& v : {Vector{"124.31.75.21", 1, 0x5fbfbf}, Vector{"21.75.31.124", 86, 0x5a3ce9},
                          Vector{"65.23.51.170", 22, 0xa5d432}, Vector{"84.124.73.14", 65, 0x1b0321},
                          Vector{"43.213.53.83", 90, 0xe56f6c}}) {
        Rng rng(7);
        const auto address = *parse_ip(v.ip, 1);
        const auto id = bep42_id(address, v.r, rng);
        EXPECT_EQ(id.bytes[0], v.prefix >> 16) << v.ip;
        EXPECT_EQ(id.bytes[1], (v.prefix >> 8) & 0xff) << v.ip;
        EXPECT_EQ(id.bytes[2] & 0xf8, v.prefix & 0xf8) << v.ip;
        EXPECT_EQ(id.bytes[19], v.r);
        EXPECT_TRUE(bep42_valid(id, address));
        auto wrong = id;
        wrong.bytes[0] ^= 0x80;
        EXPECT_FALSE(bep42_valid(wrong, address));
    }
    Rng rng(1);
    EXPECT_TRUE(bep42_valid(random_node_id(rng), ep("127.0.0.1:5")));  // local addresses are exempt
}

TEST(DhtNodeId, DistanceAndBuckets) {
    const auto a = id_from_hex("0000000000000000000000000000000000000000");
    const auto b = id_from_hex("8000000000000000000000000000000000000000");
    const auto c = id_from_hex("0100000000000000000000000000000000000000");
    EXPECT_EQ(common_prefix_bits(a, b), 0);
    EXPECT_EQ(common_prefix_bits(a, c), 7);
    EXPECT_EQ(common_prefix_bits(a, a), 160);
    EXPECT_TRUE(closer(c, b, a));
    Rng rng(3);
    for (int bits : {0, 5, 8, 63, 159}) EXPECT_EQ(common_prefix_bits(a, random_id_in_bucket(a, bits, rng)), bits);
}

TEST(Krpc, DecodesTheEnvelopeAndRefusesMalformedOnes) {
    bencode::Document doc;
    auto m = decode_message("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe", doc);
    ASSERT_TRUE(m) << m.error().describe();
    EXPECT_EQ(m->type, MessageType::query);
    EXPECT_EQ(m->method, "ping");
    EXPECT_EQ(m->transaction, "aa");
    ASSERT_TRUE(m->id);
    const char* bad[] = {
        "",                                                  // empty
        "le",                                                // not a dictionary
        "d1:y1:qe",                                          // no transaction id
        "d1:t0:1:y1:qe",                                     // empty transaction id
        "d1:t17:aaaaaaaaaaaaaaaaa1:y1:qe",                   // transaction id too long
        "d1:t2:aae",                                         // no type
        "d1:t2:aa1:y1:xe",                                   // unknown type
        "d1:t2:aa1:y1:qe",                                   // query without method
        "d1:q4:ping1:t2:aa1:y1:qe",                          // query without arguments
        "d1:t2:aa1:y1:re",                                   // response without body
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa", // truncated
        "d1:t2:aa1:y1:qi1e",                                 // garbage
    };
    for (const char* b : bad) EXPECT_FALSE(decode_message(b, doc)) << b;
    EXPECT_FALSE(decode_message(Bytes(limits::datagram_bytes_max + 1, 'd'), doc));
    // A nesting bomb stops at the depth limit.
    Bytes deep = "d1:t2:aa1:y1:q1:q4:ping1:a" + Bytes(200, 'l') + Bytes(200, 'e') + "e";
    EXPECT_FALSE(decode_message(deep, doc));
}

TEST(Krpc, CompactNodes) {
    Rng rng(5);
    std::vector<NodeInfo> nodes{{random_node_id(rng), ep("1.2.3.4:1")}, {random_node_id(rng), ep("5.6.7.8:2")}};
    const auto bytes = encode_nodes(nodes);
    EXPECT_EQ(bytes.size(), 52u);
    auto back = parse_nodes(bytes, Family::v4);
    ASSERT_TRUE(back);
    ASSERT_EQ(back->size(), 2u);
    EXPECT_EQ((*back)[1].endpoint, nodes[1].endpoint);
    EXPECT_FALSE(parse_nodes(bytes.substr(1), Family::v4));
    EXPECT_EQ(parse_nodes(Bytes(26 * 40, 'x'), Family::v4)->size(), limits::nodes_per_reply_max);
}

TEST(RoutingTable, SplitsAroundOurIdAndKeepsReplacements) {
    Rng rng(11);
    const auto self = random_node_id(rng);
    RoutingTable t(self);
    const TimePoint now{};
    int port = 1000;
    for (int i = 0; i < 500; ++i) t.heard_from(random_node_id(rng), ep("127.0.0.1:" + std::to_string(port++)), true, now);
    // Far buckets hold k nodes; more than one bucket exists.
    const auto stats = t.stats(now);
    EXPECT_GT(stats.size(), 4u);
    EXPECT_EQ(stats[0].good, limits::bucket_size);
    EXPECT_GT(stats[0].replacements, 0u);
    for (const auto& s : stats) EXPECT_LE(s.good + s.questionable, limits::bucket_size);
    // A node that fails twice leaves; a replacement takes its place.
    const auto before = t.size();
    const auto victim = t.closest(random_id_in_bucket(self, 0, rng), 1)[0];
    t.failed(victim.endpoint);
    EXPECT_EQ(t.size(), before);
    t.failed(victim.endpoint);
    EXPECT_EQ(t.size(), before);
    for (const auto& e : t.entries()) EXPECT_NE(e.endpoint, victim.endpoint);
    // One id per endpoint; one entry per address in a bucket for non-local addresses.
    RoutingTable u(self);
    const auto far = random_id_in_bucket(self, 0, rng);
    EXPECT_TRUE(u.heard_from(far, ep("8.8.8.8:1"), true, now));
    EXPECT_FALSE(u.heard_from(random_id_in_bucket(self, 0, rng), ep("8.8.8.8:1"), true, now));
    EXPECT_FALSE(u.heard_from(random_id_in_bucket(self, 0, rng), ep("8.8.8.8:2"), true, now));
    EXPECT_FALSE(u.heard_from(self, ep("9.9.9.9:1"), true, now));
    EXPECT_EQ(u.size(), 1u);
}

TEST(RoutingTable, ConfirmedNodesDisplaceUnconfirmedOnes) {
    Rng rng(12);
    const auto self = random_node_id(rng);
    RoutingTable t(self);
    const TimePoint now{};
    // Fill the far half (bucket 0 after splits) with nodes that only queried us.
    for (int i = 0; i < 30; ++i)
        t.heard_from(random_id_in_bucket(self, 0, rng), ep("127.0.0.1:" + std::to_string(2000 + i)), false, now);
    t.heard_from(random_id_in_bucket(self, 1, rng), ep("127.0.0.1:3000"), false, now);  // forces a split
    const auto confirmed = random_id_in_bucket(self, 0, rng);
    EXPECT_TRUE(t.heard_from(confirmed, ep("127.0.0.1:4000"), true, now));
    EXPECT_TRUE(t.good(t.entries()[0], now) || t.stats(now)[0].good == 1);
}

TEST(Lookup, KeepsAlphaInFlightAndStepsPastStalledNodes) {
    Rng rng(13);
    const auto target = random_node_id(rng);
    Lookup l(target, 8, 3);
    std::vector<Endpoint> eps;
    for (int i = 0; i < 20; ++i) {
        eps.push_back(ep("127.0.0.1:" + std::to_string(100 + i)));
        l.add(random_node_id(rng), eps.back());
    }
    std::vector<Lookup::Candidate> out;
    while (auto c = l.next()) out.push_back(*c);
    EXPECT_EQ(out.size(), 3u);
    l.stalled(out[0].endpoint);
    auto more = l.next();
    ASSERT_TRUE(more);  // a stalled node frees its slot
    EXPECT_FALSE(l.next());
    EXPECT_FALSE(l.done());
    // Everyone answers except the stalled one, which finally fails: the lookup completes.
    l.failed(out[0].endpoint);
    for (int round = 0; round < 40 && !l.done(); ++round) {
        for (auto& c : out) l.replied(c.endpoint, c.id, "tok");
        l.replied(more->endpoint, more->id, "tok");
        out.clear();
        while (auto c = l.next()) out.push_back(*c);
        if (out.empty()) break;
        more = out.back();
    }
    EXPECT_TRUE(l.done());
    EXPECT_EQ(l.closest_replied().size(), 8u);
}

// ---- whole networks on virtual time ----

class Network {
public:
    explicit Network(std::size_t n, std::uint64_t seed = 1) {
        for (std::size_t i = 0; i < n; ++i) add(seed * 1000 + i);
    }
    Endpoint add(std::uint64_t seed, NodeConfig config = {}) {
        config.seed = seed;
        const auto e = ep("127.0.0.1:" + std::to_string(10000 + nodes.size()));
        nodes.emplace(e, std::make_unique<Node>(config, now));
        order.push_back(e);
        return e;
    }
    Node& at(std::size_t i) { return *nodes.at(order[i]); }
    // Delivers datagrams until quiet, then advances time to the next deadline; stops when `until`
    // holds or `limit` of virtual time passes.
    void run(const std::function<bool()>& until, Duration limit = 60s) {
        const auto end = now + limit;
        while (now < end && !until()) {
            bool moved = false;
            for (auto& [from, node] : nodes) {
                while (auto d = node->poll_send()) {
                    moved = true;
                    ++sent;
                    if (dead.contains(d->to)) continue;
                    auto target = nodes.find(d->to);
                    if (target != nodes.end()) target->second->handle_datagram(from, d->bytes, now);
                    else if (on_stray) on_stray(from, *d);
                }
                while (auto e = node->poll_event()) events[from].push_back(std::move(*e));
            }
            if (moved) continue;
            TimePoint next = TimePoint::max();
            for (auto& [e, node] : nodes)
                if (!dead.contains(e)) next = std::min(next, node->next_deadline());
            now = std::max(now, std::min(next, end));
            for (auto& [e, node] : nodes)
                if (!dead.contains(e)) node->handle_timeout(now);
        }
    }
    std::optional<QueryDone> done(const Endpoint& who, QueryId q) {
        for (auto& e : events[who])
            if (auto* d = std::get_if<QueryDone>(&e); d && d->query == q) return *d;
        return std::nullopt;
    }
    QueryDone wait(std::size_t i, QueryId q, Duration limit = 60s) {
        run([&] { return done(order[i], q).has_value(); }, limit);
        auto d = done(order[i], q);
        EXPECT_TRUE(d) << "query " << q << " never finished";
        return d.value_or(QueryDone{});
    }
    void bootstrap_all() {
        std::vector<std::pair<std::size_t, QueryId>> qs;
        for (std::size_t i = 1; i < order.size(); ++i) qs.emplace_back(i, at(i).bootstrap({order[0]}, now));
        for (auto [i, q] : qs) wait(i, q);
        // A second round lets early nodes learn of later ones.
        for (std::size_t i = 0; i < order.size(); ++i) wait(i, at(i).find_node(at(i).id(), now));
    }

    TimePoint now{};
    std::map<Endpoint, std::unique_ptr<Node>> nodes;
    std::vector<Endpoint> order;
    std::set<Endpoint> dead;
    std::map<Endpoint, std::vector<Event>> events;
    std::function<void(const Endpoint&, const Datagram&)> on_stray;
    std::uint64_t sent = 0;
};

TEST(DhtNetwork, BootstrapsAndFindsAnnouncedPeers) {
    Network net(40);
    net.bootstrap_all();
    for (std::size_t i = 1; i < net.order.size(); ++i) EXPECT_GE(net.at(i).status(net.now).nodes4, 8u) << i;
    Rng rng(99);
    const auto hash = random_node_id(rng);
    const auto announce = net.wait(7, net.at(7).get_peers(hash, 6881, false, net.now));
    EXPECT_TRUE(announce.ok) << announce.error;
    EXPECT_GE(announce.stored_at, 5u);
    EXPECT_EQ(announce.closest.size(), 8u);
    // The nodes that stored it are the 8 closest of the whole network.
    std::vector<NodeId> all;
    for (auto& [e, n] : net.nodes) all.push_back(n->id());
    std::sort(all.begin(), all.end(), [&](const NodeId& a, const NodeId& b) { return closer(a, b, hash); });
    std::set<NodeId> best(all.begin(), all.begin() + 9);  // the announcer may be one of them
    for (const auto& c : announce.closest) EXPECT_TRUE(best.contains(c.id));

    const auto q = net.at(23).get_peers(hash, std::nullopt, false, net.now);
    const auto found = net.wait(23, q);
    EXPECT_TRUE(found.ok);
    EXPECT_EQ(found.peers, 1u);
    bool saw = false;
    for (auto& e : net.events[net.order[23]])
        if (auto* p = std::get_if<PeersFound>(&e); p && p->query == q) saw = p->peers[0] == Endpoint{net.order[7].family, net.order[7].address, 6881};
    EXPECT_TRUE(saw);
    // Lookups are not chatty: a converged lookup over 40 nodes sends a few dozen queries at most.
    EXPECT_LT(found.sent, 40u);
}

TEST(DhtNetwork, DeadNodesDoNotStallALookup) {
    Network net(40, 2);
    net.bootstrap_all();
    for (std::size_t i = 20; i < 30; ++i) net.dead.insert(net.order[i]);
    Rng rng(5);
    const auto start = net.now;
    const auto r = net.wait(3, net.at(3).find_node(random_node_id(rng), net.now));
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.closest.size(), 8u);
    for (const auto& c : r.closest) EXPECT_FALSE(net.dead.contains(c.endpoint));
    // Each dead node costs at most one timeout, not one per dead node in a row.
    EXPECT_LE(net.now - start, Duration(3 * limits::query_timeout));
}

TEST(DhtNetwork, PingAndFailedPing) {
    Network net(2, 3);
    auto ok = net.wait(0, net.at(0).ping(net.order[1], net.now));
    EXPECT_TRUE(ok.ok);
    EXPECT_EQ(*ok.node_id, net.at(1).id());
    net.dead.insert(net.order[1]);
    auto lost = net.wait(0, net.at(0).ping(net.order[1], net.now));
    EXPECT_FALSE(lost.ok);
    EXPECT_EQ(lost.error, "no reply");
}

TEST(DhtNetwork, ImmutableAndMutableItems) {
    Network net(30, 4);
    net.bootstrap_all();
    const Bytes v = "12:Hello World!";
    const auto put = net.wait(2, net.at(2).put_immutable(v, net.now));
    ASSERT_TRUE(put.ok) << put.error;
    EXPECT_GE(put.stored_at, 5u);
    const auto got = net.wait(17, net.at(17).get_item(as_node_id(immutable_target(v)), "", net.now));
    ASSERT_TRUE(got.ok) << got.error;
    EXPECT_EQ(got.item->v, v);

    const auto keys = ed25519::keypair_from_seed(ed25519::Seed{1, 2, 3});
    const auto target = as_node_id(mutable_target(keys.public_key, "salt"));
    const auto first = net.wait(5, net.at(5).put_mutable(keys, "salt", "3:one", std::nullopt, net.now));
    ASSERT_TRUE(first.ok) << first.error;
    EXPECT_EQ(first.seq, 1);
    const auto second = net.wait(6, net.at(6).put_mutable(keys, "salt", "3:two", std::nullopt, net.now));
    ASSERT_TRUE(second.ok) << second.error;
    EXPECT_EQ(second.seq, 2);  // found seq 1, put 2
    const auto read = net.wait(20, net.at(20).get_item(target, "salt", net.now));
    ASSERT_TRUE(read.ok);
    EXPECT_EQ(read.item->v, "3:two");
    EXPECT_EQ(read.item->mutable_fields->seq, 2);
    // The wrong salt does not verify: nothing is found.
    const auto wrong = net.wait(21, net.at(21).get_item(target, "other", net.now));
    EXPECT_FALSE(wrong.ok);
    // An older sequence number is refused by every storing node (302).
    const auto old = net.wait(7, net.at(7).put_mutable(keys, "salt", "3:old", 1, net.now));
    EXPECT_FALSE(old.ok);
    EXPECT_NE(old.error.find("302"), std::string::npos) << old.error;
}

// A scripted outsider: sends raw datagrams to a node and collects what comes back.
struct Outsider {
    Network& net;
    Endpoint self;
    std::vector<Bytes> replies;
    Outsider(Network& n, std::string_view address) : net(n), self(ep(address)) {}
    void send(std::size_t to, BytesView bytes) {
        net.at(to).handle_datagram(self, bytes, net.now);
        while (auto d = net.at(to).poll_send())
            if (d->to == self) replies.push_back(d->bytes);
    }
};

std::string query(std::string_view method, std::string_view args, std::string_view id = "abcdefghij0123456789") {
    return "d1:ad2:id20:" + std::string(id) + std::string(args) + "e1:q" + std::to_string(method.size()) + ":" +
           std::string(method) + "1:t2:xy1:y1:qe";
}

TEST(DhtHostile, BadQueriesGetProtocolErrorsAndBadDatagramsSilence) {
    Network net(1, 5);
    Outsider o(net, "127.0.0.9:999");
    o.send(0, "garbage");
    o.send(0, "d1:y1:qe");
    EXPECT_TRUE(o.replies.empty());  // nothing to answer to
    o.send(0, query("frobnicate", ""));
    ASSERT_EQ(o.replies.size(), 1u);
    EXPECT_NE(o.replies[0].find("i204e"), std::string::npos);
    o.send(0, query("find_node", "6:target3:abc"));
    EXPECT_NE(o.replies.back().find("i203e"), std::string::npos);
    o.send(0, query("get_peers", ""));
    EXPECT_NE(o.replies.back().find("i203e"), std::string::npos);
    o.send(0, query("announce_peer", "9:info_hash20:AAAAAAAAAAAAAAAAAAAA4:porti1e5:token3:bad"));
    EXPECT_NE(o.replies.back().find("bad token"), std::string::npos);
    o.send(0, query("announce_peer", "9:info_hash20:AAAAAAAAAAAAAAAAAAAA4:porti70000e5:token3:bad"));
    EXPECT_NE(o.replies.back().find("i203e"), std::string::npos);
    o.send(0, "d1:ad2:id3:abce1:q4:ping1:t2:xy1:y1:qe");  // id of the wrong size
    EXPECT_NE(o.replies.back().find("i203e"), std::string::npos);
    o.send(0, query("put", "5:token3:bad1:v3:abc"));
    EXPECT_NE(o.replies.back().find("bad token"), std::string::npos);
    // A reply nobody asked for is dropped.
    const auto before = o.replies.size();
    o.send(0, "d1:rd2:id20:abcdefghij0123456789e1:t2:zz1:y1:re");
    EXPECT_EQ(o.replies.size(), before);
    EXPECT_GT(net.at(0).status(net.now).dropped, 0u);
}

TEST(DhtHostile, PutsNeedTokenValidSignatureAndSmallValues) {
    Network net(1, 6);
    Outsider o(net, "127.0.0.9:999");
    o.send(0, query("get", "6:target20:AAAAAAAAAAAAAAAAAAAA"));
    ASSERT_EQ(o.replies.size(), 1u);
    bencode::Document doc;
    auto reply = decode_message(o.replies[0], doc);
    ASSERT_TRUE(reply);
    const Bytes token(*reply->reply.find_string("token"));
    auto with_token = [&](std::string_view rest) { return "5:token" + std::to_string(token.size()) + ":" + token + std::string(rest); };
    const auto keys = ed25519::keypair_from_seed(ed25519::Seed{9});
    const Bytes k(reinterpret_cast<const char*>(keys.public_key.data()), 32);
    const auto good_sig = sign_item("", 1, "1:x", keys);
    Bytes sig(reinterpret_cast<const char*>(good_sig.data()), 64);
    // Keys in canonical order: k, seq, sig, token, v.
    o.send(0, query("put", "1:k32:" + k + "3:seqi1e3:sig64:" + sig + with_token("1:v1:x")));
    EXPECT_EQ(o.replies.back().find("1:y1:e"), std::string::npos) << o.replies.back();
    sig[0] = static_cast<char>(sig[0] ^ 1);
    o.send(0, query("put", "1:k32:" + k + "3:seqi2e3:sig64:" + sig + with_token("1:v1:x")));
    EXPECT_NE(o.replies.back().find("i206e"), std::string::npos);
    const Bytes over = "997:" + Bytes(997, 'x');  // 1001 bytes bencoded
    o.send(0, query("put", with_token("1:v" + over)));
    EXPECT_NE(o.replies.back().find("i205e"), std::string::npos) << o.replies.back().substr(0, 80);
    // A datagram over the size limit is dropped unread.
    const auto answered = o.replies.size();
    o.send(0, query("put", with_token("1:v1500:" + Bytes(1500, 'x'))));
    EXPECT_EQ(o.replies.size(), answered);
    EXPECT_EQ(net.at(0).status(net.now).stored_items, 1u);
}

TEST(DhtHostile, AFloodFromOneSourceIsCut) {
    Network net(1, 7);
    Outsider o(net, "127.0.0.9:999");
    for (int i = 0; i < 1000; ++i) o.send(0, query("ping", ""));
    // The burst is answered, the rest dropped (virtual time does not move).
    EXPECT_LE(o.replies.size(), static_cast<std::size_t>(limits::source_burst));
    EXPECT_GE(o.replies.size(), static_cast<std::size_t>(limits::source_burst) - 1);
    // Another source is still served.
    Outsider other(net, "127.0.0.10:999");
    other.send(0, query("ping", ""));
    EXPECT_EQ(other.replies.size(), 1u);
}

TEST(DhtNetwork, ReadOnlyNodesQueryButAreNotAnsweredAboutOrAsked) {
    Network net(20, 8);
    net.bootstrap_all();
    NodeConfig ro;
    ro.read_only = true;
    const auto e = net.add(555, ro);
    const std::size_t i = net.order.size() - 1;
    const auto b = net.wait(i, net.at(i).bootstrap({net.order[0]}, net.now));
    EXPECT_TRUE(b.ok);
    const auto r = net.wait(i, net.at(i).find_node(net.at(i).id(), net.now));
    EXPECT_TRUE(r.ok);
    for (std::size_t j = 0; j + 1 < net.order.size(); ++j)
        for (const auto& n : net.at(j).nodes_to_save()) EXPECT_NE(n.endpoint, e);
    // It does not answer queries.
    Outsider o(net, "127.0.0.9:999");
    o.send(i, query("ping", ""));
    EXPECT_TRUE(o.replies.empty());
}

TEST(DhtNetwork, RejoinsFromSavedNodesWithoutRouters) {
    Network net(25, 9);
    net.bootstrap_all();
    const auto saved = net.at(4).nodes_to_save();
    ASSERT_GE(saved.size(), 8u);
    NodeConfig config;
    config.id = net.at(4).id();
    const auto fresh = net.add(4444, config);
    const std::size_t i = net.order.size() - 1;
    for (const auto& n : saved) net.at(i).add_known(n);
    const auto r = net.wait(i, net.at(i).bootstrap({}, net.now));
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_GE(net.at(i).status(net.now).nodes4, 8u);
    (void)fresh;
}

}  // namespace
}  // namespace agora::dht
