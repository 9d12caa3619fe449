// Result<T>: a value or an Error. Used at every boundary where outside input can be wrong, so
// that cores never throw across their edge (STYLE.md, practice 6).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "core/assert.hpp"

namespace agora {

// What went wrong, in one line a user can read. `offset` is the byte offset into the input for
// parse errors (or -1 when it does not apply).
struct Error {
    enum class Kind : std::uint8_t {
        bad_bencode,   // not bencode, or over a limit
        bad_torrent,   // bencode, but not a valid .torrent / info dictionary
        bad_magnet,    // not a valid magnet link
        io,            // a file could not be read or written
        bad_argument,  // a caller passed something that cannot be done
    };
    Kind kind = Kind::bad_argument;
    std::string message;
    std::int64_t offset = -1;

    // "message (at byte N)" when the offset is known.
    std::string describe() const {
        if (offset < 0) return message;
        return message + " (at byte " + std::to_string(offset) + ")";
    }
};

inline Error make_error(Error::Kind kind, std::string message, std::int64_t offset = -1) {
    return Error{kind, std::move(message), offset};
}

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
    Result(Error error) : v_(std::move(error)) {}        // NOLINT: implicit by design

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { AGORA_ASSERT(ok()); return std::get<0>(v_); }
    const T& value() const& { AGORA_ASSERT(ok()); return std::get<0>(v_); }
    T&& value() && { AGORA_ASSERT(ok()); return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { AGORA_ASSERT(!ok()); return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

// For operations that return nothing but can fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace agora
