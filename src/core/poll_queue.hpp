// What a sans-I/O core has for its driver (the engine's actions, a torrent's outputs, a DHT node's
// datagrams and events): pushed at the back, polled from the front until none is left, then
// started over.
//
// A vector read from the front, not a std::deque: libstdc++'s deque allocates a 512-byte block as
// it is constructed and another every few elements of this size, and there is one queue (or
// two) in every engine, torrent and DHT node of a simulation of thousands. Between bursts the
// queue keeps room for at most `kept_max` elements and gives back the rest.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "core/assert.hpp"

namespace agora {

template <class T, std::size_t kept_max = 8>
class PollQueue {
public:
    void push_back(T value) { items_.push_back(std::move(value)); }
    template <class... Args>
    T& emplace_back(Args&&... args) {
        return items_.emplace_back(std::forward<Args>(args)...);
    }
    bool empty() const { return taken_ == items_.size(); }
    std::size_t size() const { return items_.size() - taken_; }
    std::size_t capacity() const { return items_.capacity(); }
    // The last element pushed and not yet polled.
    T& back() {
        AGORA_ASSERT(!empty());
        return items_.back();
    }

    // The first element not yet polled; nothing when all were.
    std::optional<T> poll() {
        if (taken_ == items_.size()) {
            if (items_.capacity() > kept_max) std::vector<T>().swap(items_);  // (`= {}` would keep it)
            else items_.clear();
            taken_ = 0;
            return std::nullopt;
        }
        return std::move(items_[taken_++]);
    }

private:
    std::vector<T> items_;
    std::size_t taken_ = 0;  // polled: items_[0, taken_) are moved-from
};

}  // namespace agora
