// A fixed-size set of bits in BitTorrent's wire order: bit 0 is the high bit of byte 0, so the
// bytes can go on the wire (BEP 3 `bitfield`) and into resume records unchanged.
#pragma once

#include <cstdint>
#include <optional>

#include "core/assert.hpp"
#include "core/bytes.hpp"

namespace agora {

class Bitfield {
public:
    Bitfield() = default;
    explicit Bitfield(std::uint32_t size_bits, bool value = false)
        : size_bits_(size_bits), bytes_((size_bits + 7) / 8, value ? '\xff' : '\0') {
        clear_tail();
        count_ = value ? size_bits : 0;
    }

    // From wire bytes: the byte count must match exactly and the spare bits must be zero.
    static std::optional<Bitfield> from_bytes(BytesView bytes, std::uint32_t size_bits) {
        if (bytes.size() != (std::size_t{size_bits} + 7) / 8) return std::nullopt;
        Bitfield b;
        b.size_bits_ = size_bits;
        b.bytes_.assign(bytes.data(), bytes.size());
        if (size_bits % 8 != 0 && !b.bytes_.empty()) {
            auto spare = static_cast<std::uint8_t>(0xffu >> (size_bits % 8));
            if ((static_cast<std::uint8_t>(b.bytes_.back()) & spare) != 0) return std::nullopt;
        }
        for (std::uint32_t i = 0; i < size_bits; ++i) b.count_ += b.get(i) ? 1 : 0;
        return b;
    }

    std::uint32_t size() const { return size_bits_; }
    std::uint32_t count() const { return count_; }
    bool all() const { return count_ == size_bits_; }
    bool none() const { return count_ == 0; }

    bool get(std::uint32_t i) const {
        AGORA_ASSERT(i < size_bits_);
        return (static_cast<std::uint8_t>(bytes_[i / 8]) >> (7 - i % 8)) & 1;
    }
    void set(std::uint32_t i, bool value = true) {
        AGORA_ASSERT(i < size_bits_);
        if (get(i) == value) return;
        auto mask = static_cast<std::uint8_t>(0x80u >> (i % 8));
        auto& byte = reinterpret_cast<std::uint8_t&>(bytes_[i / 8]);
        byte = value ? static_cast<std::uint8_t>(byte | mask) : static_cast<std::uint8_t>(byte & ~mask);
        count_ = value ? count_ + 1 : count_ - 1;
    }

    BytesView bytes() const { return bytes_; }
    bool operator==(const Bitfield& o) const { return size_bits_ == o.size_bits_ && bytes_ == o.bytes_; }

private:
    void clear_tail() {
        if (size_bits_ % 8 != 0 && !bytes_.empty())
            bytes_.back() = static_cast<char>(static_cast<std::uint8_t>(bytes_.back()) &
                                              static_cast<std::uint8_t>(0xff00u >> (size_bits_ % 8)));
    }

    std::uint32_t size_bits_ = 0;
    std::uint32_t count_ = 0;
    Bytes bytes_;
};

}  // namespace agora
