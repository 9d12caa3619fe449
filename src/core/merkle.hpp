// BEP 52 merkle trees over SHA-256. Leaves are the hashes of 16 KiB blocks; a tree is padded to a
// power of two leaves. Missing leaves are all-zero hashes, so a padded subtree of n zero leaves
// has a fixed root, merkle_pad(n), which is what pads the piece layer above the blocks.
#pragma once

#include <cstddef>
#include <span>

#include "core/digest.hpp"

namespace agora {

// Smallest power of two >= n (1 for n <= 1).
std::size_t next_pow2(std::size_t n);

// The root of a tree of `leaf_count` (a power of two) all-zero leaves.
Sha256 merkle_pad(std::size_t leaf_count);

// The root of `leaves` padded with copies of `pad` to `padded_count` leaves (a power of two,
// >= leaves.size()). `pad` is the root of the subtree each padding leaf stands for.
Sha256 merkle_root(std::span<const Sha256> leaves, std::size_t padded_count, const Sha256& pad);

}  // namespace agora
