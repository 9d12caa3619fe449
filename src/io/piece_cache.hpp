// Recently read pieces, for uploading: peers ask for a piece 16 KiB at a time, and in a swarm
// several ask for the same piece, so the disk is read once per piece rather than once per block
// per peer. Verified pieces never change, so entries never go stale. Bounded in bytes, least
// recently used out first; shared by the disk threads (one mutex, held only for the lookup).
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "core/bytes.hpp"

namespace agora::io {

class PieceCache {
public:
    explicit PieceCache(std::size_t bytes_max) : bytes_max_(bytes_max) {}

    std::shared_ptr<const Bytes> get(std::uint32_t torrent, std::uint32_t piece) {
        std::lock_guard lock(mutex_);
        auto it = index_.find({torrent, piece});
        if (it == index_.end()) return nullptr;
        order_.splice(order_.begin(), order_, it->second);
        return it->second->data;
    }

    void put(std::uint32_t torrent, std::uint32_t piece, std::shared_ptr<const Bytes> data) {
        std::lock_guard lock(mutex_);
        if (index_.contains({torrent, piece}) || data->size() > bytes_max_) return;
        bytes_ += data->size();
        order_.push_front(Entry{{torrent, piece}, std::move(data)});
        index_[{torrent, piece}] = order_.begin();
        while (bytes_ > bytes_max_) {
            bytes_ -= order_.back().data->size();
            index_.erase(order_.back().key);
            order_.pop_back();
        }
    }

private:
    using Key = std::pair<std::uint32_t, std::uint32_t>;
    struct Entry {
        Key key;
        std::shared_ptr<const Bytes> data;
    };
    std::mutex mutex_;
    std::size_t bytes_max_;
    std::size_t bytes_ = 0;
    std::list<Entry> order_;
    std::map<Key, std::list<Entry>::iterator> index_;
};

}  // namespace agora::io
