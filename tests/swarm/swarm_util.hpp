// What the swarm tests share: where the programs are, free ports, reading what a process says.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>
#include <nlohmann/json.hpp>
#include <string>

#include "process.hpp"

namespace agora::test {

inline const std::string agora_bin = AGORA_BINARY;
inline const std::string lt_peer = std::string(AGORA_INTEROP_DIR) + "/lt_peer.py";

// A TCP port that was free a moment ago (the kernel's choice for port 0).
inline std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

// A shell command's exit status and what it printed on either stream.
struct ShellResult {
    int exit = -1;
    std::string out;
};

inline ShellResult shell(const std::string& command) {
    ShellResult r;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p) return r;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
    const int status = ::pclose(p);
    r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

inline std::string run_capture(const std::string& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
    return out;
}

inline std::string info_hash_v1(const std::string& torrent) {
    auto j = nlohmann::json::parse(run_capture(agora_bin + " info --json " + torrent));
    return j["info_hash_v1"].get<std::string>();
}

// The port an agora (or lt_peer.py) process says it listens on; 0 if it never says.
inline std::uint16_t listening_port(Process& p) {
    auto line = p.wait_for_line("listening on port", std::chrono::seconds(30));
    if (!line) return 0;
    return static_cast<std::uint16_t>(std::stoi(line->substr(line->find("port ") + 5)));
}

// opentracker on 127.0.0.1:`port`, serving the torrents with these v1 hashes (Debian's build
// serves only whitelisted ones); returns once it accepts connections.
inline std::unique_ptr<Process> start_opentracker(const std::filesystem::path& dir, const std::vector<std::string>& hashes,
                                                  std::uint16_t port) {
    {
        std::ofstream whitelist(dir / "whitelist");
        for (const auto& h : hashes) whitelist << h << "\n";
    }
    // Started as root, opentracker drops to user nobody before it reads the whitelist.
    std::filesystem::permissions(dir, std::filesystem::perms::others_read | std::filesystem::perms::others_exec,
                                 std::filesystem::perm_options::add);
    auto tracker = std::make_unique<Process>(std::vector<std::string>{
        "/usr/bin/opentracker", "-i", "127.0.0.1", "-p", std::to_string(port), "-P", std::to_string(port), "-w",
        (dir / "whitelist").string()});
    for (int i = 0; i < 200; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        ::close(fd);
        if (up) break;
        ::usleep(20'000);  // a readiness probe of a process we do not control
    }
    return tracker;
}

// The last JSON progress object an agora --json process printed.
inline nlohmann::json last_progress(const std::string& stdout_path) {
    std::ifstream in(stdout_path);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty()) last = line;
    return last.empty() ? nlohmann::json() : nlohmann::json::parse(last);
}

}  // namespace agora::test
