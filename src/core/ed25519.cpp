#include "core/ed25519.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>

#include "core/assert.hpp"
#include "core/digest.hpp"

namespace agora::ed25519 {

static_assert(crypto_sign_PUBLICKEYBYTES == sizeof(PublicKey));
static_assert(crypto_sign_SECRETKEYBYTES == sizeof(SecretKey));
static_assert(crypto_sign_SEEDBYTES == sizeof(Seed));
static_assert(crypto_sign_BYTES == sizeof(Signature));

namespace {

// sodium_init() picks the fastest implementations for this CPU and must run before any other
// call. A function-local static runs it once, and C++ makes that once thread-safe.
void ensure_sodium() {
    static const int rc = sodium_init();  // 0 first time, 1 if already done, -1 on failure
    AGORA_ASSERT(rc >= 0);
}

const unsigned char* bytes_of(BytesView v) { return reinterpret_cast<const unsigned char*>(v.data()); }

constexpr std::size_t scalar_bytes = crypto_core_ed25519_SCALARBYTES;          // 32
constexpr std::size_t wide_scalar_bytes = crypto_core_ed25519_NONREDUCEDSCALARBYTES;  // 64

// SHA-512 of `parts...`, reduced modulo the group order.
template <typename... Parts>
std::array<std::uint8_t, scalar_bytes> hash_to_scalar(const Parts&... parts) {
    crypto_hash_sha512_state state;
    crypto_hash_sha512_init(&state);
    (crypto_hash_sha512_update(&state, bytes_of(parts), parts.size()), ...);
    std::array<std::uint8_t, wide_scalar_bytes> wide{};
    crypto_hash_sha512_final(&state, wide.data());
    std::array<std::uint8_t, scalar_bytes> scalar{};
    crypto_core_ed25519_scalar_reduce(scalar.data(), wide.data());
    sodium_memzero(wide.data(), wide.size());
    return scalar;
}

template <std::size_t N>
BytesView view_of(const std::array<std::uint8_t, N>& a) {
    return {reinterpret_cast<const char*>(a.data()), N};
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

KeyPair keypair_from_seed(const Seed& seed) {
    ensure_sodium();
    KeyPair keys;
    AGORA_ASSERT(crypto_sign_seed_keypair(keys.public_key.data(), keys.secret_key.data(), seed.data()) == 0);
    return keys;
}

KeyPair generate_keypair() {
    ensure_sodium();
    KeyPair keys;
    AGORA_ASSERT(crypto_sign_keypair(keys.public_key.data(), keys.secret_key.data()) == 0);
    return keys;
}

Seed seed_of(const KeyPair& keys) {
    Seed seed;
    crypto_sign_ed25519_sk_to_seed(seed.data(), keys.secret_key.data());
    return seed;
}

Signature sign(BytesView message, const KeyPair& keys) {
    ensure_sodium();
    Signature sig;
    AGORA_ASSERT(crypto_sign_detached(sig.data(), nullptr, bytes_of(message), message.size(),
                                      keys.secret_key.data()) == 0);
    return sig;
}

bool verify(BytesView message, const Signature& signature, const PublicKey& public_key) {
    ensure_sodium();
    return crypto_sign_verify_detached(signature.data(), bytes_of(message), message.size(),
                                       public_key.data()) == 0;
}

ExpandedSecretKey expand_seed(const Seed& seed) {
    ensure_sodium();
    ExpandedSecretKey expanded;
    crypto_hash_sha512(expanded.data(), seed.data(), seed.size());
    expanded[0] &= 248;  // RFC 8032 section 5.1.5: clear the cofactor bits,
    expanded[31] &= 127;  // clear the top bit,
    expanded[31] |= 64;   // and set the second-highest
    return expanded;
}

// RFC 8032 section 5.1.6 from the expanded key, with libsodium's scalar arithmetic:
// r = H(prefix || M) mod L, R = rB, k = H(R || A || M) mod L, S = (r + k a) mod L; signature R || S.
Signature sign_expanded(BytesView message, const ExpandedSecretKey& secret_key,
                        const PublicKey& public_key) {
    ensure_sodium();
    const BytesView prefix = view_of(secret_key).substr(scalar_bytes);
    auto r = hash_to_scalar(prefix, message);

    Signature sig{};
    // Fails only for r == 0, which SHA-512 output reduces to with probability 2^-252.
    AGORA_ASSERT(crypto_scalarmult_ed25519_base_noclamp(sig.data(), r.data()) == 0);
    auto k = hash_to_scalar(view_of(sig).substr(0, scalar_bytes), view_of(public_key), message);

    // The clamped scalar a is below 2^255 but not reduced; reduce it through the 64-byte form.
    std::array<std::uint8_t, wide_scalar_bytes> a_wide{};
    std::copy_n(secret_key.begin(), scalar_bytes, a_wide.begin());
    std::array<std::uint8_t, scalar_bytes> a{};
    crypto_core_ed25519_scalar_reduce(a.data(), a_wide.data());

    std::array<std::uint8_t, scalar_bytes> ka{};
    crypto_core_ed25519_scalar_mul(ka.data(), k.data(), a.data());
    crypto_core_ed25519_scalar_add(sig.data() + scalar_bytes, ka.data(), r.data());

    sodium_memzero(a_wide.data(), a_wide.size());
    sodium_memzero(a.data(), a.size());
    sodium_memzero(ka.data(), ka.size());
    sodium_memzero(r.data(), r.size());
    return sig;
}

Result<KeyPair> parse_key_file(std::string_view contents) {
    std::size_t begin = 0;
    std::size_t end = contents.size();
    while (begin < end && is_space(contents[begin])) ++begin;
    while (end > begin && is_space(contents[end - 1])) --end;
    const std::string_view hex = contents.substr(begin, end - begin);

    constexpr std::size_t hex_chars = 2 * sizeof(Seed);
    if (hex.empty())
        return make_error(Error::Kind::bad_argument,
                          "key file is empty: expected a 32-byte Ed25519 seed as 64 hex digits");
    for (std::size_t i = 0; i < hex.size(); ++i) {
        if (hex_digit_value(hex[i]) < 0)
            return make_error(Error::Kind::bad_argument,
                              "key file: not a hex digit (expected 64 hex digits, a 32-byte Ed25519 seed)",
                              static_cast<std::int64_t>(begin + i));
    }
    if (hex.size() != hex_chars)
        return make_error(Error::Kind::bad_argument,
                          "key file holds " + std::to_string(hex.size()) +
                              " hex digits; a 32-byte Ed25519 seed is 64");

    Seed seed;
    for (std::size_t i = 0; i < seed.size(); ++i)
        seed[i] = static_cast<std::uint8_t>(hex_digit_value(hex[2 * i]) * 16 +
                                            hex_digit_value(hex[2 * i + 1]));
    KeyPair keys = keypair_from_seed(seed);
    sodium_memzero(seed.data(), seed.size());
    return keys;
}

std::string format_key_file(const Seed& seed) { return to_hex(view_of(seed)) + "\n"; }

}  // namespace agora::ed25519
