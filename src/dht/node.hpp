// A Mainline DHT node as a sans-I/O state machine (BEP 5, with BEP 32 IPv6, 42 id security,
// 43 read-only mode, 44 storage and 51 sampling). Its driver hands it datagrams and `now`, and
// sends the datagrams it asks for; results of what the user asked for come back as events.
//
// It answers other nodes' queries (ping, find_node, get_peers, announce_peer, get, put,
// sample_infohashes), keeps the routing tables fresh (pings questionable nodes, refreshes stale
// buckets) and runs iterative lookups for its user: finding peers and announcing, getting and
// putting items.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/ed25519.hpp"
#include "core/poll_queue.hpp"
#include "core/result.hpp"
#include "core/rng.hpp"
#include "dht/item.hpp"
#include "dht/krpc.hpp"
#include "dht/lookup.hpp"
#include "dht/peer_store.hpp"
#include "dht/routing_table.hpp"

namespace agora::dht {

using QueryId = std::uint32_t;

struct NodeConfig {
    std::optional<NodeId> id;       // a saved id; otherwise a random one (until BEP 42 gives one)
    bool read_only = false;         // BEP 43: query, never answer, stay out of others' tables
    bool enforce_node_ids = false;  // BEP 42: keep nodes whose id does not match their address out
    bool ipv6 = false;              // the driver can send to IPv6 addresses
    std::uint64_t seed = 1;
    std::string version = std::string("AG\x00\x01", 4);
};

struct Datagram {
    Endpoint to;
    Bytes bytes;
};

enum class QueryKind : std::uint8_t { bootstrap, ping, find_node, get_peers, announce, get_item, put_item };

// An item found by get_item, checked against its target (and signature, for mutable ones).
struct FoundItem {
    Bytes v;  // bencoded
    std::optional<MutableFields> mutable_fields;
};

// Peers a get_peers or announce lookup learned, as they arrive (never the same one twice).
struct PeersFound {
    QueryId query;
    NodeId info_hash;
    std::vector<Endpoint> peers;
};

struct QueryDone {
    QueryId query;
    QueryKind kind;
    bool ok = false;
    std::string error;              // why not ok
    std::size_t sent = 0;           // datagrams this query sent
    std::size_t replied = 0;        // nodes that answered
    std::size_t hops = 0;           // lookups: how many replies deep the closest node was found
    std::vector<NodeInfo> closest;  // the closest nodes that answered (lookups)
    std::size_t stored_at = 0;      // announce / put: nodes that accepted it
    std::size_t peers = 0;          // get_peers / announce: distinct peers found
    std::optional<NodeId> node_id;  // ping: the id that answered
    std::optional<FoundItem> item;  // get_item
    std::int64_t seq = 0;           // put_item (mutable): the sequence number put
};

using Event = std::variant<PeersFound, QueryDone>;

struct NodeStatus {
    NodeId id;
    std::optional<Endpoint> external_address;
    std::vector<RoutingTable::BucketStats> buckets4, buckets6;
    std::size_t nodes4 = 0, nodes6 = 0, good = 0, questionable = 0;
    std::size_t transactions = 0, queries = 0;
    std::size_t stored_torrents = 0, stored_peers = 0, stored_items = 0;
    std::uint64_t datagrams_in = 0, datagrams_out = 0, dropped = 0;
};

class Node {
public:
    Node(NodeConfig config, TimePoint now);

    const NodeId& id() const { return id_; }

    // A node we knew before (a saved table): queried during bootstrap, added once it answers.
    void add_known(const NodeInfo& node);
    // find_node for our own id through the known nodes and these router addresses; again
    // whenever the table empties. Emits QueryDone{bootstrap}.
    QueryId bootstrap(std::vector<Endpoint> routers, TimePoint now);
    // Whether a lookup started now would have anyone to ask (table, known nodes or routers).
    bool has_contacts() const;

