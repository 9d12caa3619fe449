// agora dht ...: look inside the Mainline DHT. Each subcommand runs a node (from the saved table,
// --bootstrap nodes or the built-in routers), waits for its bootstrap, makes one query, prints
// the answer and saves the table; `serve` keeps a node running until interrupted.
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "core/ed25519.hpp"
#include "dht_options.hpp"
#include "io/dht_state.hpp"
#include "io/resume_store.hpp"
#include "meta/magnet.hpp"
#include "text.hpp"

namespace agora::cli {

namespace {

volatile std::sig_atomic_t dht_interrupted = 0;
extern "C" void on_dht_signal(int) { dht_interrupted = 1; }

struct DhtCommandArgs {
    std::string what;       // the subcommand
    std::string argument;   // ADDR, ID, INFOHASH, VALUE or TARGET
    int port = 0;
    int announce_port = 0;
    std::string bind = "0.0.0.0";
    std::string state_dir;
    bool json = false;
    bool immutable = false;
    bool mutable_item = false;
    std::string key_file;
    std::string salt;
    std::string public_key;
    int timeout = 30;
    DhtArgs dht;
};

Error bad(std::string m) { return make_error(Error::Kind::bad_argument, std::move(m)); }

Result<dht::NodeId> parse_id(const std::string& text, const char* what) {
    if (auto id = dht::NodeId::parse_hex(text)) return *id;
    if (text.starts_with("magnet:"))
        if (auto m = meta::parse_magnet(text); m && m->info_hashes.v1) return dht::as_node_id(*m->info_hashes.v1);
    return bad(std::string(what) + " " + text + ": expected 40 hex digits");
}

std::string hex_of(BytesView b) { return to_hex(b); }
template <std::size_t N>
std::string hex_of(const std::array<std::uint8_t, N>& a) {
    return to_hex(BytesView(reinterpret_cast<const char*>(a.data()), N));
}

// The value as a user typed it: put as a bencoded string; shown back as text when it is one.
std::string show_value(BytesView bencoded) {
    auto doc = bencode::decode(bencoded);
    if (doc && doc->root().is_string()) return printable(std::string(doc->root().as_string()));
    return printable(std::string(bencoded));
}

// Reads the key file, or creates one with a new key (readable by its owner only).
Result<ed25519::KeyPair> load_or_create_key(const std::string& path, bool& created) {
    std::ifstream in(path);
    if (in) {
        std::stringstream text;
        text << in.rdbuf();
        auto key = ed25519::parse_key_file(text.str());
        if (!key) return bad(path + ": " + key.error().message);
        return *key;
    }
    const auto key = ed25519::generate_keypair();
    {
        std::ofstream out(path);
        out << ed25519::format_key_file(ed25519::seed_of(key));
        if (!out) return make_error(Error::Kind::io, "cannot write key file " + path);
    }
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    created = true;
    return key;
}

nlohmann::json node_json(const dht::NodeInfo& n) { return {{"id", n.id.hex()}, {"address", n.endpoint.to_string()}}; }

int print_status(const DhtCommandArgs& a, const dht::NodeStatus& s) {
    if (a.json) {
        nlohmann::json buckets = nlohmann::json::array();
        for (const auto* list : {&s.buckets4, &s.buckets6})
            for (const auto& b : *list)
                buckets.push_back({{"family", list == &s.buckets4 ? "ipv4" : "ipv6"},
                                   {"prefix_bits", b.prefix_bits},
                                   {"good", b.good},
                                   {"questionable", b.questionable},
                                   {"replacements", b.replacements}});
        nlohmann::json j = {{"id", s.id.hex()},
                            {"nodes_ipv4", s.nodes4},
                            {"nodes_ipv6", s.nodes6},
                            {"good", s.good},
                            {"questionable", s.questionable},
                            {"requests_in_flight", s.transactions},
                            {"lookups_running", s.queries},
                            {"stored_torrents", s.stored_torrents},
                            {"stored_peers", s.stored_peers},
                            {"stored_items", s.stored_items},
                            {"datagrams_in", s.datagrams_in},
                            {"datagrams_out", s.datagrams_out},
                            {"dropped", s.dropped},
                            {"buckets", buckets}};
        if (s.external_address) j["external_address"] = s.external_address->ip();
        std::printf("%s\n", j.dump().c_str());
        return exit_ok;
    }
    std::printf("node id %s\n", s.id.hex().c_str());
    if (s.external_address) std::printf("external address %s\n", s.external_address->ip().c_str());
    std::printf("nodes: %zu IPv4, %zu IPv6 (%zu good, %zu questionable)\n", s.nodes4, s.nodes6, s.good, s.questionable);
    std::printf("requests in flight %zu, lookups running %zu\n", s.transactions, s.queries);
    std::printf("stored: %zu peers for %zu torrents, %zu items\n", s.stored_peers, s.stored_torrents, s.stored_items);
    std::printf("%-6s %-7s %5s %13s %12s\n", "family", "bucket", "good", "questionable", "replacements");
    for (const auto* list : {&s.buckets4, &s.buckets6})
        for (const auto& b : *list)
            std::printf("%-6s %-7d %5zu %13zu %12zu\n", list == &s.buckets4 ? "ipv4" : "ipv6", b.prefix_bits, b.good,
                        b.questionable, b.replacements);
    return exit_ok;
}

int print_done(const DhtCommandArgs& a, const dht::QueryDone& d, const std::vector<dht::Endpoint>& peers,
               const std::string& target_hex, std::chrono::duration<double, std::milli> elapsed) {
    if (a.json) {
        nlohmann::json j = {{"ok", d.ok},
                            {"messages_sent", d.sent},
                            {"nodes_answered", d.replied},
                            {"elapsed_ms", std::round(elapsed.count() * 10) / 10}};
        if (!d.ok) j["error"] = d.error;
        if (!target_hex.empty()) j["target"] = target_hex;
        if (d.node_id) j["id"] = d.node_id->hex();
        nlohmann::json closest = nlohmann::json::array();
        for (const auto& n : d.closest) closest.push_back(node_json(n));
        if (!d.closest.empty()) j["closest"] = closest;
        if (d.kind == dht::QueryKind::get_peers || d.kind == dht::QueryKind::announce) {
            nlohmann::json list = nlohmann::json::array();
            for (const auto& p : peers) list.push_back(p.to_string());
            j["peers"] = list;
        }
        if (d.kind == dht::QueryKind::announce || d.kind == dht::QueryKind::put_item) j["stored_at"] = d.stored_at;
        if (d.kind == dht::QueryKind::put_item && a.mutable_item) j["seq"] = d.seq;
        if (d.item) {
            j["v"] = show_value(d.item->v);
            j["v_bencoded_hex"] = hex_of(d.item->v);
            if (d.item->mutable_fields) {
                j["seq"] = d.item->mutable_fields->seq;
                j["key"] = hex_of(d.item->mutable_fields->key);
            }
        }
        std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else if (!d.ok) {
        std::fprintf(stderr, "agora: %s\n", d.error.c_str());
    } else {
        switch (d.kind) {
            case dht::QueryKind::ping: std::printf("pong from %s\n", d.node_id->hex().c_str()); break;
            case dht::QueryKind::find_node:
                for (const auto& n : d.closest) std::printf("%s %s\n", n.id.hex().c_str(), n.endpoint.to_string().c_str());
                break;
            case dht::QueryKind::get_peers:
            case dht::QueryKind::announce:
                for (const auto& p : peers) std::printf("%s\n", p.to_string().c_str());
                if (d.kind == dht::QueryKind::announce) std::printf("announced to %zu nodes\n", d.stored_at);
                break;
            case dht::QueryKind::put_item:
                std::printf("target %s\nstored at %zu nodes", target_hex.c_str(), d.stored_at);
                if (a.mutable_item) std::printf(", seq %lld", static_cast<long long>(d.seq));
                std::printf("\n");
                break;
            case dht::QueryKind::get_item:
                std::printf("%s\n", show_value(d.item->v).c_str());
                if (d.item->mutable_fields)
                    std::fprintf(stderr, "seq %lld, key %s\n", static_cast<long long>(d.item->mutable_fields->seq),
                                 hex_of(d.item->mutable_fields->key).c_str());
                break;
            default: break;
        }
        std::fprintf(stderr, "%zu nodes answered, %zu messages sent, %.1f ms\n", d.replied, d.sent, elapsed.count());
    }
    if (!d.ok) return d.kind == dht::QueryKind::get_item && d.replied > 0 ? exit_incomplete : exit_error;
    if (d.kind == dht::QueryKind::get_peers && peers.empty()) return exit_incomplete;
    return exit_ok;
}

int run_dht(DhtCommandArgs& a) {
    // Check the arguments before touching the network.
    std::optional<dht::Endpoint> ping_to;
    std::optional<dht::NodeId> target;
    std::optional<ed25519::KeyPair> key;
    Bytes value;
    std::string target_hex;
    if (a.what == "ping") {
        ping_to = dht::parse_endpoint(a.argument);
        if (!ping_to) return report(bad("ping " + a.argument + ": expected IP:PORT, e.g. 127.0.0.1:6881 or [::1]:6881"));
    } else if (a.what == "find-node" || a.what == "get-peers" || a.what == "announce") {
        auto id = parse_id(a.argument, a.what == "find-node" ? "ID" : "INFOHASH");
        if (!id) return report(id.error());
        target = *id;
    } else if (a.what == "put") {
        if (a.immutable == a.mutable_item) return report(bad("put: choose one of --immutable and --mutable"));
        value = bencode::encode(bencode::Node(a.argument));
        if (value.size() > dht::item_value_bytes_max)
            return report(bad(fmt::format("put: the value is {} bytes encoded; BEP 44 allows {}", value.size(),
                                          dht::item_value_bytes_max)));
        if (a.salt.size() > dht::item_salt_bytes_max)
            return report(bad(fmt::format("--salt: at most {} bytes", dht::item_salt_bytes_max)));
        if (a.mutable_item) {
            if (a.key_file.empty()) return report(bad("put --mutable needs --key KEYFILE"));
            bool created = false;
            auto k = load_or_create_key(a.key_file, created);
            if (!k) return report(k.error());
            key = *k;
            if (created) std::fprintf(stderr, "created a new key in %s\n", a.key_file.c_str());
            target_hex = dht::mutable_target(key->public_key, a.salt).hex();
            std::fprintf(stderr, "public key %s\n", hex_of(key->public_key).c_str());
        } else {
            target_hex = dht::immutable_target(value).hex();
        }
    } else if (a.what == "get") {
        if (!a.public_key.empty()) {
            auto k = from_hex(a.public_key);
            if (!k || k->size() != 32) return report(bad("--key-public: expected 64 hex digits"));
            ed25519::PublicKey pk{};
            std::copy(k->begin(), k->end(), reinterpret_cast<char*>(pk.data()));
            target = dht::as_node_id(dht::mutable_target(pk, a.salt));
        } else {
            auto id = parse_id(a.argument, "TARGET");
            if (!id) return report(id.error());
            target = *id;
        }
    }

    const std::string state_dir = a.state_dir.empty() ? io::default_state_dir() : a.state_dir;
    session::EngineConfig config;
    config.seed = std::random_device{}();
    io::DriverConfig driver_config;
    driver_config.listen_address = a.bind;
    driver_config.listen_port = static_cast<std::uint16_t>(a.port);
    auto db = configure_dht(a.dht, state_dir, a.bind, config, driver_config);
    if (!db) return report(db.error());
    if (driver_config.dht_routers.empty() && driver_config.dht_known.empty() && a.what != "ping" && a.what != "serve")
        return report(bad("no DHT node to start from: pass --bootstrap HOST:PORT"));
    io::SessionDriver driver(config, driver_config);
    if (auto s = driver.start(); !s) return report(s.error());

    std::optional<dht::QueryId> query;
    std::optional<dht::QueryDone> result;
    // Wall time of the query alone (after the bootstrap), for `--json`'s elapsed_ms.
    std::chrono::steady_clock::time_point query_started, query_ended;
    std::vector<dht::Endpoint> peers;
    bool bootstrapped = driver_config.dht_routers.empty() && driver_config.dht_known.empty();
    driver.on_dht_event = [&](const dht::Event& e) {
        if (const auto* found = std::get_if<dht::PeersFound>(&e)) {
            if (query && found->query == *query) peers.insert(peers.end(), found->peers.begin(), found->peers.end());
            return;
        }
        const auto& done = std::get<dht::QueryDone>(e);
        if (done.kind == dht::QueryKind::bootstrap) bootstrapped = true;
        if (query && done.query == *query) {
            result = done;
            query_ended = std::chrono::steady_clock::now();
        }
    };
    auto start_query = [&](session::Engine& engine, TimePoint now) {
        auto& node = *engine.dht();
        query_started = std::chrono::steady_clock::now();
        if (a.what == "ping") query = node.ping(*ping_to, now);
        else if (a.what == "find-node") query = node.find_node(*target, now);
        else if (a.what == "get-peers") query = node.get_peers(*target, std::nullopt, false, now);
        else if (a.what == "announce")
            query = node.get_peers(*target, static_cast<std::uint16_t>(a.announce_port), false, now);
        else if (a.what == "put" && key) query = node.put_mutable(*key, a.salt, value, std::nullopt, now);
        else if (a.what == "put") query = node.put_immutable(value, now);
        else if (a.what == "get") query = node.get_item(*target, a.salt, now);
    };

    std::signal(SIGINT, on_dht_signal);
    std::signal(SIGTERM, on_dht_signal);
    if (a.what == "serve") {
        std::fprintf(stderr, "dht node %s listening on %s:%u\n", driver.engine().dht()->id().hex().c_str(),
                     a.bind.c_str(), driver.listen_port());
        int seconds = 0;
        driver.run([] { return dht_interrupted != 0; }, [&] {
            if (++seconds % 60 == 0) (void)io::save_dht_state(**db, *driver.engine().dht());
        });
    } else {
        int seconds = 0;
        driver.run(
            [&] {
                if (dht_interrupted || seconds > a.timeout) return true;
                if (!query && (bootstrapped || a.what == "ping")) {
                    if (a.what == "status") return true;
                    driver.with_engine(start_query);
                }
                return result.has_value();
            },
            [&] { ++seconds; });
    }
    int code = exit_ok;
    if (a.what == "status") {
        std::optional<dht::NodeStatus> status;
        driver.with_engine([&](session::Engine& engine, TimePoint now) { status = engine.dht()->status(now); });
        code = print_status(a, *status);
    } else if (a.what != "serve") {
        if (result) code = print_done(a, *result, peers, target_hex.empty() && target ? target->hex() : target_hex,
                                       query_ended - query_started);
        else code = report(make_error(Error::Kind::io, dht_interrupted ? "interrupted" : "no answer in time (--timeout)"));
    }
    (void)io::save_dht_state(**db, *driver.engine().dht());
    driver.shutdown(std::chrono::milliseconds(0));
    if (a.what == "serve") return exit_ok;
    return code;
}

}  // namespace

void add_dht(CLI::App& app, std::function<int()>& run) {
    auto* dht = app.add_subcommand("dht", "Look inside the Mainline DHT: ping, find nodes and peers, put and get items");
    dht->require_subcommand(1);
    auto add = [&](const char* name, const char* help, const char* arg, const char* arg_help) {
        auto args = std::make_shared<DhtCommandArgs>();
        args->what = name;
        auto* cmd = dht->add_subcommand(name, help);
        if (arg) cmd->add_option(arg, args->argument, arg_help)->required(std::string(name) != "get");
        cmd->add_option("--listen-port", args->port, "UDP (and TCP) port of this node (default: any free one)")
            ->check(CLI::Range(0, 65535));
        cmd->add_option("--bind", args->bind, "Address to bind (default 0.0.0.0; :: for IPv4 and IPv6)");
        cmd->add_option("--state-dir", args->state_dir, "Where the node database lives (default $XDG_DATA_HOME/agora)");
        cmd->add_option("--timeout", args->timeout, "Give up after this many seconds (default 30)");
        cmd->add_flag("--json", args->json, "Print the answer as one JSON object");
        add_dht_options(cmd, args->dht, false);
        cmd->callback([args, &run] { run = [args] { return run_dht(*args); }; });
        return std::pair{cmd, args};
    };
    add("ping", "Ask one node whether it is there", "ADDR", "IP:PORT of the node");
    add("find-node", "Find the nodes closest to an id", "ID", "40 hex digits");
    add("get-peers", "Find peers for a torrent (exit 4 when none)", "INFOHASH", "40 hex digits, or a magnet link");
    {
        auto [cmd, args] = add("announce", "Tell the closest nodes we have a torrent", "INFOHASH",
                               "40 hex digits, or a magnet link");
        cmd->add_option("--port", args->announce_port, "The TCP port peers should connect to (0: this node's UDP port)")
            ->check(CLI::Range(0, 65535));
    }
    {
        auto [cmd, args] = add("put", "Store a value in the DHT (BEP 44)", "VALUE", "The text to store");
        cmd->add_flag("--immutable", args->immutable, "Store it under the SHA-1 of its encoding");
        cmd->add_flag("--mutable", args->mutable_item, "Store it under a key, signed, with a sequence number");
        cmd->add_option("--key", args->key_file, "Key file (64 hex digits of an Ed25519 seed; created if missing)");
        cmd->add_option("--salt", args->salt, "Salt: one key can hold many values, one per salt");
    }
    {
        auto [cmd, args] = add("get", "Read a value from the DHT (BEP 44)", "TARGET", "40 hex digits");
        cmd->add_option("--salt", args->salt, "The salt a mutable item was put with");
        cmd->add_option("--key-public", args->public_key, "Read the mutable item of this public key (64 hex digits)");
    }
    add("status", "Join the DHT and show the routing table", nullptr, nullptr);
    add("serve", "Run a DHT node until interrupted", nullptr, nullptr);
}

}  // namespace agora::cli
