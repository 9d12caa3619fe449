// A map from small integer handles to values, for the engine's connections and a torrent's peers.
// It reads like std::map (find, operator[], erase, iteration in key order, elements as
// std::pair<const key, value>) but keeps its elements in one contiguous array sorted by key, and
// finds a handle through a small hash index into that array. With thousands of simulated nodes
// every message lands on an engine whose memory is cold: a std::map's walk from root to leaf cost
// a cache miss per level (the two lookups per message were a sixth of the simulator's time at
// 1,000 leechers), and a binary search of the array still one per halving. The index holds each
// element's address as well as its position, so a find costs one miss in the index and one in the
// element, and none in the array.
//
// Values live in their own allocations, so a reference to one stays valid until it is erased;
// iterators do not survive an insert or erase. Handles are issued in increasing order, so an insert
// is almost always at the end, and only inserts elsewhere and erases rebuild the index.
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

    // Open addressing with linear probing, at most half full: key -> position in slots_, and the
    // element itself.
    struct Entry {
        Key key = 0;
        std::uint32_t position = empty_position;
        value_type* node = nullptr;
    };
    static constexpr std::uint32_t empty_position = UINT32_MAX;
    std::vector<Entry> index_;  // size a power of two (or zero while the map is empty)

    std::size_t home(Key k) const {
        // Fibonacci hashing: consecutive handles land far apart.
        return static_cast<std::size_t>((std::uint64_t{k} * 0x9E3779B97F4A7C15ull) >> 32) & (index_.size() - 1);
    }
    void index_insert(Key k, std::size_t position) {
        std::size_t i = home(k);
        while (index_[i].position != empty_position) i = (i + 1) & (index_.size() - 1);
        index_[i] = Entry{k, static_cast<std::uint32_t>(position), slots_[position].node.get()};
    }
    void rebuild_index() {
        std::size_t size = 16;
        while (size < 2 * slots_.size()) size *= 2;
        index_.assign(size, Entry{});
        for (std::size_t p = 0; p < slots_.size(); ++p) index_insert(slots_[p].key, p);
    }
    // The index entry for k, or nullptr.
    const Entry* entry(Key k) const {
        if (index_.empty()) return nullptr;
        for (std::size_t i = home(k);; i = (i + 1) & (index_.size() - 1)) {
            if (index_[i].position == empty_position) return nullptr;
            if (index_[i].key == k) return &index_[i];
        }
    }

    // An iterator made by find() knows its element already: reading it then does not touch the array.
    template <class Base, class V>
    class Iter {
    public:
        Iter() = default;
        explicit Iter(Base it, V* node = nullptr) : it_(it), node_(node) {}
        V& operator*() const { return node_ ? *node_ : *it_->node; }
        V* operator->() const { return node_ ? node_ : it_->node.get(); }
        Iter& operator++() {
            ++it_;
            node_ = nullptr;
            return *this;
        }
        bool operator==(const Iter& o) const { return it_ == o.it_; }

    private:
        friend class HandleMap;
        Base it_{};
        V* node_ = nullptr;
    };

    static bool before(const Slot& s, Key k) { return s.key < k; }
    auto lower(Key k) { return std::lower_bound(slots_.begin(), slots_.end(), k, before); }

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
        const Entry* e = entry(k);
        return e ? iterator(slots_.begin() + static_cast<std::ptrdiff_t>(e->position), e->node) : end();
    }
    const_iterator find(Key k) const {
        const Entry* e = entry(k);
        return e ? const_iterator(slots_.begin() + static_cast<std::ptrdiff_t>(e->position), e->node) : end();
    }
    bool contains(Key k) const { return entry(k) != nullptr; }

    // The value for k, made (value-initialised) if absent.
    T& operator[](Key k) {
        if (const Entry* e = entry(k)) return e->node->second;
        auto node = std::make_unique<value_type>(std::piecewise_construct, std::forward_as_tuple(k), std::forward_as_tuple());
        T& value = node->second;
        if (slots_.empty() || slots_.back().key < k) {
            slots_.push_back(Slot{k, std::move(node)});
            if (2 * slots_.size() > index_.size()) rebuild_index();
            else index_insert(k, slots_.size() - 1);
        } else {
            slots_.insert(lower(k), Slot{k, std::move(node)});
            rebuild_index();
        }
        return value;
    }

    // Returns the element after the erased one.
    iterator erase(iterator it) {
        const auto next = slots_.erase(it.it_);
        const auto at = next - slots_.begin();
        rebuild_index();
        return iterator(slots_.begin() + at);
    }
    std::size_t erase(Key k) {
        auto it = find(k);
        if (it == end()) return 0;
        erase(it);
        return 1;
    }
    void clear() {
        slots_.clear();
        index_.clear();
    }
};

}  // namespace agora