    QueryId ping(const Endpoint& to, TimePoint now);
    QueryId find_node(const NodeId& target, TimePoint now);
    // With `announce_port`, announces to the closest nodes that gave tokens afterwards (0: the
    // port our datagrams come from, BEP 5 implied_port).
    QueryId get_peers(const NodeId& info_hash, std::optional<std::uint16_t> announce_port, bool seed, TimePoint now);
    // A mutable item's target is SHA-1(key || salt); `salt` is needed to check its signature.
    QueryId get_item(const NodeId& target, Bytes salt, TimePoint now);
    QueryId put_immutable(Bytes bencoded_v, TimePoint now);
    // Without `seq`, puts one more than the highest sequence number the lookup found (1 if none).
    QueryId put_mutable(const ed25519::KeyPair& key, Bytes salt, Bytes bencoded_v, std::optional<std::int64_t> seq,
                        TimePoint now);

    void handle_datagram(const Endpoint& from, BytesView datagram, TimePoint now);
    void handle_timeout(TimePoint now);
    TimePoint next_deadline() const;

    std::optional<Datagram> poll_send();
    std::optional<Event> poll_event();

    NodeStatus status(TimePoint now) const;
    // Confirmed nodes worth remembering across a restart.
    std::vector<NodeInfo> nodes_to_save() const;

private:
    struct Transaction {
        Endpoint to;
        QueryId query = 0;  // 0: table upkeep
        TimePoint sent;
        bool stalled = false;
        bool store = false;  // an announce_peer / put of a query's second phase
    };
    struct Query {
        QueryKind kind;
        NodeId target;
        bool internal = false;  // refreshes: no event
        std::unique_ptr<Lookup> lookup;
        std::optional<std::uint16_t> announce_port;
        bool seed = false;
        Bytes salt;
        Bytes put_v;
        std::optional<ed25519::KeyPair> key;
        std::optional<std::int64_t> seq;
        std::int64_t highest_seq = 0;
        bool storing = false;
        std::size_t pending = 0;
        std::set<Endpoint> peers_seen;
        QueryDone result;
    };

    QueryId start_lookup(QueryKind kind, const NodeId& target, TimePoint now, QueryId existing = 0);
    void seed_lookup(Lookup& lookup) const;
    void advance(QueryId id, TimePoint now);
    void start_store(QueryId id, Query& q, TimePoint now);
    void finish(QueryId id, bool ok, std::string error);
    bool send_query(QueryId query, const Endpoint& to, std::string_view method, bencode::Node args, bool store,
                    TimePoint now);
    bencode::Node lookup_args(const Query& q) const;
    std::string_view lookup_method(QueryKind kind) const;

    void on_query(const Endpoint& from, const Message& m, TimePoint now);
    void on_reply(const Endpoint& from, const Message& m, TimePoint now);
    void on_lookup_reply(QueryId id, Query& q, const Endpoint& from, const Message& m, TimePoint now);
    void reply(const Endpoint& to, const Message& m, bencode::Node body);
    void reply_error(const Endpoint& to, const Message& m, std::int64_t code, std::string_view text);
    void add_nodes_to_reply(bencode::Node& body, const Endpoint& to, const Message& m, const NodeId& target) const;
    void vote_external(const Endpoint& voter, const Endpoint& seen_as);
    RoutingTable& table(Family f) { return f == Family::v4 ? table4_ : table6_; }
    const RoutingTable& table(Family f) const { return f == Family::v4 ? table4_ : table6_; }
    void upkeep(TimePoint now);

    NodeConfig config_;
    Rng rng_;
    NodeId id_;
    RoutingTable table4_;
    RoutingTable table6_;
    PeerStore peers_;
    ItemStore items_;
    TokenKeeper tokens_;
    SourceLimiter limiter_;
    std::vector<NodeInfo> known_;   // from a saved table, for bootstrap
    std::vector<Endpoint> routers_;
    std::map<std::uint16_t, Transaction> transactions_;
    std::uint16_t next_transaction_;
    std::map<QueryId, Query> queries_;
    QueryId next_query_ = 1;
    PollQueue<Datagram> outbox_;
    PollQueue<Event> events_;
    TimePoint next_upkeep_;
    TimePoint last_bootstrap_;
    bool bootstrapping_ = false;
    std::optional<Endpoint> external_;
    std::map<Endpoint, std::set<Endpoint>> votes_;  // seen-as address (port 0) -> voters (port 0)
    std::uint64_t datagrams_in_ = 0, datagrams_out_ = 0, dropped_ = 0;
};

}  // namespace agora::dht
