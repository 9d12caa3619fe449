// Progress for long jobs (hashing, checking). On a terminal: one line redrawn in place with
// bytes, percent, rate and ETA. Otherwise: a plain line every few seconds, no control characters.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace agora::cli {

class ProgressReporter {
public:
    // `done` and `total` are read from the reporting thread; `label` names the job.
    ProgressReporter(std::string label, std::function<std::uint64_t()> done, std::function<std::uint64_t()> total,
                     bool quiet);
    ~ProgressReporter();  // stops and prints the final line

private:
    void run();
    void print(bool final);

    std::string label_;
    std::function<std::uint64_t()> done_;
    std::function<std::uint64_t()> total_;
    bool tty_;
    bool quiet_;
    std::chrono::steady_clock::time_point start_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace agora::cli
