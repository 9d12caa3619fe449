#include "core/hash.hpp"

// OpenSSL's one-algorithm functions, not EVP: EVP loads and initialises the provider machinery on
// first use, which costs a process megabytes of resident memory (measured with 1,000 torrents in
// bench/daemon) for nothing here, and a little time per call. The functions are deprecated in
// OpenSSL 3 in favour of EVP but remain, with the same assembly (SHA-NI, AVX2) underneath.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "core/assert.hpp"

namespace agora {

struct Sha1Hasher::State {
    SHA_CTX ctx{};
    State() { SHA1_Init(&ctx); }
};
Sha1Hasher::Sha1Hasher() : state_(std::make_unique<State>()) {}
Sha1Hasher::~Sha1Hasher() = default;
Sha1Hasher::Sha1Hasher(Sha1Hasher&&) noexcept = default;
Sha1Hasher& Sha1Hasher::operator=(Sha1Hasher&&) noexcept = default;
void Sha1Hasher::update(BytesView data) { SHA1_Update(&state_->ctx, data.data(), data.size()); }
Sha1 Sha1Hasher::finish() {
    Sha1 d;
    SHA1_Final(d.bytes.data(), &state_->ctx);
    SHA1_Init(&state_->ctx);
    return d;
}

struct Sha256Hasher::State {
    SHA256_CTX ctx{};
    State() { SHA256_Init(&ctx); }
};
Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {}
Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;
void Sha256Hasher::update(BytesView data) { SHA256_Update(&state_->ctx, data.data(), data.size()); }
Sha256 Sha256Hasher::finish() {
    Sha256 d;
    SHA256_Final(d.bytes.data(), &state_->ctx);
    SHA256_Init(&state_->ctx);
    return d;
}

Sha1 sha1(BytesView data) {
    Sha1Hasher h;
    h.update(data);
    return h.finish();
}

Sha256 sha256(BytesView data) {
    Sha256Hasher h;
    h.update(data);
    return h.finish();
}

}  // namespace agora
