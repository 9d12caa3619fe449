// agora info FILE.torrent|MAGNET: what a torrent or magnet link holds.
#include <cstdio>
#include <ctime>
#include <memory>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "io/torrent_file.hpp"
#include "meta/magnet.hpp"
#include "meta/torrent_info.hpp"
#include "text.hpp"

namespace agora::cli {

namespace {
using nlohmann::json;

struct InfoArgs {
    std::string source;
    bool json = false;
};

json hash_or_null(const auto& h) { return h ? json(h->hex()) : json(nullptr); }

json torrent_json(const meta::TorrentInfo& t) {
    json files = json::array();
    for (const auto& f : t.layout.files()) {
        if (f.pad) continue;
        json j = {{"path", f.path}, {"size", f.size}};
        if (!f.symlink.empty()) j["symlink"] = f.symlink;
        if (f.executable) j["executable"] = true;
        files.push_back(j);
    }
    json trackers = json::array();
    for (const auto& tr : t.trackers) trackers.push_back({{"url", tr.url}, {"tier", tr.tier}});
    return {
        {"name", t.name},
        {"info_hash_v1", hash_or_null(t.info_hashes.v1)},
        {"info_hash_v2", hash_or_null(t.info_hashes.v2)},
        {"total_size", t.layout.total_size()},
        {"piece_length", t.layout.piece_length()},
        {"piece_count", t.layout.piece_count()},
        {"private", t.is_private},
        {"files", files},
        {"trackers", trackers},
        {"web_seeds", t.web_seeds},
        {"comment", t.comment},
        {"created_by", t.created_by},
        {"creation_date", t.creation_date ? json(*t.creation_date) : json(nullptr)},
    };
}

void print_torrent(const meta::TorrentInfo& t) {
    std::printf("name:         %s\n", t.name.c_str());
    std::printf("info-hash v1: %s\n", t.has_v1() ? t.info_hashes.v1->hex().c_str() : "(none: v2-only torrent)");
    std::printf("info-hash v2: %s\n", t.has_v2() ? t.info_hashes.v2->hex().c_str() : "(none: v1-only torrent)");
    std::printf("total size:   %s (%lld bytes)\n", format_bytes(static_cast<double>(t.layout.total_size())).c_str(),
                static_cast<long long>(t.layout.total_size()));
    std::printf("pieces:       %u x %s\n", t.layout.piece_count(),
                format_bytes(static_cast<double>(t.layout.piece_length())).c_str());
    std::printf("private:      %s\n", t.is_private ? "yes" : "no");
    if (!t.comment.empty()) std::printf("comment:      %s\n", printable(t.comment).c_str());
    if (!t.created_by.empty()) std::printf("created by:   %s\n", printable(t.created_by).c_str());
    if (t.creation_date) {
        const std::time_t when = static_cast<std::time_t>(*t.creation_date);
        char text[64] = "?";
        if (const std::tm* tm = std::gmtime(&when)) std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", tm);
        std::printf("created:      %s\n", text);
    }
    std::printf("trackers:%s\n", t.trackers.empty() ? "     (none)" : "");
    for (const auto& tr : t.trackers) std::printf("  tier %u: %s\n", tr.tier, printable(tr.url).c_str());
    if (!t.web_seeds.empty()) std::printf("web seeds:\n");
    for (const auto& w : t.web_seeds) std::printf("  %s\n", printable(w).c_str());
    std::printf("files:\n");
    for (const auto& f : t.layout.files()) {
        if (f.pad) continue;
        if (!f.symlink.empty())
            std::printf("  %s -> %s\n", f.path.c_str(), f.symlink.c_str());
        else
            std::printf("  %12lld  %s\n", static_cast<long long>(f.size), f.path.c_str());
    }
}

json magnet_json(const meta::Magnet& m) {
    json peers = json::array();
    for (const auto& p : m.peers) peers.push_back(p.host + ":" + std::to_string(p.port));
    return {
        {"name", m.display_name},
        {"info_hash_v1", hash_or_null(m.info_hashes.v1)},
        {"info_hash_v2", hash_or_null(m.info_hashes.v2)},
        {"trackers", m.trackers},
        {"web_seeds", m.web_seeds},
        {"peers", peers},
    };
}

void print_magnet(const meta::Magnet& m) {
    std::printf("magnet link\n");
    std::printf("name:         %s\n", m.display_name.empty() ? "(not given)" : printable(m.display_name).c_str());
    std::printf("info-hash v1: %s\n", m.info_hashes.v1 ? m.info_hashes.v1->hex().c_str() : "(none)");
    std::printf("info-hash v2: %s\n", m.info_hashes.v2 ? m.info_hashes.v2->hex().c_str() : "(none)");
    for (const auto& t : m.trackers) std::printf("tracker:      %s\n", printable(t).c_str());
    for (const auto& w : m.web_seeds) std::printf("web seed:     %s\n", printable(w).c_str());
    for (const auto& p : m.peers) std::printf("peer:         %s:%u\n", p.host.c_str(), p.port);
}

int run_info(const InfoArgs& a) {
    if (a.source.starts_with("magnet:") || a.source.starts_with("MAGNET:")) {
        auto m = meta::parse_magnet(a.source);
        if (!m) return report(m.error());
        if (a.json)
            std::printf("%s\n", magnet_json(*m).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        else
            print_magnet(*m);
        return exit_ok;
    }
    auto t = io::load_torrent_file(a.source);
    if (!t) return report(t.error());
    if (a.json)
        std::printf("%s\n", torrent_json(*t).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    else
        print_torrent(*t);
    return exit_ok;
}
}  // namespace

void add_info(CLI::App& app, std::function<int()>& run) {
    auto args = std::make_shared<InfoArgs>();
    auto* cmd = app.add_subcommand("info", "Show what a .torrent file or magnet link holds");
    cmd->add_option("SOURCE", args->source, "A .torrent file or a magnet: link")->required();
    cmd->add_flag("--json", args->json, "Print JSON instead of text");
    cmd->callback([args, &run] { run = [args] { return run_info(*args); }; });
}

}  // namespace agora::cli
