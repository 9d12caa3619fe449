// agora create PATH -o FILE.torrent: hash a file or folder into a .torrent.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>

#include <fmt/core.h>

#include "commands.hpp"
#include "core/digest.hpp"
#include "io/create_torrent.hpp"
#include "io/parallel.hpp"
#include "meta/torrent_info.hpp"
#include "progress.hpp"

namespace agora::cli {

namespace {
struct CreateArgs {
    std::string path;
    std::string output;
    std::vector<std::string> trackers;
    std::vector<std::string> web_seeds;
    std::int64_t piece_size = 0;
    bool is_private = false;
    std::string comment;
    bool v1_only = false;
    bool v2_only = false;
    bool no_date = false;
    bool quiet = false;
    unsigned threads = 0;
};

int run_create(const CreateArgs& a) {
    meta::CreateOptions options;
    options.trackers = a.trackers;
    options.web_seeds = a.web_seeds;
    options.piece_length = a.piece_size;
    options.is_private = a.is_private;
    options.comment = a.comment;
    options.version = a.v1_only ? meta::TorrentVersion::v1_only
                      : a.v2_only ? meta::TorrentVersion::v2_only
                                  : meta::TorrentVersion::hybrid;
    if (!a.no_date) options.creation_date = static_cast<std::int64_t>(std::time(nullptr));

    io::CreateProgress progress;
    Result<Bytes> torrent = make_error(Error::Kind::io, "not run");
    {
        ProgressReporter reporter(
            "hashing", [&] { return progress.bytes_done.load(); }, [&] { return progress.bytes_total.load(); },
            a.quiet);
        torrent = io::create_torrent(a.path, options, a.threads ? a.threads : io::default_worker_count(), &progress);
    }
    if (!torrent) return report(torrent.error());

    // Write to a temporary name and rename, so a crash never leaves half a .torrent behind.
    const std::string temp = a.output + ".part";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(torrent->data(), static_cast<std::streamsize>(torrent->size()));
        if (!out.good()) return report(make_error(Error::Kind::io, a.output + ": cannot write"));
    }
    if (std::rename(temp.c_str(), a.output.c_str()) != 0)
        return report(make_error(Error::Kind::io, a.output + ": cannot write"));

    auto info = meta::parse_torrent(*torrent);
    AGORA_ASSERT(info.ok());  // what we write, we must be able to read
    std::printf("created %s\n", a.output.c_str());
    if (info->has_v1()) std::printf("info-hash v1: %s\n", info->info_hashes.v1->hex().c_str());
    if (info->has_v2()) std::printf("info-hash v2: %s\n", info->info_hashes.v2->hex().c_str());
    return exit_ok;
}
}  // namespace

void add_create(CLI::App& app, std::function<int()>& run) {
    auto args = std::make_shared<CreateArgs>();
    auto* cmd = app.add_subcommand("create", "Hash a file or folder into a .torrent (hybrid v1+v2 by default)");
    cmd->add_option("PATH", args->path, "File or folder to share")->required();
    cmd->add_option("-o,--output", args->output, "Where to write the .torrent")->required();
    cmd->add_option("-t,--tracker", args->trackers, "Tracker announce URL (repeat for more; each is its own tier)");
    cmd->add_option("-w,--web-seed", args->web_seeds, "Web seed URL (BEP 19; repeatable)");
    cmd->add_option("--piece-size", args->piece_size,
                    "Piece size in bytes (power of two >= 16384; default: chosen from the total size as libtorrent does)");
    cmd->add_flag("--private", args->is_private, "Mark the torrent private (BEP 27: no DHT, PEX or LSD)");
    cmd->add_option("--comment", args->comment, "Comment stored in the .torrent");
    auto* v1 = cmd->add_flag("--v1-only", args->v1_only, "Make a v1 torrent (BEP 3) only");
    auto* v2 = cmd->add_flag("--v2-only", args->v2_only, "Make a v2 torrent (BEP 52) only");
    v1->excludes(v2);
    cmd->add_flag("--no-date", args->no_date, "Leave out the creation date (the output is then byte-identical every run)");
    cmd->add_option("--threads", args->threads, "Hashing threads (default: one per core)");
    cmd->add_flag("-q,--quiet", args->quiet, "No progress output");
    cmd->callback([args, &run] { run = [args] { return run_create(*args); }; });
}

}  // namespace agora::cli
