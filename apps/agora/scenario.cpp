#include "scenario.hpp"

#include <toml++/toml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace agora::cli {

namespace {

Error bad(std::string message) { return make_error(Error::Kind::bad_argument, std::move(message)); }

std::string fmt_range(const char* key, double min, double max) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s must be a number from %g to %g", key, min, max);
    return buf;
}

std::uint64_t mbit(double m) { return static_cast<std::uint64_t>(m * 1e6 / 8); }

}  // namespace

Result<Scenario> parse_scenario(std::string_view text, const std::string& path) {
    toml::table t;
    try {
        t = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        return bad(path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    }
    Scenario s;
    s.info.name = std::filesystem::path(path).stem().string();
    s.info.kind = t["kind"].value_or(std::string());
    const bool crowd = s.info.kind == "flash-crowd";
    const bool lossy = s.info.kind == "lossy";
    const bool churn = s.info.kind == "churn";
    if (!crowd && !lossy && !churn && s.info.kind != "dht-scale")
        return bad(path + ": kind must be \"flash-crowd\", \"dht-scale\", \"churn\" or \"lossy\"");
    const std::set<std::string> crowd_keys = {"leechers", "file-mib", "piece-kib", "seed-upload-mbit",
                                              "seed-download-mbit", "arrival-window-s", "time-limit-s", "max-peers",
                                              "link"};
    const std::set<std::string> link_keys = {"name", "share", "up-mbit", "down-mbit", "nat", "port-forward"};
    const std::set<std::string> dht_keys = {"nodes", "lookups", "join-window-s", "settle-s", "lookup-window-s",
                                            "up-mbit", "down-mbit"};
    std::set<std::string> common = {"kind", "seed", "latency-ms", "loss"};
    std::set<std::string> known = crowd ? crowd_keys : dht_keys;
    if (churn)
        known = {"initial", "arrivals-per-s", "session-min-s", "session-shape", "departure-at-s", "duration-s",
                 "lookup-interval-s", "lookups-per-interval", "file-mib", "piece-kib", "seed-upload-mbit",
                 "seed-download-mbit", "max-peers", "link"};
    if (lossy) {
        // Both halves, with the links' loss and latency set per condition instead.
        known.insert(crowd_keys.begin(), crowd_keys.end());
        known.insert("conditions");
        common = {"kind", "seed"};
    }
    for (const auto& [key, value] : t)
        if (!known.contains(std::string(key.str())) && !common.contains(std::string(key.str())))
            return bad(path + ": unknown setting '" + std::string(key.str()) + "' for a " + s.info.kind + " scenario");
    std::string error;
    auto number = [&](const char* key, double min, double max) -> std::optional<double> {
        auto n = t[key];
        if (!n) return std::nullopt;
        auto v = n.value<double>();
        if (!v || !(*v >= min && *v <= max)) {  // written so that TOML's nan fails too
            error = fmt_range(key, min, max);
            return std::nullopt;
        }
        return *v;
    };
    if (auto v = number("seed", 0, 9007199254740991.0)) s.info.seed = static_cast<std::uint64_t>(*v);
    else s.info.seed = 1;
    if (lossy) {
        const auto* a = t["conditions"].as_array();
        if (a)
            for (const auto& x : *a) {
                const auto* c = x.as_array();
                std::optional<double> loss, lo, hi;
                if (c && c->size() == 3) {
                    loss = (*c)[0].value<double>();
                    lo = (*c)[1].value<double>();
                    hi = (*c)[2].value<double>();
                }
                if (!loss || !lo || !hi || !(*loss >= 0 && *loss <= 0.5 && *lo >= 0 && *hi >= *lo && *hi <= 10000))
                    return bad(path + ": every condition must be [loss 0 to 0.5, latency min ms, latency max ms]");
                s.conditions.push_back({*loss, *lo, *hi});
            }
        if (s.conditions.empty()) return bad(path + ": conditions must list [loss, latency min ms, latency max ms]");
        for (const char* key : {"leechers", "nodes"}) {
            auto v = t[key].value_exact<std::int64_t>();
            if (!v || *v < 2 || *v > 1'000'000) return bad(path + ": " + key + " must be a count from 2 to 1000000");
            s.sizes.push_back(static_cast<std::uint32_t>(*v));  // [leechers, nodes]
        }
    }
    const char* sizes_key = crowd ? "leechers" : "nodes";
    const std::int64_t sizes_min = crowd ? 1 : 2;
    const std::string sizes_error =
        path + ": " + sizes_key + " must be a count or a list of counts (" + std::to_string(sizes_min) + " to 1000000)";
    if (lossy) {
        // sizes were read above
    } else if (churn) {
        auto v = t["initial"].value_exact<std::int64_t>();
        if (!v || *v < 1 || *v > 1'000'000) return bad(path + ": initial must be a count from 1 to 1000000");
        s.sizes.push_back(static_cast<std::uint32_t>(*v));
        s.churn.initial = s.sizes[0];
    } else if (const auto* a = t[sizes_key].as_array()) {
        for (const auto& x : *a) {
            auto v = x.value_exact<std::int64_t>();
            if (!v || *v < sizes_min || *v > 1'000'000) return bad(sizes_error);
            s.sizes.push_back(static_cast<std::uint32_t>(*v));
        }
    } else if (auto v = t[sizes_key].value_exact<std::int64_t>(); v && *v >= sizes_min && *v <= 1'000'000) {
        s.sizes.push_back(static_cast<std::uint32_t>(*v));
    }
    if (s.sizes.empty()) return bad(sizes_error);
    if (lossy) {
        s.crowd.leechers = s.sizes[0];
        s.dht.nodes = s.sizes[1];
    }
    auto seconds_of = [](double x) { return Duration(static_cast<Duration::rep>(x * 1e6)); };
    auto& d = s.dht;
    if (auto v = number("lookups", 1, 1e6)) d.lookups = static_cast<std::uint32_t>(*v);
    if (auto v = number("join-window-s", 0, 1e6)) d.join_window = seconds_of(*v);
    if (auto v = number("settle-s", 0, 1e6)) d.settle = seconds_of(*v);
    if (auto v = number("lookup-window-s", 0, 1e6)) d.lookup_window = seconds_of(*v);
    if (auto v = number("up-mbit", 0.01, 1e6)) d.upload = mbit(*v);
    if (auto v = number("down-mbit", 0.01, 1e6)) d.download = mbit(*v);
    auto& c = s.crowd;
    if (auto v = number("file-mib", 0.0625, 1 << 20)) c.file_bytes = static_cast<std::int64_t>(*v * (1 << 20));
    if (auto v = number("piece-kib", 0, 1 << 16)) c.piece_length = static_cast<std::int64_t>(*v) * 1024;
    if (c.piece_length % (16 * 1024) != 0) return bad(path + ": piece-kib must be a multiple of 16 (or 0 for automatic)");
    if (auto v = number("seed-upload-mbit", 0.01, 1e6)) c.seed_upload = mbit(*v);
    if (auto v = number("seed-download-mbit", 0.01, 1e6)) c.seed_download = mbit(*v);
    if (auto v = number("loss", 0, 0.5)) c.loss = d.loss = *v;
    if (auto v = number("arrival-window-s", 0, 1e6)) c.arrival_window = Duration(static_cast<Duration::rep>(*v * 1e6));
    if (auto v = number("time-limit-s", 1, 1e7)) c.time_limit = Duration(static_cast<Duration::rep>(*v * 1e6));
    if (auto v = number("max-peers", 2, 1000)) c.max_peers = static_cast<std::uint32_t>(*v);
    if (auto n = t["latency-ms"]) {
        const auto* a = n.as_array();
        std::optional<double> lo, hi;
        if (a && a->size() == 2) {
            lo = (*a)[0].value<double>();
            hi = (*a)[1].value<double>();
        }
        if (!lo || !hi || !(*lo >= 0 && *hi >= *lo && *hi <= 10000))
            return bad(path + ": latency-ms must be [min, max], 0 to 10000");
        c.latency = {Duration(static_cast<Duration::rep>(*lo * 1000)), Duration(static_cast<Duration::rep>(*hi * 1000))};
        d.latency = c.latency;
    }
    if (auto n = t["link"]) {
        const auto* a = n.as_array();
        if (!a || a->empty())
            return bad(path + ": [[link]] entries: name, share, up-mbit, down-mbit; optionally nat and port-forward");
        c.links.clear();
        for (const auto& item : *a) {
            const auto* l = item.as_table();
            auto name = l ? (*l)["name"].value<std::string>() : std::nullopt;
            auto share = l ? (*l)["share"].value<double>() : std::nullopt;
            auto up = l ? (*l)["up-mbit"].value<double>() : std::nullopt;
            auto down = l ? (*l)["down-mbit"].value<double>() : std::nullopt;
            if (!name || !share || !up || !down ||
                !(*share > 0 && *share <= 1e6 && *up >= 0.01 && *down >= 0.01 && *up <= 1e6 && *down <= 1e6))
                return bad(path + ": every [[link]] needs name, share above 0 up to 1000000, up-mbit and down-mbit "
                                  "from 0.01 to 1000000");
            for (const auto& entry : *l)
                if (!link_keys.contains(std::string(entry.first.str())))
                    return bad(path + ": unknown setting '" + std::string(entry.first.str()) + "' in a [[link]]");
            std::optional<sim::NatType> nat = sim::NatType::none;
            if (const auto nat_key = (*l)["nat"]) {
                const auto nat_text = nat_key.value<std::string>();
                nat = nat_text ? sim::nat_type_from_string(*nat_text) : std::nullopt;
                if (!nat)
                    return bad(path + ": [[link]] " + *name + ": nat must be \"none\", \"full-cone\", " +
                               "\"restricted-cone\", \"port-restricted-cone\" or \"symmetric\"");
            }
            bool forward = false;
            if (const auto forward_key = (*l)["port-forward"]) {
                const auto value = forward_key.value_exact<bool>();
                if (!value) return bad(path + ": [[link]] " + *name + ": port-forward must be true or false");
                if (*value && *nat == sim::NatType::none)
                    return bad(path + ": [[link]] " + *name +
                               ": port-forward needs a nat (a public address takes connections already)");
                forward = *value;
            }
            c.links.push_back({*name, *share, mbit(*up), mbit(*down), *nat, forward});
        }
    }
    if (churn) {
        auto& h = s.churn;
        if (auto v = number("arrivals-per-s", 0, 1e4)) h.arrivals_per_s = *v;
        if (auto v = number("session-min-s", 1, 1e6)) h.session_min = seconds_of(*v);
        if (auto v = number("session-shape", 1.01, 10)) h.session_shape = *v;
        if (auto v = number("duration-s", 1, 1e6)) h.duration = seconds_of(*v);
        if (auto v = number("departure-at-s", 0, 1e6)) h.departure_at = seconds_of(*v);
        if (auto v = number("lookup-interval-s", 1, 1e4)) h.lookup_interval = seconds_of(*v);
        if (auto v = number("lookups-per-interval", 0, 1e5)) h.lookups_per_interval = static_cast<std::uint32_t>(*v);
        h.file_bytes = c.file_bytes;
        h.piece_length = c.piece_length;
        h.seed_upload = c.seed_upload;
        h.seed_download = c.seed_download;
        h.links = c.links;
        h.latency = c.latency;
        h.loss = c.loss;
        h.max_peers = c.max_peers;
        if (h.departure_at > h.duration) return bad(path + ": departure-at-s must fall within duration-s");
    }
    if (!error.empty()) return bad(path + ": " + error);
    return s;
}


Result<Scenario> read_scenario(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(Error::Kind::io, path + ": cannot read the scenario file");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_scenario(text.str(), path);
}

}  // namespace agora::cli
