#include "progress.hpp"

#include "text.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/core.h>

namespace agora::cli {

ProgressReporter::ProgressReporter(std::string label, std::function<std::uint64_t()> done,
                                   std::function<std::uint64_t()> total, bool quiet)
    : label_(std::move(label)), done_(std::move(done)), total_(std::move(total)), tty_(::isatty(STDERR_FILENO) == 1),
      quiet_(quiet), start_(std::chrono::steady_clock::now()) {
    if (!quiet_) thread_ = std::thread([this] { run(); });
}

ProgressReporter::~ProgressReporter() {
    if (quiet_) return;
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
    // The summary line only for a job that finished; a failed one ends in its error line alone.
    if (total_() > 0 && done_() == total_()) {
        print(true);
    } else if (tty_) {
        std::fprintf(stderr, "\r\x1b[K");
    }
}

void ProgressReporter::run() {
    // Redraw 5 times a second on a terminal; a log line every 5 seconds otherwise.
    const auto period = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period, [this] { return stop_; })) print(false);
}

void ProgressReporter::print(bool final) {
    const double done = static_cast<double>(done_());
    const double total = static_cast<double>(total_());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = seconds > 0 ? done / seconds : 0;
    const double percent = total > 0 ? 100.0 * done / total : 100.0;
    std::string eta = "--";
    if (rate > 0 && total > done) eta = fmt::format("{:.0f}s", (total - done) / rate);
    std::string line = fmt::format("{}: {} / {} ({:.1f}%), {}/s, ETA {}", label_, format_bytes(done),
                                   format_bytes(total), percent, format_bytes(rate), eta);
    if (final) line = fmt::format("{}: {} in {:.1f}s ({}/s)", label_, format_bytes(done), seconds, format_bytes(rate));
    if (tty_) {
        // Bar of 20 cells, then the numbers; \x1b[K clears what a longer previous line left.
        const int filled = static_cast<int>(percent / 5);
        std::string bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
                          std::string(static_cast<std::size_t>(20 - filled), ' ') + "] ";
        std::fprintf(stderr, "\r%s%s\x1b[K%s", final ? "" : bar.c_str(), line.c_str(), final ? "\n" : "");
    } else {
        std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
}

}  // namespace agora::cli
