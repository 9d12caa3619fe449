#include "dht/node.hpp"

#include <algorithm>

#include "dht/limits.hpp"

namespace agora::dht {

namespace {

constexpr auto upkeep_interval = std::chrono::seconds(2);
constexpr auto rebootstrap_after = std::chrono::seconds(30);
constexpr std::int64_t sample_interval_seconds = 6 * 3600;  // BEP 51: how long until samples change much
constexpr std::size_t samples_max = 20;                     // 20 x 20 bytes fits a datagram

// An owned copy of a decoded value. Callers check the value is canonical first, so the encoding
// of the copy is byte-for-byte the original.
bencode::Node to_node(const bencode::Value& v) {
    switch (v.type()) {
        case bencode::Type::integer: return bencode::Node(v.as_int());
        case bencode::Type::string: return bencode::Node(v.as_string());
        case bencode::Type::list: {
            bencode::Node::List list;
            for (const auto& c : v.children()) list.push_back(to_node(c.value));
            return bencode::Node(std::move(list));
        }
        case bencode::Type::dict: {
            bencode::Node::Dict dict;
            for (const auto& c : v.children()) dict.emplace(std::string(c.key.as_string()), to_node(c.value));
            return bencode::Node(std::move(dict));
        }
    }
    return {};
}

// A bencoded value we produced or checked as canonical, as an encodable node.
bencode::Node node_from_bytes(BytesView bencoded) {
    bencode::DecodeLimits dl;
    dl.depth_max = limits::bencode_depth_max;
    auto doc = bencode::decode(bencoded, dl);
    AGORA_ASSERT(doc.ok());
    return to_node(doc->root());
}

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> fixed(std::optional<std::string_view> s) {
    if (!s || s->size() != N) return std::nullopt;
    std::array<std::uint8_t, N> out{};
    std::copy(s->begin(), s->end(), reinterpret_cast<char*>(out.data()));
    return out;
}

std::string_view as_view(const std::array<std::uint8_t, 32>& a) { return {reinterpret_cast<const char*>(a.data()), a.size()}; }
std::string_view as_view(const std::array<std::uint8_t, 64>& a) { return {reinterpret_cast<const char*>(a.data()), a.size()}; }

Endpoint address_only(Endpoint e) {
    e.port = 0;
    return e;
}

}  // namespace

Node::Node(NodeConfig config, TimePoint now)
    : config_(std::move(config)), rng_(config_.seed), id_(config_.id ? *config_.id : random_node_id(rng_)), table4_(id_),
      table6_(id_), tokens_(rng_, now), next_transaction_(static_cast<std::uint16_t>(rng_.next())),
      next_upkeep_(now + upkeep_interval) {}

// ---- the user's requests ----

void Node::add_known(const NodeInfo& node) {
    if (node.id == id_ || (node.endpoint.family == Family::v6 && !config_.ipv6)) return;
    if (known_.size() < 2 * limits::lookup_candidates_max) known_.push_back(node);
}

QueryId Node::bootstrap(std::vector<Endpoint> routers, TimePoint now) {
    routers_ = std::move(routers);
    bootstrapping_ = true;
    last_bootstrap_ = now;
    return start_lookup(QueryKind::bootstrap, id_, now);
}

bool Node::has_contacts() const {
    return table4_.size() + table6_.size() > 0 || !routers_.empty() || !known_.empty();
}

QueryId Node::ping(const Endpoint& to, TimePoint now) {
    const QueryId id = next_query_++;
    auto& q = queries_[id];
    q.kind = QueryKind::ping;
    q.result.query = id;
    q.result.kind = QueryKind::ping;
    if (!send_query(id, to, "ping", bencode::Node{}, false, now)) finish(id, false, "too many queries in flight");
    return id;
}

QueryId Node::find_node(const NodeId& target, TimePoint now) { return start_lookup(QueryKind::find_node, target, now); }

QueryId Node::get_peers(const NodeId& info_hash, std::optional<std::uint16_t> announce_port, bool seed, TimePoint now) {
    const QueryId id = next_query_++;
    auto& q = queries_[id];
    q.kind = announce_port ? QueryKind::announce : QueryKind::get_peers;
    q.announce_port = announce_port;
    q.seed = seed;
    q.target = info_hash;
    return start_lookup(q.kind, info_hash, now, id);
}

QueryId Node::get_item(const NodeId& target, Bytes salt, TimePoint now) {
    const QueryId id = next_query_++;
    auto& q = queries_[id];
    q.kind = QueryKind::get_item;
    q.salt = std::move(salt);
    return start_lookup(q.kind, target, now, id);
}

QueryId Node::put_immutable(Bytes bencoded_v, TimePoint now) {
    const QueryId id = next_query_++;
    auto& q = queries_[id];
    q.kind = QueryKind::put_item;
    q.put_v = std::move(bencoded_v);
    return start_lookup(q.kind, as_node_id(immutable_target(q.put_v)), now, id);
}

QueryId Node::put_mutable(const ed25519::KeyPair& key, Bytes salt, Bytes bencoded_v, std::optional<std::int64_t> seq,
                          TimePoint now) {
    const QueryId id = next_query_++;
    auto& q = queries_[id];
    q.kind = QueryKind::put_item;
    q.key = key;
    q.salt = std::move(salt);
    q.put_v = std::move(bencoded_v);
    q.seq = seq;
    return start_lookup(q.kind, as_node_id(mutable_target(key.public_key, q.salt)), now, id);
}

// ---- lookups ----

QueryId Node::start_lookup(QueryKind kind, const NodeId& target, TimePoint now, QueryId existing) {
    const QueryId id = existing ? existing : next_query_++;
    auto& q = queries_[id];
    q.kind = kind;
    q.target = target;
    q.result.query = id;
    q.result.kind = kind;
    q.lookup = std::make_unique<Lookup>(target, limits::bucket_size, limits::lookup_alpha);
    seed_lookup(*q.lookup);
    advance(id, now);
    return id;
}

void Node::seed_lookup(Lookup& lookup) const {
    std::size_t n = 0;
    for (auto f : {Family::v4, Family::v6}) {
        if (f == Family::v6 && !config_.ipv6) continue;
        for (const auto& node : table(f).closest(lookup.target(), limits::lookup_candidates_max / 2)) {
            lookup.add(node.id, node.endpoint);
            ++n;
        }
    }
    if (n >= limits::bucket_size) return;
    for (const auto& node : known_) lookup.add(node.id, node.endpoint);
    for (const auto& r : routers_) lookup.add(id_, r, false);
}

std::string_view Node::lookup_method(QueryKind kind) const {
    switch (kind) {
        case QueryKind::get_peers:
        case QueryKind::announce: return "get_peers";
        case QueryKind::get_item:
        case QueryKind::put_item: return "get";
        default: return "find_node";
    }
}

bencode::Node Node::lookup_args(const Query& q) const {
    bencode::Node args;
    switch (q.kind) {
        case QueryKind::get_peers:
        case QueryKind::announce: args["info_hash"] = std::string(q.target.view()); break;
        case QueryKind::get_item:
        case QueryKind::put_item: args["target"] = std::string(q.target.view()); break;
        default: args["target"] = std::string(q.target.view()); break;
    }
    if (config_.ipv6) args["want"] = bencode::Node::List{bencode::Node("n4"), bencode::Node("n6")};
    return args;
}

void Node::advance(QueryId id, TimePoint now) {
    auto it = queries_.find(id);
    if (it == queries_.end()) return;
    auto& q = it->second;
    if (q.kind == QueryKind::ping) return;
    if (q.storing) {
        if (q.pending == 0)
            finish(id, q.result.stored_at > 0, q.result.stored_at > 0 ? "" : (q.result.error.empty() ? "no node accepted it" : q.result.error));
        return;
    }
    while (auto c = q.lookup->next())
        if (!send_query(id, c->endpoint, lookup_method(q.kind), lookup_args(q), false, now)) q.lookup->failed(c->endpoint);
    if (!q.lookup->done()) return;
    q.result.replied = q.lookup->replied_count();
    for (const auto& c : q.lookup->closest_replied()) q.result.closest.push_back(NodeInfo{c.id, c.endpoint});
    if (const auto closest = q.lookup->closest_replied(); !closest.empty()) q.result.hops = closest.front().hops;
    if (q.result.replied == 0) return finish(id, false, "no node answered");
    switch (q.kind) {
        case QueryKind::announce:
        case QueryKind::put_item: return start_store(id, q, now);
        case QueryKind::get_item: return finish(id, q.result.item.has_value(), q.result.item ? "" : "no node holds the item");
        case QueryKind::bootstrap:
            bootstrapping_ = false;
            return finish(id, table4_.size() + table6_.size() > 0, "no node answered");
        default: return finish(id, true, "");
    }
}

void Node::start_store(QueryId id, Query& q, TimePoint now) {
    q.storing = true;
    q.result.seq = q.seq.value_or(q.highest_seq + 1);
    std::optional<ed25519::Signature> signature;
    if (q.key) signature = sign_item(q.salt, q.result.seq, q.put_v, *q.key);
    for (const auto& c : q.lookup->closest_replied()) {
        if (c.token.empty()) continue;
        bencode::Node args;
        args["token"] = c.token;
        std::string_view method;
        if (q.kind == QueryKind::announce) {
            method = "announce_peer";
            args["info_hash"] = std::string(q.target.view());
            args["port"] = std::int64_t{q.announce_port.value_or(0)};
            if (q.announce_port.value_or(0) == 0) args["implied_port"] = 1;
            if (q.seed) args["seed"] = 1;
        } else {
            method = "put";
            args["v"] = node_from_bytes(q.put_v);
            if (q.key) {
                args["k"] = std::string(as_view(q.key->public_key));
                args["sig"] = std::string(as_view(*signature));
                args["seq"] = q.result.seq;
                if (!q.salt.empty()) args["salt"] = q.salt;
            }
        }
        if (send_query(id, c.endpoint, method, std::move(args), true, now)) ++q.pending;
    }
    if (q.pending == 0) finish(id, false, "no node gave a write token");
}

void Node::finish(QueryId id, bool ok, std::string error) {
    auto it = queries_.find(id);
    if (it == queries_.end()) return;
    auto& q = it->second;
    if (q.kind == QueryKind::bootstrap) bootstrapping_ = false;
    if (!q.internal) {
        q.result.ok = ok;
        q.result.error = ok ? "" : std::move(error);
        q.result.peers = q.peers_seen.size();
        events_.push_back(std::move(q.result));
    }
    queries_.erase(it);
}

bool Node::send_query(QueryId query, const Endpoint& to, std::string_view method, bencode::Node args, bool store,
                      TimePoint now) {
    if (transactions_.size() >= limits::transactions_max) return false;
    if (to.family == Family::v6 && !config_.ipv6) return false;
    while (transactions_.contains(next_transaction_)) ++next_transaction_;
    const std::uint16_t tid = next_transaction_++;
    const char tid_bytes[2] = {static_cast<char>(tid >> 8), static_cast<char>(tid & 0xff)};
    args["id"] = std::string(id_.view());
    outbox_.push_back(Datagram{to, encode_query(BytesView(tid_bytes, 2), method, std::move(args), config_.read_only,
                                                config_.version)});
    ++datagrams_out_;
    transactions_[tid] = Transaction{to, query, now, false, store};
    table(to.family).queried(to, now);
    if (auto it = queries_.find(query); it != queries_.end()) ++it->second.result.sent;
    return true;
}

// ---- datagrams ----

void Node::handle_datagram(const Endpoint& from, BytesView datagram, TimePoint now) {
    ++datagrams_in_;
    bencode::Document doc;
    auto m = decode_message(datagram, doc);
    if (!m) {
        ++dropped_;
        return;
    }
    if (m->type == MessageType::query) {
        on_query(from, *m, now);
    } else {
        on_reply(from, *m, now);
    }
}

void Node::on_reply(const Endpoint& from, const Message& m, TimePoint now) {
    if (m.transaction.size() != 2) return ++dropped_, void();
    const auto tid = static_cast<std::uint16_t>((byte_at(m.transaction, 0) << 8) | byte_at(m.transaction, 1));
    auto it = transactions_.find(tid);
    if (it == transactions_.end() || it->second.to != from) return ++dropped_, void();
    const Transaction t = it->second;
    transactions_.erase(it);
    auto qit = queries_.find(t.query);
    Query* q = qit == queries_.end() ? nullptr : &qit->second;

    if (m.type == MessageType::error || !m.id) {
        // Alive but unhelpful: no use to a lookup, no reason to drop it from the table.
        if (q && t.store) {
            --q->pending;
            q->result.error = std::to_string(m.error_code) + " " + std::string(m.error_message);
        } else if (q && q->lookup) {
            q->lookup->failed(from);
        } else if (q && q->kind == QueryKind::ping) {
            return finish(t.query, false, "error " + std::to_string(m.error_code) + " " + std::string(m.error_message));
        }
        return advance(t.query, now);
    }
    if (m.requester) vote_external(from, *m.requester);
    if (!m.read_only && (!config_.enforce_node_ids || bep42_valid(*m.id, from)))
        table(from.family).heard_from(*m.id, from, true, now);
    if (!q) return;
    if (q->kind == QueryKind::ping) {
        q->result.replied = 1;
        q->result.node_id = *m.id;
        return finish(t.query, true, "");
    }
    if (t.store) {
        --q->pending;
        ++q->result.stored_at;
        return advance(t.query, now);
    }
    on_lookup_reply(t.query, *q, from, m, now);
}

void Node::on_lookup_reply(QueryId id, Query& q, const Endpoint& from, const Message& m, TimePoint now) {
    if (q.storing) return;
    const auto r = m.reply;
    const std::uint8_t hops = static_cast<std::uint8_t>(std::min(254, q.lookup->hops(from) + 1));
    for (auto f : {Family::v4, Family::v6}) {
        if (f == Family::v6 && !config_.ipv6) continue;
        const auto compact_nodes = r.find_string(f == Family::v4 ? "nodes" : "nodes6");
        if (!compact_nodes) continue;
        if (auto nodes = parse_nodes(*compact_nodes, f))
            for (const auto& n : *nodes)
                if (n.id != id_) q.lookup->add(n.id, n.endpoint, true, hops);
    }
    BytesView token;
    if (auto tok = r.find_string("token"); tok && tok->size() <= limits::token_bytes_max) token = *tok;

    if (q.kind == QueryKind::get_peers || q.kind == QueryKind::announce) {
        PeersFound found{id, q.target, {}};
        const auto values = r.find_list("values");
        if (values.valid()) {
            std::size_t taken = 0;
            for (const auto& c : values.children()) {
                if (taken++ >= limits::values_per_reply_max) break;
                if (!c.value.is_string()) continue;
                auto peer = from_compact(c.value.as_string());
                if (peer && q.peers_seen.insert(*peer).second) found.peers.push_back(*peer);
            }
        }
        if (!found.peers.empty() && !q.internal) events_.push_back(std::move(found));
    }
    if ((q.kind == QueryKind::get_item || q.kind == QueryKind::put_item) && r.find("v").valid()) {
        const auto v = r.find("v");
        const auto raw = v.raw();
        const auto key = fixed<32>(r.find_string("k"));
        const auto sig = fixed<64>(r.find_string("sig"));
        const auto seq = r.find_int("seq");
        if (raw.size() <= item_value_bytes_max && !bencode::first_non_canonical(v)) {
            if (!key && as_node_id(immutable_target(raw)) == q.target) {
                q.result.item = FoundItem{Bytes(raw), std::nullopt};
            } else if (key && sig && seq && as_node_id(mutable_target(*key, q.salt)) == q.target &&
                       verify_item(*key, q.salt, *seq, raw, *sig)) {
                if (*seq > q.highest_seq || !q.result.item) {
                    q.highest_seq = std::max(q.highest_seq, *seq);
                    q.result.item = FoundItem{Bytes(raw), MutableFields{*key, q.salt, *seq, *sig}};
                }
            }
        }
    }
    q.lookup->replied(from, *m.id, token);
    // An immutable item is the same wherever it is found: the first good copy ends the lookup.
    if (q.kind == QueryKind::get_item && q.result.item && !q.result.item->mutable_fields) {
        q.result.replied = q.lookup->replied_count();
        return finish(id, true, "");
    }
    advance(id, now);
}

void Node::vote_external(const Endpoint& voter, const Endpoint& seen_as) {
    if (votes_.size() > 20) votes_.clear();
    auto& voters = votes_[address_only(seen_as)];
    voters.insert(address_only(voter));
    if (voters.size() < 3 || (external_ && address_only(*external_) == address_only(seen_as))) return;
    external_ = address_only(seen_as);
    votes_.clear();
    // BEP 42: once we know the address others see, our id must match it.
    if (!external_->is_local() && !bep42_valid(id_, *external_)) {
        id_ = bep42_id(*external_, static_cast<std::uint8_t>(rng_.next()), rng_);
        table4_.reset(id_);
        table6_.reset(id_);
    }
}

// ---- answering queries ----

void Node::reply(const Endpoint& to, const Message& m, bencode::Node body) {
    body["id"] = std::string(id_.view());
    outbox_.push_back(Datagram{to, encode_response(m.transaction, std::move(body), to, config_.version)});
    ++datagrams_out_;
}

void Node::reply_error(const Endpoint& to, const Message& m, std::int64_t code, std::string_view text) {
    outbox_.push_back(Datagram{to, encode_error(m.transaction, code, text, config_.version)});
    ++datagrams_out_;
}

void Node::add_nodes_to_reply(bencode::Node& body, const Endpoint& to, const Message& m, const NodeId& target) const {
    bool want4 = to.family == Family::v4;
    bool want6 = to.family == Family::v6;
    if (const auto want = m.args.find_list("want"); want.valid()) {
        want4 = want6 = false;
        for (const auto& c : want.children()) {
            if (!c.value.is_string()) continue;
            want4 = want4 || c.value.as_string() == "n4";
            want6 = want6 || c.value.as_string() == "n6";
        }
    }
    if (want4) body["nodes"] = encode_nodes(table4_.closest(target, limits::bucket_size));
    if (want6 && config_.ipv6) body["nodes6"] = encode_nodes(table6_.closest(target, limits::bucket_size));
}

void Node::on_query(const Endpoint& from, const Message& m, TimePoint now) {
    if (config_.read_only) return;  // BEP 43: a read-only node does not answer
    if (!limiter_.allow(from, now)) return ++dropped_, void();
    if (!m.id) return reply_error(from, m, protocol_error, "missing or bad id");
    if (*m.id == id_) return;  // our own query come back (or someone using our id)
    if (!m.read_only && (!config_.enforce_node_ids || bep42_valid(*m.id, from)))
        table(from.family).heard_from(*m.id, from, false, now);

    const auto& a = m.args;
    auto key20 = [&](std::string_view name) -> std::optional<NodeId> {
        auto s = a.find_string(name);
        return s ? NodeId::from_bytes(*s) : std::nullopt;
    };
    bencode::Node body;
    if (m.method == "ping") return reply(from, m, std::move(body));
    if (m.method == "find_node") {
        const auto target = key20("target");
        if (!target) return reply_error(from, m, protocol_error, "find_node needs a 20-byte target");
        add_nodes_to_reply(body, from, m, *target);
        return reply(from, m, std::move(body));
    }
    if (m.method == "get_peers") {
        const auto hash = key20("info_hash");
        if (!hash) return reply_error(from, m, protocol_error, "get_peers needs a 20-byte info_hash");
        body["token"] = tokens_.token_for(from);
        const auto peers = peers_.get(*hash, from.family, limits::values_sent_max, rng_);
        if (!peers.empty()) {
            bencode::Node::List values;
            for (const auto& p : peers) values.emplace_back(compact(p));
            body["values"] = std::move(values);
        }
        add_nodes_to_reply(body, from, m, *hash);
        return reply(from, m, std::move(body));
    }
    if (m.method == "announce_peer") {
        const auto hash = key20("info_hash");
        const auto token = a.find_string("token");
        const auto port = a.find_int("port");
        const bool implied = a.find_int("implied_port").value_or(0) != 0;
        if (!hash || !token) return reply_error(from, m, protocol_error, "announce_peer needs info_hash and token");
        if (!implied && (!port || *port < 1 || *port > 65535))
            return reply_error(from, m, protocol_error, "announce_peer needs a port");
        if (!tokens_.valid(*token, from)) return reply_error(from, m, protocol_error, "bad token");
        Endpoint peer = from;
        if (!implied) peer.port = static_cast<std::uint16_t>(*port);
        if (!peers_.add(*hash, peer, a.find_int("seed").value_or(0) != 0, now))
            return reply_error(from, m, server_error, "peer store full");
        return reply(from, m, std::move(body));
    }
    if (m.method == "get") {
        const auto target = key20("target");
        if (!target) return reply_error(from, m, protocol_error, "get needs a 20-byte target");
        body["token"] = tokens_.token_for(from);
        add_nodes_to_reply(body, from, m, *target);
        Sha1 key;
        key.bytes = target->bytes;
        if (const auto* item = items_.get(key, now)) {
            const auto have_seq = a.find_int("seq");
            if (item->mutable_fields) {
                body["seq"] = item->mutable_fields->seq;
                if (!have_seq || *have_seq < item->mutable_fields->seq) {
                    body["k"] = std::string(as_view(item->mutable_fields->key));
                    body["sig"] = std::string(as_view(item->mutable_fields->signature));
                    body["v"] = node_from_bytes(item->v);
                }
            } else {
                body["v"] = node_from_bytes(item->v);
            }
        }
        return reply(from, m, std::move(body));
    }
    if (m.method == "put") {
        const auto token = a.find_string("token");
        const auto v = a.find("v");
        if (!token || !v.valid()) return reply_error(from, m, protocol_error, "put needs token and v");
        if (!tokens_.valid(*token, from)) return reply_error(from, m, protocol_error, "bad token");
        if (bencode::first_non_canonical(v)) return reply_error(from, m, protocol_error, "v is not canonical bencode");
        PutResult result = PutResult::stored();
        if (!a.find("k").valid()) {
            result = items_.put_immutable(v.raw(), now);
        } else {
            const auto key = fixed<32>(a.find_string("k"));
            const auto sig = fixed<64>(a.find_string("sig"));
            const auto seq = a.find_int("seq");
            if (!key || !sig || !seq) return reply_error(from, m, protocol_error, "put needs k, sig and seq");
            const auto salt = a.find_string("salt").value_or("");
            result = items_.put_mutable(*key, salt, *seq, v.raw(), *sig, a.find_int("cas"), now);
        }
        if (!result.ok()) return reply_error(from, m, result.error().code, result.error().message);
        return reply(from, m, std::move(body));
    }
    if (m.method == "sample_infohashes") {
        const auto target = key20("target");
        if (!target) return reply_error(from, m, protocol_error, "sample_infohashes needs a 20-byte target");
        Bytes samples;
        for (const auto& h : peers_.sample(samples_max, rng_)) samples += h.view();
        body["interval"] = sample_interval_seconds;
        body["num"] = static_cast<std::int64_t>(peers_.torrents());
        body["samples"] = std::move(samples);
        add_nodes_to_reply(body, from, m, *target);
        return reply(from, m, std::move(body));
    }
    reply_error(from, m, method_unknown, "method unknown");
}

// ---- time ----

void Node::handle_timeout(TimePoint now) {
    std::vector<QueryId> touched;
    for (auto it = transactions_.begin(); it != transactions_.end();) {
        auto& t = it->second;
        auto q = queries_.find(t.query);
        Query* query = q == queries_.end() ? nullptr : &q->second;
        if (now - t.sent >= limits::query_timeout) {
            table(t.to.family).failed(t.to);
            if (query) {
                if (t.store) --query->pending;
                else if (query->lookup) query->lookup->failed(t.to);
                touched.push_back(t.query);
                if (query->kind == QueryKind::ping) finish(t.query, false, "no reply");
            }
            it = transactions_.erase(it);
            continue;
        }
        if (!t.stalled && now - t.sent >= limits::query_stall) {
            t.stalled = true;
            if (query && query->lookup && !t.store) {
                query->lookup->stalled(t.to);
                touched.push_back(t.query);
            }
        }
        ++it;
    }
    for (auto id : touched) advance(id, now);
    if (now >= next_upkeep_) {
        next_upkeep_ = now + upkeep_interval;
        upkeep(now);
    }
}

void Node::upkeep(TimePoint now) {
    tokens_.maybe_rotate(rng_, now);
    peers_.expire(now);
    items_.expire(now);
    for (auto f : {Family::v4, Family::v6}) {
        if (f == Family::v6 && !config_.ipv6) continue;
        auto& t = table(f);
        if (auto e = t.next_to_ping(now)) send_query(0, e->endpoint, "ping", bencode::Node{}, false, now);
        std::size_t internal = 0;
        for (const auto& [id, q] : queries_) internal += q.internal;
        if (internal < 2)
            if (auto target = t.next_refresh(now, rng_)) {
                const QueryId id = next_query_++;
                queries_[id].internal = true;
                start_lookup(QueryKind::find_node, *target, now, id);
            }
    }
    const bool knows_someone = !routers_.empty() || !known_.empty();
    if (table4_.size() + table6_.size() == 0 && knows_someone && !bootstrapping_ && now - last_bootstrap_ >= rebootstrap_after) {
        bootstrapping_ = true;
        last_bootstrap_ = now;
        const QueryId id = next_query_++;
        queries_[id].internal = true;
        start_lookup(QueryKind::bootstrap, id_, now, id);
    }
}

TimePoint Node::next_deadline() const {
    TimePoint next = next_upkeep_;
    for (const auto& [tid, t] : transactions_)
        next = std::min(next, t.sent + (t.stalled ? Duration(limits::query_timeout) : Duration(limits::query_stall)));
    return next;
}

std::optional<Datagram> Node::poll_send() { return outbox_.poll(); }

std::optional<Event> Node::poll_event() { return events_.poll(); }

NodeStatus Node::status(TimePoint now) const {
    NodeStatus s;
    s.id = id_;
    s.external_address = external_;
    s.buckets4 = table4_.stats(now);
    s.buckets6 = config_.ipv6 ? table6_.stats(now) : std::vector<RoutingTable::BucketStats>{};
    s.nodes4 = table4_.size();
    s.nodes6 = table6_.size();
    for (const auto* b : {&s.buckets4, &s.buckets6})
        for (const auto& bucket : *b) {
            s.good += bucket.good;
            s.questionable += bucket.questionable;
        }
    s.transactions = transactions_.size();
    s.queries = queries_.size();
    s.stored_torrents = peers_.torrents();
    s.stored_peers = peers_.peers();
    s.stored_items = items_.size();
    s.datagrams_in = datagrams_in_;
    s.datagrams_out = datagrams_out_;
    s.dropped = dropped_;
    return s;
}

std::vector<NodeInfo> Node::nodes_to_save() const {
    std::vector<NodeInfo> out;
    for (const auto* t : {&table4_, &table6_})
        for (const auto& e : t->entries())
            if (e.confirmed) out.push_back(NodeInfo{e.id, e.endpoint});
    return out;
}

}  // namespace agora::dht
