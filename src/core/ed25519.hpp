// Ed25519 signatures (RFC 8032) over libsodium, for BEP 44's mutable DHT items, and the key file
// that holds a publisher's seed. The whole key is derived from a 32-byte seed; libsodium keeps the
// secret key as seed || public key. Signing is deterministic: one key and message, one signature.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace agora::ed25519 {

using Seed = std::array<std::uint8_t, 32>;
using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;
// libsodium's form: the seed followed by the public key.
using SecretKey = std::array<std::uint8_t, 64>;
// The form orlp/ed25519 (the library libtorrent uses) stores, and BEP 44's test vectors print:
// SHA-512(seed) with its first half clamped, i.e. the secret scalar then the nonce prefix. The
// seed cannot be recovered from it, so signing from it is a separate function.
using ExpandedSecretKey = std::array<std::uint8_t, 64>;

struct KeyPair {
    PublicKey public_key{};
    SecretKey secret_key{};
};

KeyPair keypair_from_seed(const Seed& seed);
// Reads the operating system's randomness: for the CLI and io/ only, never a core (STYLE.md,
// practice 2); a core is handed its key.
KeyPair generate_keypair();
Seed seed_of(const KeyPair& keys);

Signature sign(BytesView message, const KeyPair& keys);
// False for a wrong signature, and also for a public key that is not a valid curve point.
bool verify(BytesView message, const Signature& signature, const PublicKey& public_key);

// The expanded form of `seed` (see ExpandedSecretKey).
ExpandedSecretKey expand_seed(const Seed& seed);
// The signature orlp/ed25519's ed25519_sign() makes; equal to sign() for the same seed.
// `public_key` must be the one that belongs to `secret_key` (it is hashed into the signature).
Signature sign_expanded(BytesView message, const ExpandedSecretKey& secret_key,
                        const PublicKey& public_key);

// A key file holds the seed as 64 hex digits of either case; whitespace around them is allowed.
// Anything else is an Error of kind bad_argument that says what was found.
Result<KeyPair> parse_key_file(std::string_view contents);
// Lower-case hex and a newline: what parse_key_file() reads back.
std::string format_key_file(const Seed& seed);

}  // namespace agora::ed25519
