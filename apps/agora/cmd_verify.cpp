// agora verify FILE.torrent DIR: check data on disk piece by piece.
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "io/torrent_file.hpp"
#include "io/parallel.hpp"
#include "io/verify.hpp"
#include "meta/torrent_info.hpp"
#include "progress.hpp"

namespace agora::cli {

namespace {
struct VerifyArgs {
    std::string torrent;
    std::string dir;
    bool json = false;
    bool quiet = false;
    unsigned threads = 0;
};

int run_verify(const VerifyArgs& a) {
    auto t = io::load_torrent_file(a.torrent);
    if (!t) return report(t.error());
    io::VerifyProgress progress;
    io::VerifyResult result;
    {
        const auto total = static_cast<std::uint64_t>(t->layout.total_size());
        ProgressReporter reporter(
            "checking", [&] { return progress.bytes_done.load(); }, [total] { return total; }, a.quiet || a.json);
        result = io::verify_torrent(*t, a.dir, a.threads ? a.threads : io::default_worker_count(), &progress);
    }
    const std::uint32_t total = t->layout.piece_count();
    const std::uint32_t have = result.have.count();
    if (a.json) {
        nlohmann::json missing = nlohmann::json::array();
        for (std::uint32_t i = 0; i < total; ++i)
            if (!result.have.get(i)) missing.push_back(i);
        nlohmann::json j = {{"name", t->name},          {"pieces_total", total},
                            {"pieces_have", have},      {"pieces_missing", total - have},
                            {"pieces_unreadable", result.unreadable}, {"pieces_unverifiable", result.unverifiable},
                            {"missing", missing},       {"complete", have == total}};
        std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
        std::printf("%s: %u of %u pieces verified, %u missing or wrong", t->name.c_str(), have, total, total - have);
        if (result.unreadable) std::printf(" (%u touch missing or short files)", result.unreadable);
        if (result.unverifiable) std::printf(" (%u have no hash to check: no piece layer)", result.unverifiable);
        std::printf("\n");
    }
    return have == total ? exit_ok : exit_incomplete;
}
}  // namespace

void add_verify(CLI::App& app, std::function<int()>& run) {
    auto args = std::make_shared<VerifyArgs>();
    auto* cmd = app.add_subcommand("verify", "Check data on disk against a .torrent, piece by piece");
    cmd->add_option("TORRENT", args->torrent, "The .torrent file")->required();
    cmd->add_option("DIR", args->dir,
                    "The save folder: it holds the torrent's content under the torrent's name")
        ->required();
    cmd->add_flag("--json", args->json, "Print JSON instead of text (lists the missing pieces)");
    cmd->add_option("--threads", args->threads, "Hashing threads (default: one per core)");
    cmd->add_flag("-q,--quiet", args->quiet, "No progress output");
    cmd->callback([args, &run] { run = [args] { return run_verify(*args); }; });
}

}  // namespace agora::cli
