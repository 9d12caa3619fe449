// agora scrape FILE.torrent|MAGNET: ask the torrent's HTTP trackers how many seeds and leechers
// they know (BEP 48 scrape convention), without joining the swarm.
#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <cstring>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "io/http_client.hpp"
#include "io/torrent_file.hpp"
#include "meta/magnet.hpp"
#include "text.hpp"
#include "tracker/http.hpp"
#include "tracker/limits.hpp"

namespace agora::cli {

namespace {
struct ScrapeArgs {
    std::string source;
    bool json = false;
};

int run_scrape(const ScrapeArgs& a) {
    InfoHashes hashes;
    std::vector<std::string> trackers;
    if (a.source.starts_with("magnet:") || a.source.starts_with("MAGNET:")) {
        auto m = meta::parse_magnet(a.source);
        if (!m) return report(m.error());
        hashes = m->info_hashes;
        trackers = m->trackers;
    } else {
        auto t = io::load_torrent_file(a.source);
        if (!t) return report(t.error());
        hashes = t->info_hashes;
        for (const auto& tr : t->trackers) trackers.push_back(tr.url);
    }
    tracker::Hash20 key{};
    std::memcpy(key.data(), hashes.v1 ? hashes.v1->bytes.data() : hashes.v2->bytes.data(), 20);

    boost::asio::io_context ioc;
    nlohmann::json results = nlohmann::json::array();
    int answered = 0;
    for (const auto& url : trackers) {
        auto scrape_url = tracker::build_scrape_url(url, {key});
        if (!scrape_url) {
            results.push_back({{"tracker", url}, {"error", "no scrape address (not http(s) .../announce)"}});
            continue;
        }
        io::http_get(ioc, *scrape_url, std::chrono::seconds(15), tracker::limits::http_body_bytes_max,
                     [&, url](Result<std::string> body) {
                         nlohmann::json r = {{"tracker", url}};
                         auto parsed = body ? tracker::parse_scrape_response(*body)
                                            : Result<std::map<tracker::Hash20, tracker::ScrapeEntry>>(body.error());
                         if (!parsed) {
                             r["error"] = parsed.error().describe();
                         } else if (auto it = parsed->find(key); it == parsed->end()) {
                             r["error"] = "the tracker does not know this torrent";
                         } else {
                             r["seeders"] = it->second.complete;
                             r["leechers"] = it->second.incomplete;
                             r["downloaded"] = it->second.downloaded;
                             ++answered;
                         }
                         results.push_back(r);
                     });
    }
    ioc.run();
    if (a.json) {
        std::printf("%s\n", results.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
        if (trackers.empty()) std::printf("no trackers\n");
        for (const auto& r : results) {
            const auto tracker_url = printable(r["tracker"].get<std::string>());
            if (r.contains("error"))
                std::printf("%s: %s\n", tracker_url.c_str(), printable(r["error"].get<std::string>()).c_str());
            else
                std::printf("%s: %u seeders, %u leechers, %u downloads\n", tracker_url.c_str(),
                            r["seeders"].get<unsigned>(), r["leechers"].get<unsigned>(), r["downloaded"].get<unsigned>());
        }
    }
    return answered > 0 || trackers.empty() ? exit_ok : exit_error;
}
}  // namespace

void add_scrape(CLI::App& app, std::function<int()>& run) {
    auto args = std::make_shared<ScrapeArgs>();
    auto* cmd = app.add_subcommand("scrape", "Ask a torrent's HTTP trackers for its seeders and leechers (BEP 48)");
    cmd->add_option("SOURCE", args->source, "A .torrent file or a magnet: link with tr= trackers")->required();
    cmd->add_flag("--json", args->json, "Print JSON instead of text");
    cmd->callback([args, &run] { run = [args] { return run_scrape(*args); }; });
}

}  // namespace agora::cli
