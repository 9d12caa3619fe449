// agora: one program, one subcommand per job (DESIGN.md, apps/agora).
#include <cstdio>

#include "commands.hpp"

namespace agora::cli {

int report(const Error& error) {
    std::fprintf(stderr, "agora: %s\n", error.describe().c_str());
    switch (error.kind) {
        case Error::Kind::bad_bencode:
        case Error::Kind::bad_torrent:
        case Error::Kind::bad_magnet:
            return exit_bad_input;
        case Error::Kind::bad_argument:
            return exit_usage;
        case Error::Kind::io:
            return exit_error;
    }
    return exit_error;
}

}  // namespace agora::cli

int main(int argc, char** argv) {
    using namespace agora::cli;
    CLI::App app{"agora: a BitTorrent node (v1, v2 and hybrid torrents)"};
    app.footer(
        "Exit codes: 0 success, 1 I/O or other error, 2 bad command line, 3 bad .torrent/magnet/bencode,\n"
        "4 verify found missing or wrong data, 5 get/seed interrupted before the download completed.\n"
        "Run 'agora COMMAND --help' for the options of a command.");
    app.require_subcommand(1);
    app.set_version_flag("--version", "agora 0.1.0");
    std::function<int()> run;
    add_create(app, run);
    add_info(app, run);
    add_verify(app, run);
    add_get(app, run);
    add_seed(app, run);
    add_scrape(app, run);
    add_dht(app, run);
    add_daemon(app, run);
    add_sim(app, run);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? exit_ok : exit_usage;
    }
    return run();
}
