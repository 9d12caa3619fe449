// Incremental SHA-1 and SHA-256 over OpenSSL's libcrypto (the one hashing library core wraps).
#pragma once

#include <memory>

#include "core/bytes.hpp"
#include "core/digest.hpp"

namespace agora {

class Sha1Hasher {
public:
    Sha1Hasher();
    ~Sha1Hasher();
    Sha1Hasher(Sha1Hasher&&) noexcept;
    Sha1Hasher& operator=(Sha1Hasher&&) noexcept;
    void update(BytesView data);
    Sha1 finish();  // resets the hasher for reuse

private:
    struct State;
    std::unique_ptr<State> state_;
};

class Sha256Hasher {
public:
    Sha256Hasher();
    ~Sha256Hasher();
    Sha256Hasher(Sha256Hasher&&) noexcept;
    Sha256Hasher& operator=(Sha256Hasher&&) noexcept;
    void update(BytesView data);
    Sha256 finish();  // resets the hasher for reuse

private:
    struct State;
    std::unique_ptr<State> state_;
};

Sha1 sha1(BytesView data);
Sha256 sha256(BytesView data);

}  // namespace agora
