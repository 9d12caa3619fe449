// The bytes a stream direction has queued and not yet transmitted, kept as the parts they were
// sent in, each moved rather than copied on its way to the receiver; only a part larger than a
// chunk is split (copied), which is rare (a part is at most one engine Send).
//
// A part's longest run of zeros is kept as a count, not as bytes (Part::zeros), and made again
// when the part is delivered (Part::expand, Part::expand_into). Simulated content is a short
// token and then zeros (content.hpp), so a queued 16 KiB block costs under a hundred bytes (the
// Part, and its message header and token in one string) instead of 16 KiB: the bytes a receiver
// gets are the same, and a world of thousands of nodes, each with half a second of its upload
// queued, fits in memory.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/assert.hpp"
#include "core/bytes.hpp"

namespace agora::sim {

struct Part {
    Bytes kept;                   // the part's bytes but its run of zeros
    std::uint32_t zeros_at = 0;   // where in `kept` the zeros go
    std::uint32_t zeros = 0;

    std::size_t size() const { return kept.size() + zeros; }
    // The part's bytes, zeros included.
    Bytes expand() && {
        if (zeros == 0) return std::move(kept);
        Bytes out;
        expand_into(out);
        return out;
    }
    // The same, written over `out` (whose memory is reused: no allocation per delivery).
    void expand_into(Bytes& out) const {
        out.assign(kept, 0, zeros_at);
        out.append(zeros, '\0');
        out.append(kept, zeros_at);
    }
    // Bytes [from, from + n) of the part, as a part.
    Part slice(std::size_t from, std::size_t n) const {
        const std::size_t end = from + n;
        const std::size_t zeros_end = zeros_at + zeros;
        Part out;
        if (from < zeros_at) out.kept = kept.substr(from, std::min(end, std::size_t{zeros_at}) - from);
        const std::size_t run_from = std::max(from, std::size_t{zeros_at});
        const std::size_t run_end = std::min(end, zeros_end);
        if (run_end > run_from) {
            out.zeros_at = static_cast<std::uint32_t>(out.kept.size());
            out.zeros = static_cast<std::uint32_t>(run_end - run_from);
        }
        if (end > zeros_end) {
            const std::size_t tail_from = std::max(from, zeros_end) - zeros;  // in `kept`
            out.kept.append(kept, tail_from, end - zeros - tail_from);
        }
        return out;
    }
};

class ByteQueue {
public:
    // A send's longest run of zeros is kept as a count when it is at least this long.
    static constexpr std::size_t zeros_kept_min = 1024;

    void push(Bytes bytes) {
        if (bytes.empty()) return;
        size_ += bytes.size();
        const auto [at, zeros] = bytes.size() >= zeros_kept_min ? longest_zero_run(bytes) : std::pair<std::size_t, std::size_t>{};
        if (zeros < zeros_kept_min) {
            parts_.push_back(Part{std::move(bytes), 0, {}});
            return;
        }
        // The kept bytes get a buffer of their own size: the send's is mostly the zeros.
        AGORA_ASSERT(bytes.size() <= UINT32_MAX);
        Bytes kept;
        kept.reserve(bytes.size() - zeros);
        kept.append(bytes, 0, at);
        kept.append(bytes, at + zeros);
        parts_.push_back(Part{std::move(kept), static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(zeros)});
    }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    void clear() {
        parts_ = {};  // an idle stream holds no buffer (there may be hundreds of thousands)
        first_ = 0;
        head_ = 0;
        size_ = 0;
    }

    // How many bytes the next chunk holds: whole parts while the chunk is under `max` (so it may
    // reach almost 2 * max), or the first `max` bytes of a part larger than that.
    std::size_t next_chunk(std::size_t max) const {
        std::size_t total = 0;
        std::size_t skip = head_;
        for (std::size_t i = first_; i < parts_.size(); ++i) {
            const std::size_t left = parts_[i].size() - skip;
            skip = 0;
            if (left > max) return total == 0 ? max : total;
            if (total >= max) break;
            total += left;
        }
        return total;
    }

    // Moves the first `n` bytes out as parts (n must end at a part boundary or fall in the first part).
    void take(std::size_t n, std::vector<Part>& out) {
        AGORA_ASSERT(n <= size_);
        size_ -= n;
        while (n > 0) {
            Part& front = parts_[first_];
            const std::size_t left = front.size() - head_;
            if (n < left) {
                out.push_back(front.slice(head_, n));
                head_ += n;
                return;
            }
            out.push_back(head_ == 0 ? std::move(front) : front.slice(head_, left));
            ++first_;
            head_ = 0;
            n -= left;
        }
        // Taken parts are dropped in bulk; a queue that once held many parts gives the room back
        // (thousands of streams each keeping their busiest moment's capacity add up).
        if (first_ == parts_.size()) {
            if (parts_.capacity() > 64) parts_ = {};
            else parts_.clear();
            first_ = 0;
        } else if (first_ >= 64 && first_ * 2 >= parts_.size()) {
            parts_.erase(parts_.begin(), parts_.begin() + static_cast<std::ptrdiff_t>(first_));
            first_ = 0;
            if (parts_.capacity() > 4 * parts_.size()) parts_.shrink_to_fit();
        }
    }

private:
    // Where the longest run of zeros starts, and how long it is (found 256 bytes at a time, then
    // widened byte by byte).
    static std::pair<std::size_t, std::size_t> longest_zero_run(BytesView b) {
        constexpr std::size_t step = 256;
        std::size_t best_at = 0, best_end = 0, run_at = 0;
        bool in_run = false;
        std::size_t at = 0;
        for (; at + step <= b.size(); at += step) {
            const bool zeros = all_zero(b.substr(at, step));
            if (zeros && !in_run) run_at = at;
            if (!zeros && in_run && at - run_at > best_end - best_at) best_at = run_at, best_end = at;
            in_run = zeros;
        }
        if (in_run && at - run_at > best_end - best_at) best_at = run_at, best_end = at;
        if (best_end == best_at) return {0, 0};
        while (best_at > 0 && b[best_at - 1] == '\0') --best_at;
        while (best_end < b.size() && b[best_end] == '\0') ++best_end;
        return {best_at, best_end - best_at};
    }

    std::vector<Part> parts_;  // parts before first_ have been taken (moved-from)
    std::size_t first_ = 0;
    std::size_t head_ = 0;     // bytes of parts_[first_] already taken
    std::size_t size_ = 0;
};

}  // namespace agora::sim
