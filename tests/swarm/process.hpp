// Child processes for the swarm tests: start a program with arguments, read its stderr line by
// line (waiting on the pipe, not sleeping), wait for it to exit, and kill it when the test ends.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace agora::test {

class Process {
public:
    // stdout goes to `stdout_path` (or /dev/null); stderr is read through a pipe.
    Process(std::vector<std::string> argv, std::string stdout_path = "/dev/null") : argv_(std::move(argv)) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(fds[1], 2);
            const int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (out >= 0) ::dup2(out, 1);
            std::vector<char*> args;
            for (auto& a : argv_) args.push_back(a.data());
            args.push_back(nullptr);
            ::execvp(args[0], args.data());
            std::fprintf(stderr, "exec %s failed: %s\n", args[0], std::strerror(errno));
            ::_exit(127);
        }
        ::close(fds[1]);
        err_fd_ = fds[0];
    }
    ~Process() {
        kill(SIGKILL);
        wait_exit(std::chrono::seconds(5));
        if (err_fd_ >= 0) ::close(err_fd_);
    }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    bool started() const { return pid_ > 0; }
    void kill(int sig) {
        if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
    }

    // Waits until a stderr line contains `needle`; returns that line.
    std::optional<std::string> wait_for_line(const std::string& needle, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            for (auto nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n')) {
                std::string line = pending_.substr(0, nl);
                pending_.erase(0, nl + 1);
                log_ += line + "\n";
                if (line.find(needle) != std::string::npos) return line;
            }
            if (!read_some(deadline)) return std::nullopt;
        }
    }

    // Waits for the process to exit; its exit code, or nullopt on timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!exit_code_) {
            int status = 0;
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                break;
            }
            // Drain stderr meanwhile, so the child never blocks on a full pipe; reading also
            // waits for the next event (output, or EOF when it exits).
            if (!read_some(std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(50))) &&
                std::chrono::steady_clock::now() >= deadline)
                return std::nullopt;
        }
        return exit_code_;
    }

    // Everything read from stderr so far (for failure messages).
    std::string log() {
        log_ += pending_;
        pending_.clear();
        return log_;
    }

private:
    bool read_some(std::chrono::steady_clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        if (err_fd_ < 0) {
            // stderr is closed (the child is exiting): nothing to wait on but a short pause.
            ::usleep(10'000);
            return true;
        }
        pollfd p{err_fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char buf[4096];
        const auto n = ::read(err_fd_, buf, sizeof buf);
        if (n <= 0) {
            // EOF: the child closed stderr (exited); wait_exit's waitpid will see it.
            ::close(err_fd_);
            err_fd_ = -1;
            return true;
        }
        pending_.append(buf, static_cast<std::size_t>(n));
        return true;
    }

    std::vector<std::string> argv_;
    pid_t pid_ = -1;
    int err_fd_ = -1;
    std::string pending_;
    std::string log_;
    std::optional<int> exit_code_;
};

}  // namespace agora::test
