// The bytes a stream direction has queued and not yet transmitted, kept as the parts they were
// sent in. A part leaves by being moved, not copied: a BitTorrent piece message is built once by
// the engine and handed, as the same buffer, to the receiving engine. Only a part larger than a
// chunk is split (copied), which is rare (a part is at most one engine Send).
#pragma once

#include <cstddef>
#include <vector>

#include "core/bytes.hpp"

namespace agora::sim {

class ByteQueue {
public:
    void push(Bytes bytes) {
        if (bytes.empty()) return;
        size_ += bytes.size();
        parts_.push_back(std::move(bytes));
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
    void take(std::size_t n, std::vector<Bytes>& out) {
        AGORA_ASSERT(n <= size_);
        size_ -= n;
        while (n > 0) {
            Bytes& front = parts_[first_];
            const std::size_t left = front.size() - head_;
            if (n < left) {
                out.push_back(front.substr(head_, n));
                head_ += n;
                return;
            }
            out.push_back(head_ == 0 ? std::move(front) : front.substr(head_));
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
    std::vector<Bytes> parts_;  // parts before first_ have been taken (moved-from)
    std::size_t first_ = 0;
    std::size_t head_ = 0;      // bytes of parts_[first_] already taken
    std::size_t size_ = 0;
};

}  // namespace agora::sim
