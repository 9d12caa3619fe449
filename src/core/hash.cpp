#include "core/hash.hpp"

#include <openssl/evp.h>

#include "core/assert.hpp"

namespace agora {

// One EVP context per hasher, created once and reset after each digest: creating contexts per
// block would dominate the cost of hashing 16 KiB blocks.
namespace {
struct EvpContext {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const EVP_MD* md;
    explicit EvpContext(const EVP_MD* m) : md(m) {
        AGORA_ASSERT(ctx != nullptr);
        AGORA_ASSERT(EVP_DigestInit_ex(ctx, md, nullptr) == 1);
    }
    ~EvpContext() { EVP_MD_CTX_free(ctx); }
    EvpContext(const EvpContext&) = delete;
    EvpContext& operator=(const EvpContext&) = delete;
    void update(BytesView data) { AGORA_ASSERT(EVP_DigestUpdate(ctx, data.data(), data.size()) == 1); }
    void finish(std::uint8_t* out) {
        unsigned int len = 0;
        AGORA_ASSERT(EVP_DigestFinal_ex(ctx, out, &len) == 1);
        AGORA_ASSERT(EVP_DigestInit_ex(ctx, md, nullptr) == 1);
    }
};
}  // namespace

struct Sha1Hasher::State : EvpContext {
    State() : EvpContext(EVP_sha1()) {}
};
Sha1Hasher::Sha1Hasher() : state_(std::make_unique<State>()) {}
Sha1Hasher::~Sha1Hasher() = default;
Sha1Hasher::Sha1Hasher(Sha1Hasher&&) noexcept = default;
Sha1Hasher& Sha1Hasher::operator=(Sha1Hasher&&) noexcept = default;
void Sha1Hasher::update(BytesView data) { state_->update(data); }
Sha1 Sha1Hasher::finish() {
    Sha1 d;
    state_->finish(d.bytes.data());
    return d;
}

struct Sha256Hasher::State : EvpContext {
    State() : EvpContext(EVP_sha256()) {}
};
Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {}
Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;
void Sha256Hasher::update(BytesView data) { state_->update(data); }
Sha256 Sha256Hasher::finish() {
    Sha256 d;
    state_->finish(d.bytes.data());
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
