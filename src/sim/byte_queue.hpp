// The bytes a stream direction has queued and not yet transmitted, kept as the parts they were
// sent in, each moved rather than copied on its way to the receiver; only a part larger than a
// chunk is split (copied), which is rare (a part is at most one engine Send).
//
// A part's trailing zeros are kept as a count, not as bytes (Part::zeros), and made again when
// the part is delivered (Part::expand). Simulated content is a short token and then zeros
// (content.hpp), so a queued 16 KiB block costs some fifty bytes instead of 16 KiB: the bytes a
// receiver gets are the same, and a world of thousands of nodes, each with half a second of its
// upload queued, fits in memory.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/assert.hpp"
#include "core/bytes.hpp"

namespace agora::sim {

struct Part {
    Bytes bytes;
    std::size_t zeros = 0;  // after `bytes`

    std::size_t size() const { return bytes.size() + zeros; }
    // The part's bytes, trailing zeros included.
    Bytes expand() && {
        bytes.append(zeros, '\0');
        zeros = 0;
        return std::move(bytes);
    }
    // Bytes [from, from + n) of the part, as a part.
    Part slice(std::size_t from, std::size_t n) const {
        const std::size_t stored = from < bytes.size() ? std::min(n, bytes.size() - from) : 0;
        return Part{bytes.substr(std::min(from, bytes.size()), stored), n - stored};
    }
};

class ByteQueue {
public:
    // Sends with at least this many trailing zeros keep them as a count.
    static constexpr std::size_t zeros_kept_min = 1024;

    void push(Bytes bytes) {
        if (bytes.empty()) return;
        size_ += bytes.size();
        Part part{std::move(bytes), 0};
        const std::size_t zeros = trailing_zeros(part.bytes);
        if (zeros >= zeros_kept_min) {
            part.bytes.resize(part.bytes.size() - zeros);
            part.bytes.shrink_to_fit();
            part.zeros = zeros;
        }
        parts_.push_back(std::move(part));
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
        if (first_ == parts_.size()) {
            parts_.clear();
            first_ = 0;
        } else if (first_ >= 64 && first_ * 2 >= parts_.size()) {
            parts_.erase(parts_.begin(), parts_.begin() + static_cast<std::ptrdiff_t>(first_));
            first_ = 0;
        }
    }

private:
    static std::size_t trailing_zeros(BytesView b) {
        static constexpr char zero[256] = {};
        std::size_t n = b.size();
        while (n >= sizeof zero && std::memcmp(b.data() + n - sizeof zero, zero, sizeof zero) == 0) n -= sizeof zero;
        while (n > 0 && b[n - 1] == '\0') --n;
        return b.size() - n;
    }

    std::vector<Part> parts_;  // parts before first_ have been taken (moved-from)
    std::size_t first_ = 0;
    std::size_t head_ = 0;     // bytes of parts_[first_] already taken
    std::size_t size_ = 0;
};

}  // namespace agora::sim
