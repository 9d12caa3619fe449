// A map from small integer handles to values, for the engine's connections and a torrent's peers.
// It reads like std::map (find, operator[], erase, iteration in key order, elements as
// std::pair<const key, value>) but finds a handle by binary search in one contiguous array of
// keys. With thousands of simulated nodes every message lands on an engine whose memory is cold,
// and a std::map's walk from root to leaf cost a cache miss per level: the two lookups per message
// were a sixth of the simulator's time at 1,000 leechers.
//
// Values live in their own allocations, so a reference to one stays valid until it is erased;
// iterators do not survive an insert or erase. Handles are issued in increasing order, so an insert
// is almost always at the end.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

namespace agora {

template <class T>
class HandleMap {
public:
    using Key = std::uint32_t;
    using value_type = std::pair<const Key, T>;

private:
    struct Slot {
        Key key;
        std::unique_ptr<value_type> node;
    };
    std::vector<Slot> slots_;  // sorted by key

    template <class Base, class V>
    class Iter {
    public:
        Iter() = default;
        explicit Iter(Base it) : it_(it) {}
        V& operator*() const { return *it_->node; }
        V* operator->() const { return it_->node.get(); }
        Iter& operator++() {
            ++it_;
            return *this;
        }
        bool operator==(const Iter&) const = default;

    private:
        friend class HandleMap;
        Base it_{};
    };

    static bool before(const Slot& s, Key k) { return s.key < k; }
    auto lower(Key k) { return std::lower_bound(slots_.begin(), slots_.end(), k, before); }
    auto lower(Key k) const { return std::lower_bound(slots_.begin(), slots_.end(), k, before); }

public:
    using iterator = Iter<typename std::vector<Slot>::iterator, value_type>;
    using const_iterator = Iter<typename std::vector<Slot>::const_iterator, const value_type>;

    iterator begin() { return iterator(slots_.begin()); }
    iterator end() { return iterator(slots_.end()); }
    const_iterator begin() const { return const_iterator(slots_.begin()); }
    const_iterator end() const { return const_iterator(slots_.end()); }
    bool empty() const { return slots_.empty(); }
    std::size_t size() const { return slots_.size(); }

    iterator find(Key k) {
        auto it = lower(k);
        return it != slots_.end() && it->key == k ? iterator(it) : end();
    }
    const_iterator find(Key k) const {
        auto it = lower(k);
        return it != slots_.end() && it->key == k ? const_iterator(it) : end();
    }
    bool contains(Key k) const { return find(k) != end(); }

    // The value for k, made (value-initialised) if absent.
    T& operator[](Key k) {
        auto it = slots_.empty() || slots_.back().key < k ? slots_.end() : lower(k);
        if (it == slots_.end() || it->key != k)
            it = slots_.insert(it, Slot{k, std::make_unique<value_type>(std::piecewise_construct, std::forward_as_tuple(k),
                                                                        std::forward_as_tuple())});
        return it->node->second;
    }

    // Returns the element after the erased one.
    iterator erase(iterator it) { return iterator(slots_.erase(it.it_)); }
    std::size_t erase(Key k) {
        auto it = find(k);
        if (it == end()) return 0;
        erase(it);
        return 1;
    }
    void clear() { slots_.clear(); }
};

}  // namespace agora
